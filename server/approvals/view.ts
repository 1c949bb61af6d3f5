import type { Db } from '../db/client.ts'
import type { Auth } from '../people/sessions.ts'
import type { ApprovalOut } from './schemas.ts'
import type { LoadedApproval } from './load.ts'
import { actingAs } from './people.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** An approval as the workspace shows it, with what the signed-in person may do now. */
export async function presentApproval(db: Db, auth: Auth, a: LoadedApproval): Promise<ApprovalOut> {
  const now = a.people.at
  const actors = a.people.actors
  const authorSide = a.people.authorSide.includes(auth.userId)
  // A conclusion is always the visa of an expert-review stage: without one there is nothing to read.
  const conclusions = a.stages.some((st) => st.kind === 'expert_review' && st.participants.some((p) => p.visas.length > 0))
    ? await db.expertConclusion.findMany({ where: { approvalId: a.id }, orderBy: { createdAt: 'asc' } })
    : []
  const authors = new Map(
    conclusions.length ? (await db.user.findMany({ where: { id: { in: conclusions.map((c) => c.authorId) } }, select: { id: true, fullName: true } })).map((u) => [u.id, u]) : [],
  )
  const conclusionByVisa = new Map(conclusions.map((c) => [c.visaId, c.id]))
  const visas = a.stages
    .flatMap((st) => st.participants.flatMap((p) => p.visas.map((v) => ({ v, st }))))
    .sort((x, y) => x.v.at.getTime() - y.v.at.getTime())
  const decide: ApprovalOut['can']['decide'] = []
  if (a.state === 'running') {
    for (const st of a.stages.filter((s) => s.state === 'active')) {
      for (const p of st.participants) {
        if (p.visas.some((v) => v.round === a.round)) continue
        const act = actingAs(actors.get(p.positionId)!, auth.userId)
        if (act) decide.push({ participantId: p.id, stageIndex: st.index, kind: st.kind, onBehalfOf: act.onBehalfOf?.fullName ?? null })
      }
    }
  }
  return {
    id: a.id,
    documentId: a.documentId,
    state: a.state,
    round: a.round,
    template: { id: a.template.id, name: a.template.name, version: a.template.version, restartFromFirst: a.template.restartFromFirst },
    startedBy: { id: a.startedBy.id, fullName: a.startedBy.fullName },
    startedAt: a.startedAt.toISOString(),
    finishedAt: iso(a.finishedAt),
    stages: a.stages.map((st) => ({
      id: st.id,
      index: st.index,
      name: st.name,
      kind: st.kind,
      rule: st.rule,
      state: st.state,
      deadlineDays: st.deadlineDays,
      activatedAt: iso(st.activatedAt),
      dueAt: iso(st.dueAt),
      overdue: st.state === 'active' && st.dueAt !== null && st.dueAt < now,
      finishedAt: iso(st.finishedAt),
      participants: st.participants.map((p) => {
        const act = actors.get(p.positionId)!
        return {
          id: p.id,
          positionId: p.positionId,
          positionTitle: act.title,
          unitName: act.unitName,
          mandatory: p.mandatory,
          holder: act.holder ? { id: act.holder.id, fullName: act.holder.fullName } : null,
          substitute: act.substitute ? { id: act.substitute.id, fullName: act.substitute.fullName } : null,
          decided: p.visas.find((v) => v.round === a.round)?.decision ?? null,
        }
      }),
    })),
    visas: visas.map(({ v, st }) => ({
      id: v.id,
      participantId: v.participantId,
      stageIndex: st.index,
      stageName: st.name,
      round: v.round,
      decision: v.decision,
      comment: v.comment,
      positionTitle: v.positionTitle,
      fullName: v.fullName,
      onBehalfOfName: v.onBehalfOfName,
      versionNumber: v.versionNumber,
      versionSha256: v.versionSha256,
      at: v.at.toISOString(),
      conclusionId: conclusionByVisa.get(v.id) ?? null,
    })),
    conclusions: conclusions.map((c) => ({
      id: c.id,
      result: c.result,
      remarks: c.remarks as { n: number; text: string; page?: number }[],
      summary: c.summary,
      versionSha256: c.versionSha256,
      pdfSha256: c.pdfSha256,
      author: authors.get(c.authorId) ?? { id: c.authorId, fullName: '—' },
      createdAt: c.createdAt.toISOString(),
    })),
    can: {
      decide,
      resubmit: a.state === 'returned' && authorSide,
      withdraw: (a.state === 'running' || a.state === 'returned') && (authorSide || auth.roles.includes('admin')),
    },
  }
}

