import { createHash, randomBytes } from 'node:crypto'
import type { Tx } from '../db/client.ts'
import { asSql, sql, type Conn } from '../db/sql.ts'
import type { Role } from '../generated/prisma/client.ts'

/** The signed-in person as every route sees them. */
export interface Auth {
  userId: string
  login: string
  fullName: string
  roles: Role[]
  positions: { id: string; title: string; unitId: string; unitName: string; isHead: boolean; roles: Role[] }[]
  sessionId: string
  csrfToken: string
  expiresAt: Date
}

export const SESSION_COOKIE = 'hromada_session'

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

/** Creates a session row; only the token's hash is stored, the token goes to the cookie. */
export async function createSession(tx: Tx, userId: string, ttlHours: number, meta: { ip: string | null; userAgent: string | null }) {
  const token = randomBytes(32).toString('base64url')
  const session = await tx.session.create({
    data: {
      id: hashToken(token),
      userId,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: new Date(Date.now() + ttlHours * 3600_000),
      ip: meta.ip,
      userAgent: meta.userAgent?.slice(0, 400) ?? null,
    },
  })
  return { token, session }
}

/** Current holdings: since <= now and (until is null or until > now). */
export const activeHolding = (now = new Date()) => ({ since: { lte: now }, OR: [{ until: null }, { until: { gt: now } }] })

interface SessionRow {
  id: string
  csrf_token: string
  expires_at: Date
  user_id: string
  login: string
  full_name: string
  active: boolean
  positions: Auth['positions']
}

/**
 * Resolves a cookie token to the signed-in person, extending the session when half of it
 * has passed. It runs on every API request, so it is one statement (a nested Prisma
 * include took five round trips; bench/list.ts measured the difference).
 */
export async function lookupSession(conn: Conn, token: string, ttlHours: number): Promise<Auth | null> {
  const db = asSql(conn)
  const id = hashToken(token)
  const now = new Date()
  const rows = await db.query<SessionRow>(sql`
    SELECT s.id, s.csrf_token, s.expires_at, u.id AS user_id, u.login, u.full_name, u.active,
           COALESCE(json_agg(json_build_object('id', p.id, 'title', p.title, 'unitId', p.unit_id, 'unitName', un.name, 'isHead', p.is_head, 'roles', p.roles)
                    ORDER BY p.sort_order, p.title) FILTER (WHERE p.id IS NOT NULL), '[]'::json) AS positions
      FROM session s
      JOIN app_user u ON u.id = s.user_id
      LEFT JOIN position_holder ph ON ph.user_id = u.id AND ph.since <= ${now} AND (ph.until IS NULL OR ph.until > ${now})
      LEFT JOIN position p ON p.id = ph.position_id AND p.archived_at IS NULL
      LEFT JOIN unit un ON un.id = p.unit_id
     WHERE s.id = ${id}
     GROUP BY s.id, u.id`)
  const s = rows[0]
  if (!s || s.expires_at <= now || !s.active) return null
  let expiresAt = s.expires_at
  if (s.expires_at.getTime() - now.getTime() < (ttlHours * 3600_000) / 2) {
    expiresAt = new Date(now.getTime() + ttlHours * 3600_000)
    await db.exec(sql`UPDATE session SET expires_at = ${expiresAt} WHERE id = ${id}`)
  }
  return {
    userId: s.user_id,
    login: s.login,
    fullName: s.full_name,
    roles: [...new Set(s.positions.flatMap((p) => p.roles))],
    positions: s.positions,
    sessionId: id,
    csrfToken: s.csrf_token,
    expiresAt,
  }
}

export async function deleteSession(tx: Tx, sessionId: string) {
  await tx.session.deleteMany({ where: { id: sessionId } })
}
