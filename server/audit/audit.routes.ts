import { Type } from 'typebox'
import type { App } from '../app.ts'
import { requireAuth } from '../plugins/auth.ts'
import { errors, IdParams, Uuid } from '../schemas.ts'
import { getVisibleDocument } from '../documents/documents.service.ts'
import type { Prisma } from '../generated/prisma/client.ts'
import { verifyAuditChain } from './verify.ts'
import { AuditEventOut, AuditVerificationOut } from './schemas.ts'

const AuditQuery = Type.Object(
  {
    targetType: Type.Optional(Type.String({ maxLength: 40 })),
    targetId: Type.Optional(Type.String({ maxLength: 80 })),
    actorId: Type.Optional(Uuid),
    action: Type.Optional(Type.String({ maxLength: 60 })),
    beforeSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
  },
  { additionalProperties: false },
)

async function listEvents(app: App, where: Prisma.AuditEventWhereInput, limit: number) {
  const rows = await app.prisma.auditEvent.findMany({ where, orderBy: { seq: 'desc' }, take: limit })
  const actorIds = [...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x))]
  const users = await app.prisma.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, fullName: true } })
  const names = new Map(users.map((u) => [u.id, u.fullName]))
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at.toISOString(),
    actor: r.actorId ? { id: r.actorId, fullName: names.get(r.actorId) ?? '—' } : null,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    ip: r.ip,
    before: r.before,
    after: r.after,
    hash: r.hash,
  }))
}

/** The audit log: admins read and verify it; anyone who sees a document sees its history. */
export default async function auditRoutes(app: App) {
  app.get(
    '/admin/audit',
    { config: { access: ['admin'] }, schema: { tags: ['audit'], summary: 'Audit events, newest first', querystring: AuditQuery, response: { 200: Type.Array(AuditEventOut), ...errors(400, 401, 403) } } },
    async (req) => {
      const q = req.query
      return listEvents(
        app,
        { targetType: q.targetType, targetId: q.targetId, actorId: q.actorId, action: q.action, ...(q.beforeSeq ? { seq: { lt: BigInt(q.beforeSeq) } } : {}) },
        q.limit ?? 100,
      )
    },
  )
  app.get(
    '/admin/audit/verify',
    { config: { access: ['admin'] }, schema: { tags: ['audit'], summary: 'Recompute the audit hash chain and name the first broken link', response: { 200: AuditVerificationOut, ...errors(401, 403) } } },
    async () => verifyAuditChain(app.pool),
  )
  app.get(
    '/documents/:id/history',
    { config: { access: 'authenticated' }, schema: { tags: ['documents'], summary: 'Audit history of a document', params: IdParams, response: { 200: Type.Array(AuditEventOut), ...errors(400, 401, 404) } } },
    async (req) => {
      const doc = await getVisibleDocument(app.prisma, requireAuth(req), req.params.id)
      return listEvents(app, { targetType: 'document', targetId: doc.id }, 500)
    },
  )
}
