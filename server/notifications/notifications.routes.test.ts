import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson } from '../testing/factories.ts'
import { notify, type NotificationInput } from './notify.ts'
import type { NotificationList, NotificationOut } from './schemas.ts'

let t: TestApp
let me: ApiClient
let meId: string
let someone: ApiClient
let someoneId: string

/** Notifications made one transaction at a time, so their order is their creation order. */
async function give(userId: string, ...titles: string[]) {
  const ids: string[] = []
  for (const title of titles) {
    const item: NotificationInput = { userId, kind: 'task_assigned', title, body: `Тіло: ${title}`, link: `/documents/${randomUUID()}` }
    ids.push(...(await t.db.prisma.$transaction((tx) => notify(tx, [item]))).inserted)
  }
  return ids
}

const audits = (targetId: string | null, actorId: string) => t.db.prisma.auditEvent.findMany({ where: { action: 'notification.read', targetType: 'notification', targetId, actorId } })

beforeAll(async () => {
  t = await testApp({ storage: 'disk' })
  const a = await makePerson(t.db.prisma)
  const b = await makePerson(t.db.prisma)
  meId = a.user.id
  someoneId = b.user.id
  me = await t.login(a.login)
  someone = await t.login(b.login)
})
afterAll(() => t.close())

describe('GET /api/notifications', () => {
  it('lists only my own, newest first, with the unread count', async () => {
    const [first, second, third] = await give(meId, 'Перше', 'Друге', 'Третє')
    await give(someoneId, 'Чуже')
    const res = await me.get('/api/notifications')
    expect(res.statusCode).toBe(200)
    const body = res.json() as NotificationList
    expect(body.items.map((n) => n.id)).toEqual([third, second, first])
    expect(body.unread).toBe(3)
    expect(body.items[0]).toMatchObject({ kind: 'task_assigned', title: 'Третє', body: 'Тіло: Третє', readAt: null })
    expect(body.items[0]!.link).toMatch(/^\/documents\//)
    expect(Object.keys(body.items[0]!).sort()).toEqual(['body', 'createdAt', 'id', 'kind', 'link', 'readAt', 'title'])
  })

  it('pages with limit and before, and filters unread', async () => {
    const all = ((await me.get('/api/notifications?limit=100')).json() as NotificationList).items
    const page1 = (await me.get('/api/notifications?limit=2')).json() as NotificationList
    expect(page1.items.map((n) => n.id)).toEqual(all.slice(0, 2).map((n) => n.id))
    const page2 = (await me.get(`/api/notifications?limit=2&before=${page1.items[1]!.id}`)).json() as NotificationList
    expect(page2.items.map((n) => n.id)).toEqual(all.slice(2, 4).map((n) => n.id))

    await me.post(`/api/notifications/${all[0]!.id}/read`)
    const unread = (await me.get('/api/notifications?unread=true')).json() as NotificationList
    expect(unread.items.map((n) => n.id)).toEqual(all.slice(1).map((n) => n.id))
    expect(unread.unread).toBe(all.length - 1)
  })

  it.each([
    ['an unknown parameter', '?page=2'],
    ['a limit of zero', '?limit=0'],
    ['a huge limit', '?limit=1000'],
    ['a non-boolean unread', '?unread=maybe'],
    ['a cursor that is not a uuid', '?before=42'],
  ])('refuses %s with a 400 problem', async (_name, query) => {
    const res = await me.get(`/api/notifications${query}`)
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().code).toBe('VALIDATION_FAILED')
  })

  it('does not page after someone else’s notification', async () => {
    const [theirs] = await give(someoneId, 'Курсор')
    const res = await me.get(`/api/notifications?before=${theirs}`)
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('NOTIFICATION_NOT_FOUND')
  })

  it('needs a session', async () => {
    const res = await t.anonymous().get('/api/notifications')
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toContain('application/problem+json')
  })
})

describe('POST /api/notifications/:id/read', () => {
  it('marks my notification read, audited once however often it is repeated', async () => {
    const [id] = await give(meId, 'Прочитати')
    const res = await me.post(`/api/notifications/${id}/read`)
    expect(res.statusCode).toBe(200)
    const n = res.json() as NotificationOut
    expect(n).toMatchObject({ id, title: 'Прочитати' })
    expect(Date.parse(n.readAt!)).toBeGreaterThan(Date.now() - 60_000)
    const again = await me.post(`/api/notifications/${id}/read`)
    expect(again.statusCode).toBe(200)
    expect(again.json().readAt).toBe(n.readAt)
    expect(await audits(id!, meId)).toHaveLength(1)
  })

  it('answers 404 for someone else’s notification and leaves it unread', async () => {
    const [theirs] = await give(someoneId, 'Не ваше')
    for (const id of [theirs, randomUUID()]) {
      const res = await me.post(`/api/notifications/${id}/read`)
      expect(res.statusCode).toBe(404)
      expect(res.headers['content-type']).toContain('application/problem+json')
      expect(res.json().code).toBe('NOTIFICATION_NOT_FOUND')
    }
    expect((await t.db.prisma.notification.findUniqueOrThrow({ where: { id: theirs! } })).readAt).toBeNull()
    expect(await audits(theirs!, meId)).toEqual([])
  })

  it('refuses a malformed id, and a request without the CSRF token', async () => {
    const bad = await me.post('/api/notifications/not-a-uuid/read')
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('VALIDATION_FAILED')
    const [id] = await give(meId, 'CSRF')
    const forged = await t.anonymous().post(`/api/notifications/${id}/read`, undefined, { headers: { cookie: me.cookie! } })
    expect(forged.statusCode).toBe(403)
    expect(forged.json().code).toBe('CSRF_FAILED')
  })
})

describe('POST /api/notifications/read-all', () => {
  it('marks all of mine read in one audit event, and only mine', async () => {
    await give(meId, 'Ще одне', 'І ще')
    const theirsUnread = await t.db.prisma.notification.count({ where: { userId: someoneId, readAt: null } })
    const before = await t.db.prisma.notification.count({ where: { userId: meId, readAt: null } })
    const res = await me.post('/api/notifications/read-all')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ updated: before, unread: 0 })
    expect((await me.get('/api/notifications')).json().unread).toBe(0)
    expect(await t.db.prisma.notification.count({ where: { userId: someoneId, readAt: null } })).toBe(theirsUnread)
    const events = await audits(null, meId)
    expect(events).toHaveLength(1)
    expect(events[0]!.after).toEqual({ all: true, count: before })
    // Nothing left to read: no change, no audit event.
    expect((await me.post('/api/notifications/read-all')).json()).toEqual({ updated: 0, unread: 0 })
    expect(await audits(null, meId)).toHaveLength(1)
    expect((await someone.get('/api/notifications')).json().unread).toBe(theirsUnread)
  })
})
