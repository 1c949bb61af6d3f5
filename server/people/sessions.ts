import { createHash, randomBytes } from 'node:crypto'
import type { Db, Tx } from '../db/client.ts'
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

/** Resolves a cookie token to the signed-in person, extending the session when half of it has passed. */
export async function lookupSession(db: Db, token: string, ttlHours: number): Promise<Auth | null> {
  const id = hashToken(token)
  const now = new Date()
  const s = await db.session.findUnique({
    where: { id },
    include: {
      user: {
        include: {
          holdings: { where: activeHolding(now), include: { position: { include: { unit: true } } } },
        },
      },
    },
  })
  if (!s || s.expiresAt <= now || !s.user.active) return null
  let expiresAt = s.expiresAt
  if (s.expiresAt.getTime() - now.getTime() < (ttlHours * 3600_000) / 2) {
    expiresAt = new Date(now.getTime() + ttlHours * 3600_000)
    await db.session.update({ where: { id }, data: { expiresAt } })
  }
  const positions = s.user.holdings
    .filter((h) => !h.position.archivedAt)
    .map((h) => ({
      id: h.position.id,
      title: h.position.title,
      unitId: h.position.unitId,
      unitName: h.position.unit.name,
      isHead: h.position.isHead,
      roles: h.position.roles,
    }))
  return {
    userId: s.user.id,
    login: s.user.login,
    fullName: s.user.fullName,
    roles: [...new Set(positions.flatMap((p) => p.roles))],
    positions,
    sessionId: id,
    csrfToken: s.csrfToken,
    expiresAt,
  }
}

export async function deleteSession(tx: Tx, sessionId: string) {
  await tx.session.deleteMany({ where: { id: sessionId } })
}
