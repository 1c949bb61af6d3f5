import type { Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Prisma } from '../generated/prisma/client.ts'
import type { ApprovalSnapshot } from './machine.ts'

export const approvalInclude = {
  template: true,
  // The newest version (what approvers read and visas bind to) comes with the same read.
  document: { include: { versions: { orderBy: { number: 'desc' as const }, take: 1 } } },
  startedBy: { select: { id: true, fullName: true } },
  stages: { orderBy: { index: 'asc' as const }, include: { participants: { orderBy: { id: 'asc' as const }, include: { visas: true } } } },
} satisfies Prisma.ApprovalInclude

export type LoadedApproval = Prisma.ApprovalGetPayload<{ include: typeof approvalInclude }>

/** Locks the approval row for the rest of the transaction and loads everything a transition needs. */
export async function lockApproval(tx: Tx, id: string): Promise<LoadedApproval> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM approval WHERE id = ${id}::uuid FOR UPDATE`
  if (locked.length === 0) throw new AppError('APPROVAL_NOT_FOUND')
  return tx.approval.findUniqueOrThrow({ where: { id }, include: approvalInclude })
}

/** The machine's view of a loaded approval: decisions of the current round only. */
export function snapshotOf(a: LoadedApproval): ApprovalSnapshot {
  return {
    state: a.state,
    round: a.round,
    restartFromFirst: a.template.restartFromFirst,
    stages: a.stages.map((st) => ({
      index: st.index,
      kind: st.kind,
      rule: st.rule,
      state: st.state,
      participants: st.participants.map((p) => ({ id: p.id, decision: p.visas.find((v) => v.round === a.round)?.decision ?? null })),
    })),
  }
}

/** The document's newest version as loaded with the approval (what approvers read and visas bind to). */
export function currentVersion(a: LoadedApproval) {
  const v = a.document.versions[0]
  if (!v) throw new AppError('NO_VERSION')
  return v
}
