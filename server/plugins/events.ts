import { PassThrough } from 'node:stream'
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import type pg from 'pg'
import { Type } from 'typebox'
import type { App } from '../app.ts'
import { errors } from '../schemas.ts'
import { decodeEvent, EVENTS_CHANNEL, type LiveEvent } from '../notifications/notify.ts'
import { requireAuth } from './auth.ts'

/** This instance's live-event state, for health checks and tests. */
export interface EventsHub {
  /** Open SSE connections on this instance (of one person, when given). */
  connections(userId?: string): number
  /** Whether this instance's LISTEN connection is up. */
  listening(): boolean
}

declare module 'fastify' {
  interface FastifyInstance {
    events: EventsHub
  }
}

const HEARTBEAT_MS = 25_000
/** What EventSource waits before reconnecting after the stream drops. */
const RETRY_MS = 3_000
// A person rarely has more tabs than this; past it the oldest (likely forgotten) one goes.
const MAX_PER_USER = 16
// A client that stopped reading is dropped rather than buffered without bound; it reconnects and reloads.
const MAX_BUFFERED_BYTES = 256 * 1024
const BACKOFF_MIN_MS = 250
const BACKOFF_MAX_MS = 30_000

interface Connection {
  userId: string
  stream: PassThrough
  expiresAt: number
}

const frame = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`

/**
 * One LISTEN connection per instance, taken out of the shared pool for good and replaced
 * with backoff when it breaks. NOTIFYs sent while it was down are lost, so after a
 * reconnect `onResync` tells the open workspaces to reload everything.
 */
function startListener(pool: pg.Pool, log: FastifyBaseLogger, onEvent: (e: LiveEvent) => void, onResync: () => void) {
  let client: pg.PoolClient | null = null
  let listening = false
  let closed = false
  let attempt = 0
  let listeningSince = 0
  let everListened = false
  let timer: NodeJS.Timeout | null = null
  let pending: Promise<void> = Promise.resolve()

  const onNotification = (msg: pg.Notification) => {
    if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return
    const event = decodeEvent(msg.payload)
    if (event) onEvent(event)
    else log.warn({ payload: msg.payload.slice(0, 200) }, 'malformed live event ignored')
  }

  const schedule = () => {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt) * (0.5 + Math.random() / 2)
    attempt++
    timer = setTimeout(() => {
      timer = null
      pending = connect()
    }, delay)
    timer.unref()
  }

  // Idempotent: a broken client reports through 'error' and 'end' both, and close() races with them.
  const drop = (c: pg.PoolClient, err: Error | null) => {
    if (client !== c) return
    client = null
    // A connection that dies right after each LISTEN keeps backing off; one that lived a while starts over.
    if (listening && Date.now() - listeningSince > BACKOFF_MAX_MS) attempt = 0
    listening = false
    c.removeListener('notification', onNotification)
    c.release(err ?? true) // destroy it: a LISTENing connection must not go back to the pool
    if (closed) return
    log.warn({ err: err?.message }, 'live events: LISTEN connection lost, reconnecting')
    schedule()
  }

  const connect = async () => {
    let c: pg.PoolClient
    try {
      c = await pool.connect()
    } catch (err) {
      if (closed) return
      log.warn({ err: (err as Error).message }, 'live events: cannot connect to PostgreSQL, retrying')
      schedule()
      return
    }
    if (closed) {
      c.release(true)
      return
    }
    client = c
    c.on('notification', onNotification)
    c.on('error', (err) => drop(c, err))
    c.on('end', () => drop(c, new Error('connection ended')))
    try {
      await c.query(`LISTEN ${EVENTS_CHANNEL}`)
    } catch (err) {
      drop(c, err as Error)
      return
    }
    if (client !== c) return
    listening = true
    listeningSince = Date.now()
    if (everListened) onResync()
    everListened = true
  }

  pending = connect()
  return {
    ready: () => pending,
    listening: () => listening,
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      await pending
      if (client) drop(client, null)
    },
  }
}

/** Live events: LISTEN/NOTIFY across instances, pushed to this instance's browsers over SSE at GET /api/events. */
export default fp(
  async function eventsPlugin(app: App) {
    const log = app.log.child({ module: 'events' })
    // Only this instance's own sockets live here; which users an event is for travels in the NOTIFY.
    const byUser = new Map<string, Set<Connection>>()
    const all = () => [...byUser.values()].flatMap((s) => [...s])

    const send = (conn: Connection, chunk: string) => {
      // An ended stream stays in the map until its 'close'; writing to it would be an error.
      if (conn.stream.writableEnded || conn.stream.destroyed) return
      if (conn.stream.writableLength > MAX_BUFFERED_BYTES) conn.stream.destroy()
      else conn.stream.write(chunk)
    }
    const remove = (conn: Connection) => {
      const set = byUser.get(conn.userId)
      if (!set?.delete(conn)) return
      if (set.size === 0) byUser.delete(conn.userId)
    }

    const listener = startListener(
      app.pool,
      log,
      (event) => {
        const data = frame(event.type, event.documentId === undefined ? { type: event.type } : { type: event.type, documentId: event.documentId })
        for (const userId of new Set(event.userIds)) for (const conn of byUser.get(userId) ?? []) send(conn, data)
      },
      () => {
        for (const conn of all()) send(conn, frame('resync', { type: 'resync' }))
      },
    )
    await listener.ready()

    // One timer for all connections: comments keep proxies from closing an idle stream, and a
    // stream outliving its session is ended so the browser has to authenticate again.
    const heartbeat = setInterval(() => {
      const now = Date.now()
      for (const conn of all()) {
        if (now >= conn.expiresAt) conn.stream.end()
        else send(conn, ': ping\n\n')
      }
    }, HEARTBEAT_MS)
    heartbeat.unref()

    app.decorate('events', {
      connections: (userId?: string) => (userId === undefined ? all().length : (byUser.get(userId)?.size ?? 0)),
      listening: () => listener.listening(),
    } satisfies EventsHub)

    // Open streams would keep server.close() waiting forever; end them first.
    app.addHook('preClose', async () => {
      for (const conn of all()) conn.stream.end()
    })
    app.addHook('onClose', async () => {
      clearInterval(heartbeat)
      await listener.close()
    })

    app.get(
      '/api/events',
      {
        // A HEAD request would get headers only, leaving a stream nobody reads.
        exposeHeadRoute: false,
        config: { access: 'authenticated' },
        schema: {
          tags: ['notifications'],
          summary: 'Live events (Server-Sent Events) telling the workspace what to reload',
          description:
            'A text/event-stream that stays open. The first event is `ready`; then `notification` (a new notification for you), `resync` (events may have been missed: reload everything) and domain events such as `approval.changed`, each with JSON data `{ type, documentId? }`. A comment line arrives every 25 s.',
          response: { 200: { description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: Type.String() } } }, ...errors(401) },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req)
        const conn: Connection = { userId: auth.userId, stream: new PassThrough(), expiresAt: auth.expiresAt.getTime() }
        let set = byUser.get(auth.userId)
        if (!set) byUser.set(auth.userId, (set = new Set()))
        if (set.size >= MAX_PER_USER) set.values().next().value?.stream.end()
        set.add(conn)
        // Fastify destroys the stream when the client goes away; 'close' on the socket covers the rest.
        conn.stream.once('close', () => remove(conn))
        reply.raw.once('close', () => {
          remove(conn)
          conn.stream.destroy()
        })
        conn.stream.write(`retry: ${RETRY_MS}\n` + frame('ready', { type: 'ready' }))
        // The schema documents the stream as text; what is sent is the stream itself, never serialized.
        return (reply as FastifyReply)
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('cache-control', 'no-cache, no-transform')
          .header('x-accel-buffering', 'no')
          .send(conn.stream)
      },
    )
  },
  { name: 'events', dependencies: ['auth'] },
)
