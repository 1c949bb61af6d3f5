import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Document } from '../generated/prisma/client.ts'
import type { Actor, AuditEntry } from '../audit/record.ts'
import type { Auth } from '../people/sessions.ts'
import { canEditDocument } from '../documents/policy.ts'
import { getVisibleDocument } from '../documents/documents.service.ts'
import { begin } from './machine.ts'
import { readApproval } from './load.ts'
import { persistTransition } from './persist.ts'
import { actorsOf, resolveSpecs } from './people.ts'
import type { PreviewOut, StageTemplate, StartBody } from './schemas.ts'
import { currentTemplate, presentTemplate } from './templates.ts'

/** The Directorate's expert review is required by the kind's template or by any competence topic. */
export const expertReviewRequired = (doc: Pick<Document, 'topics'>, t: { expertReviewAlways: boolean }) => t.expertReviewAlways || doc.topics.length > 0

interface PlannedStage {
  tpl: StageTemplate
  skipped: boolean
  positionIds: string[]
  extra: Set<string>
}

/** Resolves a template against a document: which stages run, with which positions. */
async function plan(tx: Db | Tx, doc: Document, stages: StageTemplate[], required: boolean, extras: StartBody['extraParticipants'] = []): Promise<PlannedStage[]> {
  const planned: PlannedStage[] = []
  for (const tpl of stages) {
    const skipped = tpl.condition === 'expert_review_required' && !required
    planned.push({ tpl, skipped, positionIds: skipped ? [] : await resolveSpecs(tx, tpl.participants, doc), extra: new Set() })
  }
  for (const x of extras ?? []) {
    const st = planned.find((p) => p.tpl.key === x.stageKey && !p.skipped)
    if (!st) throw new AppError('VALIDATION_FAILED', `етапу «${x.stageKey}» немає в маршруті`)
    const pos = await tx.position.findFirst({ where: { id: x.positionId, archivedAt: null }, select: { id: true } })
    if (!pos) throw new AppError('POSITION_NOT_FOUND')
    if (!st.positionIds.includes(pos.id)) {
      st.positionIds.push(pos.id)
      st.extra.add(pos.id)
    }
  }
  return planned
}

/** What the route would look like if the document were sent now (for the author to review and extend). */
export async function previewRoute(db: Db, auth: Auth, documentId: string): Promise<PreviewOut> {
  const doc = await getVisibleDocument(db, auth, documentId)
  const t = await currentTemplate(db, doc.kind)
  const required = expertReviewRequired(doc, t)
  const planned = await plan(db, doc, t.stages as unknown as StageTemplate[], required)
  const actors = await actorsOf(db, planned.flatMap((p) => p.positionIds))
  return {
    template: presentTemplate(t),
    expertReviewRequired: required,
    stages: planned.map((p) => ({
      key: p.tpl.key,
      name: p.tpl.name,
      kind: p.tpl.kind,
      rule: p.tpl.rule,
      deadlineDays: p.tpl.deadlineDays,
      skipped: p.skipped,
      skipReason: p.skipped ? ('expert_review_not_required' as const) : null,
      participants: p.positionIds.map((id) => {
        const a = actors.get(id)!
        return { positionId: id, positionTitle: a.title, unitName: a.unitName, holder: a.holder ? { id: a.holder.id, fullName: a.holder.fullName } : null }
      }),
    })),
  }
}

/** Sends a draft along its kind's current route. */
export async function startApproval(db: Db, auth: Auth, actor: Actor, documentId: string, body: StartBody) {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM document WHERE id = ${documentId}::uuid FOR UPDATE`
    const doc = await getVisibleDocument(tx, auth, documentId)
    if (!canEditDocument(auth, doc)) {
      if (doc.status === 'in_approval' || (await tx.approval.count({ where: { documentId, state: { in: ['running', 'returned'] } } })) > 0) throw new AppError('APPROVAL_ALREADY_RUNNING')
      throw new AppError('FORBIDDEN', 'надіслати на погодження може автор або його підрозділ, поки документ є чернеткою')
    }
    if ((await tx.approval.count({ where: { documentId, state: { in: ['running', 'returned'] } } })) > 0) throw new AppError('APPROVAL_ALREADY_RUNNING')
    if (doc.versionCount === 0) throw new AppError('NO_VERSION')
    const t = await currentTemplate(tx, doc.kind)
    const stages = t.stages as unknown as StageTemplate[]
    const planned = await plan(tx, doc, stages, expertReviewRequired(doc, t), body.extraParticipants)
    const actors = await actorsOf(tx, planned.flatMap((p) => p.positionIds))
    for (const p of planned) {
      if (p.skipped) continue
      const held = p.positionIds.filter((id) => actors.get(id)?.holder)
      if (held.length === 0 || (p.tpl.rule === 'all' && held.length !== p.positionIds.length)) {
        throw new AppError('ROUTE_UNRESOLVED', `етап «${p.tpl.name}»: ${p.positionIds.length ? 'посада вакантна' : 'немає жодної посади для цього етапу'}`)
      }
    }
    const approval = await tx.approval.create({ data: { documentId, templateId: t.id, startedById: auth.userId } })
    for (const [index, p] of planned.entries()) {
      await tx.approvalStage.create({
        data: {
          approvalId: approval.id,
          index,
          name: p.tpl.name,
          kind: p.tpl.kind,
          rule: p.tpl.rule,
          deadlineDays: p.tpl.deadlineDays,
          participants: { create: p.positionIds.map((positionId) => ({ positionId, mandatory: !p.extra.has(positionId), addedById: p.extra.has(positionId) ? auth.userId : null })) },
        },
      })
    }
    const loaded = (await readApproval(tx, approval.id))!
    const skipped = new Set(planned.flatMap((p, i) => (p.skipped ? [i] : [])))
    const { next, effects } = begin(
      loaded.stages.map((st) => ({ index: st.index, kind: st.kind, rule: st.rule, participants: st.participants.map((pp) => ({ id: pp.id, decision: null })) })),
      skipped,
      t.restartFromFirst,
    )
    await persistTransition(tx, { ...loaded, state: 'running' }, next, effects, actor, {
      audit: [
        ...planned.flatMap((p, index) => [...p.extra].map((positionId): AuditEntry => ({ action: 'approval.participant_added', targetType: 'document', targetId: documentId, after: { approvalId: approval.id, stage: p.tpl.name, index, positionId } }))),
        {
          action: 'approval.started',
          targetType: 'document',
          targetId: documentId,
          after: { approvalId: approval.id, template: { id: t.id, name: t.name, version: t.version }, stages: planned.map((p) => ({ name: p.tpl.name, skipped: p.skipped, positions: p.positionIds })) },
        },
      ],
    })
    return approval.id
  })
}
