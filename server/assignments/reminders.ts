import type { Task } from 'graphile-worker'
import type { Db } from '../db/client.ts'

/** Before an assignment's deadline: reminds its executors. (being written) */
export function assignmentReminderTask(_deps: { prisma: Db; reminderDays: number[] }): Task {
  return async () => {}
}

/** At an assignment's deadline: marks it overdue and escalates. (being written) */
export function assignmentOverdueTask(_deps: { prisma: Db }): Task {
  return async () => {}
}
