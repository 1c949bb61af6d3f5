import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../audit/verify.ts'
import { approvalWorld, draftWithVersion, type ApiClient, type World } from '../approvals/testkit.ts'
import { onDocumentSigned } from './job-descriptions.service.ts'
import type { DutyOut, JobDescriptionOut, JobSections, MyJobDescriptionOut, PositionJobDescriptionsOut } from './schemas.ts'

let w: World
let headDigital: ApiClient
let headIt: ApiClient
let itStaff: ApiClient
let legal: ApiClient
let deputy: ApiClient
let admin: ApiClient
let housing: ApiClient
let headHousing: ApiClient
/** The position it.staff holds: «Провідний спеціаліст відділу ІТ…». */
let positionId: string

beforeAll(async () => {
  w = await approvalWorld()
  ;[headDigital, headIt, itStaff, legal, deputy, admin, housing, headHousing] = (await Promise.all(['head.digital', 'head.it', 'it.staff', 'legal', 'deputy', 'admin', 'housing', 'head.housing'].map((l) => w.as(l)))) as ApiClient[] as [
    ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient,
  ]
  positionId = itStaff.session!.positions[0]!.id
})
afterAll(() => w.close())

const put = (c: ApiClient, url: string, payload: unknown) => c.request({ method: 'PUT', url, payload: payload as object })
const json = <T>(res: { json(): unknown }) => res.json() as T
const db = () => w.t.db.prisma

function pdfText(bytes: Buffer): { text: string; flat: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jd-api-'))
  const file = join(dir, 'jd.pdf')
  writeFileSync(file, bytes)
  execFileSync('qpdf', ['--check', file])
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
  return { text, flat: text.replace(/\s+/g, ' ') }
}

async function content(c: ApiClient, documentId: string, number: number): Promise<Buffer> {
  const res = await c.get(`/api/documents/${documentId}/versions/${number}/content`)
  expect(res.statusCode).toBe(200)
  return res.rawPayload
}

const catalog = async (q = '') => json<DutyOut[]>(await headDigital.get(`/api/duties/catalog${q}`))

/** Visas from the three stages before signing, as the route asks for them. */
async function approveUpToSigning(documentId: string) {
  const a = (await headDigital.get(`/api/documents/${documentId}/approval`)).json()
  const sha = (await headDigital.get(`/api/documents/${documentId}`)).json().latestVersion.sha256 as string
  for (const c of [headIt, headDigital, legal]) {
    const res = await c.post(`/api/approvals/${a.id}/decisions`, { decision: 'approve', versionSha256: sha })
    expect(res.statusCode, res.body).toBe(200)
  }
  const after = (await deputy.get(`/api/documents/${documentId}/approval`)).json()
  expect(after.stages.map((s: { state: string }) => s.state)).toEqual(['done', 'done', 'done', 'active'])
  return after
}

/** What the signing module does once the deputy mayor's signature completes the route. */
const signed = (documentId: string, at: Date) => db().$transaction((tx) => onDocumentSigned(tx, documentId, at))

describe('the duty catalogue', () => {
  it('holds the regulation’s functions and tasks with their clauses and units', async () => {
    const all = await catalog()
    expect(all).toHaveLength(76)
    const units = json<{ id: string; code: string }[]>(await headDigital.get('/api/units'))
    const unit = (code: string) => units.find((u) => u.code === code)!.id

    const it431 = await catalog('?clause=4.3.1')
    expect(it431).toHaveLength(20)
    expect(new Set(it431.map((d) => d.unitId))).toEqual(new Set([unit('02-01')]))
    expect(it431.map((d) => d.text)).toContain('Здійснює візуалізацію інформації, отриманої від структурних підрозділів.')
    expect(it431.at(-1)!.text).toBe(
      'Проводить експертизу та погоджує проекти актів Дрогобицької міської ради, виконавчого органу Дрогобицької міської ради розроблені структурними підрозділами виконавчого органу, які містять питання, віднесені до компетенції відділу та управління.',
    )

    const functions = await catalog('?clause=3')
    expect(functions.map((d) => d.sourceClause)).toEqual(Array.from({ length: 18 }, (_, i) => `3.${i + 1}`))
    expect(functions.find((d) => d.sourceClause === '3.13')!.text).toBe(
      'Збільшення доступності органу місцевої влади (організація контакт-центрів прийому телефонних звернень, створення системи електронного документообігу, створення громадських приймалень у зручних для населення місцях).',
    )
    expect(functions.every((d) => d.unitId === unit('02'))).toBe(true)

    const head = await catalog('?clause=4.3')
    expect(head).toHaveLength(13)
    expect(head[0]!.text).toMatch(/^Здійснює керівництво управлінням, несе персональну відповідальність/)
    expect(head.map((d) => d.text)).toContain(
      'Подає на затвердження заступнику міського голови з питань діяльності виконавчих органів, керуючому справами виконавчого комітету посадові інструкції працівників управління та розподіляє обов’язки між ними.',
    )

    const sector = await catalog(`?unitId=${unit('02-03')}`)
    expect(sector.map((d) => d.sourceClause)).toEqual(Array(9).fill('4.3.4'))
    expect(sector.at(-1)!.text).toBe('Забезпечує протидію (спростування) фейковій інформації чи дезінформації.')
    expect((await catalog(`?unitId=${unit('02-02')}`)).map((d) => d.text)).toContain('Забезпечує роботу медіа-центру.')

    expect((await headDigital.get('/api/duties/catalog?clause=<b>')).statusCode).toBe(400)
    expect((await headDigital.get('/api/duties/catalog?extra=1')).statusCode).toBe(400)
    expect((await w.t.anonymous().get('/api/duties/catalog')).statusCode).toBe(401)
  })
})

describe('a job description from draft to acknowledgment', () => {
  let v1: JobDescriptionOut
  let v2: JobDescriptionOut
  const firstSigned = new Date('2026-02-02T09:00:00Z')

  it('is drafted by the head of the Directorate, prefilled for the position, as a document with a PDF', async () => {
    // Staff and other units' heads may not draft; the Directorate's head only within it.
    const staff = await itStaff.post(`/api/positions/${positionId}/job-descriptions`, {})
    expect(staff.statusCode).toBe(403)
    expect(staff.headers['content-type']).toMatch(/application\/problem\+json/)
    expect((await headHousing.post(`/api/positions/${positionId}/job-descriptions`, {})).statusCode).toBe(403)
    const legalPosition = legal.session!.positions[0]!.id
    expect(json<{ code: string }>(await headDigital.post(`/api/positions/${legalPosition}/job-descriptions`, {})).code).toBe('POSITION_OUT_OF_SCOPE')
    expect(json<{ code: string }>(await headDigital.post('/api/positions/00000000-0000-4000-8000-000000000000/job-descriptions', {})).code).toBe('POSITION_NOT_FOUND')

    const res = await headDigital.post(`/api/positions/${positionId}/job-descriptions`, {})
    expect(res.statusCode, res.body).toBe(201)
    v1 = res.json()
    expect(v1).toMatchObject({ version: 1, status: 'draft', returned: false, inForce: false, approvalId: null, can: { edit: true, send: true, acknowledge: false } })
    expect(v1.position).toMatchObject({ id: positionId, unitName: 'Відділ інформаційних технологій, аналізу та цифрової трансформації', holders: [{ fullName: 'Савчук Денис Олегович' }] })
    expect(v1.sections.general).toContain('Відділ інформаційних технологій, аналізу та цифрової трансформації')
    expect(v1.sections.general).toContain('Безпосередній керівник — начальник відділу інформаційних технологій')
    expect(v1.sections.general).toContain('розпорядженням міського голови за результатами конкурсного відбору')
    expect(v1.sections.general).toContain('пункт 4.6')
    // The unit's tasks from the catalogue (4.3.1), linked to their items.
    expect(v1.sections.tasks).toHaveLength(20)
    expect(v1.sections.tasks.every((t) => t.dutyId)).toBe(true)
    expect(v1.sections.rights.length).toBeGreaterThan(0)
    expect(v1.sections.responsibility[0]).toBe('Порушення термінів та порядку підготовки документів.')

    const doc = (await headDigital.get(`/api/documents/${v1.documentId}`)).json()
    expect(doc).toMatchObject({ kind: 'job_description', title: 'Посадова інструкція Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації', status: 'draft', versionCount: 1, accessMark: 'internal' })
    expect(doc.authorUnit.id).toBe(itStaff.session!.positions[0]!.unitId)
    const { flat } = pdfText(await content(headDigital, v1.documentId, 1))
    expect(flat).toContain('ЗАТВЕРДЖУЮ')
    expect(flat).toContain('Віктор КОВАЛЕНКО')
    expect(flat).toContain('Оксана МЕЛЬНИК')

    // One draft at a time.
    const again = await headDigital.post(`/api/positions/${positionId}/job-descriptions`, {})
    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ code: 'JOB_DESCRIPTION_DRAFT_EXISTS', jobDescriptionId: v1.id })

    const events = await db().auditEvent.findMany({ where: { targetId: v1.id, action: 'job_description.drafted' } })
    expect(events).toHaveLength(1)
  })

  it('is edited as a draft: each save renders a new PDF version with the sections and a catalogue duty', async () => {
    const media = (await catalog('?clause=4.3.3')).find((d) => d.text === 'Забезпечує роботу медіа-центру.')!
    const sections: JobSections = {
      ...v1.sections,
      tasks: [...v1.sections.tasks.slice(0, 3), { text: media.text, dutyId: media.id }, { text: '  Адмініструє систему   електронного документообігу «Hromada EDMS»  ' }],
      mustKnow: ['Закон України «Про електронні довірчі послуги»'],
      qualification: 'Вища освіта ступеня не нижче бакалавра за спеціальністю «Компʼютерні науки».\r\nВільне володіння державною мовою.',
    }
    const res = await put(headDigital, `/api/job-descriptions/${v1.id}`, { sections })
    expect(res.statusCode, res.body).toBe(200)
    const saved = json<JobDescriptionOut>(res)
    expect(saved.sections.tasks).toHaveLength(5)
    expect(saved.sections.tasks[3]).toEqual({ text: media.text, dutyId: media.id })
    expect(saved.sections.tasks[4]).toEqual({ text: 'Адмініструє систему електронного документообігу «Hromada EDMS»' })
    expect(saved.sections.qualification).toBe('Вища освіта ступеня не нижче бакалавра за спеціальністю «Компʼютерні науки».\nВільне володіння державною мовою.')
    expect(saved.latestVersion!.number).toBe(2)

    const bytes = await content(headDigital, v1.documentId, 2)
    const { flat } = pdfText(bytes)
    expect(flat).toContain('ЗАТВЕРДЖУЮ')
    for (const h of ['1. ЗАГАЛЬНІ ПОЛОЖЕННЯ', '2. ЗАВДАННЯ ТА ОБОВʼЯЗКИ', '3. ПРАВА', '4. ВІДПОВІДАЛЬНІСТЬ', '5. ПОВИНЕН ЗНАТИ', '6. КВАЛІФІКАЦІЙНІ ВИМОГИ']) expect(flat).toContain(h)
    expect(flat).toContain('2.4. Забезпечує роботу медіа-центру.')
    expect(flat).toContain('2.5. Адмініструє систему електронного документообігу «Hromada EDMS».')
    expect(flat).toContain('5.1. Закон України «Про електронні довірчі послуги».')
    expect(flat).toContain('6.2. Вільне володіння державною мовою.')
    expect(flat).toContain('З інструкцією ознайомлений(а):')
    expect(bytes.toString('latin1')).not.toContain('/ObjStm')

    const version = await db().version.findFirstOrThrow({ where: { documentId: v1.documentId, number: 2 } })
    expect(version.sha256).toBe(saved.latestVersion!.sha256)
    const events = await db().auditEvent.findMany({ where: { OR: [{ targetId: v1.id }, { targetId: v1.documentId }] }, orderBy: { seq: 'asc' } })
    expect(events.map((e) => e.action)).toEqual(['document.created', 'version.uploaded', 'job_description.drafted', 'version.uploaded', 'job_description.updated'])
    v1 = saved
  })

  it('refuses bad input with problem+json and changes nothing', async () => {
    const before = await db().jobDescription.findUniqueOrThrow({ where: { id: v1.id } })
    const versions = await db().version.count({ where: { documentId: v1.documentId } })
    const s = v1.sections
    const bad: [unknown, string][] = [
      [{ sections: { ...s, tasks: [{ text: '<script>alert(1)</script>' }] } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, rights: ['<b>право</b>'] } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, general: 'Текст <img src=x onerror=alert(1)>' } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, tasks: Array.from({ length: 81 }, (_, i) => ({ text: `Обовʼязок ${i}` })) } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, tasks: [{ text: 'х'.repeat(2001) }] } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, tasks: [{ text: 'Рядок\nз переносом' }] } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, tasks: [{ text: 'Обовʼязок', dutyId: '00000000-0000-4000-8000-000000000000' }] } }, 'DUTY_NOT_FOUND'],
      [{ sections: { ...s, tasks: [{ text: 'Обовʼязок', dutyId: 'not-a-uuid' }] } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, extra: 'field' } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, tasks: [{ text: 'Обовʼязок', weight: 3 }] } }, 'VALIDATION_FAILED'],
      [{ sections: s, status: 'approved' }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, rights: undefined } }, 'VALIDATION_FAILED'],
      [{ sections: { ...s, tasks: 'текст' } }, 'VALIDATION_FAILED'],
    ]
    for (const [body, code] of bad) {
      const res = await put(headDigital, `/api/job-descriptions/${v1.id}`, body)
      expect(res.statusCode, JSON.stringify(body).slice(0, 120)).toBeGreaterThanOrEqual(400)
      expect(res.statusCode).toBeLessThan(500)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json().code).toBe(code)
    }
    // The same for drafting with sections, and for people who may not edit.
    const create = await headDigital.post(`/api/positions/${headIt.session!.positions[0]!.id}/job-descriptions`, { sections: { ...s, tasks: [{ text: '<i>x</i>' }] } })
    expect(create.json().code).toBe('VALIDATION_FAILED')
    expect((await put(itStaff, `/api/job-descriptions/${v1.id}`, { sections: s })).statusCode).toBe(403)
    expect((await put(headDigital, '/api/job-descriptions/00000000-0000-4000-8000-000000000000', { sections: s })).json().code).toBe('JOB_DESCRIPTION_NOT_FOUND')

    const after = await db().jobDescription.findUniqueOrThrow({ where: { id: v1.id } })
    expect(after.sections).toEqual(before.sections)
    expect(await db().version.count({ where: { documentId: v1.documentId } })).toBe(versions)
    expect(await db().jobDescription.count({ where: { positionId: headIt.session!.positions[0]!.id } })).toBe(0)
  })

  it('is hidden as a draft from people outside the Directorate', async () => {
    expect((await housing.get(`/api/job-descriptions/${v1.id}`)).statusCode).toBe(404)
    expect((await itStaff.get(`/api/job-descriptions/${v1.id}`)).statusCode).toBe(200)
    const history = json<PositionJobDescriptionsOut>(await housing.get(`/api/positions/${positionId}/job-descriptions`))
    expect(history.items).toHaveLength(0)
    expect(history.canDraft).toBe(false)
  })

  it('is sent along the job-description route: unit head, head of the Directorate, legal, deputy mayor signs', async () => {
    expect((await itStaff.post(`/api/job-descriptions/${v1.id}/send`)).statusCode).toBe(403)
    const res = await headDigital.post(`/api/job-descriptions/${v1.id}/send`)
    expect(res.statusCode, res.body).toBe(200)
    const sent = json<JobDescriptionOut>(res)
    expect(sent).toMatchObject({ status: 'in_approval', documentStatus: 'in_approval', can: { edit: false, send: false } })
    expect(sent.approvalId).not.toBeNull()

    const a = (await headDigital.get(`/api/documents/${v1.documentId}/approval`)).json()
    expect(a.id).toBe(sent.approvalId)
    expect(a.stages.map((s: { kind: string }) => s.kind)).toEqual(['visa', 'visa', 'legal_review', 'signing'])
    expect(a.stages.map((s: { state: string }) => s.state)).toEqual(['active', 'pending', 'pending', 'pending'])
    const holders = a.stages.map((s: { participants: { holder: { fullName: string } | null }[] }) => s.participants.map((p) => p.holder?.fullName))
    expect(holders[0]).toEqual(['Бойко Андрій Миколайович'])
    expect(holders[1]).toEqual(['Мельник Оксана Ігорівна'])
    expect(holders[2]).toContain('Поліщук Олена Василівна')
    expect(holders[3]).toEqual(['Коваленко Віктор Богданович'])

    // In approval it is no longer editable, nor sent twice.
    expect((await put(headDigital, `/api/job-descriptions/${v1.id}`, { sections: v1.sections })).json().code).toBe('JOB_DESCRIPTION_NOT_DRAFT')
    expect((await headDigital.post(`/api/job-descriptions/${v1.id}/send`)).json().code).toBe('APPROVAL_ALREADY_RUNNING')
    expect(await db().auditEvent.count({ where: { targetId: v1.id, action: 'job_description.sent' } })).toBe(1)
  })

  it('goes back to a draft when returned, and is resubmitted after revision', async () => {
    const a = (await headIt.get(`/api/documents/${v1.documentId}/approval`)).json()
    const sha = (await headIt.get(`/api/documents/${v1.documentId}`)).json().latestVersion.sha256
    const ret = await headIt.post(`/api/approvals/${a.id}/decisions`, { decision: 'return', comment: 'Додати обовʼязок щодо захисту інформації', versionSha256: sha })
    expect(ret.statusCode, ret.body).toBe(200)
    const returned = json<JobDescriptionOut>(await headDigital.get(`/api/job-descriptions/${v1.id}`))
    expect(returned).toMatchObject({ status: 'draft', returned: true, can: { edit: true } })
    // Resubmitting needs a revised version first.
    expect((await headDigital.post(`/api/job-descriptions/${v1.id}/send`)).json().code).toBe('NEW_VERSION_REQUIRED')
    const revised = { ...v1.sections, tasks: [...v1.sections.tasks, { text: 'Забезпечує захист інформації в інформаційно-комунікаційних системах управління.' }] }
    expect((await put(headDigital, `/api/job-descriptions/${v1.id}`, { sections: revised })).statusCode).toBe(200)
    const again = json<JobDescriptionOut>(await headDigital.post(`/api/job-descriptions/${v1.id}/send`))
    expect(again).toMatchObject({ status: 'in_approval', returned: false, approvalId: a.id })
    v1 = again
  })

  it('becomes approved and in force when signed, and the holder is asked to acknowledge it', async () => {
    await approveUpToSigning(v1.documentId)
    // Before the signature nothing is in force and nobody can acknowledge.
    expect((await itStaff.post(`/api/job-descriptions/${v1.id}/acknowledge`)).json().code).toBe('JOB_DESCRIPTION_NOT_IN_FORCE')

    await signed(v1.documentId, firstSigned)
    await signed(v1.documentId, new Date()) // a second call changes nothing
    const approved = json<JobDescriptionOut>(await itStaff.get(`/api/job-descriptions/${v1.id}`))
    expect(approved).toMatchObject({ status: 'approved', inForce: true, approvedAt: firstSigned.toISOString(), inForceFrom: firstSigned.toISOString(), inForceUntil: null, can: { edit: false, acknowledge: true } })

    const notes = (await itStaff.get('/api/notifications')).json().items.filter((n: { link: string | null }) => n.link === '/my/job-descriptions')
    expect(notes).toHaveLength(1)
    expect(notes[0]).toMatchObject({ kind: 'task_assigned', title: expect.stringContaining('Ознайомтеся з посадовою інструкцією') })
    expect((await headIt.get('/api/notifications')).json().items.some((n: { link: string | null }) => n.link === '/my/job-descriptions')).toBe(false)

    // Other documents are none of its business.
    const other = await draftWithVersion(headIt)
    await signed(other.id, new Date())
    expect((await db().auditEvent.findMany({ where: { action: 'job_description.approved' } })).map((e) => e.targetId)).toEqual([v1.id])

    // Approved versions are the organisation's record: visible to everyone.
    expect((await housing.get(`/api/job-descriptions/${v1.id}`)).statusCode).toBe(200)
  })

  it('is superseded by the next approved version, which starts from the previous sections', async () => {
    const res = await headDigital.post(`/api/positions/${positionId}/job-descriptions`)
    expect(res.statusCode, res.body).toBe(201)
    v2 = res.json()
    expect(v2.version).toBe(2)
    expect(v2.sections).toEqual(v1.sections)
    const changed = { ...v2.sections, rights: [...v2.sections.rights, 'Користуватися кваліфікованим електронним підписом для підписання документів.'] }
    expect((await put(headDigital, `/api/job-descriptions/${v2.id}`, { sections: changed })).statusCode).toBe(200)
    expect((await headDigital.post(`/api/job-descriptions/${v2.id}/send`)).statusCode).toBe(200)
    await approveUpToSigning(v2.documentId)
    const at = new Date(Date.now() - 1000)
    await signed(v2.documentId, at)

    const history = json<PositionJobDescriptionsOut>(await itStaff.get(`/api/positions/${positionId}/job-descriptions`))
    expect(history.canDraft).toBe(false)
    expect(history.items.map((i) => [i.version, i.status, i.inForce])).toEqual([
      [2, 'approved', true],
      [1, 'superseded', false],
    ])
    expect(history.items[1]).toMatchObject({ inForceFrom: firstSigned.toISOString(), inForceUntil: at.toISOString() })
    expect(history.items[0]).toMatchObject({ inForceFrom: at.toISOString(), inForceUntil: null })
    expect(json<PositionJobDescriptionsOut>(await headDigital.get(`/api/positions/${positionId}/job-descriptions`)).canDraft).toBe(true)
  })

  it('is acknowledged once by the holder of the position, recording the signed version', async () => {
    const mine = json<MyJobDescriptionOut[]>(await itStaff.get('/api/my/job-descriptions'))
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ position: { id: positionId }, acknowledgedAt: null, jobDescription: { id: v2.id, version: 2, can: { acknowledge: true } } })

    // Only the holder; only the version in force.
    const other = await headIt.post(`/api/job-descriptions/${v2.id}/acknowledge`)
    expect(other.statusCode).toBe(403)
    expect(other.json().code).toBe('NOT_POSITION_HOLDER')
    expect((await itStaff.post(`/api/job-descriptions/${v1.id}/acknowledge`)).json().code).toBe('JOB_DESCRIPTION_NOT_IN_FORCE')

    const res = await itStaff.post(`/api/job-descriptions/${v2.id}/acknowledge`)
    expect(res.statusCode, res.body).toBe(200)
    const acked = json<JobDescriptionOut>(res)
    const latest = await db().version.findFirstOrThrow({ where: { documentId: v2.documentId }, orderBy: { number: 'desc' } })
    expect(acked.acknowledgments).toEqual([{ user: { id: itStaff.session!.user.id, fullName: 'Савчук Денис Олегович' }, fullName: 'Савчук Денис Олегович', at: expect.any(String), versionSha256: latest.sha256 }])
    expect(acked.can.acknowledge).toBe(false)

    const repeat = await itStaff.post(`/api/job-descriptions/${v2.id}/acknowledge`)
    expect(repeat.statusCode).toBe(409)
    expect(repeat.json().code).toBe('ALREADY_ACKNOWLEDGED')
    expect(await db().acknowledgment.count({ where: { jobDescriptionId: v2.id } })).toBe(1)

    const events = await db().auditEvent.findMany({ where: { targetId: v2.id, action: 'job_description.acknowledged' } })
    expect(events).toHaveLength(1)
    expect(events[0]!.actorId).toBe(itStaff.session!.user.id)
    expect(events[0]!.after).toMatchObject({ versionSha256: latest.sha256, fullName: 'Савчук Денис Олегович' })

    const after = json<MyJobDescriptionOut[]>(await itStaff.get('/api/my/job-descriptions'))
    expect(after[0]!.acknowledgedAt).toBe(acked.acknowledgments[0]!.at)
    const history = json<PositionJobDescriptionsOut>(await headDigital.get(`/api/positions/${positionId}/job-descriptions`))
    expect(history.items[0]!.acknowledgments.map((a) => a.fullName)).toEqual(['Савчук Денис Олегович'])
    expect(history.items[1]!.acknowledgments).toEqual([])
  })

  it('takes the distribution of duties into the next edition, keeping the rest of the one in force', async () => {
    const duty = 'Веде облік звернень щодо роботи електронних сервісів громади'
    const added = await headDigital.post('/api/duties/assignments', { positionId, text: duty })
    expect(added.statusCode, added.body).toBe(201)
    const res = await headDigital.post(`/api/positions/${positionId}/job-descriptions`, {})
    expect(res.statusCode, res.body).toBe(201)
    const v3 = json<JobDescriptionOut>(res)
    expect(v3.version).toBe(3)
    expect(v3.sections.tasks.map((t) => t.text)).toEqual([duty])
    const inForce = json<JobDescriptionOut>(await headDigital.get(`/api/job-descriptions/${v2.id}`))
    expect(v3.sections.rights).toEqual(inForce.sections.rights)
    expect((await headDigital.delete(`/api/duties/assignments/${added.json().id}`)).statusCode).toBe(200)
  })

  it('lists nothing in force for people whose positions have no approved job description', async () => {
    const mine = json<MyJobDescriptionOut[]>(await headIt.get('/api/my/job-descriptions'))
    expect(mine).toEqual([{ position: { id: headIt.session!.positions[0]!.id, title: expect.any(String), unitName: expect.any(String) }, jobDescription: null, acknowledgedAt: null }])
  })

  it('lets an admin draft for any unit; the audit chain stays intact', async () => {
    const legalPosition = legal.session!.positions[0]!.id
    const res = await admin.post(`/api/positions/${legalPosition}/job-descriptions`, {})
    expect(res.statusCode, res.body).toBe(201)
    const jd = json<JobDescriptionOut>(res)
    expect(jd.sections.tasks).toEqual([])
    expect(jd.sections.general).not.toContain('Положення про управління')
    expect((await w.t.anonymous().get(`/api/job-descriptions/${jd.id}`)).statusCode).toBe(401)
    expect((await verifyAuditChain(w.t.db.pool)).ok).toBe(true)
  })
})
