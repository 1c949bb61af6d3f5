import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Prisma } from '../generated/prisma/client.ts'
import type { Auth } from '../people/sessions.ts'
import { capacitiesOf, headedUnits, headsOver, loadUnits, standingInFor, visibleNodes, type UnitRow } from './access.ts'
import { fromDateColumn } from './deadlines.ts'
import { allowed, CLOSED, isClosed, OPEN, type Capacity } from './machine.ts'
import type { AssignmentCounts, AssignmentList, AssignmentListItem, AssignmentNodeOut, AssignmentTreeOut, ExtensionOut, FileOut, ListQuery, ReportOut } from './schemas.ts'

const person = { select: { id: true, fullName: true } } as const
const baseInclude = {
  executor: person,
  controller: person,
  issuedBy: person,
  coExecutors: { select: { user: person } },
  document: { select: { id: true, title: true, registration: { select: { index: true } } } },
  extensions: { orderBy: { createdAt: 'asc' as const } },
} satisfies Prisma.AssignmentInclude
const treeInclude = { ...baseInclude, reports: { orderBy: { createdAt: 'asc' as const } } } satisfies Prisma.AssignmentInclude
const listInclude = { ...baseInclude, _count: { select: { children: true } } } satisfies Prisma.AssignmentInclude

type BaseRow = Prisma.AssignmentGetPayload<{ include: typeof baseInclude }>
type TreeRow = Prisma.AssignmentGetPayload<{ include: typeof treeInclude }>

const iso = (d: Date | null) => (d ? d.toISOString() : null)
type MyRole = AssignmentNodeOut['myRoles'][number]

/** Open and past the deadline, or marked overdue by the deadline job. */
export const isOverdue = (a: { status: string; dueAt: Date }, now: Date) => a.status === 'overdue' || (!isClosed(a.status as never) && a.dueAt.getTime() < now.getTime())

interface Viewer {
  auth: Auth
  standsInFor: string[]
  units: UnitRow[]
  headed: string[]
  now: Date
}

async function viewerOf(db: Db, auth: Auth): Promise<Viewer> {
  const now = new Date()
  const [standsInFor, units] = await Promise.all([standingInFor(db, auth.userId, now), loadUnits(db)])
  return { auth, standsInFor, units, headed: headedUnits(auth), now }
}

function capacities(r: BaseRow, v: Viewer): Capacity[] {
  return capacitiesOf({ ...r, coExecutorIds: r.coExecutors.map((c) => c.user.id) }, v.auth.userId, v.standsInFor).as
}

function fields(r: BaseRow, v: Viewer) {
  const as = capacities(r, v)
  const myRoles: MyRole[] = as.filter((c): c is Exclude<Capacity, 'system'> => c !== 'system')
  if (headsOver(v.units, v.headed, r.unitId)) myRoles.push('unit_head')
  if (v.auth.roles.includes('admin')) myRoles.push('admin')
  return {
    id: r.id,
    parentId: r.parentId,
    rootId: r.rootId,
    text: r.text,
    status: r.status,
    overdue: isOverdue(r, v.now),
    document: r.document ? { id: r.document.id, title: r.document.title, registrationIndex: r.document.registration?.index ?? null } : null,
    issuedBy: r.issuedBy,
    executor: r.executor,
    coExecutors: r.coExecutors.map((c) => c.user),
    controller: r.controller,
    unit: { id: r.unitId, name: v.units.find((u) => u.id === r.unitId)?.name ?? '' },
    startsOn: fromDateColumn(r.startsOn),
    termDays: r.termDays,
    dueAt: r.dueAt.toISOString(),
    originalDueAt: r.originalDueAt.toISOString(),
    extended: r.extensions.some((e) => e.status === 'granted'),
    issuedAt: r.issuedAt.toISOString(),
    startedAt: iso(r.startedAt),
    reportedAt: iso(r.reportedAt),
    closedAt: iso(r.closedAt),
    cancelledAt: iso(r.cancelledAt),
    rowVersion: r.rowVersion,
    myRoles,
  }
}

async function namesOf(db: Db, ids: Iterable<string>): Promise<Map<string, { id: string; fullName: string }>> {
  const list = [...new Set(ids)]
  if (list.length === 0) return new Map()
  const users = await db.user.findMany({ where: { id: { in: list } }, select: { id: true, fullName: true } })
  return new Map(users.map((u) => [u.id, u]))
}

function presentExtensions(r: TreeRow, names: Map<string, { id: string; fullName: string }>): ExtensionOut[] {
  const anon = (id: string) => names.get(id) ?? { id, fullName: '' }
  // Only granted extensions move the deadline: each one's date is where the next one starts, the last one's is today's deadline.
  const granted = r.extensions.filter((e) => e.status === 'granted').sort((a, b) => (a.decidedAt?.getTime() ?? 0) - (b.decidedAt?.getTime() ?? 0))
  const grantedDue = new Map(granted.map((e, i) => [e.id, (granted[i + 1]?.previousDueAt ?? r.dueAt).toISOString()]))
  return r.extensions.map((e) => ({
    id: e.id,
    status: e.status,
    reason: e.reason,
    previousDueAt: e.previousDueAt.toISOString(),
    requestedDueAt: e.requestedDueAt.toISOString(),
    grantedDueAt: grantedDue.get(e.id) ?? null,
    requestedBy: anon(e.requestedById),
    decidedBy: e.decidedById ? anon(e.decidedById) : null,
    decidedAt: iso(e.decidedAt),
    comment: e.comment,
    createdAt: e.createdAt.toISOString(),
  }))
}

/** The whole tree an assignment belongs to, from its root, as far as the person may see it. */
export async function assignmentTree(db: Db, auth: Auth, id: string): Promise<AssignmentTreeOut> {
  const one = await db.assignment.findUnique({ where: { id }, select: { rootId: true } })
  if (!one) throw new AppError('ASSIGNMENT_NOT_FOUND')
  const v = await viewerOf(db, auth)
  const rows = await db.assignment.findMany({ where: { rootId: one.rootId }, include: treeInclude, orderBy: [{ issuedAt: 'asc' }, { id: 'asc' }] })
  const visible = visibleNodes(
    rows.map((r) => ({ ...r, coExecutorIds: r.coExecutors.map((c) => c.user.id) })),
    auth,
    v.standsInFor,
    v.units,
  )
  if (!visible.has(id)) throw new AppError('ASSIGNMENT_NOT_FOUND')
  const shown = rows.filter((r) => visible.has(r.id))
  const names = await namesOf(db, shown.flatMap((r) => [...r.reports.map((x) => x.authorId), ...r.extensions.flatMap((e) => [e.requestedById, ...(e.decidedById ? [e.decidedById] : [])])]))
  const openChildren = new Map<string, number>()
  for (const r of rows) if (r.parentId && !CLOSED.includes(r.status)) openChildren.set(r.parentId, (openChildren.get(r.parentId) ?? 0) + 1)

  const present = (r: TreeRow, depth: number): AssignmentNodeOut => {
    const snapshot = { status: r.status, dueAt: r.dueAt.getTime(), startedAt: r.startedAt?.getTime() ?? null, openChildren: openChildren.get(r.id) ?? 0, pendingExtension: r.extensions.some((e) => e.status === 'pending') }
    return {
      ...fields(r, v),
      depth,
      reports: r.reports.map(
        (x): ReportOut => ({
          id: x.id,
          kind: x.kind as ReportOut['kind'],
          text: x.text,
          files: Array.isArray(x.files) ? (x.files as unknown as FileOut[]) : [],
          author: names.get(x.authorId) ?? { id: x.authorId, fullName: '' },
          createdAt: x.createdAt.toISOString(),
        }),
      ),
      extensions: presentExtensions(r, names),
      can: allowed(snapshot, { as: capacities(r, v), now: v.now.getTime() }),
    }
  }
  // Pre-order: each node followed by its sub-assignments, oldest first.
  const byParent = new Map<string | null, TreeRow[]>()
  for (const r of shown) byParent.set(r.parentId, [...(byParent.get(r.parentId) ?? []), r])
  const nodes: AssignmentNodeOut[] = []
  const walk = (parentId: string | null, depth: number) => {
    for (const r of byParent.get(parentId) ?? []) {
      nodes.push(present(r, depth))
      walk(r.id, depth + 1)
    }
  }
  walk(null, 0)
  return { rootId: one.rootId, focusId: id, nodes }
}

// ---- Lists ------------------------------------------------------------------------------

const overdueWhere = (now: Date): Prisma.AssignmentWhereInput => ({ OR: [{ status: 'overdue' }, { status: { in: [...OPEN] }, dueAt: { lt: now } }] })

function roleWhere(role: NonNullable<ListQuery['role']>, ids: string[]): Prisma.AssignmentWhereInput {
  const executor: Prisma.AssignmentWhereInput = { OR: [{ executorId: { in: ids } }, { coExecutors: { some: { userId: { in: ids } } } }] }
  const controller: Prisma.AssignmentWhereInput = { controllerId: { in: ids } }
  const issuer: Prisma.AssignmentWhereInput = { issuedById: { in: ids } }
  if (role === 'executor') return executor
  if (role === 'controller') return controller
  if (role === 'issuer') return issuer
  return { OR: [executor, controller, issuer] }
}

/** The counts of «Мої доручення» (including the work of people the person stands in for). */
export async function assignmentCounts(db: Db, ids: string[], now = new Date()): Promise<AssignmentCounts> {
  const executor = roleWhere('executor', ids)
  const controller = roleWhere('controller', ids)
  const [toDo, onCheck, overdue, overdueControlled] = await Promise.all([
    db.assignment.count({ where: { AND: [executor, { status: { in: ['new', 'in_work', 'overdue'] } }] } }),
    db.assignment.count({ where: { AND: [controller, { status: 'on_check' }] } }),
    db.assignment.count({ where: { AND: [executor, overdueWhere(now)] } }),
    db.assignment.count({ where: { AND: [controller, overdueWhere(now)] } }),
  ])
  return { toDo, onCheck, overdue, overdueControlled }
}

/** My assignments by my part in them: as executor (or co-executor), controller, issuer, or all; soonest deadline first. */
export async function listAssignments(db: Db, auth: Auth, q: ListQuery): Promise<AssignmentList> {
  const v = await viewerOf(db, auth)
  const ids = [auth.userId, ...v.standsInFor]
  const limit = q.limit ?? 50
  const offset = q.offset ?? 0
  const filters: Prisma.AssignmentWhereInput[] = [roleWhere(q.role ?? 'all', ids)]
  if (q.status) filters.push({ status: q.status })
  if (q.overdue === true) filters.push(overdueWhere(v.now))
  if (q.overdue === false) filters.push({ NOT: overdueWhere(v.now) })
  const where: Prisma.AssignmentWhereInput = { AND: filters }
  const [rows, total, counts] = await Promise.all([
    db.assignment.findMany({ where, include: listInclude, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], skip: offset, take: limit }),
    db.assignment.count({ where }),
    assignmentCounts(db, ids, v.now),
  ])
  const items: AssignmentListItem[] = rows.map((r) => ({ ...fields(r, v), childCount: r._count.children }))
  return { items, total, limit, offset, counts }
}
