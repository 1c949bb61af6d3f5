import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../audit/verify.ts'
import { tinyDocx, tinyPdf } from '../testing/factories.ts'
import { contentKey } from '../../storage/index.ts'
import { sweepOrphans } from '../documents/orphans.ts'
import { assignmentOverdueTask } from './reminders.ts'
import type { AssignmentList, AssignmentTreeOut, FileOut } from './schemas.ts'
import { assignmentWorld, expectOk, expectProblem, helpers, nodeOf, treeAs, type ApiClient, type AssignmentWorld, type Login } from './testkit.ts'

/**
 * Control of execution through the API (issue 5, §1 and §6): the tree of an instruction and
 * its delegated parts, every status, reports with files, the controller's answer, who may do
 * what, and bad input that changes nothing.
 */

let k: AssignmentWorld
let as: (l: Login) => ApiClient
let id: (l: Login) => string
const MAX_UPLOAD = 100_000

beforeAll(async () => {
  k = await assignmentWorld({ env: { UPLOAD_MAX_BYTES: String(MAX_UPLOAD) } })
  as = k.as
  id = k.id
})
afterAll(() => k.close())

const issue = (c: ApiClient, body: object) => c.post('/api/assignments', body)
const act = (c: ApiClient, aid: string, action: string, body: object = {}) => c.post(`/api/assignments/${aid}/${action}`, body)
const upload = (c: ApiClient, aid: string, bytes: Buffer | Readable, name = 'довідка.pdf', type = 'application/pdf') =>
  c.post(`/api/assignments/${aid}/files?name=${encodeURIComponent(name)}`, bytes, { headers: { 'content-type': type } })
const actions = async (aid: string) => (await k.db().auditEvent.findMany({ where: { targetType: 'assignment', targetId: aid }, orderBy: { seq: 'asc' }, select: { action: true } })).map((e) => e.action)
const notes = (aid: string, kind?: string) => k.db().notification.findMany({ where: { link: `/assignments/${aid}`, ...(kind ? { kind } : {}) }, orderBy: { createdAt: 'asc' } })
const who = async (aid: string, kind: string) => (await notes(aid, kind)).map((n) => n.userId).sort()
const ids = (t: AssignmentTreeOut) => t.nodes.map((n) => n.id)
const list = async (c: ApiClient, q = '') => {
  const res = await c.get(`/api/assignments${q}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as AssignmentList
}

/** Simulates the clock reaching the deadline: the deadline is moved an hour into the past and the deadline job runs. */
async function deadlinePasses(aid: string) {
  const dueAt = new Date(Date.now() - 3600_000)
  await k.db().assignment.update({ where: { id: aid }, data: { dueAt, originalDueAt: dueAt } })
  await assignmentOverdueTask({ prisma: k.db() })({ assignmentId: aid, dueAt: dueAt.toISOString() }, helpers)
  return dueAt
}

describe('an instruction of the head of the Directorate, delegated in parts', () => {
  let root: string
  let c1: string // head.it → it.staff
  let c2: string // head.it → expert
  const ROOT_TEXT = 'Підготувати звіт про стан цифрової трансформації громади за 2026 рік.\nДодати пропозиції до Програми на наступний рік.'

  it('issues with a responsible executor, a co-executor and a controller, and tells each of them', async () => {
    const before = await k.jobs()
    const tree = expectOk(await issue(as('head.digital'), { text: ROOT_TEXT, executorId: id('head.it'), coExecutorIds: [id('head.infopolicy')], controllerId: id('head.general'), deadline: { termDays: 30 } }), 201)
    root = tree.rootId
    expect(tree.focusId).toBe(root)
    expect(tree.nodes).toHaveLength(1)
    expect(tree.nodes[0]).toMatchObject({
      id: root,
      parentId: null,
      depth: 0,
      text: ROOT_TEXT,
      status: 'new',
      overdue: false,
      document: null,
      issuedBy: { id: id('head.digital'), fullName: 'Мельник Оксана Ігорівна' },
      executor: { id: id('head.it'), fullName: 'Бойко Андрій Миколайович' },
      coExecutors: [{ id: id('head.infopolicy'), fullName: 'Гнатюк Ірина Романівна' }],
      controller: { id: id('head.general'), fullName: 'Савченко Галина Михайлівна' },
      unit: { name: 'Відділ інформаційних технологій, аналізу та цифрової трансформації' },
      termDays: 30,
      extended: false,
      reports: [],
      extensions: [],
      rowVersion: 0,
    })
    // The issuer is the head over the executor's unit too; they may cancel, not report or accept.
    expect(tree.nodes[0]!.myRoles.sort()).toEqual(['issuer', 'unit_head'])
    expect(tree.nodes[0]!.can).toMatchObject({ cancel: true, report: false, accept: false, start: false, delegate: false })
    expect(tree.nodes[0]!.dueAt).toBe(tree.nodes[0]!.originalDueAt)

    expect(await who(root, 'task_assigned')).toEqual([id('head.it'), id('head.infopolicy')].sort())
    expect(await who(root, 'info')).toEqual([id('head.general')])
    expect(await actions(root)).toEqual(['assignment.issued'])
    // Reminders (3, 1 and 0 working days before, as far as still ahead) and the deadline job wait in the queue.
    const overdueJob = await k.t.db.pool.query('SELECT run_at FROM graphile_worker.jobs WHERE key = $1', [`assignment_overdue:${root}:${tree.nodes[0]!.dueAt}`])
    expect(new Date(overdueJob.rows[0].run_at).toISOString()).toBe(tree.nodes[0]!.dueAt)
    expect(await k.jobs()).toBe(before + 4)
  })

  it('lets the responsible executor hand parts to subordinates, and no one else', async () => {
    const part1 = 'Зібрати дані про стан серверного обладнання та мереж'
    const t1 = expectOk(await act(as('head.it'), root, 'delegate', { text: part1, executorId: id('it.staff'), deadline: { termDays: 10 } }), 201)
    c1 = t1.focusId
    expect(t1.rootId).toBe(root)
    expect(nodeOf(t1, c1)).toMatchObject({ parentId: root, rootId: root, depth: 1, status: 'new', text: part1, issuedBy: { id: id('head.it') }, executor: { id: id('it.staff') }, controller: { id: id('head.it') } })
    // Handing out parts is taking the instruction into work.
    expect(nodeOf(t1, root)).toMatchObject({ status: 'in_work', rowVersion: 1 })
    expect(nodeOf(t1, root).startedAt).not.toBeNull()
    expect(await actions(root)).toEqual(['assignment.issued', 'assignment.started'])
    expect(await actions(c1)).toEqual(['assignment.issued'])
    expect(await who(c1, 'task_assigned')).toEqual([id('it.staff')])

    const t2 = expectOk(await act(as('head.it'), root, 'delegate', { text: 'Підготувати огляд вебсайту ради', executorId: id('expert'), deadline: { termDays: 12 } }), 201)
    c2 = t2.focusId
    expect(ids(t2)).toEqual([root, c1, c2])

    const s = await k.state()
    // A part due after the whole.
    expectProblem(await act(as('head.it'), root, 'delegate', { text: 'Частина', executorId: id('it.staff'), deadline: { termDays: 200 } }), 400, 'DEADLINE_AFTER_PARENT')
    // Someone outside the executor's unit.
    expectProblem(await act(as('head.it'), root, 'delegate', { text: 'Частина', executorId: id('infopolicy'), deadline: { termDays: 5 } }), 403, 'EXECUTOR_OUT_OF_SCOPE')
    // A co-executor, the controller, the issuer and a subordinate do not delegate the whole.
    for (const l of ['head.infopolicy', 'head.general', 'head.digital', 'it.staff'] as const) {
      expectProblem(await act(as(l), root, 'delegate', { text: 'Частина', executorId: id('expert'), deadline: { termDays: 5 } }), 403, 'ASSIGNMENT_NOT_EXECUTOR')
    }
    // Someone who cannot see it is told it does not exist.
    expectProblem(await act(as('legal'), root, 'delegate', { text: 'Частина', executorId: id('expert'), deadline: { termDays: 5 } }), 404, 'ASSIGNMENT_NOT_FOUND')
    expect(await k.state()).toEqual(s)
  })

  it('shows each person the tree as far as they take part in it', async () => {
    // The whole tree: participants of the root, the head above, the admin.
    for (const l of ['head.digital', 'head.it', 'head.infopolicy', 'head.general', 'admin'] as const) {
      expect(ids(await treeAs(as(l), c1)), l).toEqual([root, c1, c2])
    }
    // A subordinate sees the way from the root to their part, not the colleague's branch.
    expect(ids(await treeAs(as('it.staff'), c1))).toEqual([root, c1])
    expect(ids(await treeAs(as('it.staff'), root))).toEqual([root, c1])
    expect(ids(await treeAs(as('expert'), root))).toEqual([root, c2])
    expectProblem(await as('it.staff').get(`/api/assignments/${c2}`), 404, 'ASSIGNMENT_NOT_FOUND')
    // Outsiders: a colleague in a unit beside, heads of other units, another department.
    for (const l of ['public', 'head.public', 'infopolicy', 'legal', 'head.housing'] as const) {
      expectProblem(await as(l).get(`/api/assignments/${root}`), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await as(l).get(`/api/assignments/${c1}`), 404, 'ASSIGNMENT_NOT_FOUND')
    }
    expectProblem(await k.t.anonymous().get(`/api/assignments/${root}`), 401)

    // «Мої доручення»: each by their part.
    const mine = await list(as('it.staff'), '?role=executor')
    expect(mine.items.map((i) => i.id)).toEqual([c1])
    expect(mine.counts).toMatchObject({ toDo: 1, onCheck: 0 })
    expect((await list(as('head.it'), '?role=controller')).items.map((i) => i.id).sort()).toEqual([c1, c2].sort())
    const exec = await list(as('head.it'), '?role=executor')
    expect(exec.items.map((i) => [i.id, i.childCount])).toEqual([[root, 2]])
    expect((await list(as('head.infopolicy'), '?role=executor')).items.map((i) => i.id)).toEqual([root])
    expect((await list(as('legal'))).items.filter((i) => i.rootId === root)).toEqual([])
  })

  let pdf: FileOut
  it('goes new → in work → on check, with a report of text and a file; the controller returns it with a comment', async () => {
    const t = expectOk(await act(as('it.staff'), c1, 'start'))
    expect(nodeOf(t, c1)).toMatchObject({ status: 'in_work' })
    expectProblem(await act(as('it.staff'), c1, 'start'), 409, 'ASSIGNMENT_ALREADY_STARTED')
    expectProblem(await act(as('head.it'), c1, 'start'), 403, 'ASSIGNMENT_NOT_EXECUTOR')

    const bytes = tinyPdf('Dovidka pro obladnannia')
    const up = await upload(as('it.staff'), c1, bytes, 'Довідка про обладнання.pdf')
    expect(up.statusCode, up.body).toBe(201)
    pdf = up.json() as FileOut
    expect(pdf).toMatchObject({ fileName: 'Довідка про обладнання.pdf', size: bytes.length, mediaType: 'application/pdf' })
    expect(await k.t.store.head(contentKey(pdf.sha256))).not.toBeNull()

    // Only executors report: the controller, the head above and the root's controller are refused.
    for (const l of ['head.it', 'head.digital', 'head.general'] as const) expectProblem(await act(as(l), c1, 'report', { text: 'Звіт' }), 403, 'ASSIGNMENT_NOT_EXECUTOR')
    expectProblem(await act(as('expert'), c1, 'report', { text: 'Звіт' }), 404, 'ASSIGNMENT_NOT_FOUND')

    const text = 'Дані зібрано: 3 сервери, 48 робочих місць. Швидкість каналу > 100 Мбіт/с.'
    const reported = expectOk(await act(as('it.staff'), c1, 'report', { text, files: [pdf.sha256] }))
    const n = nodeOf(reported, c1)
    expect(n.status).toBe('on_check')
    expect(n.reportedAt).not.toBeNull()
    expect(n.reports).toEqual([expect.objectContaining({ kind: 'report', text, files: [pdf], author: { id: id('it.staff'), fullName: 'Савчук Денис Олегович' } })])
    expect(n.can).toMatchObject({ report: false, accept: false })
    expect(nodeOf(await treeAs(as('head.it'), c1), c1).can).toMatchObject({ accept: true, return: true, report: false })
    expect(await who(c1, 'task_assigned')).toEqual([id('head.it'), id('it.staff')].sort())
    expect((await list(as('head.it'), '?role=controller')).counts.onCheck).toBe(1)

    // The file is there for whoever sees the assignment, byte for byte; for nobody else.
    const dl = await as('head.it').get(`/api/assignments/${c1}/files/${pdf.sha256}`)
    expect(dl.statusCode).toBe(200)
    expect(dl.headers['content-type']).toBe('application/pdf')
    expect(Buffer.compare(dl.rawPayload, bytes)).toBe(0)
    expect(String(dl.headers['content-disposition'])).toContain("filename*=UTF-8''%D0%94%D0%BE%D0%B2%D1%96%D0%B4%D0%BA%D0%B0")
    expectProblem(await as('expert').get(`/api/assignments/${c1}/files/${pdf.sha256}`), 404)
    expectProblem(await as('legal').get(`/api/assignments/${c1}/files/${pdf.sha256}`), 404)

    // Only the controller accepts or returns: not the executor, the head above, the root's controller or its issuer.
    const s = await k.state()
    for (const l of ['it.staff', 'head.digital', 'head.general', 'head.infopolicy'] as const) {
      expectProblem(await act(as(l), c1, 'accept', {}), 403, 'ASSIGNMENT_NOT_CONTROLLER')
      expectProblem(await act(as(l), c1, 'return', { comment: 'Доопрацюйте' }), 403, 'ASSIGNMENT_NOT_CONTROLLER')
    }
    expectProblem(await act(as('legal'), c1, 'accept', {}), 404, 'ASSIGNMENT_NOT_FOUND')
    // A return needs its comment.
    expectProblem(await act(as('head.it'), c1, 'return', { comment: '' }), 400, 'COMMENT_REQUIRED')
    expectProblem(await act(as('head.it'), c1, 'return', { comment: '  \n ' }), 400, 'COMMENT_REQUIRED')
    expectProblem(await act(as('head.it'), c1, 'return', {}), 400, 'VALIDATION_FAILED')
    expectProblem(await act(as('head.it'), c1, 'return', { comment: 'Дивіться <a href="http://x">тут</a>' }), 400, 'VALIDATION_FAILED')
    // A second report while the first waits.
    expectProblem(await act(as('it.staff'), c1, 'report', { text: 'Ще раз' }), 409, 'ASSIGNMENT_ON_CHECK')
    expect(await k.state()).toEqual(s)

    const comment = 'Додайте дані про мережеве обладнання та строки його заміни.'
    const returned = nodeOf(expectOk(await act(as('head.it'), c1, 'return', { comment })), c1)
    expect(returned.status).toBe('in_work')
    expect(returned.reports.map((r) => [r.kind, r.text])).toEqual([
      ['report', text],
      ['returned', comment],
    ])
    expect(await who(c1, 'returned')).toEqual([id('it.staff')])
  })

  it('is accepted by its controller (done), and the executor reports the whole only when the parts are closed', async () => {
    expectOk(await act(as('it.staff'), c1, 'report', { text: 'Додано дані про мережеве обладнання.' }))
    // The part of expert, reported straight from «new».
    const r2 = nodeOf(expectOk(await act(as('expert'), c2, 'report', { text: 'Огляд вебсайту додано.' })), c2)
    expect(r2.status).toBe('on_check')
    expect(r2.startedAt).not.toBeNull()

    const done = nodeOf(expectOk(await act(as('head.it'), c1, 'accept', { comment: 'Прийнято.' })), c1)
    expect(done.status).toBe('done')
    expect(done.closedAt).not.toBeNull()
    expect(done.can).toMatchObject({ report: false, accept: false, cancel: false, delegate: false })
    expectProblem(await act(as('head.it'), c1, 'accept', {}), 409, 'ASSIGNMENT_CLOSED')
    expectProblem(await act(as('it.staff'), c1, 'report', { text: 'Ще' }), 409, 'ASSIGNMENT_CLOSED')
    expect(await who(c1, 'completed')).toEqual([id('it.staff')])

    // The tree shows each branch's status.
    const mid = await treeAs(as('head.digital'), root)
    expect(mid.nodes.map((x) => [x.id, x.depth, x.status])).toEqual([
      [root, 0, 'in_work'],
      [c1, 1, 'done'],
      [c2, 1, 'on_check'],
    ])
    expectProblem(await act(as('head.it'), root, 'report', { text: 'Звіт' }), 409, 'ASSIGNMENT_SUBTASKS_OPEN')
    expectOk(await act(as('head.it'), c2, 'accept', {}))

    // The co-executor reports their part; the state does not change.
    const co = nodeOf(expectOk(await act(as('head.infopolicy'), root, 'report', { text: 'Розділ про інформаційну політику підготовлено.' })), root)
    expect(co.status).toBe('in_work')
    expect(co.reports.map((r) => r.kind)).toEqual(['co_report'])
    expect(await who(root, 'info')).toEqual([id('head.general'), id('head.general'), id('head.it')].sort())

    const docx = await upload(as('head.it'), root, tinyDocx('Звіт про стан цифрової трансформації'), 'Звіт.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    expect(docx.statusCode, docx.body).toBe(201)
    const file = docx.json() as FileOut
    expect(file.mediaType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
    const onCheck = nodeOf(expectOk(await act(as('head.it'), root, 'report', { text: 'Звіт підготовлено, додається.', files: [file.sha256] })), root)
    expect(onCheck.status).toBe('on_check')
    expect(nodeOf(expectOk(await act(as('head.general'), root, 'accept', {})), root).status).toBe('done')

    const end = await treeAs(as('head.digital'), root)
    expect(end.nodes.map((x) => x.status)).toEqual(['done', 'done', 'done'])
  })

  it('wrote an audit event for every state change, in a chain that verifies', async () => {
    expect(await actions(root)).toEqual(['assignment.issued', 'assignment.started', 'assignment.reported', 'assignment.updated', 'assignment.reported', 'assignment.accepted'])
    expect(await actions(c1)).toEqual(['assignment.issued', 'assignment.started', 'assignment.updated', 'assignment.reported', 'assignment.returned', 'assignment.reported', 'assignment.accepted'])
    expect(await actions(c2)).toEqual(['assignment.issued', 'assignment.started', 'assignment.reported', 'assignment.accepted'])
    const accepted = await k.db().auditEvent.findFirstOrThrow({ where: { targetId: c1, action: 'assignment.accepted' } })
    expect(accepted.actorId).toBe(id('head.it'))
    expect(accepted.before).toMatchObject({ status: 'on_check' })
    expect(accepted.after).toMatchObject({ status: 'done', late: false, comment: 'Прийнято.' })
    const returned = await k.db().auditEvent.findFirstOrThrow({ where: { targetId: c1, action: 'assignment.returned' } })
    expect([returned.actorId, returned.before, returned.after]).toMatchObject([id('head.it'), { status: 'on_check' }, { status: 'in_work', comment: expect.stringContaining('мережеве') }])
    // Handing out a part is recorded on the part, naming its parent.
    const issued = await k.db().auditEvent.findFirstOrThrow({ where: { targetId: c2, action: 'assignment.issued' } })
    expect(issued.after).toMatchObject({ parentId: root, executorId: id('expert'), controllerId: id('head.it'), termDays: 12 })
    expect((await verifyAuditChain(k.t.db.pool)).ok).toBe(true)
  })
})

describe('deadlines missed, reports late, instructions cancelled', () => {
  it('becomes overdue at the deadline (escalated to the head), is reported and returned late, and ends done late', async () => {
    const a = expectOk(await issue(as('head.it'), { text: 'Оновити антивірусні бази на всіх робочих місцях', executorId: id('it.staff'), deadline: { termDays: 5 } }), 201).rootId
    await deadlinePasses(a)
    const t = nodeOf(await treeAs(as('it.staff'), a), a)
    expect(t).toMatchObject({ status: 'overdue', overdue: true })
    expect(t.can).toMatchObject({ report: true, requestExtension: true })
    // The executor is told; the head of the unit (here also the controller) gets the escalation, once.
    expect(await who(a, 'stage_overdue')).toEqual([id('it.staff')])
    expect(await who(a, 'escalation')).toEqual([id('head.it')])
    expect(await actions(a)).toEqual(['assignment.issued', 'assignment.overdue', 'assignment.escalated'])
    const before = await k.state()
    await assignmentOverdueTask({ prisma: k.db() })({ assignmentId: a, dueAt: (await k.db().assignment.findUniqueOrThrow({ where: { id: a } })).dueAt.toISOString() }, helpers)
    expect(await k.state()).toEqual(before)
    expect((await list(as('it.staff'), '?overdue=true')).items.map((i) => i.id)).toContain(a)

    expect(nodeOf(expectOk(await act(as('it.staff'), a, 'report', { text: 'Оновлено на 40 з 48 місць' })), a).status).toBe('on_check')
    // Returned after the deadline: overdue again.
    expect(nodeOf(expectOk(await act(as('head.it'), a, 'return', { comment: 'Оновіть решту 8 місць' })), a).status).toBe('overdue')
    expectOk(await act(as('it.staff'), a, 'report', { text: 'Оновлено на всіх 48 місцях' }))
    const late = nodeOf(expectOk(await act(as('head.it'), a, 'accept', {})), a)
    expect(late.status).toBe('done_late')
    expect(await actions(a)).toEqual([
      'assignment.issued',
      'assignment.overdue',
      'assignment.escalated',
      'assignment.started',
      'assignment.reported',
      'assignment.returned',
      'assignment.overdue',
      'assignment.reported',
      'assignment.accepted',
    ])
    expect(await who(a, 'completed')).toEqual([id('it.staff')])
    expect((await notes(a, 'completed'))[0]!.title).toContain('із порушенням строку')
  })

  it('escalates to the head when a report waiting at the deadline is returned, once', async () => {
    const a = expectOk(await issue(as('head.digital'), { text: 'Підготувати звіт про стан кіберзахисту', executorId: id('it.staff'), deadline: { termDays: 7 } }), 201).rootId
    expectOk(await act(as('it.staff'), a, 'report', { text: 'Звіт додається' }))
    await deadlinePasses(a)
    expect(await who(a, 'escalation')).toEqual([])
    expect(nodeOf(expectOk(await act(as('head.digital'), a, 'return', { comment: 'Додайте перелік інцидентів' })), a).status).toBe('overdue')
    // The head of the executor's unit hears of it; the controller who returned it does not.
    expect(await who(a, 'escalation')).toEqual([id('head.it')])
    expect((await actions(a)).slice(-3)).toEqual(['assignment.returned', 'assignment.overdue', 'assignment.escalated'])
    // The deadline job, should it run again, tells nobody twice.
    const before = await k.state()
    await assignmentOverdueTask({ prisma: k.db() })({ assignmentId: a, dueAt: (await k.db().assignment.findUniqueOrThrow({ where: { id: a } })).dueAt.toISOString() }, helpers)
    expect(await k.state()).toEqual(before)
  })

  it('tells the controller when the deadline passes with a report waiting, without making it overdue', async () => {
    const a = expectOk(await issue(as('head.digital'), { text: 'Погодити план закупівель ІТ-обладнання', executorId: id('head.it'), deadline: { termDays: 7 } }), 201).rootId
    expectOk(await act(as('head.it'), a, 'report', { text: 'План додається' }))
    await deadlinePasses(a)
    expect(nodeOf(await treeAs(as('head.it'), a), a).status).toBe('on_check')
    expect(await who(a, 'stage_overdue')).toEqual([id('head.digital')])
    expect(await who(a, 'escalation')).toEqual([])
    expect(nodeOf(expectOk(await act(as('head.digital'), a, 'accept', {})), a).status).toBe('done_late')
  })

  it('is cancelled by its issuer with a reason, open parts with it, and then accepts nothing', async () => {
    const a = expectOk(await issue(as('head.it'), { text: 'Провести інвентаризацію ліцензій', executorId: id('it.staff'), deadline: { termDays: 20 } }), 201).rootId
    // A non-head executor hands a part to a colleague of the same unit.
    const part = expectOk(await act(as('it.staff'), a, 'delegate', { text: 'Перевірити ліцензії офісних програм', executorId: id('expert'), deadline: { termDays: 10 } }), 201).focusId
    // …but not to the head of their own unit.
    expectProblem(await act(as('it.staff'), a, 'delegate', { text: 'Частина', executorId: id('head.it'), deadline: { termDays: 10 } }), 403, 'EXECUTOR_OUT_OF_SCOPE')

    const s = await k.state()
    expectProblem(await act(as('it.staff'), a, 'cancel', { reason: 'Не встигаю' }), 403, 'ASSIGNMENT_NOT_ISSUER')
    expectProblem(await act(as('expert'), a, 'cancel', { reason: 'Не встигаю' }), 403, 'ASSIGNMENT_NOT_ISSUER')
    expectProblem(await act(as('legal'), a, 'cancel', { reason: 'Не встигаю' }), 404, 'ASSIGNMENT_NOT_FOUND')
    expectProblem(await act(as('head.it'), a, 'cancel', { reason: ' ' }), 400, 'COMMENT_REQUIRED')
    expect(await k.state()).toEqual(s)

    const reason = 'Інвентаризацію проведе обласна адміністрація'
    const t = expectOk(await act(as('head.it'), a, 'cancel', { reason }))
    expect(t.nodes.map((n) => [n.id, n.status])).toEqual([
      [a, 'cancelled'],
      [part, 'cancelled'],
    ])
    expect(nodeOf(t, a).cancelledAt).not.toBeNull()
    expect(nodeOf(t, a).reports.map((r) => [r.kind, r.text])).toEqual([['cancelled', reason]])
    expect(nodeOf(t, part).reports[0]!.text).toContain(reason)
    expect(await actions(a)).toEqual(['assignment.issued', 'assignment.started', 'assignment.cancelled'])
    expect(await actions(part)).toEqual(['assignment.issued', 'assignment.cancelled'])
    const cascaded = await k.db().auditEvent.findFirstOrThrow({ where: { targetId: part, action: 'assignment.cancelled' } })
    expect([cascaded.actorId, cascaded.before, cascaded.after]).toMatchObject([id('head.it'), { status: 'new' }, { status: 'cancelled', cascadeFrom: a }])
    expect(await who(part, 'info')).toEqual([id('expert')])

    const after = await k.state()
    expectProblem(await act(as('expert'), part, 'report', { text: 'Готово' }), 409, 'ASSIGNMENT_CLOSED')
    expectProblem(await act(as('it.staff'), a, 'start'), 409, 'ASSIGNMENT_CLOSED')
    expectProblem(await act(as('head.it'), a, 'cancel', { reason }), 409, 'ASSIGNMENT_CLOSED')
    expectProblem(await upload(as('it.staff'), a, tinyPdf('late')), 409, 'ASSIGNMENT_CLOSED')
    expect(await k.state()).toEqual(after)
  })
})

describe('authorization', () => {
  let a: string
  beforeAll(async () => {
    a = expectOk(await issue(as('head.digital'), { text: 'Підготувати відповідь на запит', executorId: id('head.public'), controllerId: id('head.digital'), deadline: { termDays: 14 } }), 201).rootId
  })

  it('lets only heads, the clerk and leadership issue, and only to people in their scope', async () => {
    const s = await k.state()
    const body = { text: 'Доручення', deadline: { termDays: 5 } }
    // Staff issue nothing.
    expectProblem(await issue(as('it.staff'), { ...body, executorId: id('expert') }), 403, 'FORBIDDEN')
    // A head of another department does not instruct the Directorate's people, nor the Directorate's head theirs.
    expectProblem(await issue(as('head.housing'), { ...body, executorId: id('it.staff') }), 403, 'EXECUTOR_OUT_OF_SCOPE')
    expectProblem(await issue(as('head.digital'), { ...body, executorId: id('housing') }), 403, 'EXECUTOR_OUT_OF_SCOPE')
    expectProblem(await issue(as('head.digital'), { ...body, executorId: id('head.it'), coExecutorIds: [id('legal')] }), 403, 'EXECUTOR_OUT_OF_SCOPE')
    // A unit head instructs their unit only.
    expectProblem(await issue(as('head.it'), { ...body, executorId: id('public') }), 403, 'EXECUTOR_OUT_OF_SCOPE')
    expectProblem(await k.t.anonymous().post('/api/assignments', { ...body, executorId: id('expert') }), 401)
    expect(await k.state()).toEqual(s)
  })

  it('refuses outsiders every action as if the assignment did not exist, changing nothing', async () => {
    const s = await k.state()
    for (const l of ['legal', 'infopolicy', 'head.housing', 'it.staff'] as const) {
      const c = as(l)
      expectProblem(await act(c, a, 'start'), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await act(c, a, 'report', { text: 'Звіт' }), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await act(c, a, 'accept', {}), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await act(c, a, 'return', { comment: 'Ні' }), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await act(c, a, 'cancel', { reason: 'Ні' }), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await act(c, a, 'extensions', { reason: 'Ні', dueDate: '2031-12-23' }), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await act(c, a, 'delegate', { text: 'Ні', executorId: id('public'), deadline: { termDays: 3 } }), 404, 'ASSIGNMENT_NOT_FOUND')
      expectProblem(await upload(c, a, tinyPdf('x')), 404, 'ASSIGNMENT_NOT_FOUND')
      // Naming a file does not tell an outsider anything either.
      expectProblem(await act(c, a, 'report', { text: 'Звіт', files: ['0'.repeat(64)] }), 404, 'ASSIGNMENT_NOT_FOUND')
    }
    expectProblem(await as('legal').get('/api/assignments/00000000-0000-4000-8000-000000000000'), 404, 'ASSIGNMENT_NOT_FOUND')
    expectProblem(await as('legal').get('/api/assignments/not-a-uuid'), 400, 'VALIDATION_FAILED')
    expect(await k.state()).toEqual(s)
  })

  it('lets the executor, not the controller, attach report files; refuses a stale version; one transition when two act at once', async () => {
    const s = await k.state()
    expectProblem(await upload(as('head.digital'), a, tinyPdf('x')), 403, 'ASSIGNMENT_NOT_EXECUTOR')
    const row = await k.db().assignment.findUniqueOrThrow({ where: { id: a } })
    expectProblem(await act(as('head.public'), a, 'start', { rowVersion: row.rowVersion + 1 }), 409, 'ASSIGNMENT_STALE')
    expect(await k.state()).toEqual(s)
    expectOk(await act(as('head.public'), a, 'start', { rowVersion: row.rowVersion }))

    const both = await Promise.all([act(as('head.public'), a, 'report', { text: 'Відповідь підготовлено' }), act(as('head.public'), a, 'report', { text: 'Відповідь підготовлено' })])
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409])
    const two = await Promise.all([act(as('head.digital'), a, 'accept', {}), act(as('head.digital'), a, 'return', { comment: 'Доопрацюйте' })])
    expect(two.map((r) => r.statusCode).sort()).toEqual([200, 409])
    expect(await k.db().assignmentReport.count({ where: { assignmentId: a } })).toBe(2)
    expect((await actions(a)).filter((x) => x === 'assignment.accepted' || x === 'assignment.returned')).toHaveLength(1)
  })
})

describe('substitutes (clause 4.8)', () => {
  it('act for the absent controller while the substitution lasts, on record', async () => {
    const a = expectOk(await issue(as('head.it'), { text: 'Налаштувати резервне копіювання поштового сервера', executorId: id('it.staff'), deadline: { termDays: 10 } }), 201).rootId
    expectOk(await act(as('it.staff'), a, 'report', { text: 'Налаштовано щоденне копіювання' }))
    // Before the substitution, head.infopolicy cannot even see it.
    expectProblem(await act(as('head.infopolicy'), a, 'accept', {}), 404, 'ASSIGNMENT_NOT_FOUND')
    const now = Date.now()
    const sub = await as('head.it').post('/api/substitutions', { substituteId: id('head.infopolicy'), startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 86400_000).toISOString(), reason: 'Відпустка' })
    expect(sub.statusCode, sub.body).toBe(201)
    try {
      const seen = nodeOf(await treeAs(as('head.infopolicy'), a), a)
      expect(seen.myRoles).toContain('controller')
      expect(seen.can.accept).toBe(true)
      expect((await list(as('head.infopolicy'), '?role=controller')).items.map((i) => i.id)).toContain(a)
      expect(nodeOf(expectOk(await act(as('head.infopolicy'), a, 'accept', { comment: 'Прийнято за відсутності Бойка А. М.' })), a).status).toBe('done')
      const e = await k.db().auditEvent.findFirstOrThrow({ where: { targetId: a, action: 'assignment.accepted' } })
      expect([e.actorId, (e.after as { onBehalfOf: string }).onBehalfOf]).toEqual([id('head.infopolicy'), id('head.it')])
    } finally {
      expect((await as('head.it').post(`/api/substitutions/${sub.json().id}/cancel`)).statusCode).toBe(200)
    }
    expectProblem(await as('head.infopolicy').get(`/api/assignments/${a}`), 404, 'ASSIGNMENT_NOT_FOUND')
  })
})

describe('bad input', () => {
  let a: string
  beforeAll(async () => {
    a = expectOk(await issue(as('head.digital'), { text: 'Перевірити резервні копії', executorId: id('it.staff'), deadline: { termDays: 14 } }), 201).rootId
  })

  it('refuses a bad instruction with a stable code and changes nothing', async () => {
    const good = { text: 'Підготувати довідку', executorId: id('head.it'), deadline: { termDays: 10 } }
    const s = await k.state()
    const cases: [string, object | string, number, string][] = [
      ['no text', { ...good, text: undefined }, 400, 'VALIDATION_FAILED'],
      ['empty text', { ...good, text: '' }, 400, 'VALIDATION_FAILED'],
      ['blank text', { ...good, text: ' \n\t ' }, 400, 'VALIDATION_FAILED'],
      ['HTML in the text', { ...good, text: '<script>alert(1)</script>' }, 400, 'VALIDATION_FAILED'],
      ['markup inside the text', { ...good, text: 'Підготувати <img src=x onerror=alert(1)> довідку' }, 400, 'VALIDATION_FAILED'],
      ['a control character', { ...good, text: 'Довідка\u0007' }, 400, 'VALIDATION_FAILED'],
      ['text too long', { ...good, text: 'а'.repeat(10_001) }, 400, 'VALIDATION_FAILED'],
      ['no deadline', { ...good, deadline: undefined }, 400, 'VALIDATION_FAILED'],
      ['a due date in the past', { ...good, deadline: { dueDate: '2020-01-06' } }, 400, 'DEADLINE_IN_PAST'],
      ['a term that ended in the past', { ...good, deadline: { termDays: 10, from: '2020-01-06' } }, 400, 'DEADLINE_IN_PAST'],
      ['a date in another format', { ...good, deadline: { dueDate: '31.12.2031' } }, 400, 'VALIDATION_FAILED'],
      ['a date with a time', { ...good, deadline: { dueDate: '2031-12-23T10:00:00Z' } }, 400, 'VALIDATION_FAILED'],
      ['a date that does not exist', { ...good, deadline: { dueDate: '2031-02-30' } }, 400, 'CALENDAR_DATE_INVALID'],
      ['a date past the calendar', { ...good, deadline: { dueDate: '2101-01-03' } }, 400, 'CALENDAR_DATE_INVALID'],
      ['a zero term', { ...good, deadline: { termDays: 0 } }, 400, 'VALIDATION_FAILED'],
      ['a fractional term', { ...good, deadline: { termDays: 2.5 } }, 400, 'VALIDATION_FAILED'],
      ['a term and a date at once', { ...good, deadline: { termDays: 5, dueDate: '2031-12-23' } }, 400, 'VALIDATION_FAILED'],
      ['a term from an unknown point', { ...good, deadline: { termDays: 5, from: 'tomorrow' } }, 400, 'VALIDATION_FAILED'],
      ['a term from signing without a document', { ...good, deadline: { termDays: 5, from: 'signing' } }, 400, 'DEADLINE_START_UNKNOWN'],
      ['an unknown executor', { ...good, executorId: '00000000-0000-4000-8000-000000000000' }, 400, 'EXECUTOR_UNAVAILABLE'],
      ['an executor that is no id', { ...good, executorId: 'head.it' }, 400, 'VALIDATION_FAILED'],
      ['an unknown co-executor', { ...good, coExecutorIds: ['00000000-0000-4000-8000-000000000000'] }, 400, 'EXECUTOR_UNAVAILABLE'],
      ['an unknown controller', { ...good, controllerId: '00000000-0000-4000-8000-000000000000' }, 400, 'EXECUTOR_UNAVAILABLE'],
      ['the executor controlling themself', { ...good, controllerId: id('head.it') }, 400, 'CONTROLLER_IS_EXECUTOR'],
      ['the executor as a co-executor too', { ...good, coExecutorIds: [id('head.it')] }, 400, 'VALIDATION_FAILED'],
      ['a co-executor twice', { ...good, coExecutorIds: [id('expert'), id('expert')] }, 400, 'VALIDATION_FAILED'],
      ['an unknown document', { ...good, documentId: '00000000-0000-4000-8000-000000000000' }, 404, 'DOCUMENT_NOT_FOUND'],
      ['an unknown field', { ...good, priority: 'high' }, 400, 'VALIDATION_FAILED'],
      ['malformed JSON', '{"text": "Довідка", ', 400, 'MALFORMED_JSON'],
    ]
    for (const [what, body, status, code] of cases) {
      const res = typeof body === 'string' ? await as('head.digital').post('/api/assignments', body, { headers: { 'content-type': 'application/json' } }) : await issue(as('head.digital'), body)
      expect(res.statusCode, `${what}: ${res.body}`).toBe(status)
      expect(String(res.headers['content-type']), what).toMatch(/^application\/problem\+json/)
      if (code) expect(res.json().code, what).toBe(code)
    }
    // A working day is asked for when a date is given: the answer names the one before.
    const sunday = await issue(as('head.digital'), { ...good, deadline: { dueDate: '2031-12-28' } })
    expectProblem(sunday, 400, 'DUE_DATE_NOT_WORKING_DAY')
    expect(sunday.json().suggestedDueDate).toBe('2031-12-26')
    expect(await k.state()).toEqual(s)
  })

  it('refuses bad reports and files with a stable code, storing nothing', async () => {
    const staff = as('it.staff')
    const s = await k.state()
    expectProblem(await act(staff, a, 'report', {}), 400, 'VALIDATION_FAILED')
    expectProblem(await act(staff, a, 'report', { text: '   ' }), 400, 'VALIDATION_FAILED')
    expectProblem(await act(staff, a, 'report', { text: 'Звіт <iframe src=//evil>' }), 400, 'VALIDATION_FAILED')
    expectProblem(await act(staff, a, 'report', { text: 'Звіт', files: ['not-a-hash'] }), 400, 'VALIDATION_FAILED')
    // A file never uploaded to this assignment by this person.
    expectProblem(await act(staff, a, 'report', { text: 'Звіт', files: ['a'.repeat(64)] }), 400, 'REPORT_FILE_UNKNOWN')
    // Files: empty, oversize (declared, and streamed without a length), of a wrong type, with a bad name or none.
    expectProblem(await upload(staff, a, Buffer.alloc(0)), 400, 'EMPTY_FILE')
    const big = Buffer.concat([tinyPdf('big'), Buffer.alloc(MAX_UPLOAD, 0x20)])
    expectProblem(await upload(staff, a, big), 413, 'FILE_TOO_LARGE')
    expectProblem(await upload(staff, a, Readable.from([big.subarray(0, 50_000), big.subarray(50_000)])), 413, 'FILE_TOO_LARGE')
    expectProblem(await upload(staff, a, Buffer.from('просто текст, не PDF'), 'звіт.pdf', 'text/plain'), 415, 'UNSUPPORTED_FILE_TYPE')
    expectProblem(await upload(staff, a, Buffer.from('<html><script>alert(1)</script></html>'), 'звіт.html', 'text/html'), 415, 'UNSUPPORTED_FILE_TYPE')
    expectProblem(await upload(staff, a, tinyPdf('x'), '../../etc/passwd'), 400, 'INVALID_FILE_NAME')
    expectProblem(await staff.post(`/api/assignments/${a}/files`, tinyPdf('x'), { headers: { 'content-type': 'application/pdf' } }), 400, 'VALIDATION_FAILED')
    expect(await k.state()).toEqual(s)

    // A file someone else uploaded to the same assignment cannot be named in one's report.
    const theirs = await upload(as('admin'), a, tinyPdf('admin'))
    expectProblem(theirs, 403, 'ASSIGNMENT_NOT_EXECUTOR')
    const mine = (await upload(staff, a, tinyPdf('mine'))).json() as FileOut
    const s2 = await k.state()
    expectProblem(await act(as('head.digital'), a, 'report', { text: 'Звіт', files: [mine.sha256] }), 403, 'ASSIGNMENT_NOT_EXECUTOR')
    expect(await k.state()).toEqual(s2)
    // The same bytes uploaded twice are stored once.
    const again = (await upload(staff, a, tinyPdf('mine'), 'копія.pdf')).json() as FileOut
    expect(again.sha256).toBe(mine.sha256)
    expect(await k.blobs()).toBe(s2.blobs)
  })

  it('refuses bad extension requests and decisions, changing nothing', async () => {
    const staff = as('it.staff')
    const s = await k.state()
    expectProblem(await act(staff, a, 'extensions', { reason: '', dueDate: '2031-12-23' }), 400, 'COMMENT_REQUIRED')
    expectProblem(await act(staff, a, 'extensions', { dueDate: '2031-12-23' }), 400, 'VALIDATION_FAILED')
    expectProblem(await act(staff, a, 'extensions', { reason: '<b>Терміново</b>', dueDate: '2031-12-23' }), 400, 'VALIDATION_FAILED')
    expectProblem(await act(staff, a, 'extensions', { reason: 'Хворію', dueDate: '23.12.2031' }), 400, 'VALIDATION_FAILED')
    expectProblem(await act(staff, a, 'extensions', { reason: 'Хворію', dueDate: '2031-13-01' }), 400, 'CALENDAR_DATE_INVALID')
    expectProblem(await act(staff, a, 'extensions', { reason: 'Хворію', dueDate: '2031-12-27' }), 400, 'DUE_DATE_NOT_WORKING_DAY')
    expectProblem(await act(staff, a, 'extensions', { reason: 'Хворію', dueDate: '2020-01-06' }), 400, 'EXTENSION_NOT_LATER')
    expectProblem(await act(as('head.digital'), a, 'extensions/00000000-0000-4000-8000-000000000000/grant', {}), 404, 'EXTENSION_NOT_FOUND')
    expect(await k.state()).toEqual(s)
  })
})

describe('report files and the orphan sweep', () => {
  // Runs last: it sweeps this file's object store.
  const sweep = () => sweepOrphans(k.db(), k.t.store, { graceMs: 0, now: new Date(Date.now() + 60_000) })

  it('sweeps a file uploaded but never named in a report', async () => {
    const a = expectOk(await issue(as('head.it'), { text: 'Сфотографувати серверну', executorId: id('it.staff'), deadline: { termDays: 3 } }), 201).rootId
    const f = (await upload(as('it.staff'), a, tinyPdf('never reported'), 'чернетка.pdf')).json() as FileOut
    await sweep()
    expect(await k.t.store.head(contentKey(f.sha256))).toBeNull()
    // Naming it now is refused: the bytes are gone.
    expectProblem(await act(as('it.staff'), a, 'report', { text: 'Фото додаю', files: [f.sha256] }), 400, 'REPORT_FILE_UNKNOWN')
  })

  // The sweep (server/documents/orphans.ts) must keep every sha256 named in assignment_report.files.
  it('keeps a file named by a report', async () => {
    const a = expectOk(await issue(as('head.it'), { text: 'Надати акт списання', executorId: id('it.staff'), deadline: { termDays: 3 } }), 201).rootId
    const f = (await upload(as('it.staff'), a, tinyPdf('reported act'), 'акт.pdf')).json() as FileOut
    expectOk(await act(as('it.staff'), a, 'report', { text: 'Акт додаю', files: [f.sha256] }))
    await sweep()
    expect(await k.t.store.head(contentKey(f.sha256))).not.toBeNull()
    expect((await as('head.it').get(`/api/assignments/${a}/files/${f.sha256}`)).statusCode).toBe(200)
  })
})
