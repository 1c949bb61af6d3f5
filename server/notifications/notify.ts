import { randomUUID } from 'node:crypto'
import { asSql, sql, type Conn } from '../db/sql.ts'
import { NOTIFICATION_KINDS } from './schemas.ts'

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number]

export interface NotificationInput {
  userId: string
  kind: NotificationKind
  /** One line; it is also the e-mail subject. */
  title: string
  body?: string
  /** A path inside the workspace, e.g. `/documents/<id>`; e-mails turn it into an absolute link. */
  link?: string
  /** The same key twice (in any transaction) yields one notification: reminders may be recomputed freely. */
  dedupeKey?: string
  /** Also send it by e-mail (when the person's account is active with an address and SMTP is configured). Off by default. */
  email?: boolean
}

/** A hint to the listed people's open workspaces that something changed and should be reloaded. */
export interface LiveEvent {
  userIds: string[]
  /** Becomes the SSE `event:` name, e.g. `notification`, `approval`. */
  type: string
  documentId?: string
}

/** The PostgreSQL channel every server instance LISTENs on. */
export const EVENTS_CHANNEL = 'hromada_events'
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; this leaves headroom. */
export const MAX_EVENT_BYTES = 7000

// The type ends up on an SSE `event:` line, so it must never carry a line break.
const EVENT_TYPE = /^[a-z][a-z0-9_.:-]{0,63}$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const DOCUMENT_ID = /^[A-Za-z0-9_-]{1,100}$/
// App-relative only: an e-mail must never carry a link to another site ("//evil.example").
const LINK = /^\/(?!\/)[^\s\\]{0,499}$/

const KINDS = new Set<string>(NOTIFICATION_KINDS)

interface Row {
  id: string
  user_id: string
  kind: string
  title: string
  body: string
  link: string | null
  dedupe_key: string | null
  email: boolean
}

function normalize(item: NotificationInput): Row {
  if (!UUID.test(item.userId)) throw new TypeError(`notify: userId "${item.userId}" is not a UUID`)
  if (!KINDS.has(item.kind)) throw new TypeError(`notify: unknown kind "${item.kind}"`)
  // Titles usually come from validated document titles; a stray line break must not fail
  // the caller's business transaction, nor reach an e-mail header.
  const title = item.title.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300)
  if (!title) throw new TypeError('notify: empty title')
  if (item.link !== undefined && !LINK.test(item.link)) throw new TypeError(`notify: link "${item.link}" is not a workspace path`)
  if (item.dedupeKey !== undefined && (item.dedupeKey.length === 0 || item.dedupeKey.length > 200)) throw new TypeError('notify: dedupeKey must be 1..200 characters')
  return {
    id: randomUUID(),
    user_id: item.userId,
    kind: item.kind,
    title,
    body: (item.body ?? '').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, 4000),
    link: item.link ?? null,
    dedupe_key: item.dedupeKey ?? null,
    email: item.email === true,
  }
}

/** People per `notification` live event built by notify(): 150 UUIDs keep a payload under MAX_EVENT_BYTES. */
const EVENT_CHUNK = 150

/**
 * Inside the caller's transaction, with one statement: inserts the notifications (a repeated
 * dedupeKey is skipped), enqueues one 'send_email' job per inserted notification that wants
 * e-mail and whose person has an active account with an address, and publishes a
 * `notification` live event to the people who got one, together with the caller's own live
 * events (`also`).
 */
export async function notify(conn: Conn, items: NotificationInput[], also: LiveEvent[] = []): Promise<{ inserted: string[] }> {
  if (items.length === 0) {
    await publish(conn, also)
    return { inserted: [] }
  }
  const rows = items.map(normalize)
  const payloads = also.flatMap(encodeEvent)
  // Ids are made here so each inserted row maps back to its input (dedupe keys may be absent).
  // Inserting in key order keeps two concurrent notify() calls from deadlocking on the unique index.
  // The parts that call functions run because the final row reads them, each exactly once.
  const [out] = await asSql(conn).query<{ inserted: string[] }>(sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(id uuid, user_id uuid, kind text, title text, body text, link text, dedupe_key text, email boolean)
    ), ins AS (
      INSERT INTO notification (id, user_id, kind, title, body, link, dedupe_key)
      SELECT id, user_id, kind, title, body, link, dedupe_key FROM input ORDER BY dedupe_key NULLS LAST
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id, user_id
    ), mail AS (
      SELECT ins.id FROM ins JOIN input ON input.id = ins.id AND input.email
        JOIN app_user u ON u.id = ins.user_id AND u.active AND u.email ~ '[^[:space:]]'
    ), jobs AS (
      SELECT count(*) AS n FROM graphile_worker.add_jobs((
        SELECT array_agg(('send_email', json_build_object('notificationId', id), NULL, NULL, NULL, 'send_email:' || id, NULL, NULL)::graphile_worker.job_spec ORDER BY id) FROM mail))
       WHERE EXISTS (SELECT 1 FROM mail)
    ), people AS (
      SELECT user_id, (row_number() OVER (ORDER BY user_id) - 1) / ${EVENT_CHUNK}::int AS chunk FROM (SELECT DISTINCT user_id FROM ins) d
    ), events AS (
      SELECT pg_notify(${EVENTS_CHANNEL}, p) FROM (
        SELECT json_build_object('userIds', json_agg(user_id), 'type', 'notification')::text AS p FROM people GROUP BY chunk
        UNION ALL SELECT unnest(${payloads}::text[])) e
    )
    SELECT coalesce((SELECT json_agg(id) FROM ins), '[]') AS inserted, (SELECT n FROM jobs) AS jobs, (SELECT count(*) FROM events) AS events`)
  return { inserted: out!.inserted }
}

/**
 * Splits a live event into NOTIFY payloads of at most MAX_EVENT_BYTES, each `{ userIds, type, documentId? }`;
 * throws on a malformed type, user id or document id (a programming error in the caller).
 */
export function encodeEvent(event: LiveEvent): string[] {
  if (!EVENT_TYPE.test(event.type)) throw new TypeError(`publish: event type "${event.type}" must match ${EVENT_TYPE}`)
  if (event.documentId !== undefined && !DOCUMENT_ID.test(event.documentId)) throw new TypeError(`publish: documentId "${event.documentId}" is malformed`)
  const userIds = [...new Set(event.userIds)]
  for (const id of userIds) if (!UUID.test(id)) throw new TypeError(`publish: user id "${id}" is not a UUID`)
  const rest = event.documentId === undefined ? { type: event.type } : { type: event.type, documentId: event.documentId }
  const encode = (ids: string[]) => JSON.stringify({ userIds: ids, ...rest })
  const empty = Buffer.byteLength(encode([]))
  const out: string[] = []
  let chunk: string[] = []
  let size = empty
  for (const id of userIds) {
    // A UUID is ASCII: its JSON string is 38 bytes, plus a comma after the first in a chunk.
    const bytes = id.length + 2
    if (chunk.length > 0 && size + 1 + bytes > MAX_EVENT_BYTES) {
      out.push(encode(chunk))
      chunk = []
      size = empty
    }
    size += bytes + (chunk.length > 0 ? 1 : 0)
    chunk.push(id)
  }
  if (chunk.length > 0) out.push(encode(chunk))
  return out
}

/** Parses a NOTIFY payload back into a live event; null for anything malformed (the channel is not ours alone to trust). */
export function decodeEvent(payload: string): LiveEvent | null {
  let v: unknown
  try {
    v = JSON.parse(payload)
  } catch {
    return null
  }
  if (typeof v !== 'object' || v === null) return null
  const e = v as Record<string, unknown>
  if (!Array.isArray(e.userIds) || !e.userIds.every((u) => typeof u === 'string')) return null
  if (typeof e.type !== 'string' || !EVENT_TYPE.test(e.type)) return null
  if (e.documentId !== undefined && (typeof e.documentId !== 'string' || !DOCUMENT_ID.test(e.documentId))) return null
  return { userIds: e.userIds as string[], type: e.type, ...(e.documentId !== undefined ? { documentId: e.documentId as string } : {}) }
}

/**
 * Inside the caller's transaction: a live event (pg_notify on 'hromada_events', delivered only
 * at commit) telling these people's open workspaces to refresh; long user lists are chunked.
 */
export async function publish(tx: Conn, events: LiveEvent | LiveEvent[]): Promise<void> {
  const payloads = (Array.isArray(events) ? events : [events]).flatMap(encodeEvent)
  if (payloads.length === 0) return
  await asSql(tx).exec(sql`SELECT pg_notify(${EVENTS_CHANNEL}, p) FROM unnest(${payloads}::text[]) AS p`)
}
