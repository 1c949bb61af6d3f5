import type { Tx } from '../db/client.ts'
import type { DocumentStatus } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import { enqueue } from '../jobs/queue.ts'
import { notify, publish, type NotificationInput } from '../notifications/notify.ts'
import { calendarFor } from '../calendar/calendar.service.ts'
import { addWorkingDays, reminderAt } from '../calendar/working-days.ts'
import type { ApprovalSnapshot, Effect } from './machine.ts'
import type { LoadedApproval } from './load.ts'
import { actorsOf, peopleToNotify } from './people.ts'

const DOCUMENT_STATUS: Record<ApprovalSnapshot['state'], DocumentStatus> = {
  running: 'in_approval',
  returned: 'draft',
  completed: 'approved',
  withdrawn: 'withdrawn',
}

export const documentLink = (documentId: string) => `/documents/${documentId}`

/**
 * Writes a transition: stage states and deadlines, the approval's state, the document's
 * status, reminder jobs for a newly active stage, notifications and the live event, all in
 * the caller's transaction so that none of it exists unless the transition commits.
 */
export async function persistTransition(tx: Tx, a: LoadedApproval, next: ApprovalSnapshot, effects: Effect[], actor: Actor, now = new Date()) {
  const calendar = effects.some((e) => e.type === 'stage_activated') ? await calendarFor(tx, now) : null
  const activated = new Map<number, Date>()
  for (const st of a.stages) {
    const to = next.stages.find((x) => x.index === st.index)!.state
    const activates = effects.some((e) => e.type === 'stage_activated' && e.index === st.index)
    if (to === st.state && !activates) continue
    if (to === 'active') {
      const dueAt = addWorkingDays(now, st.deadlineDays, calendar!)
      activated.set(st.index, dueAt)
      await tx.approvalStage.update({ where: { id: st.id }, data: { state: to, activatedAt: now, dueAt, finishedAt: null } })
      // One reminder and one overdue check per stage and round; a later round gets its own.
      await enqueue(tx, 'stage_reminder', { stageId: st.id, round: next.round }, { runAt: reminderAt(dueAt, calendar!), jobKey: `stage_reminder:${st.id}:${next.round}` })
      await enqueue(tx, 'stage_overdue', { stageId: st.id, round: next.round }, { runAt: dueAt, jobKey: `stage_overdue:${st.id}:${next.round}` })
    } else if (to === 'pending' || to === 'skipped') {
      await tx.approvalStage.update({ where: { id: st.id }, data: { state: to, activatedAt: null, dueAt: null, finishedAt: null } })
    } else {
      await tx.approvalStage.update({ where: { id: st.id }, data: { state: to, finishedAt: now } })
    }
  }
  const finished = next.state === 'completed' || next.state === 'withdrawn'
  await tx.approval.update({
    where: { id: a.id },
    data: { state: next.state, round: next.round, rowVersion: { increment: 1 }, finishedAt: finished ? now : null },
  })
  await tx.document.update({ where: { id: a.documentId }, data: { status: DOCUMENT_STATUS[next.state] } })

  // Who hears about it.
  const notes: NotificationInput[] = []
  const link = documentLink(a.documentId)
  const title = a.document.title
  const author = await actorsForUser(tx, a.document.createdById)
  for (const e of effects) {
    if (e.type === 'stage_activated') {
      const st = a.stages.find((x) => x.index === e.index)!
      const people = peopleToNotify((await actorsOf(tx, st.participants.map((p) => p.positionId), now)).values())
      const due = activated.get(e.index)!
      for (const p of people) {
        notes.push({
          userId: p.id,
          kind: 'task_assigned',
          title: `${st.kind === 'expert_review' ? 'На експертизу' : 'На погодження'}: ${title}`,
          body: `Етап «${st.name}». Строк — до ${due.toLocaleString('uk-UA', { timeZone: 'Europe/Kyiv', dateStyle: 'long' })}`,
          link,
          dedupeKey: `task:${st.id}:${next.round}:${p.id}`,
          email: true,
        })
      }
    }
    if (e.type === 'stage_returned') {
      for (const p of author) notes.push({ userId: p, kind: 'returned', title: `Повернуто на доопрацювання: ${title}`, body: 'Перегляньте зауваження, завантажте нову версію та надішліть повторно.', link, dedupeKey: `returned:${a.id}:${next.round}:${p}`, email: true })
    }
    if (e.type === 'completed') {
      for (const p of author) notes.push({ userId: p, kind: 'completed', title: `Погодження завершено: ${title}`, link, dedupeKey: `completed:${a.id}:${p}`, email: true })
    }
  }
  if (notes.length) await notify(tx, notes)
  const everyone = new Set([...author, ...notes.map((n) => n.userId), ...(actor.userId ? [actor.userId] : [])])
  await publish(tx, { userIds: [...everyone], type: 'approval', documentId: a.documentId })

  for (const e of effects) {
    if (e.type === 'stage_activated') {
      const st = a.stages.find((x) => x.index === e.index)!
      await audit(tx, actor, { action: 'approval.stage_activated', targetType: 'document', targetId: a.documentId, after: { approvalId: a.id, stage: st.name, index: st.index, round: next.round, dueAt: activated.get(e.index)!.toISOString() } })
    }
  }
}

/** The author and, during an absence, the author's substitute. */
async function actorsForUser(tx: Tx, userId: string): Promise<string[]> {
  const now = new Date()
  const subs = await tx.substitution.findMany({ where: { userId, cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now } }, select: { substituteId: true } })
  return [userId, ...subs.map((s) => s.substituteId)]
}
