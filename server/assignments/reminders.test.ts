import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pino from 'pino'
import type { Task } from 'graphile-worker'
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import { openDatabase, type Database } from '../db/client.ts'
import { enqueue, startJobQueue, type JobQueue, type TaskMap } from '../jobs/queue.ts'
import { makeTasks } from '../jobs/tasks.ts'
import { createMailer, type Mailer } from '../notifications/mailer.ts'
import { testApp, type TestApp } from '../testing/harness.ts'
import { DEMO_PASSWORD } from '../seed/org.ts'
import { assignmentOverdueTask, assignmentReminderTask } from './reminders.ts'
import { assignmentWorld, expectOk, helpers, nodeOf, treeAs, type ApiClient, type AssignmentWorld, type Login } from './testkit.ts'

/**
 * Reminders and escalation (issue 5, §3) with two server instances, each with its own job
 * worker and connections, polling one PostgreSQL queue, and a real SMTP server receiving the
 * letters. The clock "arrives" at a job's moment by rescheduling that job to now (the jobs
 * themselves are the ones the API scheduled); every reminder, overdue mark, escalation and
 * letter must happen exactly once.
 */

const PUBLIC_URL = 'https://edms.drohobych-rada.example'
let smtp: SMTPServer
const inbox: { to: string[]; mail: ParsedMail }[] = []
let k: AssignmentWorld
let as: (l: Login) => ApiClient
let id: (l: Login) => string
/** The second instance: an app and, for each instance, a worker over connections of its own. */
let b: TestApp
const workerDbs: Database[] = []
const queues: JobQueue[] = []
const mailers: Mailer[] = []
const runs: { instance: string; task: string; key: string | null; jobId: string }[] = []

const email = (l: Login) => `${l}@drohobych-rada.example`
const letters = (to: Login, subjectStart: string) => inbox.filter((m) => m.to.includes(email(to)) && (m.mail.subject ?? '').startsWith(subjectStart))
const jobsLeft = async (like: string) => (await k.t.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE key LIKE $1', [like])).rows[0]!.n
/** The clock reaches these jobs' moments. */
const arrive = (like: string) => k.t.db.pool.query('SELECT graphile_worker.reschedule_jobs(array(SELECT id FROM graphile_worker.jobs WHERE key LIKE $1), run_at := now())', [like])
/** Long enough for both workers to poll (every 2 s) at least twice: whatever would run twice has had its chance. */
const settle = () => new Promise((r) => setTimeout(r, 5000))

beforeAll(async () => {
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), mail })
          cb()
        },
        (err: Error) => cb(err),
      )
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const env = { SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`, MAIL_FROM: 'Hromada EDMS <edms@drohobych-rada.example>', PUBLIC_URL, REMINDER_DAYS: '3,1,0' }
  k = await assignmentWorld({ env })
  as = k.as
  id = k.id
  b = await testApp({ databaseUrl: k.t.config.databaseUrl!, env })
  for (const [name, app] of [['A', k.t] as const, ['B', b] as const]) {
    const db = openDatabase(app.config.databaseUrl!, { max: 6 })
    workerDbs.push(db)
    const mailer = createMailer(app.config.smtp)!
    mailers.push(mailer)
    const real = makeTasks({ prisma: db.prisma, store: app.store, orphanGraceHours: 24, mailer, publicUrl: app.config.publicUrl, reminderDays: app.config.reminderDays })
    const tasks: TaskMap = Object.fromEntries(
      Object.entries(real).map(([task, fn]) => [
        task,
        (async (payload, h) => {
          runs.push({ instance: name, task, key: h.job.key ?? null, jobId: String(h.job.id) })
          await (fn as Task)(payload, h)
        }) satisfies Task,
      ]),
    )
    queues.push(await startJobQueue({ pool: db.pool, tasks, concurrency: 2, log: pino({ level: 'silent' }), crontab: '' }))
  }
})
afterAll(async () => {
  if (process.env.SHOW_RUNS) {
    const by: Record<string, number> = {}
    for (const r of runs) by[`${r.instance}:${r.task}`] = (by[`${r.instance}:${r.task}`] ?? 0) + 1
    console.log(JSON.stringify(by))
  }
  for (const q of queues) await q.stop()
  for (const m of mailers) m.close()
  for (const db of workerDbs) await db.close()
  await b?.close()
  await k?.close()
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()))
})

describe('reminders and escalation with two server instances', () => {
  let a: string
  const DUE = '2031-12-24T21:59:59.999Z'
  const TEXT = 'Забезпечити підключення старостинських округів до мережі ради'

  it('issues through one instance and shows the same assignment through the other', async () => {
    const onB = await b.login('head.it', DEMO_PASSWORD)
    a = expectOk(await as('head.digital').post('/api/assignments', { text: TEXT, executorId: id('head.it'), coExecutorIds: [id('head.infopolicy')], controllerId: id('head.general'), deadline: { dueDate: '2031-12-24' } }), 201).rootId
    expect(nodeOf(await treeAs(onB, a), a)).toMatchObject({ status: 'new', dueAt: DUE })
    // The letters about the new instruction go out once, from whichever instance took each job.
    await vi.waitFor(() => expect(inbox.filter((m) => (m.mail.subject ?? '').includes(TEXT.slice(0, 40)))).toHaveLength(2), { timeout: 30_000, interval: 200 })
    expect(letters('head.it', 'Доручення:')).toHaveLength(1)
    expect(letters('head.infopolicy', 'Доручення (співвиконавець):')).toHaveLength(1)
    expect(await jobsLeft(`assignment_reminder:${a}:%`)).toBe(3)
  })

  it('reminds the executor and the co-executor 3, 1 and 0 working days before, once each, in the workspace and by e-mail', async () => {
    await arrive(`assignment_reminder:${a}:%`)
    await vi.waitFor(
      async () => {
        expect(await jobsLeft(`assignment_reminder:${a}:%`)).toBe(0)
        expect(inbox.filter((m) => (m.mail.subject ?? '').includes('строк') && (m.mail.subject ?? '').includes(TEXT.slice(0, 40)))).toHaveLength(6)
      },
      { timeout: 30_000, interval: 200 },
    )
    await settle()
    const reminders = await k.db().notification.findMany({ where: { link: `/assignments/${a}`, kind: 'stage_reminder' } })
    expect(reminders.map((n) => n.userId).sort()).toEqual([id('head.it'), id('head.it'), id('head.it'), id('head.infopolicy'), id('head.infopolicy'), id('head.infopolicy')].sort())
    expect(reminders.every((n) => n.emailedAt !== null)).toBe(true)
    for (const l of ['head.it', 'head.infopolicy'] as const) {
      expect(letters(l, 'Нагадування про строк доручення:'), l).toHaveLength(2)
      expect(letters(l, 'Сьогодні спливає строк доручення:'), l).toHaveLength(1)
    }
    const letter = letters('head.it', 'Сьогодні спливає строк')[0]!.mail
    expect(letter.text).toContain('Строк виконання — до 24 грудня 2031 р. включно.')
    expect(letters('head.it', 'Нагадування про строк').map((m) => m.mail.text!.match(/Залишилося [^.]+\./)?.[0]).sort()).toEqual(['Залишилося 1 робочий день.', 'Залишилося 3 робочі дні.'])
    expect(letter.text).toContain(`${PUBLIC_URL}/assignments/${a}`)
    // Each reminder job ran once, on one instance or the other.
    const ran = runs.filter((r) => r.task === 'assignment_reminder' && r.key?.startsWith(`assignment_reminder:${a}:`))
    expect(ran.map((r) => r.key).sort()).toEqual([3, 1, 0].map((o) => `assignment_reminder:${a}:${o}:${DUE}`).sort())
    expect(new Set(runs.filter((r) => r.task === 'send_email').map((r) => r.jobId)).size).toBe(runs.filter((r) => r.task === 'send_email').length)
  })

  it('sends nothing twice when the same reminder is run again, on both instances at once', async () => {
    const before = { notes: await k.db().notification.count(), letters: inbox.length }
    // A second copy of a job (no key: as if scheduled again) through the queue…
    await k.db().$transaction((tx) => enqueue(tx, 'assignment_reminder', { assignmentId: a, offset: 1, dueAt: DUE }))
    // …and the task body itself run by both instances at the same moment.
    const payload = { assignmentId: a, offset: 0, dueAt: DUE }
    await Promise.all(workerDbs.map((db) => assignmentReminderTask({ prisma: db.prisma, reminderDays: [3, 1, 0] })(payload, helpers)))
    await vi.waitFor(async () => expect(await k.t.db.pool.query("SELECT 1 FROM graphile_worker.jobs WHERE task_identifier = 'assignment_reminder' AND key IS NULL")).toMatchObject({ rowCount: 0 }), { timeout: 30_000, interval: 200 })
    await settle()
    expect(await k.db().notification.count()).toBe(before.notes)
    expect(inbox.length).toBe(before.letters)
  })

  it('marks it overdue at the deadline and escalates to the head of the Directorate, once', async () => {
    await arrive(`assignment_overdue:${a}:%`)
    await vi.waitFor(
      async () => {
        expect(await jobsLeft(`assignment_overdue:${a}:%`)).toBe(0)
        expect(letters('head.digital', 'Ескалація:')).toHaveLength(1)
        expect(letters('head.it', 'Прострочено доручення:')).toHaveLength(1)
        expect(letters('head.general', 'Прострочено доручення:')).toHaveLength(1)
      },
      { timeout: 30_000, interval: 200 },
    )
    // Both instances run the deadline task once more at the same moment: nothing changes.
    const payload = { assignmentId: a, dueAt: DUE }
    await Promise.all(workerDbs.map((db) => assignmentOverdueTask({ prisma: db.prisma })(payload, helpers)))
    await settle()
    expect(nodeOf(await treeAs(as('head.it'), a), a)).toMatchObject({ status: 'overdue', overdue: true })
    const notes = await k.db().notification.findMany({ where: { link: `/assignments/${a}`, kind: { in: ['stage_overdue', 'escalation'] } } })
    expect(notes.map((n) => `${n.kind}:${n.userId}`).sort()).toEqual([`stage_overdue:${id('head.it')}`, `stage_overdue:${id('head.general')}`, `escalation:${id('head.digital')}`].sort())
    expect(notes.find((n) => n.kind === 'escalation')!.body).toContain('Бойко Андрій Миколайович')
    expect(letters('head.digital', 'Ескалація:')).toHaveLength(1)
    expect(letters('head.it', 'Прострочено доручення:')).toHaveLength(1)
    expect(letters('head.general', 'Прострочено доручення:')).toHaveLength(1)
    // The co-executor is not told of the escalation; nobody gets a letter twice.
    expect(letters('head.infopolicy', 'Прострочено')).toHaveLength(0)
    const perLetter = new Map<string, number>()
    for (const m of inbox) for (const to of m.to) perLetter.set(`${to} ${m.mail.subject} ${m.mail.text}`, (perLetter.get(`${to} ${m.mail.subject} ${m.mail.text}`) ?? 0) + 1)
    expect([...perLetter.values()].filter((n) => n > 1)).toEqual([])

    const events = await k.db().auditEvent.findMany({ where: { targetId: a, action: { in: ['assignment.overdue', 'assignment.escalated'] } }, orderBy: { seq: 'asc' } })
    expect(events.map((e) => [e.action, e.actorId])).toEqual([
      ['assignment.overdue', null],
      ['assignment.escalated', null],
    ])
    expect(events[1]!.after).toMatchObject({ to: [id('head.digital')], executorId: id('head.it') })
    expect(runs.filter((r) => r.key === `assignment_overdue:${a}:${DUE}`)).toHaveLength(1)
    // No job of any kind ran twice, on one instance or across both.
    expect(new Set(runs.map((r) => r.jobId)).size).toBe(runs.length)
  })

  it('leaves reminders of a deadline since moved, or of a report waiting for the check, without effect', async () => {
    // The controller gives time again: new jobs for the new deadline, the old payloads do nothing.
    const t = expectOk(await as('head.general').post(`/api/assignments/${a}/extensions`, { reason: 'Постачальник затримав обладнання', dueDate: '2032-01-13' }), 201)
    const moved = nodeOf(t, a)
    expect([moved.status, moved.dueAt]).toEqual(['new', '2032-01-13T21:59:59.999Z'])
    for (const l of ['head.it', 'head.infopolicy'] as const) await vi.waitFor(() => expect(letters(l, 'Строк продовжено до 13 січня 2032')).toHaveLength(1), { timeout: 30_000, interval: 200 })
    expect(await jobsLeft(`assignment_reminder:${a}:%:${moved.dueAt}`)).toBe(3)
    const before = { notes: await k.db().notification.count(), letters: inbox.length, status: 'new' }
    await assignmentReminderTask({ prisma: k.db(), reminderDays: [3, 1, 0] })({ assignmentId: a, offset: 3, dueAt: DUE }, helpers)
    await assignmentOverdueTask({ prisma: k.db() })({ assignmentId: a, dueAt: DUE }, helpers)
    // Reported: the reminders of the new deadline find a report waiting for the controller.
    expectOk(await as('head.it').post(`/api/assignments/${a}/report`, { text: 'Підключено 12 з 12 округів' }))
    const afterReport = await k.db().notification.count()
    await arrive(`assignment_reminder:${a}:%`)
    await vi.waitFor(async () => expect(await jobsLeft(`assignment_reminder:${a}:%`)).toBe(0), { timeout: 30_000, interval: 200 })
    await settle()
    expect(await k.db().notification.count()).toBe(afterReport)
    expect(afterReport - before.notes).toBe(1) // the controller's «звіт на перевірку»
    expect(inbox.length).toBe(before.letters)
    expect(nodeOf(await treeAs(as('head.general'), a), a).status).toBe('on_check')
  })
})
