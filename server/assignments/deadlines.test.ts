import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerDocument } from '../registration/registration.service.ts'
import { assignmentOverdueTask } from './reminders.ts'
import type { AssignmentTreeOut } from './schemas.ts'
import { assignmentWorld, expectOk, expectProblem, helpers, nodeOf, treeAs, type ApiClient, type AssignmentWorld, type Login } from './testkit.ts'

/**
 * Deadlines by the rules (issue 5, §2): calendar days from signing, receipt or a date, a
 * last day that is not worked moving to the previous working day on the calendar the admin
 * keeps (holidays and transferred days), and extensions asked for, granted or refused, with
 * the whole history kept. Dates are fixed years ahead so that the expected values can be
 * worked out by hand from a wall calendar.
 */

let k: AssignmentWorld
let as: (l: Login) => ApiClient
let id: (l: Login) => string

/**
 * The calendar as an admin would configure it around two Ukrainian holidays, with days
 * transferred the way the Cabinet of Ministers used to recommend:
 * - Christmas 2031 falls on Thursday 25 December; Friday 26 December is a day off, worked
 *   instead on Saturday 20 December. New Year's Day 2032 is Thursday 1 January.
 * - Independence Day 2032 falls on Tuesday 24 August; Monday 23 August is a day off,
 *   worked instead on Saturday 21 August.
 */
const CALENDAR: [string, 'day_off' | 'working', string][] = [
  ['2031-12-20', 'working', 'Робоча субота (перенесено на 26 грудня)'],
  ['2031-12-25', 'day_off', 'Різдво Христове'],
  ['2031-12-26', 'day_off', 'Вихідний (перенесено з 20 грудня)'],
  ['2032-01-01', 'day_off', 'Новий рік'],
  ['2032-08-21', 'working', 'Робоча субота (перенесено на 23 серпня)'],
  ['2032-08-23', 'day_off', 'Вихідний (перенесено з 21 серпня)'],
  ['2032-08-24', 'day_off', 'День Незалежності України'],
]

/** The end of a Kyiv day: 23:59:59.999 at UTC+2 in winter, UTC+3 in summer. */
const winterEnd = (d: string) => `${d}T21:59:59.999Z`
const summerEnd = (d: string) => `${d}T20:59:59.999Z`

beforeAll(async () => {
  k = await assignmentWorld()
  as = k.as
  id = k.id
  for (const [date, kind, name] of CALENDAR) {
    const res = await as('admin').request({ method: 'PUT', url: `/api/admin/calendar/${date}`, payload: { kind, name } })
    expect(res.statusCode, res.body).toBe(200)
  }
})
afterAll(() => k.close())

const issue = (c: ApiClient, body: object) => c.post('/api/assignments', body)
const act = (c: ApiClient, aid: string, action: string, body: object = {}) => c.post(`/api/assignments/${aid}/${action}`, body)
const issued = async (deadline: object, extra: object = {}) => {
  const t = expectOk(await issue(as('head.digital'), { text: 'Підготувати інформацію до наради', executorId: id('head.it'), deadline, ...extra }), 201)
  return nodeOf(t, t.rootId)
}
const actions = async (aid: string) => (await k.db().auditEvent.findMany({ where: { targetType: 'assignment', targetId: aid }, orderBy: { seq: 'asc' }, select: { action: true } })).map((e) => e.action)

describe('deadlines in calendar days', () => {
  it('count from a given date, a last day off moving back to the previous working day', async () => {
    const cases: [string, number, string, string][] = [
      // 15 Dec + 13 = Sunday 28 Dec → Sat 27 (off), Fri 26 (transferred off), Thu 25 (Christmas) → Wednesday 24 Dec.
      ['2031-12-15', 13, winterEnd('2031-12-24'), 'over a weekend, a transferred day off and a holiday'],
      // 10 Dec + 10 = Saturday 20 Dec, a transferred working day: it stays.
      ['2031-12-10', 10, winterEnd('2031-12-20'), 'on a working Saturday'],
      // 20 Dec + 10 = Tuesday 30 Dec: the days off inside the term do not lengthen it.
      ['2031-12-20', 10, winterEnd('2031-12-30'), 'holidays inside the term'],
      // 22 Dec + 10 = Thursday 1 Jan (New Year) → Wednesday 31 Dec.
      ['2031-12-22', 10, winterEnd('2031-12-31'), 'on New Year’s Day'],
      // 10 Aug + 14 = Tuesday 24 Aug (Independence Day) → Mon 23 (transferred off), Sun 22 → Saturday 21 Aug, worked.
      ['2032-08-10', 14, summerEnd('2032-08-21'), 'on Independence Day, back to a working Saturday'],
      // 15 Aug + 10 = Wednesday 25 Aug: a working day.
      ['2032-08-15', 10, summerEnd('2032-08-25'), 'the day after the holiday'],
      // 16 Aug + 7 = Monday 23 Aug (off) → Sunday 22 → Saturday 21, worked.
      ['2032-08-16', 7, summerEnd('2032-08-21'), 'on the transferred day off'],
    ]
    for (const [from, termDays, dueAt, what] of cases) {
      const n = await issued({ termDays, from })
      expect([n.startsOn, n.termDays, n.dueAt, n.originalDueAt], what).toEqual([from, termDays, dueAt, dueAt])
    }
  })

  it('count from the document’s signing or receipt, by the Kyiv date', async () => {
    const author = as('head.digital')
    const doc = await author.post('/api/documents', { kind: 'letter', title: 'Про впровадження системи електронного документообігу', authorUnitId: author.session!.positions[0]!.unitId, accessMark: 'public' })
    expect(doc.statusCode, doc.body).toBe(201)
    const documentId = doc.json().id as string

    // Not registered yet: no resolution on a draft, whatever the deadline.
    const s = await k.state()
    expectProblem(await issue(author, { text: 'Опрацювати', executorId: id('head.it'), documentId, deadline: { termDays: 10, from: 'signing' } }), 404, 'NOT_REGISTERED')
    expectProblem(await issue(author, { text: 'Опрацювати', executorId: id('head.it'), documentId, deadline: { termDays: 10, from: 'receipt' } }), 404, 'NOT_REGISTERED')
    expectProblem(await issue(author, { text: 'Опрацювати', executorId: id('head.it'), documentId, deadline: { termDays: 10 } }), 404, 'NOT_REGISTERED')
    expect(await k.state()).toEqual(s)

    await k.db().$transaction((tx) => registerDocument(tx, { userId: id('head.general'), ip: null }, { documentId, at: new Date() }))
    // Signed and registered at 00:30 Kyiv time on 15 December 2031 (still the 14th in UTC).
    await k.db().registration.update({ where: { documentId }, data: { registeredAt: new Date('2031-12-14T22:30:00.000Z') } })

    const bySigning = await issued({ termDays: 13, from: 'signing' }, { documentId })
    expect([bySigning.startsOn, bySigning.dueAt]).toEqual(['2031-12-15', winterEnd('2031-12-24')])
    expect(bySigning.document).toMatchObject({ id: documentId, title: 'Про впровадження системи електронного документообігу' })
    expect(bySigning.document!.registrationIndex).toBeTruthy()
    // No date of receipt on the card: an incoming document counts from its registration.
    const byRegistration = await issued({ termDays: 13, from: 'receipt' }, { documentId })
    expect(byRegistration.dueAt).toBe(winterEnd('2031-12-24'))

    // The clerk enters the date of receipt on the card.
    const card = await as('head.general').patch(`/api/documents/${documentId}/registration`, { receivedAt: '2032-08-10T07:30:00.000Z' })
    expect(card.statusCode, card.body).toBe(200)
    const byReceipt = await issued({ termDays: 14, from: 'receipt' }, { documentId })
    expect([byReceipt.startsOn, byReceipt.dueAt]).toEqual(['2032-08-10', summerEnd('2032-08-21')])
    // Signing still counts from the registration.
    expect((await issued({ termDays: 13, from: 'signing' }, { documentId })).dueAt).toBe(winterEnd('2031-12-24'))
  })

  it('take a given due date only on a working day, naming the working day before otherwise', async () => {
    const s = await k.state()
    for (const [date, suggested] of [
      ['2031-12-25', '2031-12-24'],
      ['2031-12-26', '2031-12-24'],
      ['2031-12-28', '2031-12-24'],
      ['2032-01-01', '2031-12-31'],
      ['2032-08-24', '2032-08-21'],
      ['2032-08-22', '2032-08-21'],
    ]) {
      const res = await issue(as('head.digital'), { text: 'Доповісти', executorId: id('head.it'), deadline: { dueDate: date } })
      expectProblem(res, 400, 'DUE_DATE_NOT_WORKING_DAY')
      expect(res.json().suggestedDueDate, date).toBe(suggested)
    }
    expect(await k.state()).toEqual(s)
    expect((await issued({ dueDate: '2031-12-20' })).dueAt).toBe(winterEnd('2031-12-20'))
    expect((await issued({ dueDate: '2032-08-21' })).dueAt).toBe(summerEnd('2032-08-21'))
  })

  it('schedule reminders on working days before the deadline and the deadline job at its end', async () => {
    const n = await issued({ dueDate: '2031-12-24' })
    const jobs = await k.t.db.pool.query<{ key: string; run_at: Date }>('SELECT key, run_at FROM graphile_worker.jobs WHERE key LIKE $1 ORDER BY run_at', [`%:${n.id}:%`])
    const due = winterEnd('2031-12-24')
    // REMINDER_DAYS 3,1,0 at 09:00 Kyiv: 3 working days before Wed 24 Dec is Sat 20 Dec (worked), then Tue 23, Wed 24.
    expect(jobs.rows.map((j) => [j.key, new Date(j.run_at).toISOString()])).toEqual([
      [`assignment_reminder:${n.id}:3:${due}`, '2031-12-20T07:00:00.000Z'],
      [`assignment_reminder:${n.id}:1:${due}`, '2031-12-23T07:00:00.000Z'],
      [`assignment_reminder:${n.id}:0:${due}`, '2031-12-24T07:00:00.000Z'],
      [`assignment_overdue:${n.id}:${due}`, due],
    ])
  })
})

describe('extensions', () => {
  let a: string
  const tree = (c: ApiClient = as('head.it')) => treeAs(c, a)
  const node = async (c?: ApiClient) => nodeOf(await tree(c), a)

  beforeAll(async () => {
    const t = expectOk(await issue(as('head.it'), { text: 'Підготувати технічне завдання на закупівлю серверів', executorId: id('it.staff'), deadline: { dueDate: '2031-12-24' } }), 201)
    a = t.rootId
  })

  it('are asked for by the executor with a reason and a working day later than the deadline', async () => {
    const staff = as('it.staff')
    const s = await k.state()
    const holiday = await act(staff, a, 'extensions', { reason: 'Очікуємо комерційні пропозиції', dueDate: '2031-12-26' })
    expectProblem(holiday, 400, 'DUE_DATE_NOT_WORKING_DAY')
    expect(holiday.json().suggestedDueDate).toBe('2031-12-24')
    expectProblem(await act(staff, a, 'extensions', { reason: 'Очікуємо комерційні пропозиції', dueDate: '2031-12-24' }), 400, 'EXTENSION_NOT_LATER')
    expectProblem(await act(staff, a, 'extensions', { reason: '   ', dueDate: '2031-12-30' }), 400, 'COMMENT_REQUIRED')
    expect(await k.state()).toEqual(s)

    const reason = 'Очікуємо комерційні пропозиції від трьох постачальників'
    const t = expectOk(await act(staff, a, 'extensions', { reason, dueDate: '2031-12-30' }), 201)
    const n = nodeOf(t, a)
    expect(n.dueAt).toBe(winterEnd('2031-12-24'))
    expect(n.extensions).toEqual([
      expect.objectContaining({ status: 'pending', reason, previousDueAt: winterEnd('2031-12-24'), requestedDueAt: winterEnd('2031-12-30'), grantedDueAt: null, requestedBy: { id: id('it.staff'), fullName: 'Савчук Денис Олегович' }, decidedBy: null, comment: '' }),
    ])
    expect(n.can.requestExtension).toBe(false)
    expect((await node()).can.decideExtension).toBe(true)
    const note = await k.db().notification.findFirstOrThrow({ where: { link: `/assignments/${a}`, userId: id('head.it'), title: { startsWith: 'Запит на продовження' } } })
    expect(note.body).toContain('30 грудня 2031')
    expectProblem(await act(staff, a, 'extensions', { reason: 'Ще раз', dueDate: '2031-12-31' }), 409, 'EXTENSION_PENDING')
  })

  it('are decided by the controller alone: refused with the deadline kept', async () => {
    const ext = (await node()).extensions[0]!.id
    const s = await k.state()
    expectProblem(await act(as('it.staff'), a, `extensions/${ext}/grant`, {}), 403, 'ASSIGNMENT_NOT_CONTROLLER')
    expectProblem(await act(as('it.staff'), a, `extensions/${ext}/refuse`, {}), 403, 'ASSIGNMENT_NOT_CONTROLLER')
    expectProblem(await act(as('head.digital'), a, `extensions/${ext}/grant`, {}), 403, 'ASSIGNMENT_NOT_CONTROLLER')
    expectProblem(await act(as('legal'), a, `extensions/${ext}/grant`, {}), 404, 'ASSIGNMENT_NOT_FOUND')
    expectProblem(await act(as('head.it'), a, `extensions/${ext}/grant`, { dueDate: '2031-12-25' }), 400, 'DUE_DATE_NOT_WORKING_DAY')
    expectProblem(await act(as('head.it'), a, `extensions/${ext}/grant`, { dueDate: '2031-12-23' }), 400, 'EXTENSION_NOT_LATER')
    expectProblem(await act(as('head.it'), a, `extensions/${ext}/refuse`, { comment: '<script>alert(1)</script>' }), 400, 'VALIDATION_FAILED')
    expect(await k.state()).toEqual(s)

    const comment = 'Пропозиції вже надійшли двоє; третьої не чекаємо'
    const n = nodeOf(expectOk(await act(as('head.it'), a, `extensions/${ext}/refuse`, { comment })), a)
    expect(n.dueAt).toBe(winterEnd('2031-12-24'))
    expect(n.extended).toBe(false)
    expect(n.extensions[0]).toMatchObject({ status: 'refused', comment, decidedBy: { id: id('head.it') }, grantedDueAt: null })
    expect(n.extensions[0]!.decidedAt).not.toBeNull()
    expect(await k.db().notification.count({ where: { userId: id('it.staff'), title: { startsWith: 'У продовженні строку відмовлено' } } })).toBe(1)
    expectProblem(await act(as('head.it'), a, `extensions/${ext}/refuse`, {}), 409, 'EXTENSION_NOT_PENDING')
    expectProblem(await act(as('head.it'), a, `extensions/${ext}/grant`, {}), 409, 'EXTENSION_NOT_PENDING')
  })

  it('are granted with the requested date or another later one, moving the deadline and its jobs', async () => {
    expectOk(await act(as('it.staff'), a, 'extensions', { reason: 'Постачальник просить уточнити вимоги', dueDate: '2031-12-31' }), 201)
    const ext = (await node()).extensions[1]!.id
    const comment = 'Продовжую до 5 січня'
    const n = nodeOf(expectOk(await act(as('head.it'), a, `extensions/${ext}/grant`, { comment, dueDate: '2032-01-05' })), a)
    expect(n.dueAt).toBe(winterEnd('2032-01-05'))
    expect(n.originalDueAt).toBe(winterEnd('2031-12-24'))
    expect(n.extended).toBe(true)
    expect(n.extensions[1]).toMatchObject({ status: 'granted', requestedDueAt: winterEnd('2031-12-31'), grantedDueAt: winterEnd('2032-01-05'), comment, decidedBy: { id: id('head.it') } })
    const overdueJobs = await k.t.db.pool.query<{ key: string }>("SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'assignment_overdue' AND key LIKE $1 ORDER BY run_at", [`%:${a}:%`])
    expect(overdueJobs.rows.map((r) => r.key)).toEqual([`assignment_overdue:${a}:${winterEnd('2031-12-24')}`, `assignment_overdue:${a}:${winterEnd('2032-01-05')}`])
    expect(await k.db().notification.count({ where: { userId: id('it.staff'), title: { startsWith: 'Строк продовжено до 5 січня 2032' } } })).toBe(1)

    // The controller may also move the deadline at once: an extension granted on the spot.
    const own = nodeOf(expectOk(await act(as('head.it'), a, 'extensions', { reason: 'Нараду перенесено', dueDate: '2032-01-09' }), 201), a)
    expect(own.dueAt).toBe(winterEnd('2032-01-09'))
    expect(own.extensions[2]).toMatchObject({ status: 'granted', reason: 'Нараду перенесено', requestedBy: { id: id('head.it') }, decidedBy: { id: id('head.it') }, grantedDueAt: winterEnd('2032-01-09') })
  })

  it('keep the whole history, on the assignment and in the audit log', async () => {
    const n = await node(as('it.staff'))
    expect(n.extensions.map((e) => [e.status, e.previousDueAt, e.requestedDueAt, e.grantedDueAt])).toEqual([
      ['refused', winterEnd('2031-12-24'), winterEnd('2031-12-30'), null],
      ['granted', winterEnd('2031-12-24'), winterEnd('2031-12-31'), winterEnd('2032-01-05')],
      ['granted', winterEnd('2032-01-05'), winterEnd('2032-01-09'), winterEnd('2032-01-09')],
    ])
    expect(await actions(a)).toEqual(['assignment.issued', 'extension.requested', 'extension.refused', 'extension.requested', 'extension.granted', 'extension.granted'])
    const granted = await k.db().auditEvent.findMany({ where: { targetId: a, action: 'extension.granted' }, orderBy: { seq: 'asc' } })
    expect(granted.map((e) => [e.actorId, (e.after as { previousDueAt: string; dueAt: string }).previousDueAt, (e.after as { dueAt: string }).dueAt])).toEqual([
      [id('head.it'), winterEnd('2031-12-24'), winterEnd('2032-01-05')],
      [id('head.it'), winterEnd('2032-01-05'), winterEnd('2032-01-09')],
    ])
  })

  it('give an overdue assignment time again, and a pending request closes with the assignment', async () => {
    const t = expectOk(await issue(as('head.it'), { text: 'Оновити інструкцію з резервного копіювання', executorId: id('it.staff'), deadline: { termDays: 5 } }), 201)
    const b = t.rootId
    const dueAt = new Date(Date.now() - 3600_000)
    await k.db().assignment.update({ where: { id: b }, data: { dueAt, originalDueAt: dueAt } })
    await assignmentOverdueTask({ prisma: k.db() })({ assignmentId: b, dueAt: dueAt.toISOString() }, helpers)
    expect(nodeOf(await treeAs(as('it.staff'), b), b).status).toBe('overdue')
    expectOk(await act(as('it.staff'), b, 'extensions', { reason: 'Хворів', dueDate: '2031-12-23' }), 201)
    const ext = nodeOf(await treeAs(as('head.it'), b), b).extensions[0]!.id
    const back = nodeOf(expectOk(await act(as('head.it'), b, `extensions/${ext}/grant`, {})), b)
    // Never started: back to «new» with the new deadline.
    expect([back.status, back.overdue, back.dueAt]).toEqual(['new', false, winterEnd('2031-12-23')])

    // A request still open when the report is accepted is closed on record.
    expectOk(await act(as('it.staff'), b, 'extensions', { reason: 'Ще трохи часу', dueDate: '2031-12-30' }), 201)
    expectOk(await act(as('it.staff'), b, 'report', { text: 'Інструкцію оновлено' }))
    const done: AssignmentTreeOut = expectOk(await act(as('head.it'), b, 'accept', {}))
    expect(nodeOf(done, b).status).toBe('done')
    expect(nodeOf(done, b).extensions.map((e) => [e.status, e.comment])).toEqual([
      ['granted', ''],
      ['refused', 'Доручення знято з контролю'],
    ])
    expect((await actions(b)).slice(-3)).toEqual(['assignment.reported', 'assignment.accepted', 'extension.refused'])
  })
})
