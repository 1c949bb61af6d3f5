import { randomUUID } from 'node:crypto'
import type { Db } from '../db/client.ts'
import type { AssignmentStatus, ExtensionStatus } from '../generated/prisma/client.ts'

// Test data for the reports: assignments and extensions written straight into the tables the
// assignments service owns (reports only read them), with every field under the test's control.

export interface AssignmentSpec {
  unit: string
  executor: string
  status: AssignmentStatus
  issuedAt: string
  dueAt: string
  /** Extensions by decision; each only has to exist for the report. */
  extensions?: ExtensionStatus[]
}

/** Ids by login and by seed unit code, from the seeded organisation. */
export async function orgIds(db: Db) {
  const users = new Map((await db.user.findMany({ select: { id: true, login: true } })).map((u) => [u.login, u.id]))
  const units = new Map((await db.unit.findMany({ select: { id: true, code: true } })).map((u) => [u.code, u.id]))
  const user = (login: string) => users.get(login) ?? fail(`no user ${login}`)
  const unit = (code: string) => units.get(code) ?? fail(`no unit ${code}`)
  return { user, unit, users, units }
}

function fail(msg: string): never {
  throw new Error(msg)
}

/** Inserts the assignments (and their extensions) in two statements; returns their ids. */
export async function insertAssignments(db: Db, specs: AssignmentSpec[], ids: { user(l: string): string; unit(c: string): string }, controller = 'head.digital'): Promise<string[]> {
  const rows = specs.map((s) => {
    const id = randomUUID()
    const issuedAt = new Date(s.issuedAt)
    const dueAt = new Date(s.dueAt)
    // As the service does: each granted extension moved the deadline on (here by a week each),
    // so the deadline as first set lies that much earlier.
    const granted = (s.extensions ?? []).filter((e) => e === 'granted').length
    const originalDueAt = new Date(dueAt.getTime() - granted * 7 * 86_400_000)
    const closed = s.status === 'done' || s.status === 'done_late'
    return {
      id,
      rootId: id,
      text: `Доручення (${s.status})`,
      issuedById: ids.user(controller),
      executorId: ids.user(s.executor),
      unitId: ids.unit(s.unit),
      controllerId: ids.user(controller),
      startsOn: new Date(issuedAt.toISOString().slice(0, 10)),
      dueAt,
      originalDueAt,
      status: s.status,
      issuedAt,
      closedAt: closed ? new Date(Math.min(Date.now(), dueAt.getTime() + (s.status === 'done_late' ? 86_400_000 : -3_600_000))) : null,
      cancelledAt: s.status === 'cancelled' ? issuedAt : null,
    }
  })
  await db.assignment.createMany({ data: rows })
  // The requests in order: each asks for a week more than the deadline then in force.
  const ext = specs.flatMap((s, i) => {
    const row = rows[i]!
    let due = row.originalDueAt
    return (s.extensions ?? []).map((status) => {
      const previousDueAt = due
      const requestedDueAt = new Date(due.getTime() + 7 * 86_400_000)
      if (status === 'granted') due = requestedDueAt
      return {
        assignmentId: row.id,
        requestedById: row.executorId,
        reason: 'Потрібно більше часу',
        previousDueAt,
        requestedDueAt,
        status,
        decidedById: status === 'pending' ? null : row.controllerId,
        decidedAt: status === 'pending' ? null : row.issuedAt,
      }
    })
  })
  if (ext.length) await db.extension.createMany({ data: ext })
  return rows.map((r) => r.id)
}
