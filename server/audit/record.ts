import { asSql, sql, type Conn } from '../db/sql.ts'

/** Who did it and from where; taken from the request by `actorOf(req)`. */
export interface Actor {
  userId: string | null
  ip: string | null
}

/** Every audited action, by name. Adding a state change means adding its action here. */
export type AuditAction =
  | 'auth.login'
  | 'auth.logout'
  | 'auth.password_changed'
  | 'unit.created'
  | 'unit.updated'
  | 'position.created'
  | 'position.updated'
  | 'user.created'
  | 'user.updated'
  | 'user.password_reset'
  | 'holder.assigned'
  | 'holder.ended'
  | 'document.created'
  | 'document.updated'
  | 'version.uploaded'
  | 'seed.applied'
  | 'template.created'
  | 'approval.started'
  | 'approval.participant_added'
  | 'approval.visa'
  | 'approval.stage_activated'
  | 'approval.returned'
  | 'approval.resubmitted'
  | 'approval.completed'
  | 'approval.withdrawn'
  | 'approval.escalated'
  | 'conclusion.issued'
  | 'substitution.created'
  | 'substitution.cancelled'
  | 'calendar.day_set'
  | 'calendar.day_removed'
  | 'notification.read'
  | 'job_description.drafted'
  | 'job_description.updated'
  | 'job_description.sent'
  | 'job_description.approved'
  | 'job_description.acknowledged'
  | 'duty_catalog.created'
  | 'registration.created'
  | 'registration.updated'
  | 'journal.created'
  | 'journal.updated'
  | 'nomenclature.created'
  | 'nomenclature.updated'
  | 'certificate.added'
  | 'certificate.revoked'
  | 'document.signed'
  | 'assignment.issued'
  | 'assignment.updated'
  | 'assignment.started'
  | 'assignment.reported'
  | 'assignment.accepted'
  | 'assignment.returned'
  | 'assignment.cancelled'
  | 'assignment.overdue'
  | 'assignment.escalated'
  | 'extension.requested'
  | 'extension.granted'
  | 'extension.refused'
  | 'duty.assigned'
  | 'duty.updated'
  | 'duty.removed'
  | 'trust_anchor.added'
  | 'trust_anchor.removed'

export interface AuditEntry {
  action: AuditAction
  targetType: 'session' | 'unit' | 'position' | 'user' | 'position_holder' | 'document' | 'version' | 'system' | 'route_template' | 'approval' | 'substitution' | 'calendar' | 'notification' | 'job_description' | 'duty' | 'certificate' | 'assignment' | 'duty_assignment' | 'registration' | 'journal' | 'nomenclature' | 'trust_anchor'
  targetId?: string | null
  before?: unknown
  after?: unknown
}

// JSON with bigints as numbers; nothing (SQL NULL) for a missing value.
const toJson = (v: unknown): unknown => (v === undefined || v === null ? null : JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? Number(x) : x))))

const row = (actor: Actor, entry: AuditEntry) => ({
  actor_id: actor.userId,
  ip: actor.ip,
  action: entry.action,
  target_type: entry.targetType,
  target_id: entry.targetId ?? null,
  before: toJson(entry.before),
  after: toJson(entry.after),
})

/**
 * Records an audit event inside the caller's transaction. It waits in audit_outbox and joins
 * the hash chain when the transaction commits (a deferred trigger, see the migration
 * audit_outbox), so it may be written at any point of the transaction: the chain's head is
 * locked only during COMMIT, and a rolled-back transaction leaves no event.
 */
export async function audit(tx: Conn, actor: Actor, entry: AuditEntry): Promise<void> {
  await auditAll(tx, actor, [entry])
}

/** Records a transaction's audit events, in order, with one statement (see audit()). */
export async function auditAll(tx: Conn, actor: Actor, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  await asSql(tx).exec(auditInsert(actor, entries))
}

/**
 * The INSERT behind auditAll(), for a caller that writes its events within a larger statement
 * (a data-modifying WITH part). The outbox's serial numbers follow the entries' order.
 */
export const auditInsert = (actor: Actor, entries: AuditEntry[]) => sql`
    INSERT INTO audit_outbox (actor_id, ip, action, target_type, target_id, before, after)
    SELECT x.actor_id, x.ip, x.action, x.target_type, x.target_id, x.before, x.after
      FROM jsonb_array_elements(${JSON.stringify(entries.map((e) => row(actor, e)))}::jsonb) WITH ORDINALITY AS e(v, n),
           jsonb_to_record(e.v) AS x(actor_id uuid, ip text, action text, target_type text, target_id text, before jsonb, after jsonb)
     ORDER BY e.n`
