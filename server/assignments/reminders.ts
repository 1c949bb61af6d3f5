import type { Task } from 'graphile-worker'
import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor, type AuditEntry } from '../audit/record.ts'
import { notify, publish, type NotificationInput } from '../notifications/notify.ts'
import { actorsOf, type PersonRef } from '../approvals/people.ts'
import { headAbove, loadUnits, substitutesOf } from './access.ts'
import type { OverduePayload, ReminderPayload } from './deadlines.ts'
import { isClosed, transition } from './machine.ts'
import { assignmentLink, lockAssignment, shortText, snapshotOf } from './service.ts'

const SYSTEM: Actor = { userId: null, ip: null }
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const longDate = (d: Date) => d.toLocaleDateString('uk-UA', { timeZone: 'Europe/Kyiv', day: 'numeric', month: 'long', year: 'numeric' })

/** «1 робочий день», «3 робочі дні», «5 робочих днів». */
export function workingDays(n: number): string {
  const tens = n % 100
  const ones = n % 10
  const word = tens >= 11 && tens <= 14 ? 'робочих днів' : ones === 1 ? 'робочий день' : ones >= 2 && ones <= 4 ? 'робочі дні' : 'робочих днів'
  return `${n} ${word}`
}

function parse<T extends { assignmentId: string; dueAt: string }>(payload: unknown): T | null {
  const p = payload as Partial<T> | null
  if (!p || typeof p.assignmentId !== 'string' || !UUID.test(p.assignmentId) || typeof p.dueAt !== 'string' || Number.isNaN(Date.parse(p.dueAt))) return null
  return p as T
}

/**
 * Before an assignment's deadline (at 09:00 Kyiv, `offset` working days before the due day):
 * reminds the executor and co-executors (and whoever stands in for them), in the workspace
 * and by e-mail. A job for a deadline since moved, or for an assignment closed, cancelled or
 * already reported, does nothing; dedupe keys make every reminder land once.
 */
export function assignmentReminderTask(deps: { prisma: Db; reminderDays: number[] }): Task {
  return async (payload, helpers) => {
    const p = parse<ReminderPayload>(payload)
    if (!p || !Number.isInteger(p.offset)) {
      helpers.logger.error(`assignment_reminder: malformed payload ${JSON.stringify(payload)}`)
      return
    }
    const db = deps.prisma
    const a = await db.assignment.findUnique({ where: { id: p.assignmentId }, include: { coExecutors: { select: { userId: true } } } })
    if (!a || isClosed(a.status) || a.status === 'on_check' || a.dueAt.toISOString() !== p.dueAt) return
    const executors = [a.executorId, ...a.coExecutors.map((c) => c.userId)]
    const people = [...new Set([...executors, ...(await substitutesOf(db, executors))])]
    const title = p.offset === 0 ? `Сьогодні спливає строк доручення: ${shortText(a.text)}` : `Нагадування про строк доручення: ${shortText(a.text)}`
    await db.$transaction((tx) =>
      notify(
        tx,
        people.map((userId) => ({
          userId,
          kind: 'stage_reminder' as const,
          title,
          body: `Строк виконання — до ${longDate(a.dueAt)} включно.${p.offset > 0 ? ` Залишилося ${workingDays(p.offset)}.` : ''}${a.status === 'overdue' ? ' Доручення вже прострочене.' : ''}`,
          link: assignmentLink(a.id),
          dedupeKey: `assignment_reminder:${a.id}:${p.dueAt}:${p.offset}:${userId}`,
          email: true,
        })),
      ),
    )
  }
}


/**
 * At the deadline: an assignment not reported by then becomes overdue (on record), its
 * executor and controller are told, and it escalates to the head of the executor's unit
 * (walking up when the executor is that head). A report still waiting for the controller
 * keeps its state; the controller is told the deadline has passed. Runs once per deadline;
 * a retry finds the work done.
 */
export function assignmentOverdueTask(deps: { prisma: Db }): Task {
  return async (payload, helpers) => {
    const p = parse<OverduePayload>(payload)
    if (!p) {
      helpers.logger.error(`assignment_overdue: malformed payload ${JSON.stringify(payload)}`)
      return
    }
    const db = deps.prisma
    await db.$transaction(async (tx) => {
      let a
      try {
        a = await lockAssignment(tx, p.assignmentId)
      } catch (err) {
        if (err instanceof AppError && err.code === 'ASSIGNMENT_NOT_FOUND') return
        throw err
      }
      if (a.dueAt.toISOString() !== p.dueAt) return
      const out = transition(snapshotOf(a), { type: 'deadline_passed' }, { as: ['system'], now: Date.now() })
      if (!out.ok || out.effects.length === 0) return
      const link = assignmentLink(a.id)
      const due = longDate(a.dueAt)
      const notes: NotificationInput[] = []
      const entries: AuditEntry[] = []

      if (out.effects.some((e) => e.type === 'check_overdue')) {
        notes.push({ userId: a.controllerId, kind: 'stage_overdue', title: `Строк минув, звіт чекає на вашу перевірку: ${shortText(a.text)}`, body: `Строк виконання — до ${due}.`, link, dedupeKey: `assignment_overdue:${a.id}:${p.dueAt}:${a.controllerId}`, email: true })
        const { inserted } = await notify(tx, notes)
        if (inserted.length === 0) return
        await publish(tx, { userIds: [a.controllerId, a.executorId], type: 'assignment' })
        await audit(tx, SYSTEM, { action: 'assignment.overdue', targetType: 'assignment', targetId: a.id, after: { dueAt: p.dueAt, status: a.status, awaitingCheck: true, executorId: a.executorId, unitId: a.unitId } })
        return
      }

      await tx.assignment.update({ where: { id: a.id }, data: { status: out.next.status, rowVersion: { increment: 1 } } })
      const executor = await tx.user.findUnique({ where: { id: a.executorId }, select: { fullName: true } })
      const heads = await headAbove(tx, a.unitId, a.executorId)
      const headIds = new Set(heads.map((h) => h.id))
      // A controller who is also the head escalated to hears of it once, by the escalation.
      for (const userId of new Set([a.executorId, a.controllerId])) {
        if (headIds.has(userId)) continue
        notes.push({ userId, kind: 'stage_overdue', title: `Прострочено доручення: ${shortText(a.text)}`, body: `Строк виконання минув ${due}.`, link, dedupeKey: `assignment_overdue:${a.id}:${p.dueAt}:${userId}`, email: true })
      }
      entries.push({ action: 'assignment.overdue', targetType: 'assignment', targetId: a.id, before: { status: a.status, rowVersion: a.rowVersion }, after: { dueAt: p.dueAt, status: 'overdue', previousStatus: a.status, executorId: a.executorId, unitId: a.unitId } })
      for (const h of heads) {
        notes.push({
          userId: h.id,
          kind: 'escalation',
          title: `Ескалація: прострочено доручення — ${shortText(a.text)}`,
          body: `${executor?.fullName ?? 'Виконавець'} не виконав(ла) доручення у строк (до ${due}).`,
          link,
          dedupeKey: `assignment_escalation:${a.id}:${p.dueAt}:${h.id}`,
          email: true,
        })
      }
      if (heads.length) entries.push({ action: 'assignment.escalated', targetType: 'assignment', targetId: a.id, after: { dueAt: p.dueAt, to: heads.map((h) => h.id), executorId: a.executorId, unitId: a.unitId } })
      await notify(tx, notes)
      await publish(tx, { userIds: [...new Set([a.executorId, a.controllerId, a.issuedById, ...a.coExecutorIds, ...heads.map((h) => h.id)])], type: 'assignment' })
      for (const e of entries) await audit(tx, SYSTEM, e)
    })
  }
}
