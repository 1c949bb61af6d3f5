import { Type, type Static } from 'typebox'
import { DateTime, Uuid } from '../schemas.ts'

export const AuditEventOut = Type.Object({
  seq: Type.Integer(),
  at: DateTime,
  actor: Type.Union([Type.Object({ id: Uuid, fullName: Type.String() }), Type.Null()]),
  action: Type.String(),
  targetType: Type.String(),
  targetId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(),
  after: Type.Unknown(),
  hash: Type.String(),
})
export type AuditEventOut = Static<typeof AuditEventOut>

export const AuditVerificationOut = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  headSeq: Type.Integer(),
  headHash: Type.String(),
  firstBroken: Type.Union([
    Type.Object({ seq: Type.Integer(), reason: Type.Enum(['hash_mismatch', 'prev_hash_mismatch', 'missing_events', 'head_mismatch']), detail: Type.String() }),
    Type.Null(),
  ]),
})
export type AuditVerificationOut = Static<typeof AuditVerificationOut>
