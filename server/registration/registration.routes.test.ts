import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { approvalWorld, type ApiClient, type World } from '../approvals/testkit.ts'
import { verifyAuditChain } from '../audit/verify.ts'
import { kyivYear } from './index-pattern.ts'
import { registerDocument } from './registration.service.ts'
import type { JournalOut, NomenclatureFileOut, RegistrationCard, RegistrationPage } from './schemas.ts'

let w: World
let clerk: ApiClient
let admin: ApiClient
let staff: ApiClient // it.staff: Відділ ІТ (02-01)
let colleague: ApiClient // expert: the same unit
let outsider: ApiClient // housing: another unit
const YEAR = kyivYear(new Date())

beforeAll(async () => {
  w = await approvalWorld()
  ;[clerk, admin, staff, colleague, outsider] = (await Promise.all(['clerk', 'admin', 'it.staff', 'expert', 'housing'].map((l) => w.as(l)))) as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
})
afterAll(() => w.close())

const prisma = () => w.t.db.prisma

function expectProblem(r: LightMyRequestResponse, status: number, code: string) {
  expect(r.statusCode, r.body).toBe(status)
  expect(r.headers['content-type']).toContain('application/problem+json')
  expect(r.json().code).toBe(code)
}

const auditOf = (targetType: string, targetId: string) => prisma().auditEvent.findMany({ where: { targetType, targetId }, orderBy: { seq: 'asc' } })

/** A document created through the API by `author`, registered as the clerk would be by the signing code. */
async function registeredDocument(author: ApiClient, opts: { kind?: string; title?: string; accessMark?: string } = {}) {
  const created = await author.post('/api/documents', {
    kind: opts.kind ?? 'letter',
    title: opts.title ?? 'Про підключення до системи електронної взаємодії',
    authorUnitId: author.session!.positions[0]!.unitId,
    accessMark: opts.accessMark ?? 'public',
  })
  expect(created.statusCode, created.body).toBe(201)
  const id = created.json().id as string
  const r = await prisma().$transaction((tx) => registerDocument(tx, { userId: clerk.session!.user.id, ip: null }, { documentId: id, at: new Date() }))
  return { id, registration: r }
}

describe('journals', () => {
  it('are listed for everyone signed in, and created and changed by clerks, audited', async () => {
    const list = (await staff.get('/api/journals')).json() as JournalOut[]
    expect(list.map((j) => j.indexPattern).sort()).toEqual(['{seq}', '{seq}', '{seq}-р', '{seq}/{file}', '{seq}/{file}', '{seq}/{file}'].sort())
    expect((await w.t.anonymous().get('/api/journals')).statusCode).toBe(401)

    const created = await clerk.post('/api/admin/journals', { name: 'Журнал реєстрації положень', kinds: ['regulation'], indexPattern: '{seq}/{unit}', defaultFile: '02-05' })
    expect(created.statusCode, created.body).toBe(201)
    const j = created.json() as JournalOut
    expect(j).toMatchObject({ name: 'Журнал реєстрації положень', kinds: ['regulation'], indexPattern: '{seq}/{unit}', defaultFile: '02-05', active: true })

    const changed = await clerk.patch(`/api/admin/journals/${j.id}`, { name: 'Журнал реєстрації положень про підрозділи', indexPattern: '{seq}/{unit}/{year}' })
    expect(changed.statusCode, changed.body).toBe(200)
    expect(changed.json()).toMatchObject({ name: 'Журнал реєстрації положень про підрозділи', indexPattern: '{seq}/{unit}/{year}' })
    const byAdmin = await admin.patch(`/api/admin/journals/${j.id}`, { active: false })
    expect(byAdmin.json().active).toBe(false)

    const events = await auditOf('journal', j.id)
    expect(events.map((e) => e.action)).toEqual(['journal.created', 'journal.updated', 'journal.updated'])
    expect(events[0]!.actorId).toBe(clerk.session!.user.id)
    expect(events[1]!.before).toMatchObject({ name: 'Журнал реєстрації положень', indexPattern: '{seq}/{unit}' })
    expect(events[1]!.after).toMatchObject({ name: 'Журнал реєстрації положень про підрозділи', indexPattern: '{seq}/{unit}/{year}' })
  })

  it('refuse staff, bad patterns, markup, unknown fields and a kind another active journal registers, changing nothing', async () => {
    const before = await prisma().journal.findMany({ orderBy: { id: 'asc' } })
    const auditBefore = await prisma().auditEvent.count()
    const good = { name: 'Журнал реєстрації висновків', kinds: ['expert_conclusion'], indexPattern: '{seq}/{file}', defaultFile: '02-05' }
    const letters = before.find((j) => j.kinds.includes('letter'))!

    expectProblem(await staff.post('/api/admin/journals', good), 403, 'FORBIDDEN')
    expectProblem(await staff.patch(`/api/admin/journals/${letters.id}`, { name: 'Інша назва' }), 403, 'FORBIDDEN')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, indexPattern: '{year}/{file}' }), 400, 'INVALID_INDEX_PATTERN')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, indexPattern: '{seq}/{dept}' }), 400, 'INVALID_INDEX_PATTERN')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, indexPattern: '{seq}/{seq}' }), 400, 'INVALID_INDEX_PATTERN')
    expectProblem(await clerk.patch(`/api/admin/journals/${letters.id}`, { indexPattern: '{seq' + '}/{x}' }), 400, 'INVALID_INDEX_PATTERN')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, indexPattern: '{seq} / {file}' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, name: '<script>alert(1)</script>' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, secret: true }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, kinds: ['memo'] }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, defaultFile: '2-5' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.patch(`/api/admin/journals/${letters.id}`, {}), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/admin/journals', { ...good, kinds: ['expert_conclusion', 'letter'] }), 409, 'JOURNAL_KIND_TAKEN')
    const orders = before.find((j) => j.kinds.includes('mayor_order'))!
    expectProblem(await clerk.patch(`/api/admin/journals/${orders.id}`, { kinds: ['mayor_order', 'letter'] }), 409, 'JOURNAL_KIND_TAKEN')
    expectProblem(await clerk.patch('/api/admin/journals/00000000-0000-4000-8000-000000000000', { name: 'Нова назва' }), 404, 'JOURNAL_NOT_FOUND')

    expect(await prisma().journal.findMany({ orderBy: { id: 'asc' } })).toEqual(before)
    expect(await prisma().auditEvent.count()).toBe(auditBefore)
  })
})

describe('the nomenclature of files', () => {
  it('is listed per year and kept by clerks, audited', async () => {
    const files = (await staff.get(`/api/nomenclature?year=${YEAR}`)).json() as NomenclatureFileOut[]
    expect(files.map((f) => f.index)).toEqual(['01-01', '01-02', '01-03', '02-01', '02-05', '02-13'])
    expect(files.find((f) => f.index === '02-13')).toMatchObject({ title: 'Посадові інструкції працівників управління', retention: '5 р. після заміни новими', article: 'ст. 43', unit: { code: '02' } })
    expect((await staff.get('/api/nomenclature')).json()).toEqual(files)

    const unitId = clerk.session!.positions[0]!.unitId
    const created = await clerk.post('/api/nomenclature', { year: YEAR, index: '04-07', title: 'Журнали реєстрації вихідної кореспонденції', unitId, retention: '3 р.', retentionYears: 3 })
    expect(created.statusCode, created.body).toBe(201)
    const f = created.json() as NomenclatureFileOut
    expect(f).toMatchObject({ year: YEAR, index: '04-07', article: '', registrations: 0, unit: { id: unitId, code: '04' } })
    const patched = await clerk.patch(`/api/nomenclature/${f.id}`, { retention: '5 р.', retentionYears: 5, index: '04-08' })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json()).toMatchObject({ index: '04-08', retention: '5 р.', retentionYears: 5 })
    const events = await auditOf('nomenclature', f.id)
    expect(events.map((e) => e.action)).toEqual(['nomenclature.created', 'nomenclature.updated'])
    expect(events[1]!.before).toMatchObject({ index: '04-07', retention: '3 р.' })
    expect(events[1]!.after).toMatchObject({ index: '04-08', retention: '5 р.' })
  })

  it('refuses staff, duplicate indices, malformed indices, markup and unknown fields, changing nothing', async () => {
    const before = await prisma().nomenclatureFile.findMany({ orderBy: { id: 'asc' } })
    const auditBefore = await prisma().auditEvent.count()
    const good = { year: YEAR, index: '02-30', title: 'Плани роботи управління', unitId: null, retention: '1 р.', retentionYears: 1 }
    const existing = before.find((f) => f.year === YEAR && f.index === '02-05')!

    expectProblem(await staff.post('/api/nomenclature', good), 403, 'FORBIDDEN')
    expectProblem(await staff.patch(`/api/nomenclature/${existing.id}`, { title: 'Інше' }), 403, 'FORBIDDEN')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, index: '02-05' }), 409, 'NOMENCLATURE_INDEX_TAKEN')
    expectProblem(await clerk.patch(`/api/nomenclature/${existing.id}`, { index: '02-13' }), 409, 'NOMENCLATURE_INDEX_TAKEN')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, index: '2-30' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, index: '02-30; DROP' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, title: '<b>Плани</b>' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, article: '<i>ст. 1</i>' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, extra: 1 }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, year: 1999 }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.post('/api/nomenclature', { ...good, unitId: '00000000-0000-4000-8000-000000000000' }), 404, 'UNIT_NOT_FOUND')
    expectProblem(await staff.get('/api/nomenclature?year=abc'), 400, 'VALIDATION_FAILED')

    expect(await prisma().nomenclatureFile.findMany({ orderBy: { id: 'asc' } })).toEqual(before)
    expect(await prisma().auditEvent.count()).toBe(auditBefore)
  })
})

describe('registration cards', () => {
  it('are shown to whoever may see the document, null before registration', async () => {
    const { id, registration } = await registeredDocument(staff)
    const card = (await outsider.get(`/api/documents/${id}/registration`)).json() as RegistrationCard
    expect(card).toMatchObject({
      documentId: id,
      index: registration.index,
      seq: registration.seq,
      year: YEAR,
      kind: 'letter',
      title: 'Про підключення до системи електронної взаємодії',
      journal: { name: 'Журнал реєстрації вихідної кореспонденції' },
      file: { index: '02-05', retention: '5 р.' },
      authorUnit: { code: '02-01' },
      registeredBy: { id: clerk.session!.user.id, fullName: 'Романюк Тетяна Ярославівна' },
      correspondent: '',
      receivedAt: null,
    })
    expect(card.index).toMatch(/^\d+\/02-05$/)

    const draft = await staff.post('/api/documents', { kind: 'letter', title: 'Ще не зареєстровано', authorUnitId: staff.session!.positions[0]!.unitId })
    const unregistered = await staff.get(`/api/documents/${draft.json().id}/registration`)
    expect(unregistered.statusCode).toBe(200)
    expect(unregistered.json()).toBeNull()

    // A restricted document's card is hidden exactly like the document.
    const secret = await registeredDocument(staff, { accessMark: 'personal_data', title: 'Про доступ до персональних даних' })
    expectProblem(await outsider.get(`/api/documents/${secret.id}/registration`), 404, 'DOCUMENT_NOT_FOUND')
    expect((await colleague.get(`/api/documents/${secret.id}/registration`)).json().index).toBe(secret.registration.index)
    expect((await clerk.get(`/api/documents/${secret.id}/registration`)).json().index).toBe(secret.registration.index)
  })

  it('are corrected by clerks with before and after in the audit log; the index never changes', async () => {
    const { id, registration } = await registeredDocument(staff, { title: 'Про надання доступу до реєстру' })
    const patch = { correspondent: 'Міністерство цифрової трансформації України', receivedAt: '2026-11-20T08:30:00.000Z', resolution: 'Бойку А. М.\nОпрацювати до 05.12.2026', attachments: 'на 3 арк. в 1 прим.' }
    const r = await clerk.patch(`/api/documents/${id}/registration`, patch)
    expect(r.statusCode, r.body).toBe(200)
    expect(r.json()).toMatchObject({ ...patch, index: registration.index, seq: registration.seq })
    const events = await auditOf('registration', registration.id)
    expect(events.map((e) => e.action)).toEqual(['registration.created', 'registration.updated'])
    expect(events[1]!.actorId).toBe(clerk.session!.user.id)
    expect(events[1]!.before).toMatchObject({ correspondent: '', resolution: '', receivedAt: null, index: registration.index })
    expect(events[1]!.after).toMatchObject({ correspondent: patch.correspondent, receivedAt: patch.receivedAt, index: registration.index })

    // Another file of the same year is fine; one from another year is not.
    const files = await prisma().nomenclatureFile.findMany({ where: { index: '02-01', year: { in: [YEAR, YEAR + 1] } } })
    const sameYear = files.find((f) => f.year === YEAR)!
    const nextYear = files.find((f) => f.year === YEAR + 1)!
    const moved = await admin.patch(`/api/documents/${id}/registration`, { fileId: sameYear.id })
    expect(moved.json()).toMatchObject({ file: { index: '02-01' }, index: registration.index })

    const draft = await staff.post('/api/documents', { kind: 'letter', title: 'Не зареєстровано', authorUnitId: staff.session!.positions[0]!.unitId })
    const row = await prisma().registration.findUniqueOrThrow({ where: { documentId: id } })
    const auditBefore = await prisma().auditEvent.count()
    expectProblem(await clerk.patch(`/api/documents/${id}/registration`, { fileId: nextYear.id }), 409, 'NOMENCLATURE_YEAR_MISMATCH')
    expectProblem(await clerk.patch(`/api/documents/${id}/registration`, { index: '999' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.patch(`/api/documents/${id}/registration`, { seq: 999 }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.patch(`/api/documents/${id}/registration`, { registeredAt: '2020-01-01T00:00:00.000Z' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.patch(`/api/documents/${id}/registration`, { correspondent: '<img src=x onerror=alert(1)>' }), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.patch(`/api/documents/${id}/registration`, { receivedAt: 'yesterday' }), 400, 'VALIDATION_FAILED')
    expectProblem(await staff.patch(`/api/documents/${id}/registration`, { correspondent: 'Хтось' }), 403, 'FORBIDDEN')
    expectProblem(await clerk.patch(`/api/documents/${draft.json().id}/registration`, { correspondent: 'Хтось' }), 404, 'NOT_REGISTERED')
    expect(await prisma().registration.findUniqueOrThrow({ where: { documentId: id } })).toEqual(row)
    expect(await prisma().auditEvent.count()).toBe(auditBefore)

    // A file that holds documents keeps its year and index.
    expectProblem(await clerk.patch(`/api/nomenclature/${sameYear.id}`, { index: '02-99' }), 409, 'NOMENCLATURE_FILE_IN_USE')
    expect((await clerk.patch(`/api/nomenclature/${sameYear.id}`, { title: 'Доручення начальника управління' })).statusCode).toBe(200)
  })
})

describe("a journal's registrations", () => {
  it('are paged, searchable and hide restricted documents from those who may not see them', async () => {
    const journal = ((await clerk.get('/api/journals')).json() as JournalOut[]).find((j) => j.kinds.includes('instruction'))!
    const open = await registeredDocument(staff, { kind: 'instruction', title: 'Про підготовку звіту про цифровізацію' })
    const restricted = await registeredDocument(staff, { kind: 'instruction', title: 'Про перевірку доступу до персональних даних', accessMark: 'personal_data' })
    const third = await registeredDocument(staff, { kind: 'instruction', title: 'Про оновлення вебсайту' })
    await clerk.patch(`/api/documents/${third.id}/registration`, { correspondent: 'КП «Дрогобичтеплоенерго»' })

    const page = async (c: ApiClient, query = '') => {
      const r = await c.get(`/api/journals/${journal.id}/registrations?year=${YEAR}${query}`)
      expect(r.statusCode, r.body).toBe(200)
      return r.json() as RegistrationPage
    }
    const all = await page(clerk)
    expect(all.total).toBe(3)
    expect(all.items.map((c) => c.seq)).toEqual([3, 2, 1])
    expect(all.items.map((c) => c.documentId)).toEqual([third.id, restricted.id, open.id])
    expect((await page(colleague)).total).toBe(3)
    const theirs = await page(outsider)
    expect(theirs.total).toBe(2)
    expect(theirs.items.map((c) => c.documentId)).not.toContain(restricted.id)

    expect((await page(clerk, '&limit=1&offset=1')).items.map((c) => c.seq)).toEqual([2])
    expect((await page(clerk, `&q=${encodeURIComponent('звіту')}`)).items.map((c) => c.documentId)).toEqual([open.id])
    expect((await page(clerk, `&q=${encodeURIComponent('дрогобичтепло')}`)).items.map((c) => c.documentId)).toEqual([third.id])
    expect((await page(clerk, `&q=${encodeURIComponent(restricted.registration.index)}`)).items.map((c) => c.documentId)).toEqual([restricted.id])
    expect((await page(outsider, `&q=${encodeURIComponent('персональних')}`)).total).toBe(0)
    expect((await page(clerk, '&q=%25')).total).toBe(0)
    expect((await page(clerk, '&q=_')).total).toBe(0)
    expect((await clerk.get(`/api/journals/${journal.id}/registrations?year=${YEAR + 1}`)).json().total).toBe(0)
    expect((await clerk.get(`/api/journals/${journal.id}/registrations`)).json().total).toBe(3)

    expectProblem(await clerk.get(`/api/journals/${journal.id}/registrations?limit=0`), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.get(`/api/journals/${journal.id}/registrations?extra=1`), 400, 'VALIDATION_FAILED')
    expectProblem(await clerk.get('/api/journals/00000000-0000-4000-8000-000000000000/registrations'), 404, 'JOURNAL_NOT_FOUND')
  })

  it('leave an intact audit chain', async () => {
    expect((await verifyAuditChain(w.t.db.pool)).ok).toBe(true)
  })
})
