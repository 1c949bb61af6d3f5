import type { Db } from '../db/client.ts'
import type { ObjectStore } from '../../storage/index.ts'
import { sweepOrphans } from '../documents/orphans.ts'
import { extractTextTask } from '../documents/text.ts'
import { sendEmailTask } from '../notifications/mailer.ts'
import type { Mailer } from '../notifications/mailer.ts'
import { stageOverdueTask, stageReminderTask } from '../approvals/reminders.ts'
import { assignmentOverdueTask, assignmentReminderTask } from '../assignments/reminders.ts'
import type { TaskMap, TaskName } from './queue.ts'

export interface TaskDeps {
  prisma: Db
  store: ObjectStore
  orphanGraceHours: number
  mailer: Mailer | null
  publicUrl: string | null
  reminderDays: number[]
}

/** Every task implementation, bound to the process's database, object store and mailer. */
export function makeTasks(deps: TaskDeps): Required<Record<TaskName, NonNullable<TaskMap[TaskName]>>> {
  return {
    async sweep_orphans(_payload, helpers) {
      const r = await sweepOrphans(deps.prisma, deps.store, { graceMs: deps.orphanGraceHours * 3600_000 })
      helpers.logger.info(`orphan sweep: scanned ${r.scanned}, deleted ${r.deleted.length}`)
    },
    async cleanup_expired(_payload, helpers) {
      const sessions = await deps.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } })
      const limits = await deps.prisma.rateLimit.deleteMany({ where: { resetAt: { lt: new Date() } } })
      helpers.logger.debug(`expired: ${sessions.count} sessions, ${limits.count} rate-limit counters`)
    },
    extract_text: extractTextTask({ prisma: deps.prisma, store: deps.store }),
    send_email: sendEmailTask({ prisma: deps.prisma, mailer: deps.mailer, publicUrl: deps.publicUrl }),
    stage_reminder: stageReminderTask({ prisma: deps.prisma }),
    stage_overdue: stageOverdueTask({ prisma: deps.prisma }),
    assignment_reminder: assignmentReminderTask({ prisma: deps.prisma, reminderDays: deps.reminderDays }),
    assignment_overdue: assignmentOverdueTask({ prisma: deps.prisma }),
  }
}
