import type { Task } from 'graphile-worker'
import type { Db } from '../db/client.ts'
import { audit } from '../audit/record.ts'
import { notify, type NotificationInput } from '../notifications/notify.ts'
import { actorsOf, peopleToNotify } from './people.ts'
import { documentLink } from './persist.ts'

interface Payload {
  stageId: string
  round: number
}

/** The stage, when it is still waiting in the same round; a later round or a finished stage makes the job moot. */
async function waitingStage(db: Db, p: Payload) {
  const st = await db.approvalStage.findUnique({ where: { id: p.stageId }, include: { approval: { include: { document: true } }, participants: { include: { visas: true } } } })
  if (!st || st.state !== 'active' || st.approval.state !== 'running' || st.approval.round !== p.round) return null
  return st
}

/** Before the deadline: a reminder to everyone on the stage who has not acted yet. */
export function stageReminderTask(deps: { prisma: Db }): Task {
  return async (payload) => {
    const st = await waitingStage(deps.prisma, payload as Payload)
    if (!st) return
    const undecided = st.participants.filter((x) => !x.visas.some((v) => v.round === st.approval.round))
    const people = peopleToNotify((await actorsOf(deps.prisma, undecided.map((x) => x.positionId))).values())
    await deps.prisma.$transaction((tx) =>
      notify(
        tx,
        people.map((u) => ({
          userId: u.id,
          kind: 'stage_reminder' as const,
          title: `Нагадування: строк спливає — ${st.approval.document.title}`,
          body: `Етап «${st.name}» слід завершити до ${st.dueAt!.toLocaleString('uk-UA', { timeZone: 'Europe/Kyiv', dateStyle: 'long', timeStyle: 'short' })}.`,
          link: documentLink(st.approval.documentId),
          dedupeKey: `reminder:${st.id}:${st.approval.round}:${u.id}`,
          email: true,
        })),
      ),
    )
  }
}

/**
 * At the deadline: the stage's people are told it is overdue, and the matter escalates to
 * the head of each late participant's unit (or of the unit above, for a head).
 */
export function stageOverdueTask(deps: { prisma: Db }): Task {
  return async (payload) => {
    const db = deps.prisma
    const st = await waitingStage(db, payload as Payload)
    if (!st) return
    const round = st.approval.round
    const late = st.participants.filter((x) => !x.visas.some((v) => v.round === round))
    const actors = await actorsOf(db, late.map((x) => x.positionId))
    const notes: NotificationInput[] = []
    const link = documentLink(st.approval.documentId)
    for (const u of peopleToNotify(actors.values())) {
      notes.push({ userId: u.id, kind: 'stage_overdue', title: `Прострочено: ${st.approval.document.title}`, body: `Строк етапу «${st.name}» минув.`, link, dedupeKey: `overdue:${st.id}:${round}:${u.id}`, email: true })
    }
    const escalatedTo: string[] = []
    for (const a of actors.values()) {
      const head = await unitHeadAbove(db, a.unitId, a.holder?.id ?? null)
      if (!head || escalatedTo.includes(head.id)) continue
      escalatedTo.push(head.id)
      notes.push({
        userId: head.id,
        kind: 'escalation',
        title: `Ескалація: прострочено погодження — ${st.approval.document.title}`,
        body: `${a.holder?.fullName ?? a.title} не завершив(ла) етап «${st.name}» у строк.`,
        link,
        dedupeKey: `escalation:${st.id}:${round}:${head.id}`,
        email: true,
      })
    }
    await db.$transaction(async (tx) => {
      const { inserted } = await notify(tx, notes)
      // A retried job finds its notifications already there: nothing new, nothing to audit.
      if (inserted.length && escalatedTo.length) {
        await audit(tx, { userId: null, ip: null }, { action: 'approval.escalated', targetType: 'document', targetId: st.approval.documentId, after: { approvalId: st.approvalId, stage: st.name, round, to: escalatedTo } })
      }
    })
  }
}

/** The holder of the head position of a unit, skipping the late person themself, walking up the tree. */
async function unitHeadAbove(db: Db, unitId: string, exceptUserId: string | null) {
  let cursor: string | null = unitId
  for (let depth = 0; cursor && depth < 20; depth++) {
    const unit: { parentId: string | null; positions: { id: string }[] } | null = await db.unit.findUnique({ where: { id: cursor }, select: { parentId: true, positions: { where: { isHead: true, archivedAt: null }, select: { id: true } } } })
    if (!unit) return null
    const heads = await actorsOf(db, unit.positions.map((p) => p.id))
    const head = [...heads.values()].map((h) => h.holder).find((h) => h && h.id !== exceptUserId)
    if (head) return head
    cursor = unit.parentId
  }
  return null
}
