import { expect } from 'vitest'
import pino from 'pino'
import type { LightMyRequestResponse } from 'fastify'
import { approvalWorld, type ApiClient, type World } from '../approvals/testkit.ts'
import type { AssignmentNodeOut, AssignmentTreeOut } from './schemas.ts'

/**
 * Shared pieces of the assignment tests: a seeded world (the Directorate's org and its demo
 * people), logins by demo name, and the checks every bad request gets (a problem+json
 * answer with a stable code, and nothing changed).
 */

export const LOGINS = ['head.digital', 'head.it', 'it.staff', 'expert', 'head.infopolicy', 'infopolicy', 'head.public', 'public', 'head.general', 'legal', 'head.housing', 'housing', 'admin'] as const
export type Login = (typeof LOGINS)[number]

export async function assignmentWorld(opts: { env?: Record<string, string> } = {}) {
  const w = await approvalWorld(opts)
  const clients = await Promise.all(LOGINS.map((l) => w.as(l)))
  const by = new Map(LOGINS.map((l, i) => [l, clients[i]!]))
  const as = (l: Login) => by.get(l)!
  const id = (l: Login) => as(l).session!.user.id
  const db = () => w.t.db.prisma
  const jobs = async (where = "task_identifier LIKE 'assignment_%'") => (await w.t.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE ${where}`)).rows[0]!.n
  const blobs = async (prefix = 'sha256/') => {
    let n = 0
    for await (const _ of w.t.store.list(prefix)) n++
    return n
  }
  /** Everything a refused request must leave alone. */
  const state = async () => ({
    assignments: await db().assignment.findMany({ select: { id: true, status: true, rowVersion: true, dueAt: true, startedAt: true, reportedAt: true, closedAt: true, cancelledAt: true }, orderBy: { id: 'asc' } }),
    coExecutors: await db().assignmentCoExecutor.count(),
    reports: await db().assignmentReport.count(),
    extensions: await db().extension.findMany({ select: { id: true, status: true }, orderBy: { id: 'asc' } }),
    notifications: await db().notification.count(),
    audit: await db().auditEvent.count(),
    jobs: await jobs('true'),
    blobs: await blobs(),
    temp: await blobs('tmp/'),
  })
  return { w, t: w.t, as, id, db, jobs, blobs, state, close: () => w.close() }
}
export type AssignmentWorld = Awaited<ReturnType<typeof assignmentWorld>>

export function expectProblem(res: LightMyRequestResponse, status: number, code?: string) {
  expect(res.statusCode, res.body).toBe(status)
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/)
  if (code) expect((res.json() as { code: string }).code, res.body).toBe(code)
}

export function expectOk(res: LightMyRequestResponse, status = 200): AssignmentTreeOut {
  expect(res.statusCode, res.body).toBe(status)
  return res.json() as AssignmentTreeOut
}

export const nodeOf = (tree: AssignmentTreeOut, id: string): AssignmentNodeOut => {
  const n = tree.nodes.find((x) => x.id === id)
  if (!n) throw new Error(`node ${id} is not in the tree (${tree.nodes.map((x) => x.id).join(', ')})`)
  return n
}

/** The tree as a person sees it now. */
export async function treeAs(c: ApiClient, id: string): Promise<AssignmentTreeOut> {
  return expectOk(await c.get(`/api/assignments/${id}`))
}

/** The helpers graphile-worker hands a task (the assignment tasks only log through them). */
export const helpers = { logger: pino({ level: 'silent' }) } as never

export type { ApiClient, World }
