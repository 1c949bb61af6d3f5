import { actorsOf, type PersonRef } from '../approvals/people.ts'
import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Auth } from '../people/sessions.ts'
import type { Capacity } from './machine.ts'

/**
 * Who stands how to an assignment, who sees it, and whom one may give instructions to.
 * Substitutes (regulation 4.8) act for the absent person in every capacity.
 */

export interface Participants {
  issuedById: string
  executorId: string
  controllerId: string
  coExecutorIds: readonly string[]
}

/** The people this person stands in for now (active substitutions). */
export async function standingInFor(db: Db | Tx, userId: string, now = new Date()): Promise<string[]> {
  const rows = await db.substitution.findMany({
    where: { substituteId: userId, cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now }, user: { active: true } },
    select: { userId: true },
  })
  return [...new Set(rows.map((r) => r.userId))]
}

/** The current substitutes of these people (to tell them too). */
export async function substitutesOf(db: Db | Tx, userIds: string[], now = new Date()): Promise<string[]> {
  if (userIds.length === 0) return []
  const rows = await db.substitution.findMany({
    where: { userId: { in: userIds }, cancelledAt: null, startsAt: { lte: now }, endsAt: { gt: now }, substitute: { active: true } },
    select: { substituteId: true },
  })
  return [...new Set(rows.map((r) => r.substituteId))]
}

export interface Acting {
  as: Capacity[]
  /** When the capacities that matter come only from standing in: for whom (for the record). */
  onBehalfOf: string | null
}

const capacitiesOfPerson = (a: Participants, userId: string): Capacity[] => {
  const out: Capacity[] = []
  if (a.executorId === userId) out.push('executor')
  if (a.coExecutorIds.includes(userId)) out.push('co_executor')
  if (a.controllerId === userId) out.push('controller')
  if (a.issuedById === userId) out.push('issuer')
  return out
}

/** The person's capacities: their own, plus those of everyone they stand in for now. */
export function capacitiesOf(a: Participants, userId: string, standsInFor: readonly string[]): Acting {
  const own = capacitiesOfPerson(a, userId)
  const as = new Set<Capacity>(own)
  let onBehalfOf: string | null = null
  for (const other of standsInFor) {
    for (const c of capacitiesOfPerson(a, other)) {
      if (!as.has(c)) {
        as.add(c)
        onBehalfOf ??= other
      }
    }
  }
  return { as: [...as], onBehalfOf }
}

/** For a command that needs one capacity: on whose behalf it is taken (null when in one's own right). */
export function onBehalfFor(a: Participants, userId: string, standsInFor: readonly string[], needed: Capacity[]): string | null {
  if (capacitiesOfPerson(a, userId).some((c) => needed.includes(c))) return null
  return standsInFor.find((o) => capacitiesOfPerson(a, o).some((c) => needed.includes(c))) ?? null
}

// ---- The unit tree ----------------------------------------------------------------------

export interface UnitRow {
  id: string
  parentId: string | null
  name: string
}

/** Every unit (an organisation has dozens), for walking the tree in memory. */
export const loadUnits = (db: Db | Tx): Promise<UnitRow[]> => db.unit.findMany({ select: { id: true, parentId: true, name: true } })

/** The unit and its ancestors, nearest first. */
export function chainOf(units: readonly UnitRow[], unitId: string): string[] {
  const byId = new Map(units.map((u) => [u.id, u]))
  const out: string[] = []
  let u = byId.get(unitId)
  while (u && !out.includes(u.id)) {
    out.push(u.id)
    u = u.parentId ? byId.get(u.parentId) : undefined
  }
  return out
}

/** The units and everything under them. */
export function subtreeOf(units: readonly UnitRow[], rootIds: Iterable<string>): Set<string> {
  const out = new Set(rootIds)
  let grew = true
  while (grew) {
    grew = false
    for (const u of units) {
      if (u.parentId && out.has(u.parentId) && !out.has(u.id)) {
        out.add(u.id)
        grew = true
      }
    }
  }
  return out
}

/** Units the person heads (holds a head position of). */
export const headedUnits = (auth: Auth) => auth.positions.filter((p) => p.isHead).map((p) => p.unitId)

/** Whether the person heads the unit or a unit above it. */
export const headsOver = (units: readonly UnitRow[], headed: readonly string[], unitId: string) => headed.length > 0 && chainOf(units, unitId).some((u) => headed.includes(u))

// ---- Holdings ---------------------------------------------------------------------------

export interface Holding {
  positionId: string
  unitId: string
  isHead: boolean
}

/** The positions a person holds now (active account, position not archived), first by sort order. */
export async function holdingsOf(db: Db | Tx, userId: string, now = new Date()): Promise<Holding[]> {
  const rows = await db.positionHolder.findMany({
    where: { userId, user: { active: true }, since: { lte: now }, OR: [{ until: null }, { until: { gt: now } }], position: { archivedAt: null } },
    select: { position: { select: { id: true, unitId: true, isHead: true, sortOrder: true } } },
  })
  return rows
    .map((r) => r.position)
    .sort((a, b) => a.sortOrder - b.sortOrder)
    .map((p) => ({ positionId: p.id, unitId: p.unitId, isHead: p.isHead }))
}

/** The executor's current unit (stored on the assignment for reports per unit). */
export async function unitOfExecutor(db: Db | Tx, userId: string): Promise<string> {
  const h = await holdingsOf(db, userId)
  if (h.length === 0) throw new AppError('EXECUTOR_UNAVAILABLE')
  return h[0]!.unitId
}

/** Roles that may give an instruction to anyone in the organisation (and the clerk, who registers resolutions). */
const ISSUE_ANYONE = ['mayor', 'deputy_mayor', 'admin', 'clerk'] as const

/**
 * Whom a person may give a top-level instruction: the mayor, the deputy mayor, the clerk and
 * admins anyone; a head the holders of positions in the units they head and under them.
 */
export async function assertMayIssueTo(db: Db | Tx, auth: Auth, userIds: string[]) {
  if (ISSUE_ANYONE.some((r) => auth.roles.includes(r))) return
  const units = await loadUnits(db)
  const scope = subtreeOf(
    units,
    auth.positions.filter((p) => p.isHead || p.roles.includes('unit_head') || p.roles.includes('directorate_head')).map((p) => p.unitId),
  )
  for (const id of userIds) {
    const holdings = await holdingsOf(db, id)
    if (!holdings.some((h) => scope.has(h.unitId))) throw new AppError('EXECUTOR_OUT_OF_SCOPE')
  }
}

/**
 * Whom an executor may hand a part of the work to: someone holding a position in the
 * executor's unit or a unit under it; a non-head does not delegate upward to the head of
 * their own unit. The executor's holdings decide (also when a substitute delegates for them).
 */
export async function assertMayDelegateTo(db: Db | Tx, executorId: string, userIds: string[]) {
  const mine = await holdingsOf(db, executorId)
  const units = await loadUnits(db)
  for (const id of userIds) {
    if (id === executorId) throw new AppError('EXECUTOR_OUT_OF_SCOPE', 'доручення не передають самому собі')
    const theirs = await holdingsOf(db, id)
    const ok = theirs.some((t) =>
      mine.some((m) => {
        if (!subtreeOf(units, [m.unitId]).has(t.unitId)) return false
        // Within the executor's own unit, only a head hands work to everyone; others to non-heads.
        return m.isHead || t.unitId !== m.unitId || !t.isHead
      }),
    )
    if (!ok) throw new AppError('EXECUTOR_OUT_OF_SCOPE', 'передати доручення можна працівникові свого підрозділу або підпорядкованого йому')
  }
}

/** The active people among these ids, or a 400 naming the first that is not. */
export async function assertActive(db: Db | Tx, userIds: string[]) {
  const found = await db.user.findMany({ where: { id: { in: userIds }, active: true }, select: { id: true } })
  const ok = new Set(found.map((u) => u.id))
  const missing = userIds.find((id) => !ok.has(id))
  if (missing) throw new AppError('EXECUTOR_UNAVAILABLE', `користувач ${missing} не існує або неактивний`)
}

// ---- Visibility -------------------------------------------------------------------------

export interface TreeNodeLike extends Participants {
  id: string
  parentId: string | null
  unitId: string
}

/**
 * Which nodes of one tree the person sees: admins everything; otherwise every node on the
 * way from the root to a node they take part in (issuer, controller, executor, co-executor,
 * or standing in for one) or whose executor's unit they head, and everything under such a node.
 * Branches of colleagues beside theirs stay hidden.
 */
export function visibleNodes(nodes: readonly TreeNodeLike[], auth: Auth, standsInFor: readonly string[], units: readonly UnitRow[]): Set<string> {
  if (auth.roles.includes('admin')) return new Set(nodes.map((n) => n.id))
  const headed = headedUnits(auth)
  const byId = new Map(nodes.map((n) => [n.id, n]))
  const children = new Map<string, string[]>()
  for (const n of nodes) if (n.parentId) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id])
  const direct = nodes.filter((n) => capacitiesOf(n, auth.userId, standsInFor).as.length > 0 || headsOver(units, headed, n.unitId))
  const out = new Set<string>()
  const below = new Set<string>()
  for (const n of direct) {
    // Up to the root, for context…
    let cur: TreeNodeLike | undefined = n
    for (let i = 0; cur && i <= nodes.length; i++) {
      out.add(cur.id)
      cur = cur.parentId ? byId.get(cur.parentId) : undefined
    }
    // …and everything below.
    const queue = [n.id]
    while (queue.length) {
      const id = queue.shift()!
      if (below.has(id)) continue
      below.add(id)
      out.add(id)
      queue.push(...(children.get(id) ?? []))
    }
  }
  return out
}

/** Loads the tree's participants and refuses (as not found) a person who may not see the node. */
export async function assertCanSee(db: Db | Tx, auth: Auth, a: { id: string; rootId: string }, standsInFor: string[]) {
  const nodes = await db.assignment.findMany({
    where: { rootId: a.rootId },
    select: { id: true, parentId: true, unitId: true, issuedById: true, executorId: true, controllerId: true, coExecutors: { select: { userId: true } } },
  })
  const visible = visibleNodes(
    nodes.map((n) => ({ ...n, coExecutorIds: n.coExecutors.map((c) => c.userId) })),
    auth,
    standsInFor,
    await loadUnits(db),
  )
  if (!visible.has(a.id)) throw new AppError('ASSIGNMENT_NOT_FOUND')
}

/** The holders of the nearest head positions at or above the unit other than `except` (heads see their units' assignments). */
export async function headAbove(db: Db | Tx, unitId: string, except: string): Promise<PersonRef[]> {
  const units = await loadUnits(db)
  const byId = new Map(units.map((u) => [u.id, u]))
  let cursor = byId.get(unitId)
  for (let depth = 0; cursor && depth < 30; depth++) {
    const heads = await db.position.findMany({ where: { unitId: cursor.id, isHead: true, archivedAt: null }, select: { id: true }, orderBy: { sortOrder: 'asc' } })
    const actors = [...(await actorsOf(db, heads.map((h) => h.id))).values()].filter((x) => x.holder && x.holder.id !== except)
    if (actors.length) return [...new Map(actors.map((x) => [x.holder!.id, x.holder!])).values()]
    cursor = cursor.parentId ? byId.get(cursor.parentId) : undefined
  }
  return []
}
