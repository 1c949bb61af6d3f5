import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type pg from 'pg'
import type { Db, Tx } from '../db/client.ts'
import { asSql, pgTransaction, sql, type Conn } from '../db/sql.ts'
import type { Prisma } from '../generated/prisma/client.ts'
import { AppError } from '../errors.ts'
import type { Actor, AuditEntry } from '../audit/record.ts'
import type { Auth } from '../people/sessions.ts'
import type { ObjectStore } from '../../storage/index.ts'
import { renderExpertConclusion } from '../pdf/conclusion.ts'
import { transition, type Command, type Decision, type Effect } from './machine.ts'
import { currentVersion, lockApproval, readApproval, snapshotOf, type LoadedApproval } from './load.ts'
import { persistTransition } from './persist.ts'
import { actingAs, type PersonRef } from './people.ts'
import type { ConclusionBody, DecisionBody } from './schemas.ts'
import { KIND_LABELS } from '../documents/labels.ts'

type Participant = LoadedApproval['stages'][number]['participants'][number]
type Stage = LoadedApproval['stages'][number]

export interface Acting {
  participant: Participant
  stage: Stage
  onBehalfOf: PersonRef | null
  positionTitle: string
}

/**
 * Which participant the person acts for. Among everything they may act for, an undecided
 * participant of the active stage comes first; failing that the machine explains the refusal
 * (out of turn, closed stage, already decided).
 */
export function choose(a: LoadedApproval, userId: string, wanted?: string, onlyKind?: Stage['kind']): Acting {
  const all = a.stages.filter((s) => !onlyKind || s.kind === onlyKind).flatMap((stage) => stage.participants.map((participant) => ({ stage, participant })))
  const actors = a.people.actors
  const mine = all.flatMap(({ stage, participant }) => {
    const act = actingAs(actors.get(participant.positionId)!, userId)
    return act ? [{ stage, participant, onBehalfOf: act.onBehalfOf, positionTitle: actors.get(participant.positionId)!.title }] : []
  })
  const pool = wanted ? mine.filter((m) => m.participant.id === wanted) : mine
  if (pool.length === 0) throw new AppError('NOT_A_PARTICIPANT')
  const decided = (p: Participant) => p.visas.some((v) => v.round === a.round)
  return pool.find((m) => m.stage.state === 'active' && !decided(m.participant)) ?? pool.find((m) => m.stage.state === 'active') ?? pool[0]!
}

export function apply(a: LoadedApproval, cmd: Command) {
  const out = transition(snapshotOf(a), cmd)
  if (!out.ok) throw new AppError(out.reason)
  return out
}

type VisaRow = LoadedApproval['stages'][number]['participants'][number]['visas'][number]

/**
 * A visa as a row and as the INSERT that writes it (its id made here, its time the database's
 * as the approval was read), so that a caller may write it within the transition's own
 * statement (persistTransition's `with`).
 */
export function newVisa(a: LoadedApproval, auth: Auth, acting: Acting, decision: Decision, comment: string, version: { id: string; number: number; sha256: string }, at = a.people.at): { row: VisaRow; insert: Prisma.Sql } {
  const row: VisaRow = {
    id: randomUUID(),
    approvalId: a.id,
    stageId: acting.stage.id,
    participantId: acting.participant.id,
    round: a.round,
    decision,
    comment,
    userId: auth.userId,
    onBehalfOfId: acting.onBehalfOf?.id ?? null,
    positionTitle: acting.positionTitle,
    fullName: auth.fullName,
    onBehalfOfName: acting.onBehalfOf?.fullName ?? null,
    versionId: version.id,
    versionNumber: version.number,
    versionSha256: version.sha256,
    at,
  }
  const insert = sql`
    INSERT INTO visa (id, approval_id, stage_id, participant_id, round, decision, comment, user_id, on_behalf_of_id,
                      position_title, full_name, on_behalf_of_name, version_id, version_number, version_sha256, at)
    VALUES (${row.id}::uuid, ${row.approvalId}::uuid, ${row.stageId}::uuid, ${row.participantId}::uuid, ${row.round}::int, ${row.decision}::"VisaDecision", ${row.comment},
            ${row.userId}::uuid, ${row.onBehalfOfId}::uuid, ${row.positionTitle}, ${row.fullName}, ${row.onBehalfOfName},
            ${row.versionId}::uuid, ${row.versionNumber}::int, ${row.versionSha256}, ${row.at}::timestamptz)`
  return { row, insert }
}

/** Writes a visa on its own (see newVisa). */
export async function recordVisa(tx: Conn, a: LoadedApproval, auth: Auth, acting: Acting, decision: Decision, comment: string, version: { id: string; number: number; sha256: string }): Promise<VisaRow> {
  const visa = newVisa(a, auth, acting, decision, comment, version)
  await asSql(tx).exec(visa.insert)
  return visa.row
}

/** The approval after a transition, with the visa just given added to its participant. */
function withVisa(after: LoadedApproval, visa: VisaRow): LoadedApproval {
  return {
    ...after,
    stages: after.stages.map((st) => ({ ...st, participants: st.participants.map((p) => (p.id === visa.participantId ? { ...p, visas: [...p.visas, visa] } : p)) })),
  }
}

/**
 * A visa: approve, approve with remarks, or return for revision, on the version the approver
 * read. Answers with the approval as written (no second read: the caller presents it).
 */
export async function decide(pool: pg.Pool, auth: Auth, actor: Actor, approvalId: string, body: DecisionBody): Promise<LoadedApproval> {
  const comment = body.comment?.trim() ?? ''
  // A return says what to fix; remarks without text would say nothing.
  if ((body.decision === 'return' || body.decision === 'approve_with_remarks') && !comment) throw new AppError('COMMENT_REQUIRED')
  // The busiest write of the product runs on plain pg (server/db/sql.ts), not Prisma.
  return pgTransaction(pool, async (tx) => {
    const a = await lockApproval(tx, approvalId)
    const acting = choose(a, auth.userId, body.participantId)
    if (acting.stage.kind === 'expert_review' && acting.stage.state === 'active') throw new AppError('WRONG_STAGE_KIND', 'на етапі експертизи рішенням є висновок: POST …/conclusion')
    if (acting.stage.kind === 'signing' && acting.stage.state === 'active' && body.decision !== 'return') throw new AppError('WRONG_STAGE_KIND', 'на етапі підписання рішенням є підпис: POST …/sign')
    const out = apply(a, { type: 'decide', participantId: acting.participant.id, decision: body.decision })
    const version = currentVersion(a)
    if (version.sha256 !== body.versionSha256) throw new AppError('STALE_VERSION', `чинна версія — №${version.number}`)
    const now = a.people.at
    const visa = newVisa(a, auth, acting, body.decision, comment, version, now)
    // The visa, the transition and their audit events: one statement.
    const { after } = await persistTransition(tx, a, out.next, out.effects, actor, {
      now,
      with: [visa.insert],
      audit: [
        {
          action: 'approval.visa',
          targetType: 'document',
          targetId: a.documentId,
          after: { approvalId, visaId: visa.row.id, stage: acting.stage.name, decision: body.decision, comment, round: a.round, versionNumber: version.number, versionSha256: version.sha256, onBehalfOf: acting.onBehalfOf?.fullName ?? null },
        },
        ...outcomeAudits(a, out.effects),
      ],
    })
    return withVisa(after, visa.row)
  })
}

const RESULT_DECISION: Record<ConclusionBody['result'], Decision> = { positive: 'approve', positive_with_remarks: 'approve_with_remarks', negative: 'return' }

/**
 * The Directorate's expert conclusion. The PDF is rendered and stored before the
 * transaction (no storage calls inside it); if the transition is then refused, the blob is
 * left unreferenced for the orphan sweep.
 */
export async function conclude(db: Db, store: ObjectStore, auth: Auth, actor: Actor, approvalId: string, body: ConclusionBody) {
  const remarks = body.remarks.map((r, i) => ({ n: i + 1, text: r.text.trim(), ...(r.page ? { page: r.page } : {}) })).filter((r) => r.text)
  if (body.result !== 'positive' && remarks.length === 0) throw new AppError('REMARKS_REQUIRED')
  // A first look without the lock, so nobody without the right renders and stores PDFs.
  const peek = await readApproval(db, approvalId)
  if (!peek) throw new AppError('APPROVAL_NOT_FOUND')
  // Only people on an expert-review stage may conclude; anyone else is not on that stage (403).
  const acting = choose(peek, auth.userId, body.participantId, 'expert_review')
  apply(peek, { type: 'decide', participantId: acting.participant.id, decision: RESULT_DECISION[body.result] })
  const version = await db.version.findFirst({ where: { documentId: peek.documentId }, orderBy: { number: 'desc' } })
  if (!version) throw new AppError('NO_VERSION')
  if (version.sha256 !== body.versionSha256) throw new AppError('STALE_VERSION', `чинна версія — №${version.number}`)
  const issuer = await db.unit.findFirst({ where: { kind: 'directorate' }, orderBy: { sortOrder: 'asc' } })
  const council = await db.unit.findFirst({ where: { parentId: null }, orderBy: { sortOrder: 'asc' } })
  const now = new Date()
  const pdf = await renderExpertConclusion({
    organisation: council?.name ?? 'Міська рада',
    issuer: issuer?.name ?? acting.stage.name,
    documentTitle: peek.document.title,
    documentKindLabel: KIND_LABELS[peek.document.kind],
    authorUnit: peek.document.authorUnitName,
    versionNumber: version.number,
    versionSha256: version.sha256,
    result: body.result,
    summary: body.summary?.trim() ?? '',
    remarks,
    reviewer: { fullName: auth.fullName, positionTitle: acting.positionTitle },
    date: now,
  })
  const stored = await store.put(Readable.from([Buffer.from(pdf)]), { contentType: 'application/pdf' })

  return db.$transaction(async (tx) => {
    const a = await lockApproval(tx, approvalId)
    const act = choose(a, auth.userId, body.participantId, 'expert_review')
    const decision = RESULT_DECISION[body.result]
    const out = apply(a, { type: 'decide', participantId: act.participant.id, decision })
    const current = currentVersion(a)
    if (current.sha256 !== version.sha256) throw new AppError('STALE_VERSION')
    const comment = [body.summary?.trim(), ...remarks.map((r) => `${r.n}. ${r.text}${r.page ? ` (с. ${r.page})` : ''}`)].filter(Boolean).join('\n')
    const visa = await recordVisa(tx, a, auth, act, decision, comment, current)
    const conclusion = await tx.expertConclusion.create({
      data: {
        documentId: a.documentId,
        approvalId: a.id,
        visaId: visa.id,
        result: body.result,
        remarks,
        summary: body.summary?.trim() ?? '',
        versionId: current.id,
        versionSha256: current.sha256,
        pdfSha256: stored.sha256,
        pdfSize: stored.size,
        authorId: auth.userId,
      },
    })
    await persistTransition(tx, a, out.next, out.effects, actor, {
      audit: [
        {
          action: 'conclusion.issued',
          targetType: 'document',
          targetId: a.documentId,
          after: { approvalId, conclusionId: conclusion.id, result: body.result, remarks: remarks.length, versionNumber: current.number, versionSha256: current.sha256, pdfSha256: stored.sha256 },
        },
        ...outcomeAudits(a, out.effects),
      ],
    })
    return conclusion
  })
}

/** The author, or the author's substitute, may resubmit and withdraw; an admin may withdraw. */
async function assertAuthorSide(tx: Tx, auth: Auth, a: LoadedApproval, allowAdmin: boolean) {
  if (a.document.createdById === auth.userId || (allowAdmin && auth.roles.includes('admin'))) return
  const now = new Date()
  const sub = await tx.substitution.findFirst({ where: { userId: a.document.createdById, substituteId: auth.userId, cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now } } })
  if (!sub) throw new AppError('FORBIDDEN', 'це може зробити лише автор документа (або особа, що його заміщує)')
}

/** After a return: the author sends the revised version back along the route. */
export async function resubmit(db: Db, auth: Auth, actor: Actor, approvalId: string) {
  return db.$transaction(async (tx) => {
    const a = await lockApproval(tx, approvalId)
    await assertAuthorSide(tx, auth, a, false)
    const out = apply(a, { type: 'resubmit' })
    const returnVisa = await tx.visa.findFirst({ where: { approvalId, round: a.round, decision: 'return' }, orderBy: { at: 'desc' } })
    const version = currentVersion(a)
    if (returnVisa && version.number <= returnVisa.versionNumber) throw new AppError('NEW_VERSION_REQUIRED', `повернуто версію №${returnVisa.versionNumber}; завантажте нову`)
    const from = out.effects.find((e) => e.type === 'restarted')
    await persistTransition(tx, a, out.next, out.effects, actor, {
      audit: [{ action: 'approval.resubmitted', targetType: 'document', targetId: a.documentId, after: { approvalId, round: out.next.round, fromStage: from?.type === 'restarted' ? from.fromIndex : null, versionNumber: version.number, versionSha256: version.sha256 } }],
    })
  })
}

/** The author withdraws the draft: the route takes no further actions. */
export async function withdraw(db: Db, auth: Auth, actor: Actor, approvalId: string, reason: string) {
  return db.$transaction(async (tx) => {
    const a = await lockApproval(tx, approvalId)
    await assertAuthorSide(tx, auth, a, true)
    const out = apply(a, { type: 'withdraw' })
    await persistTransition(tx, a, out.next, out.effects, actor, { audit: [{ action: 'approval.withdrawn', targetType: 'document', targetId: a.documentId, after: { approvalId, reason } }] })
  })
}

/** Audit entries for what a decision ended in: a return, or the route's completion. */
export function outcomeAudits(a: LoadedApproval, effects: Effect[]): AuditEntry[] {
  return effects.flatMap((e): AuditEntry[] => {
    if (e.type === 'stage_returned') return [{ action: 'approval.returned', targetType: 'document', targetId: a.documentId, after: { approvalId: a.id, stageIndex: e.index, round: a.round } }]
    if (e.type === 'completed') return [{ action: 'approval.completed', targetType: 'document', targetId: a.documentId, after: { approvalId: a.id, round: a.round } }]
    return []
  })
}
