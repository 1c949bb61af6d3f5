import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pino from 'pino'
import { Logger, type JobHelpers } from 'graphile-worker'
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import { openDatabase, type Database } from '../db/client.ts'
import { startJobQueue, type JobQueue } from '../jobs/queue.ts'
import { scratchDatabase } from '../testing/harness.ts'
import { makePerson } from '../testing/factories.ts'
import { createMailer, sendEmailTask, type Mailer } from './mailer.ts'
import { notify } from './notify.ts'

interface Received {
  from: string
  to: string[]
  user: string | undefined
  mail: ParsedMail
}

const PUBLIC_URL = 'https://edms.drohobych-rada.example'
let scratch: Awaited<ReturnType<typeof scratchDatabase>>
let db: Database
let smtp: SMTPServer
let mailer: Mailer
const inbox: Received[] = []
let olena: { id: string; email: string }

// The helpers a task receives from graphile-worker; the send task only logs through them.
const helpers = { logger: new Logger(() => () => undefined), job: { id: '1', attempts: 1, max_attempts: 25 } } as unknown as JobHelpers

async function makeNotification(userId: string, data: { title?: string; body?: string; link?: string | null } = {}) {
  return db.prisma.notification.create({
    data: { userId, kind: 'task_assigned', title: data.title ?? 'Вам надійшов проєкт на погодження', body: data.body ?? '', link: data.link ?? null },
  })
}

const lettersFor = (notificationTitle: string) => inbox.filter((m) => m.mail.subject === notificationTitle)

beforeAll(async () => {
  scratch = await scratchDatabase()
  db = openDatabase(scratch.url, { max: 6 })
  // A real SMTP server: no TLS on loopback, password authentication checked when offered.
  smtp = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    allowInsecureAuth: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'edms' && auth.password === 'pa:ss/w0rd') cb(null, { user: auth.username })
      else cb(new Error('Invalid username or password'))
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('bounce@')) cb(Object.assign(new Error('No such mailbox'), { responseCode: 550 }))
      else cb()
    },
    onData(stream, session, cb) {
      simpleParser(stream).then(
        (mail) => {
          const from = session.envelope.mailFrom
          inbox.push({ from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address), user: session.user, mail })
          cb()
        },
        (err: Error) => cb(err),
      )
    },
  })
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
  const { port } = smtp.server.address() as AddressInfo
  mailer = createMailer({ url: `smtp://edms:${encodeURIComponent('pa:ss/w0rd')}@127.0.0.1:${port}`, from: 'Hromada EDMS <edms@drohobych-rada.example>' })!
  const p = await makePerson(db.prisma, { fullName: 'Коваленко Олена Петрівна' })
  olena = { id: p.user.id, email: 'olena.kovalenko@drohobych-rada.example' }
  await db.prisma.user.update({ where: { id: olena.id }, data: { email: olena.email } })
})
afterAll(async () => {
  mailer?.close()
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()))
  await db?.close()
  await scratch?.drop()
})

describe('the send_email task', () => {
  it('mails the notification in Ukrainian with an absolute link, and records it', async () => {
    const docId = randomUUID()
    const title = `Проєкт рішення «Про бюджет громади» чекає вашої візи ${randomUUID().slice(0, 6)}`
    const n = await makeNotification(olena.id, { title, body: 'Погодьте, будь ласка, до 05.12.2026.\nЕтап: юридична експертиза.', link: `/documents/${docId}` })
    await sendEmailTask({ prisma: db.prisma, mailer, publicUrl: `${PUBLIC_URL}/` })({ notificationId: n.id }, helpers)

    const [letter, ...more] = lettersFor(title)
    expect(more).toEqual([])
    expect(letter!.to).toEqual([olena.email])
    expect(letter!.from).toBe('edms@drohobych-rada.example')
    expect(letter!.user).toBe('edms')
    expect(letter!.mail.from?.text).toContain('Hromada EDMS')
    expect(letter!.mail.headers.get('auto-submitted')).toBe('auto-generated')
    const text = letter!.mail.text!
    expect(text).toContain('Добрий день, Коваленко Олена Петрівна!')
    expect(text).toContain('Погодьте, будь ласка, до 05.12.2026.\nЕтап: юридична експертиза.')
    expect(text).toContain(`Відкрити в Hromada EDMS: ${PUBLIC_URL}/documents/${docId}`)
    expect(letter!.mail.html).toContain(`<a href="${PUBLIC_URL}/documents/${docId}">`)
    expect(letter!.mail.html).toContain('«Про бюджет громади»')
    expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt).toBeInstanceOf(Date)
  })

  it('sends once when the queue runs the job a second time', async () => {
    const title = `Строк етапу минув ${randomUUID().slice(0, 6)}`
    const n = await makeNotification(olena.id, { title })
    const task = sendEmailTask({ prisma: db.prisma, mailer, publicUrl: null })
    await task({ notificationId: n.id }, helpers)
    const emailedAt = (await db.prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt
    await task({ notificationId: n.id }, helpers)
    expect(lettersFor(title)).toHaveLength(1)
    expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt).toEqual(emailedAt)
    // Without PUBLIC_URL no link can be built; the letter points to the workspace instead.
    expect(lettersFor(title)[0]!.mail.text).toContain('Сповіщення також є в робочому просторі Hromada EDMS.')
  })

  it('sends nothing and fails nothing without SMTP settings', async () => {
    expect(createMailer(null)).toBeNull()
    const title = `Без пошти ${randomUUID().slice(0, 6)}`
    const n = await makeNotification(olena.id, { title })
    await expect(sendEmailTask({ prisma: db.prisma, mailer: null, publicUrl: PUBLIC_URL })({ notificationId: n.id }, helpers)).resolves.toBeUndefined()
    expect(lettersFor(title)).toEqual([])
    expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt).toBeNull()
  })

  it('skips people without an address and malformed payloads', async () => {
    const nobody = await makePerson(db.prisma)
    const title = `Нема адреси ${randomUUID().slice(0, 6)}`
    const n = await makeNotification(nobody.user.id, { title })
    const task = sendEmailTask({ prisma: db.prisma, mailer, publicUrl: PUBLIC_URL })
    await task({ notificationId: n.id }, helpers)
    await task({ notificationId: 'nope' }, helpers)
    await task({ notificationId: randomUUID() }, helpers)
    expect(lettersFor(title)).toEqual([])
  })

  it('fails the job (for a retry) when the server refuses, leaving it unsent', async () => {
    const p = await makePerson(db.prisma)
    await db.prisma.user.update({ where: { id: p.user.id }, data: { email: 'bounce@drohobych-rada.example' } })
    const n = await makeNotification(p.user.id)
    await expect(sendEmailTask({ prisma: db.prisma, mailer, publicUrl: PUBLIC_URL })({ notificationId: n.id }, helpers)).rejects.toThrow()
    expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: n.id } })).emailedAt).toBeNull()
  })

  it('runs end to end: notify() in a committed transaction, a real worker, a real letter', async () => {
    let queue: JobQueue | null = null
    try {
      queue = await startJobQueue({
        pool: db.pool,
        tasks: { send_email: sendEmailTask({ prisma: db.prisma, mailer, publicUrl: PUBLIC_URL }) },
        concurrency: 1,
        log: pino({ level: 'silent' }),
        crontab: '',
      })
      const title = `Вас призначено виконавцем ${randomUUID().slice(0, 6)}`
      const { inserted } = await db.prisma.$transaction((tx) => notify(tx, [{ userId: olena.id, kind: 'task_assigned', title, body: 'Доручення № 12', link: '/documents', email: true }]))
      await vi.waitFor(() => expect(lettersFor(title)).toHaveLength(1), { timeout: 20_000, interval: 100 })
      expect(lettersFor(title)[0]!.mail.text).toContain(`${PUBLIC_URL}/documents`)
      await vi.waitFor(async () => expect((await db.prisma.notification.findUniqueOrThrow({ where: { id: inserted[0]! } })).emailedAt).not.toBeNull(), { timeout: 5000 })
      await vi.waitFor(async () => expect((await db.pool.query("SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'send_email'")).rows[0].n).toBe(0), { timeout: 5000 })
    } finally {
      await queue?.stop()
    }
  })
})
