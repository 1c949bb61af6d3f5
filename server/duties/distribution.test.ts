import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../audit/verify.ts'
import { approvalWorld, type ApiClient, type World } from '../approvals/testkit.ts'
import type { DutyAssignmentOut, DutyMatrixOut } from './distribution.schemas.ts'
import type { JobDescriptionOut } from './schemas.ts'

let w: World
let headDigital: ApiClient
let itStaff: ApiClient
let expert: ApiClient
let admin: ApiClient
let headHousing: ApiClient
let legal: ApiClient
/** Positions: it.staff's «Провідний спеціаліст відділу ІТ…», expert's «Головний спеціаліст відділу ІТ…». */
let itStaffPos: string
let expertPos: string
let legalPos: string
let housingPos: string
/** A position of the IT department nobody holds. */
let vacantPos: string
let units: { id: string; code: string; name: string }[]
const unit = (code: string) => units.find((u) => u.code === code)!.id

const db = () => w.t.db.prisma
const json = <T>(res: { json(): unknown }) => res.json() as T
const matrix = async (c: ApiClient, q = '') => {
  const res = await c.get(`/api/duties/matrix${q}`)
  expect(res.statusCode, res.body).toBe(200)
  return json<DutyMatrixOut>(res)
}
/** The catalogue duties of a clause, in the catalogue's order. */
const catalogue = async (clause: string) => (await matrix(headDigital)).catalogue.filter((d) => d.sourceClause === clause)
const assign = (c: ApiClient, body: object) => c.post('/api/duties/assignments', body)
const assigned = async (c: ApiClient, body: object) => {
  const res = await assign(c, body)
  expect(res.statusCode, res.body).toBe(201)
  return json<DutyAssignmentOut>(res)
}
/** Everything a rejected request must leave alone. */
const state = async () => ({
  rows: await db().dutyAssignment.count(),
  active: await db().dutyAssignment.count({ where: { removedAt: null } }),
  audit: await db().auditEvent.count(),
})
const events = (id: string) => db().auditEvent.findMany({ where: { targetType: 'duty_assignment', targetId: id }, orderBy: { seq: 'asc' } })

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string }, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status)
  expect(String(res.headers['content-type'])).toMatch(/application\/problem\+json/)
  if (code) expect((res.json() as { code: string }).code).toBe(code)
}

beforeAll(async () => {
  w = await approvalWorld()
  ;[headDigital, itStaff, expert, admin, headHousing, legal] = (await Promise.all(['head.digital', 'it.staff', 'expert', 'admin', 'head.housing', 'legal'].map((l) => w.as(l)))) as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
  itStaffPos = itStaff.session!.positions[0]!.id
  expertPos = expert.session!.positions[0]!.id
  legalPos = legal.session!.positions[0]!.id
  housingPos = (await w.as('housing')).session!.positions[0]!.id
  units = json(await headDigital.get('/api/units'))
  const created = await admin.post('/api/admin/positions', { unitId: unit('02-01'), title: 'Спеціаліст І категорії відділу інформаційних технологій', roles: ['staff'] })
  expect(created.statusCode, created.body).toBe(201)
  vacantPos = created.json().id
  // Another directorate with its own head: the housing directorate (for "outside the Directorate").
  await db().unit.update({ where: { id: unit('05') }, data: { kind: 'directorate' } })
  const hp = headHousing.session!.positions[0]!.id
  await db().position.update({ where: { id: hp }, data: { roles: ['unit_head', 'directorate_head'] } })
})
afterAll(() => w.close())

describe('the matrix before anything is distributed', () => {
  it('shows the Directorate’s units, positions with holders, every catalogue duty as unassigned, and positions without duties', async () => {
    const m = await matrix(headDigital)
    expect(m.root.id).toBe(unit('02'))
    expect(m.units.map((u) => u.id)).toEqual([unit('02'), unit('02-01'), unit('02-02'), unit('02-03')])
    expect(m.units.map((u) => u.clauses)).toEqual([['3', '4.3'], ['4.3.1'], ['4.3.3'], ['4.3.4']])
    expect(m.units.every((u) => u.canEdit)).toBe(true)
    // 1 head + 5 IT (with the vacant one) + 2 + 2.
    expect(m.positions).toHaveLength(10)
    expect(m.positions[0]!.title).toMatch(/^Начальник управління цифровізації/)
    expect(m.positions[0]!.holders.map((h) => h.fullName)).toEqual(['Мельник Оксана Ігорівна'])
    const it = m.positions.filter((p) => p.unitId === unit('02-01'))
    expect(it[0]!.isHead).toBe(true)
    expect(m.positions.find((p) => p.id === vacantPos)).toMatchObject({ vacant: true, holders: [] })
    expect(m.positions.every((p) => p.flags.includes('no_duties'))).toBe(true)
    expect(m.assignments).toEqual([])
    expect(m.unassigned).toHaveLength(76)
    expect(m.summary).toEqual({ positions: 10, assignments: 0, unassigned: 76, noSubstitute: 0, substituteVacant: 0, substituteSelf: 0, positionsWithoutDuties: 10 })
    // Substitutes may be chosen within the Directorate only.
    expect(new Set(m.candidates.map((c) => c.structureId))).toEqual(new Set([unit('02')]))
    expect(m.candidates.map((c) => c.positionId)).not.toContain(legalPos)
  })

  it('is read-only for staff, narrows to a unit, and refuses bad queries', async () => {
    const staffView = await matrix(itStaff)
    expect(staffView.root.id).toBe(unit('02'))
    expect(staffView.units.some((u) => u.canEdit)).toBe(false)
    expect(staffView.positions.some((p) => p.canEdit)).toBe(false)

    const itOnly = await matrix(headDigital, `?unitId=${unit('02-01')}`)
    expect(itOnly.units.map((u) => u.id)).toEqual([unit('02-01')])
    expect(itOnly.positions).toHaveLength(5)
    expect(itOnly.unassigned).toHaveLength(20)
    expect(itOnly.unassigned.every((d) => d.sourceClause === '4.3.1')).toBe(true)
    // The structure's catalogue and candidates stay whole: an IT position may get a function of the Directorate.
    expect(itOnly.catalogue).toHaveLength(76)

    // A directorate head elsewhere sees their own directorate by default, and cannot edit this one.
    const housing = await matrix(headHousing)
    expect(housing.root.id).toBe(unit('05'))
    expect((await matrix(headHousing, `?unitId=${unit('02')}`)).units.some((u) => u.canEdit)).toBe(false)

    expectProblem(await headDigital.get('/api/duties/matrix?unitId=00000000-0000-4000-8000-000000000000'), 404, 'UNIT_NOT_FOUND')
    expectProblem(await headDigital.get('/api/duties/matrix?unitId=<b>'), 400, 'VALIDATION_FAILED')
    expectProblem(await headDigital.get('/api/duties/matrix?extra=1'), 400, 'VALIDATION_FAILED')
    expectProblem(await w.t.anonymous().get('/api/duties/matrix'), 401)
  })
})

describe('distributing duties', () => {
  let egov: { id: string; text: string }
  let visual: { id: string; text: string }
  let first: DutyAssignmentOut
  let free: DutyAssignmentOut
  let shared: DutyAssignmentOut
  let toVacant: DutyAssignmentOut

  it('puts a catalogue duty on a position with its substitute, audited', async () => {
    const it431 = await catalogue('4.3.1')
    egov = it431.find((d) => d.text.startsWith('Здійснює заходи щодо розвитку електронного урядування'))!
    visual = it431.find((d) => d.text.startsWith('Здійснює візуалізацію інформації'))!
    first = await assigned(headDigital, { positionId: itStaffPos, dutyId: egov.id, substitutePositionId: expertPos })
    expect(first).toMatchObject({ positionId: itStaffPos, dutyId: egov.id, text: egov.text, sourceClause: '4.3.1', flags: [], removedAt: null })
    expect(first.substitute).toMatchObject({ positionId: expertPos, vacant: false, holders: [{ fullName: 'Ткачук Марія Степанівна' }] })
    expect(first.createdBy.fullName).toBe('Мельник Оксана Ігорівна')

    const [ev] = await events(first.id)
    expect(ev).toMatchObject({ action: 'duty.assigned', actorId: headDigital.session!.user.id })
    expect(ev!.after).toEqual({ positionId: itStaffPos, dutyId: egov.id, sourceClause: '4.3.1', text: egov.text, substitutePositionId: expertPos })
  })

  it('takes free text (normalised), shares a catalogue duty between positions, and accepts a vacant substitute', async () => {
    free = await assigned(headDigital, { positionId: itStaffPos, text: '  Адмініструє   систему електронного документообігу «Hromada EDMS»  ' })
    expect(free).toMatchObject({ dutyId: null, sourceClause: null, text: 'Адмініструє систему електронного документообігу «Hromada EDMS»', substitute: null, flags: ['no_substitute'] })

    // A shared duty: the same catalogue item on another position.
    shared = await assigned(headDigital, { positionId: expertPos, dutyId: egov.id, substitutePositionId: itStaffPos })
    expect(shared.flags).toEqual([])

    toVacant = await assigned(admin, { positionId: itStaffPos, dutyId: visual.id, substitutePositionId: vacantPos })
    expect(toVacant.flags).toEqual(['substitute_vacant'])
    expect(toVacant.substitute).toMatchObject({ positionId: vacantPos, vacant: true, holders: [] })
  })

  it('flags what is missing in the matrix', async () => {
    // A position substituting itself cannot be set through the API; data from elsewhere is still flagged.
    const headIt = (await matrix(headDigital)).positions.find((p) => p.unitId === unit('02-01') && p.isHead)!
    const self = await db().dutyAssignment.create({ data: { positionId: headIt.id, text: 'Керує відділом.', substitutePositionId: headIt.id, createdById: headDigital.session!.user.id } })

    const m = await matrix(headDigital)
    expect(m.assignments.map((a) => a.id)).toEqual([first.id, free.id, shared.id, toVacant.id, self.id])
    const flags = Object.fromEntries(m.assignments.map((a) => [a.id, a.flags]))
    expect(flags).toEqual({ [first.id]: [], [free.id]: ['no_substitute'], [shared.id]: [], [toVacant.id]: ['substitute_vacant'], [self.id]: ['substitute_self'] })
    // egov is shared by two positions, visual by one: both leave the unassigned list.
    expect(m.unassigned).toHaveLength(74)
    expect(m.unassigned.map((d) => d.id)).not.toContain(egov.id)
    expect(m.catalogue.find((d) => d.id === egov.id)!.assignedTo).toEqual([itStaffPos, expertPos])
    const noDuties = m.positions.filter((p) => p.flags.includes('no_duties')).map((p) => p.id)
    expect(noDuties).not.toContain(itStaffPos)
    expect(noDuties).not.toContain(expertPos)
    expect(noDuties).toContain(vacantPos)
    expect(m.summary).toMatchObject({ assignments: 5, unassigned: 74, noSubstitute: 1, substituteVacant: 1, substituteSelf: 1, positionsWithoutDuties: 7 })
    await db().dutyAssignment.delete({ where: { id: self.id } })
  })

  it('changes the substitute and the free text with before/after in the audit log', async () => {
    const res = await headDigital.patch(`/api/duties/assignments/${free.id}`, { substitutePositionId: expertPos })
    expect(res.statusCode, res.body).toBe(200)
    expect(json<DutyAssignmentOut>(res)).toMatchObject({ flags: [], substitute: { positionId: expertPos } })
    const updated = (await events(free.id)).at(-1)!
    expect(updated.action).toBe('duty.updated')
    expect(updated.before).toMatchObject({ substitutePositionId: null, text: free.text })
    expect(updated.after).toMatchObject({ substitutePositionId: expertPos, text: free.text })

    const text = await headDigital.patch(`/api/duties/assignments/${free.id}`, { text: 'Адмініструє систему електронного документообігу та керує обліковими записами' })
    expect(text.statusCode, text.body).toBe(200)
    expect(json<DutyAssignmentOut>(text).text).toBe('Адмініструє систему електронного документообігу та керує обліковими записами')

    const cleared = await headDigital.patch(`/api/duties/assignments/${toVacant.id}`, { substitutePositionId: null })
    expect(json<DutyAssignmentOut>(cleared)).toMatchObject({ substitute: null, flags: ['no_substitute'] })
    expect((await events(toVacant.id)).at(-1)!.after).toMatchObject({ substitutePositionId: null })
    // Back to a real substitute for the job description below.
    expect((await headDigital.patch(`/api/duties/assignments/${toVacant.id}`, { substitutePositionId: expertPos })).statusCode).toBe(200)

    // The same value again changes nothing and writes nothing.
    const before = await state()
    expect((await headDigital.patch(`/api/duties/assignments/${toVacant.id}`, { substitutePositionId: expertPos })).statusCode).toBe(200)
    expect(await state()).toEqual(before)
  })

  it('removes a duty softly, audited, and lets it be given again', async () => {
    const extra = await assigned(headDigital, { positionId: expertPos, dutyId: visual.id })
    const res = await headDigital.delete(`/api/duties/assignments/${extra.id}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(json<DutyAssignmentOut>(res).removedAt).not.toBeNull()
    const row = await db().dutyAssignment.findUniqueOrThrow({ where: { id: extra.id } })
    expect(row.removedAt).toBeInstanceOf(Date)
    const removed = (await events(extra.id)).at(-1)!
    expect(removed.action).toBe('duty.removed')
    expect(removed.before).toMatchObject({ positionId: expertPos, dutyId: visual.id, sourceClause: '4.3.1' })
    expect(removed.after).toMatchObject({ removedAt: row.removedAt!.toISOString() })
    expect((await matrix(headDigital)).assignments.map((a) => a.id)).not.toContain(extra.id)

    expectProblem(await headDigital.delete(`/api/duties/assignments/${extra.id}`), 404, 'DUTY_ASSIGNMENT_NOT_FOUND')
    expectProblem(await headDigital.patch(`/api/duties/assignments/${extra.id}`, { substitutePositionId: null }), 404, 'DUTY_ASSIGNMENT_NOT_FOUND')
    const again = await assigned(headDigital, { positionId: expertPos, dutyId: visual.id })
    expect((await headDigital.delete(`/api/duties/assignments/${again.id}`)).statusCode).toBe(200)
  })

  it('refuses staff, a unit head, nobody signed in, and a directorate head outside the Directorate, changing nothing', async () => {
    // Signing in is audited: before counting.
    const headIt = await w.as('head.it')
    const before = await state()
    const staff = await assign(itStaff, { positionId: itStaffPos, text: 'Сам собі обовʼязок' })
    expectProblem(staff, 403, 'FORBIDDEN')
    expectProblem(await itStaff.patch(`/api/duties/assignments/${first.id}`, { substitutePositionId: null }), 403, 'FORBIDDEN')
    expectProblem(await itStaff.delete(`/api/duties/assignments/${first.id}`), 403, 'FORBIDDEN')
    // A unit head (of the IT department, inside the Directorate) sees the matrix but does not distribute (4.3: the Directorate's head does).
    expect((await matrix(headIt)).positions.some((p) => p.canEdit)).toBe(false)
    expectProblem(await assign(headIt, { positionId: itStaffPos, dutyId: visual.id, substitutePositionId: expertPos }), 403, 'FORBIDDEN')
    expectProblem(await headIt.patch(`/api/duties/assignments/${first.id}`, { substitutePositionId: vacantPos }), 403, 'FORBIDDEN')
    expectProblem(await headIt.delete(`/api/duties/assignments/${first.id}`), 403, 'FORBIDDEN')
    // Nobody signed in.
    expectProblem(await w.t.anonymous().post('/api/duties/assignments', { positionId: itStaffPos, text: 'Без сесії' }), 401)
    expectProblem(await w.t.anonymous().delete(`/api/duties/assignments/${first.id}`), 401)

    expectProblem(await assign(headHousing, { positionId: itStaffPos, dutyId: egov.id }), 403, 'DUTIES_OUT_OF_SCOPE')
    expectProblem(await headHousing.patch(`/api/duties/assignments/${first.id}`, { substitutePositionId: null }), 403, 'DUTIES_OUT_OF_SCOPE')
    expectProblem(await headHousing.delete(`/api/duties/assignments/${first.id}`), 403, 'DUTIES_OUT_OF_SCOPE')
    // …and the Directorate's head outside it.
    expectProblem(await assign(headDigital, { positionId: legalPos, text: 'Юридичний супровід' }), 403, 'DUTIES_OUT_OF_SCOPE')
    expect(await state()).toEqual(before)

    // Within their own directorate, the other head may; a duty of another directorate's regulation may not be given there.
    expectProblem(await assign(headHousing, { positionId: housingPos, dutyId: egov.id }), 409, 'DUTY_NOT_IN_STRUCTURE')
    const own = await assigned(headHousing, { positionId: housingPos, text: 'Веде облік аварійних робіт' })
    expect((await headHousing.delete(`/api/duties/assignments/${own.id}`)).statusCode).toBe(200)
  })

  it('refuses bad input with problem+json, changing nothing', async () => {
    const before = await state()
    const cases: [string, () => Promise<{ statusCode: number; headers: Record<string, unknown>; json(): unknown; body: string }>, number, string][] = [
      ['HTML in text', () => assign(headDigital, { positionId: itStaffPos, text: '<script>alert(1)</script>' }), 400, 'VALIDATION_FAILED'],
      ['markup in a patch', () => headDigital.patch(`/api/duties/assignments/${free.id}`, { text: 'Текст <img src=x onerror=alert(1)>' }), 400, 'VALIDATION_FAILED'],
      ['a line break', () => assign(headDigital, { positionId: itStaffPos, text: 'Рядок\nз переносом' }), 400, 'VALIDATION_FAILED'],
      ['blank text', () => assign(headDigital, { positionId: itStaffPos, text: '   ' }), 400, 'VALIDATION_FAILED'],
      ['too long', () => assign(headDigital, { positionId: itStaffPos, text: 'х'.repeat(2001) }), 400, 'VALIDATION_FAILED'],
      ['unknown catalogue id', () => assign(headDigital, { positionId: itStaffPos, dutyId: '00000000-0000-4000-8000-000000000000' }), 400, 'DUTY_NOT_FOUND'],
      ['not a uuid', () => assign(headDigital, { positionId: itStaffPos, dutyId: 'egov' }), 400, 'VALIDATION_FAILED'],
      ['both dutyId and text', () => assign(headDigital, { positionId: itStaffPos, dutyId: visual.id, text: 'І ще текст' }), 400, 'VALIDATION_FAILED'],
      ['neither dutyId nor text', () => assign(headDigital, { positionId: itStaffPos }), 400, 'VALIDATION_FAILED'],
      ['extra field', () => assign(headDigital, { positionId: itStaffPos, text: 'Обовʼязок', weight: 3 }), 400, 'VALIDATION_FAILED'],
      ['extra field in a patch', () => headDigital.patch(`/api/duties/assignments/${free.id}`, { dutyId: visual.id }), 400, 'VALIDATION_FAILED'],
      ['empty patch', () => headDigital.patch(`/api/duties/assignments/${free.id}`, {}), 400, 'VALIDATION_FAILED'],
      ['a number for text', () => assign(headDigital, { positionId: itStaffPos, text: 42 }), 400, 'VALIDATION_FAILED'],
      ['unknown position', () => assign(headDigital, { positionId: '00000000-0000-4000-8000-000000000000', text: 'Обовʼязок' }), 404, 'POSITION_NOT_FOUND'],
      ['same catalogue duty twice', () => assign(headDigital, { positionId: itStaffPos, dutyId: egov.id }), 409, 'DUTY_ALREADY_ASSIGNED'],
      ['same free text twice', () => assign(headDigital, { positionId: itStaffPos, text: 'адмініструє систему електронного документообігу   та керує обліковими записами' }), 409, 'DUTY_ALREADY_ASSIGNED'],
      ['catalogue text is fixed', () => headDigital.patch(`/api/duties/assignments/${first.id}`, { text: 'Інший текст' }), 409, 'DUTY_TEXT_FIXED'],
      ['substitute is the position itself', () => assign(headDigital, { positionId: expertPos, text: 'Новий обовʼязок', substitutePositionId: expertPos }), 400, 'SUBSTITUTE_INVALID'],
      ['substitute is the position itself, in a patch', () => headDigital.patch(`/api/duties/assignments/${first.id}`, { substitutePositionId: itStaffPos }), 400, 'SUBSTITUTE_INVALID'],
      ['unknown substitute on creation', () => assign(headDigital, { positionId: expertPos, text: 'Новий обовʼязок', substitutePositionId: '00000000-0000-4000-8000-000000000000' }), 400, 'SUBSTITUTE_INVALID'],
      ['substitute not a uuid', () => assign(headDigital, { positionId: expertPos, text: 'Новий обовʼязок', substitutePositionId: '<b>' }), 400, 'VALIDATION_FAILED'],
      ['unknown position with a catalogue duty', () => assign(headDigital, { positionId: '00000000-0000-4000-8000-000000000000', dutyId: visual.id }), 404, 'POSITION_NOT_FOUND'],
      ['HTML entity-like markup in text', () => assign(headDigital, { positionId: itStaffPos, text: 'Обовʼязок <a href="javascript:alert(1)">тут</a>' }), 400, 'VALIDATION_FAILED'],
      ['substitute outside the Directorate', () => headDigital.patch(`/api/duties/assignments/${first.id}`, { substitutePositionId: legalPos }), 400, 'SUBSTITUTE_INVALID'],
      ['unknown substitute', () => headDigital.patch(`/api/duties/assignments/${first.id}`, { substitutePositionId: '00000000-0000-4000-8000-000000000000' }), 400, 'SUBSTITUTE_INVALID'],
      ['unknown assignment', () => headDigital.patch('/api/duties/assignments/00000000-0000-4000-8000-000000000000', { substitutePositionId: null }), 404, 'DUTY_ASSIGNMENT_NOT_FOUND'],
      ['bad id', () => headDigital.delete('/api/duties/assignments/abc'), 400, 'VALIDATION_FAILED'],
    ]
    for (const [name, call, status, code] of cases) {
      const res = await call()
      expect(res.statusCode, `${name}: ${res.body}`).toBe(status)
      expect(String(res.headers['content-type']), name).toMatch(/application\/problem\+json/)
      expect((res.json() as { code: string }).code, name).toBe(code)
    }
    const dup = await assign(headDigital, { positionId: itStaffPos, dutyId: egov.id })
    expect(dup.json().assignmentId).toBe(first.id)
    expect(await state()).toEqual(before)
  })

  it('feeds a new job description draft: exactly the position’s duties, in order, with who substitutes them', async () => {
    const res = await headDigital.post(`/api/positions/${itStaffPos}/job-descriptions`, {})
    expect(res.statusCode, res.body).toBe(201)
    const jd = json<JobDescriptionOut>(res)
    expect(jd.sections.tasks).toEqual([
      { text: egov.text, dutyId: egov.id },
      { text: 'Адмініструє систему електронного документообігу та керує обліковими записами' },
      { text: visual.text, dutyId: visual.id },
    ])
    const general = jd.sections.general.split('\n')
    const note = general.find((l) => l.startsWith('Взаємозамінність'))
    expect(note).toBe(
      'Взаємозамінність (пункт 4.8 Положення про управління): на час відсутності посадової особи (відпустка, відрядження, тимчасова непрацездатність) обовʼязки за пунктами 2.1–2.3 виконує головний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації.',
    )
    // The generic sentence about absence gives way to the note.
    expect(general.some((l) => l.startsWith('На час відсутності посадової особи'))).toBe(false)
    expect(general).toContain('На час відсутності інших працівників посадова особа виконує: за посадою «Головний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації» — «Здійснює заходи щодо розвитку електронного урядування у межах територіальної громади».')

    // The expert: one shared duty, substituted by it.staff; stands in for three of it.staff's duties.
    const ex = json<JobDescriptionOut>(await headDigital.post(`/api/positions/${expertPos}/job-descriptions`, {}))
    expect(ex.sections.tasks).toEqual([{ text: egov.text, dutyId: egov.id }])
    expect(ex.sections.general).toContain('обовʼязки за пунктом 2.1 виконує провідний спеціаліст відділу інформаційних технологій')
    expect(ex.sections.general).toMatch(/виконує: за посадою «Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації» — «Здійснює заходи щодо розвитку електронного урядування[^»]*»; «Адмініструє систему[^»]*»; «Здійснює візуалізацію інформації[^»]*»\./)

    // A position without distributed duties keeps the catalogue defaults.
    const plain = json<JobDescriptionOut>(await headDigital.post(`/api/positions/${vacantPos}/job-descriptions`, {}))
    expect(plain.sections.tasks).toHaveLength(20)
    expect(plain.sections.tasks.every((t) => t.dutyId)).toBe(true)
    expect(plain.sections.general).toContain('На час відсутності посадової особи')
    expect(plain.sections.general).not.toContain('Взаємозамінність')
  })

  it('keeps the audit chain intact', async () => {
    expect((await verifyAuditChain(w.t.db.pool)).ok).toBe(true)
  })
})
