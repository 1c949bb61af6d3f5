import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pg from 'pg'
import { openDatabase, type Database } from '../db/client.ts'
import { scratchDatabase } from '../testing/harness.ts'
import { makePerson } from '../testing/factories.ts'
import { encodeEvent, EVENTS_CHANNEL, MAX_EVENT_BYTES, notify, publish, type LiveEvent, type NotificationInput } from './notify.ts'

// A database of our own: counting jobs and live events must not see other test files' work.
let scratch: Awaited<ReturnType<typeof scratchDatabase>>
let db: Database
let listener: pg.Client
const heard: LiveEvent[] = []
let withMail: string
let withoutMail: string
let inactive: string

const jobKeys = async () => (await db.pool.query<{ key: string }>("SELECT key FROM graphile_worker.jobs WHERE task_identifier = 'send_email'")).rows.map((r) => r.key)
const rowsWithKey = (dedupeKey: string) => db.prisma.notification.count({ where: { dedupeKey } })

/** Publishes a marker and waits for it: NOTIFYs arrive in commit order, so whatever was to come has come. */
async function settle() {
  const marker = `marker.${randomUUID().slice(0, 8)}`
  await db.prisma.$transaction((tx) => publish(tx, { userIds: [withMail], type: marker }))
  await vi.waitFor(() => expect(heard.some((e) => e.type === marker)).toBe(true), { timeout: 5000, interval: 20 })
}

/** Forgets the events heard so far, once every earlier commit's events have arrived. */
async function fresh() {
  await settle()
  heard.length = 0
}

beforeAll(async () => {
  scratch = await scratchDatabase()
  db = openDatabase(scratch.url, { max: 8 })
  listener = new pg.Client({ connectionString: scratch.url })
  await listener.connect()
  listener.on('notification', (m) => heard.push(JSON.parse(m.payload!) as LiveEvent))
  await listener.query(`LISTEN ${EVENTS_CHANNEL}`)
  const a = await makePerson(db.prisma)
  await db.prisma.user.update({ where: { id: a.user.id }, data: { email: 'a@rada.example' } })
  withMail = a.user.id
  withoutMail = (await makePerson(db.prisma)).user.id
  const c = await makePerson(db.prisma)
  await db.prisma.user.update({ where: { id: c.user.id }, data: { email: 'c@rada.example', active: false } })
  inactive = c.user.id
})
afterAll(async () => {
  await listener?.end()
  await db?.close()
  await scratch?.drop()
})

describe('notify()', () => {
  it('inserts the notifications and tells their people after the commit', async () => {
    const docId = randomUUID()
    await fresh()
    const { inserted } = await db.prisma.$transaction((tx) =>
      notify(tx, [
        { userId: withMail, kind: 'task_assigned', title: 'Проєкт рішення чекає вашої візи', body: 'Погодьте до 05.12.2026', link: `/documents/${docId}` },
        { userId: withoutMail, kind: 'info', title: 'Рядок\nз переносом' },
      ]),
    )
    expect(inserted).toHaveLength(2)
    const rows = new Map((await db.prisma.notification.findMany({ where: { id: { in: inserted } } })).map((r) => [r.userId, r]))
    expect(rows.get(withMail)).toMatchObject({ kind: 'task_assigned', title: 'Проєкт рішення чекає вашої візи', body: 'Погодьте до 05.12.2026', link: `/documents/${docId}`, readAt: null, emailedAt: null })
    // A line break would end up in an e-mail header; it is folded into a space.
    expect(rows.get(withoutMail)).toMatchObject({ kind: 'info', title: 'Рядок з переносом', body: '', link: null, dedupeKey: null })
    await settle()
    const live = heard.filter((e) => e.type === 'notification')
    expect(live).toHaveLength(1)
    expect(live[0]!.userIds.sort()).toEqual([withMail, withoutMail].sort())
    // E-mail was not asked for.
    expect((await jobKeys()).filter((k) => inserted.some((id) => k.endsWith(id)))).toEqual([])
  })

  it('skips a repeated dedupeKey, within one call and across calls', async () => {
    const key = `reminder:${randomUUID()}`
    const item: NotificationInput = { userId: withoutMail, kind: 'stage_reminder', title: 'Нагадування', dedupeKey: key }
    const first = await db.prisma.$transaction((tx) => notify(tx, [item, { ...item, title: 'Те саме ще раз' }]))
    expect(first.inserted).toHaveLength(1)
    await fresh()
    const second = await db.prisma.$transaction((tx) => notify(tx, [item]))
    expect(second.inserted).toEqual([])
    expect(await rowsWithKey(key)).toBe(1)
    await settle()
    // Nothing new, nothing to announce.
    expect(heard.filter((e) => e.type === 'notification')).toEqual([])
  })

  it('makes one row when two transactions insert the same key at once', async () => {
    const key = `overdue:${randomUUID()}`
    const item: NotificationInput = { userId: withMail, kind: 'stage_overdue', title: 'Строк минув', dedupeKey: key, email: true }
    // The first transaction holds its uncommitted row while the second tries the same key.
    let firstInserted!: () => void
    const inserted1 = new Promise<void>((r) => (firstInserted = r))
    let commitFirst!: () => void
    const gate = new Promise<void>((r) => (commitFirst = r))
    const t1 = db.prisma.$transaction(async (tx) => {
      const r = await notify(tx, [item])
      firstInserted()
      await gate
      return r
    })
    await inserted1
    const t2 = db.prisma.$transaction((tx) => notify(tx, [item]))
    await new Promise((r) => setTimeout(r, 200))
    commitFirst()
    const [r1, r2] = await Promise.all([t1, t2])
    expect(r1.inserted).toHaveLength(1)
    expect(r2.inserted).toEqual([])
    expect(await rowsWithKey(key)).toBe(1)
    expect((await jobKeys()).filter((k) => k === `send_email:${r1.inserted[0]}`)).toHaveLength(1)

    // And a free-for-all of five.
    const key5 = `overdue:${randomUUID()}`
    const results = await Promise.all(Array.from({ length: 5 }, () => db.prisma.$transaction((tx) => notify(tx, [{ ...item, dedupeKey: key5 }]))))
    expect(results.flatMap((r) => r.inserted)).toHaveLength(1)
    expect(await rowsWithKey(key5)).toBe(1)
  })

  it('leaves no row, no job and no event behind when the transaction rolls back', async () => {
    const key = `rollback:${randomUUID()}`
    const jobsBefore = await jobKeys()
    await fresh()
    await expect(
      db.prisma.$transaction(async (tx) => {
        await notify(tx, [{ userId: withMail, kind: 'escalation', title: 'Не відбудеться', dedupeKey: key, email: true }])
        throw new Error('the approval step failed')
      }),
    ).rejects.toThrow('the approval step failed')
    expect(await rowsWithKey(key)).toBe(0)
    expect(await jobKeys()).toEqual(jobsBefore)
    await settle()
    expect(heard.filter((e) => e.type !== 'notification' || e.userIds.includes(withMail)).map((e) => e.type)).toEqual([expect.stringMatching(/^marker\./)])
  })

  it('enqueues e-mail only when asked for and the person has an address and is active', async () => {
    const { inserted } = await db.prisma.$transaction((tx) =>
      notify(tx, [
        { userId: withMail, kind: 'returned', title: 'Повернуто на доопрацювання', email: true },
        { userId: withMail, kind: 'info', title: 'Лише в застосунку' },
        { userId: withoutMail, kind: 'returned', title: 'Без адреси', email: true },
        { userId: inactive, kind: 'returned', title: 'Неактивний', email: true },
      ]),
    )
    expect(inserted).toHaveLength(4)
    const keys = await jobKeys()
    expect(inserted.map((id) => keys.includes(`send_email:${id}`))).toEqual([true, false, false, false])
    const payload = await db.pool.query("SELECT payload FROM graphile_worker._private_jobs WHERE key = $1", [`send_email:${inserted[0]}`])
    expect(payload.rows[0].payload).toEqual({ notificationId: inserted[0] })
  })

  it('tells many people in several live events, each under the NOTIFY limit, together with the caller\'s own', async () => {
    const many = (await db.pool.query<{ id: string }>(`INSERT INTO app_user (id, login, password_hash, full_name, updated_at)
      SELECT gen_random_uuid(), 'many.' || g || '.' || $1, 'x', 'Особа ' || g, now() FROM generate_series(1, 320) g RETURNING id`, [randomUUID().slice(0, 8)])).rows.map((r) => r.id)
    const docId = randomUUID()
    await fresh()
    const { inserted } = await db.prisma.$transaction((tx) =>
      notify(
        tx,
        many.map((userId) => ({ userId, kind: 'info' as const, title: 'Нова редакція Положення' })),
        [{ userIds: [withMail], type: 'approval', documentId: docId }],
      ),
    )
    expect(inserted).toHaveLength(320)
    await settle()
    const live = heard.filter((e) => e.type === 'notification')
    expect(live.length).toBeGreaterThan(1)
    expect(live.flatMap((e) => e.userIds).sort()).toEqual([...many].sort())
    for (const e of live) expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThanOrEqual(MAX_EVENT_BYTES)
    expect(heard.filter((e) => e.type === 'approval')).toEqual([{ userIds: [withMail], type: 'approval', documentId: docId }])
  })

  it('refuses links that leave the workspace and unknown kinds', async () => {
    for (const bad of [{ link: '//evil.example/x' }, { link: 'https://evil.example' }, { kind: 'spam' }, { title: '  ' }]) {
      await expect(db.prisma.$transaction((tx) => notify(tx, [{ userId: withMail, kind: 'info', title: 'x', ...bad } as NotificationInput]))).rejects.toThrow(TypeError)
    }
  })
})

describe('publish()', () => {
  it('chunks a long list of people into NOTIFY payloads under the limit', async () => {
    const userIds = Array.from({ length: 500 }, () => randomUUID())
    const payloads = encodeEvent({ userIds, type: 'approval.changed', documentId: randomUUID() })
    expect(payloads.length).toBeGreaterThan(1)
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(MAX_EVENT_BYTES)
    await fresh()
    await db.prisma.$transaction((tx) => publish(tx, { userIds: [...userIds, ...userIds.slice(0, 10)], type: 'approval.changed' }))
    await settle()
    const got = heard.filter((e) => e.type === 'approval.changed')
    expect(got).toHaveLength(payloads.length)
    expect(got.flatMap((e) => e.userIds).sort()).toEqual([...userIds].sort())
  })

  it('refuses an event type that could break the SSE framing', () => {
    expect(() => encodeEvent({ userIds: [withMail], type: 'x\n\nevent: fake' })).toThrow(TypeError)
    expect(() => encodeEvent({ userIds: ['not-a-uuid'], type: 'x' })).toThrow(TypeError)
    expect(encodeEvent({ userIds: [], type: 'x' })).toEqual([])
  })
})
