import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { scratchDatabase, testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson } from '../testing/factories.ts'
import { notify, publish } from './notify.ts'

interface Sse {
  status: number
  headers: http.IncomingHttpHeaders
  events: { event: string; data: Record<string, unknown> }[]
  /** Resolves when the server ends the response or the socket closes. */
  closed: Promise<void>
  close(): void
}

/** Opens GET /api/events over real HTTP, as a browser's EventSource would, and parses the frames. */
function openStream(baseUrl: string, cookie: string | null): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${baseUrl}/api/events`, { headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } }, (res) => {
      res.setEncoding('utf8')
      res.on('error', () => undefined /* our own close() aborts it */)
      const sse: Sse = {
        status: res.statusCode!,
        headers: res.headers,
        events: [],
        closed: new Promise((r) => res.once('close', () => r())),
        close: () => req.destroy(),
      }
      let buf = ''
      res.on('data', (chunk: string) => {
        buf += chunk
        for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
          const lines = buf.slice(0, i).split('\n')
          buf = buf.slice(i + 2)
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7)
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6)
          if (event && data) sse.events.push({ event, data: JSON.parse(data) as Record<string, unknown> })
        }
      })
      resolve(sse)
    })
    req.on('error', reject)
  })
}

const types = (s: Sse) => s.events.map((e) => e.event)
const until = (fn: () => void) => vi.waitFor(fn, { timeout: 10_000, interval: 25 })

async function listen(t: TestApp) {
  const address = await t.app.listen({ port: 0, host: '127.0.0.1' })
  return address
}

describe('live events across two instances', () => {
  let a: TestApp
  let b: TestApp
  let urlB: string
  let listed: { id: string; client: ApiClient }
  let other: { id: string; client: ApiClient }

  beforeAll(async () => {
    ;[a, b] = await Promise.all([testApp({ storage: 'disk' }), testApp({ storage: 'disk' })])
    await listen(a)
    urlB = await listen(b)
    const p1 = await makePerson(a.db.prisma)
    const p2 = await makePerson(a.db.prisma)
    listed = { id: p1.user.id, client: await b.login(p1.login) }
    other = { id: p2.user.id, client: await b.login(p2.login) }
  })
  afterAll(async () => {
    await a?.close()
    await b?.close()
  })

  it('refuses an anonymous stream with a 401 problem', async () => {
    const res = await b.anonymous().get('/api/events')
    expect(res.statusCode).toBe(401)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().code).toBe('UNAUTHENTICATED')
    const raw = await openStream(urlB, null)
    expect(raw.status).toBe(401)
    await raw.closed
    expect(b.app.events.connections()).toBe(0)
  })

  it('answers an event stream that starts with `ready`', async () => {
    const s = await openStream(urlB, listed.client.cookie)
    try {
      expect(s.status).toBe(200)
      expect(s.headers['content-type']).toMatch(/^text\/event-stream/)
      expect(s.headers['cache-control']).toContain('no-cache')
      expect(s.headers['x-accel-buffering']).toBe('no')
      expect(s.headers['content-encoding']).toBeUndefined()
      await until(() => expect(types(s)).toEqual(['ready']))
      expect(b.app.events.connections(listed.id)).toBe(1)
      expect(b.app.events.listening()).toBe(true)
    } finally {
      s.close()
    }
    await until(() => expect(b.app.events.connections()).toBe(0))
  })

  it('is described in the OpenAPI document as an event stream', async () => {
    const doc = (await b.anonymous().get('/api/docs/json')).json()
    const op = doc.paths['/api/events'].get
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream'])
    expect(op.responses['401']).toBeDefined()
    expect(doc.paths['/api/notifications/{id}/read'].post).toBeDefined()
  })

  it('delivers what instance A commits to the listed person on instance B, and nothing rolled back', async () => {
    const s1 = await openStream(urlB, listed.client.cookie)
    const s2 = await openStream(urlB, other.client.cookie)
    try {
      await until(() => expect([types(s1), types(s2)]).toEqual([['ready'], ['ready']]))
      const documentId = randomUUID()
      await a.db.prisma.$transaction((tx) => publish(tx, { userIds: [listed.id], type: 'approval.changed', documentId }))
      await expect(
        a.db.prisma.$transaction(async (tx) => {
          await publish(tx, { userIds: [listed.id, other.id], type: 'approval.rolled_back' })
          await notify(tx, [{ userId: listed.id, kind: 'info', title: 'Не буде' }])
          throw new Error('the visa failed')
        }),
      ).rejects.toThrow('the visa failed')
      await a.db.prisma.$transaction((tx) => notify(tx, [{ userId: listed.id, kind: 'task_assigned', title: 'Нове завдання' }]))
      // Events arrive in commit order: once the marker is in, anything that was coming has come.
      await a.db.prisma.$transaction((tx) => publish(tx, { userIds: [listed.id, other.id], type: 'marker' }))
      await until(() => expect([types(s1).at(-1), types(s2).at(-1)]).toEqual(['marker', 'marker']))

      expect(s1.events).toEqual([
        { event: 'ready', data: { type: 'ready' } },
        { event: 'approval.changed', data: { type: 'approval.changed', documentId } },
        { event: 'notification', data: { type: 'notification' } },
        { event: 'marker', data: { type: 'marker' } },
      ])
      // Not listed, so nothing but the marker; and no event names other recipients.
      expect(types(s2)).toEqual(['ready', 'marker'])
    } finally {
      s1.close()
      s2.close()
    }
    await until(() => expect(b.app.events.connections()).toBe(0))
  })

  it('tells every open tab of a person, and forgets each tab when it disconnects', async () => {
    const tabs = await Promise.all([openStream(urlB, listed.client.cookie), openStream(urlB, listed.client.cookie)])
    await until(() => expect(b.app.events.connections(listed.id)).toBe(2))
    await a.db.prisma.$transaction((tx) => publish(tx, { userIds: [listed.id], type: 'approval.changed' }))
    await until(() => expect(tabs.map((t) => types(t).at(-1))).toEqual(['approval.changed', 'approval.changed']))
    tabs[0]!.close()
    await until(() => expect(b.app.events.connections(listed.id)).toBe(1))
    tabs[1]!.close()
    await until(() => expect(b.app.events.connections()).toBe(0))
  })

  it('ends open streams when an instance closes, so the close does not hang', async () => {
    const c = await testApp({ storage: 'disk' })
    const url = await listen(c)
    const s = await openStream(url, (await c.login((await makePerson(c.db.prisma)).login)).cookie)
    await until(() => expect(types(s)).toEqual(['ready']))
    await c.close()
    await s.closed
  })
})

describe('the LISTEN connection', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  let t: TestApp

  beforeAll(async () => {
    // A database of its own: this test kills LISTEN connections, which must not hit other files' apps.
    scratch = await scratchDatabase()
    t = await testApp({ storage: 'disk', databaseUrl: scratch.url })
  })
  afterAll(async () => {
    await t?.close()
    await scratch?.drop()
  })

  it('comes back after PostgreSQL drops it, and tells the workspaces to resync', async () => {
    const p = await makePerson(t.db.prisma)
    const s = await openStream(await listen(t), (await t.login(p.login)).cookie)
    try {
      await until(() => expect(types(s)).toEqual(['ready']))
      // Find first, then terminate: in one WHERE clause PostgreSQL may call the terminate before the filters.
      const found = await t.db.pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND query = 'LISTEN hromada_events'")
      expect(found.rows).toHaveLength(1)
      const killed = await t.db.pool.query('SELECT pg_terminate_backend($1::int) AS ok', [found.rows[0]!.pid])
      expect(killed.rows[0].ok).toBe(true)
      await until(() => expect(types(s)).toEqual(['ready', 'resync']))
      expect(t.app.events.listening()).toBe(true)
      await t.db.prisma.$transaction((tx) => publish(tx, { userIds: [p.user.id], type: 'approval.changed' }))
      await until(() => expect(types(s)).toEqual(['ready', 'resync', 'approval.changed']))
    } finally {
      s.close()
    }
  })
})
