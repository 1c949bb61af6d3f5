import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import { activeHolding, type Auth } from '../people/sessions.ts'
import type { UnitKind } from '../generated/prisma/client.ts'
import { draftingScope, inScope, type PositionContext } from './org.ts'
import { JD_LIMITS, type JobSections } from './schemas.ts'
import type {
  AssignmentFlag,
  CandidateOut,
  DutyAssignmentCreate,
  DutyAssignmentOut,
  DutyAssignmentPatch,
  DutyMatrixOut,
  MatrixDutyOut,
  MatrixPositionOut,
  MatrixQuery,
  MatrixUnitOut,
  SubstituteOut,
} from './distribution.schemas.ts'

/*
 * The distribution of duties among positions (regulation 4.3: the head of the Directorate
 * distributes duties among staff; 4.8: ensures their interchangeability). A duty assignment puts
 * a catalogue duty (its text from the regulation) or a duty in free text on a position, with the
 * position that stands in for it. Assignments are never deleted: removal sets `removedAt`.
 */

// ---------------------------------------------------------------------------------------------
// The organisation's tree

interface UnitRow {
  id: string
  parentId: string | null
  name: string
  kind: UnitKind
  archivedAt: Date | null
}

/** Every unit (an organisation has dozens), in display order, for walking the tree in memory. */
const loadUnits = (db: Db | Tx): Promise<UnitRow[]> =>
  db.unit.findMany({ select: { id: true, parentId: true, name: true, kind: true, archivedAt: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }] })

class Tree {
  readonly byId: Map<string, UnitRow>
  readonly #structure = new Map<string, string>()
  constructor(readonly units: UnitRow[]) {
    this.byId = new Map(units.map((u) => [u.id, u]))
  }

  /** The unit and its ancestors, nearest first. */
  chain(unitId: string): UnitRow[] {
    const out: UnitRow[] = []
    let u = this.byId.get(unitId)
    while (u && !out.includes(u)) {
      out.push(u)
      u = u.parentId ? this.byId.get(u.parentId) : undefined
    }
    return out
  }

  /**
   * The structure a unit belongs to for interchangeability (4.8: "у межах структури управління"):
   * the nearest directorate at or above it, else the unit itself.
   */
  structureOf(unitId: string): string {
    let s = this.#structure.get(unitId)
    if (!s) {
      s = this.chain(unitId).find((u) => u.kind === 'directorate')?.id ?? unitId
      this.#structure.set(unitId, s)
    }
    return s
  }

  /** The unit and every unit under it that is not archived, depth first in display order. */
  subtree(rootId: string): UnitRow[] {
    const out: UnitRow[] = []
    const walk = (u: UnitRow) => {
      if (u.archivedAt || out.includes(u)) return
      out.push(u)
      for (const c of this.units) if (c.parentId === u.id) walk(c)
    }
    const root = this.byId.get(rootId)
    if (root) walk(root)
    return out
  }
}

// ---------------------------------------------------------------------------------------------
// Presenting

type Person = { id: string; fullName: string }

async function holdersOf(db: Db | Tx, positionIds: string[], now: Date): Promise<Map<string, Person[]>> {
  const out = new Map<string, Person[]>(positionIds.map((id) => [id, []]))
  if (positionIds.length === 0) return out
  const rows = await db.positionHolder.findMany({
    where: { positionId: { in: positionIds }, ...activeHolding(now), user: { active: true } },
    include: { user: { select: { id: true, fullName: true } } },
    orderBy: { since: 'asc' },
  })
  for (const r of rows) out.get(r.positionId)?.push({ id: r.user.id, fullName: r.user.fullName })
  return out
}

interface PositionRow {
  id: string
  title: string
  unitId: string
  isHead: boolean
  sortOrder: number
  archivedAt: Date | null
  unit: { name: string }
}
const positionSelect = { id: true, title: true, unitId: true, isHead: true, sortOrder: true, archivedAt: true, unit: { select: { name: true } } } as const

interface AssignmentRow {
  id: string
  positionId: string
  dutyId: string | null
  text: string
  substitutePositionId: string | null
  createdById: string
  createdAt: Date
  removedAt: Date | null
}

function presentSubstitute(p: PositionRow, holders: Person[]): SubstituteOut {
  return { positionId: p.id, title: p.title, unitId: p.unitId, unitName: p.unit.name, holders, vacant: !!p.archivedAt || holders.length === 0 }
}

function flagsOf(a: AssignmentRow, substitute: SubstituteOut | null): AssignmentFlag[] {
  if (!a.substitutePositionId) return ['no_substitute']
  const flags: AssignmentFlag[] = []
  if (a.substitutePositionId === a.positionId) flags.push('substitute_self')
  if (!substitute || substitute.vacant) flags.push('substitute_vacant')
  return flags
}

/** Assignments as the API shows them: clause, substitute with its holders, flags, who made them. */
async function presentAssignments(db: Db | Tx, rows: AssignmentRow[], now: Date, known?: { positions: Map<string, PositionRow>; holders: Map<string, Person[]> }): Promise<DutyAssignmentOut[]> {
  if (rows.length === 0) return []
  const positions = new Map(known?.positions ?? [])
  const holders = new Map(known?.holders ?? [])
  const missing = [...new Set(rows.flatMap((r) => (r.substitutePositionId && !positions.has(r.substitutePositionId) ? [r.substitutePositionId] : [])))]
  if (missing.length > 0) {
    for (const p of await db.position.findMany({ where: { id: { in: missing } }, select: positionSelect })) positions.set(p.id, p)
    for (const [id, h] of await holdersOf(db, missing, now)) holders.set(id, h)
  }
  const dutyIds = [...new Set(rows.flatMap((r) => (r.dutyId ? [r.dutyId] : [])))]
  const clauses = new Map((dutyIds.length ? await db.dutyCatalogItem.findMany({ where: { id: { in: dutyIds } }, select: { id: true, sourceClause: true } }) : []).map((d) => [d.id, d.sourceClause]))
  const creatorIds = [...new Set(rows.map((r) => r.createdById))]
  const creators = new Map((await db.user.findMany({ where: { id: { in: creatorIds } }, select: { id: true, fullName: true } })).map((u) => [u.id, u]))
  return rows.map((a) => {
    const sp = a.substitutePositionId ? positions.get(a.substitutePositionId) : undefined
    const substitute = sp ? presentSubstitute(sp, holders.get(sp.id) ?? []) : null
    return {
      id: a.id,
      positionId: a.positionId,
      dutyId: a.dutyId,
      text: a.text,
      sourceClause: a.dutyId ? (clauses.get(a.dutyId) ?? null) : null,
      substitute,
      flags: flagsOf(a, substitute),
      createdBy: creators.get(a.createdById) ?? { id: a.createdById, fullName: '' },
      createdAt: a.createdAt.toISOString(),
      removedAt: a.removedAt?.toISOString() ?? null,
    }
  })
}

async function presentOne(db: Db | Tx, id: string): Promise<DutyAssignmentOut> {
  const row = await db.dutyAssignment.findUniqueOrThrow({ where: { id } })
  const [out] = await presentAssignments(db, [row], new Date())
  return out!
}

/** The clauses a unit's catalogue duties come from, section 3's functions as one: ["3", "4.3"]. */
const clausesOf = (items: { sourceClause: string }[]) => [...new Set(items.map((x) => (/^3\.\d+$/.test(x.sourceClause) ? '3' : x.sourceClause)))]

const orderPositions = (unitOrder: Map<string, number>) => (a: PositionRow, b: PositionRow) =>
  (unitOrder.get(a.unitId) ?? 0) - (unitOrder.get(b.unitId) ?? 0) || Number(b.isHead) - Number(a.isHead) || a.sortOrder - b.sortOrder || a.title.localeCompare(b.title, 'uk')

// ---------------------------------------------------------------------------------------------
// The matrix

/** The Directorate of the person asking, else the organisation's first directorate. */
function defaultRoot(tree: Tree, auth: Auth): UnitRow {
  for (const p of auth.positions) {
    const d = tree.chain(p.unitId).find((u) => u.kind === 'directorate' && !u.archivedAt)
    if (d) return d
  }
  const first = tree.units.find((u) => u.kind === 'directorate' && !u.archivedAt)
  if (!first) throw new AppError('UNIT_NOT_FOUND', 'в організації немає управління (підрозділу виду «directorate»)')
  return first
}

/**
 * Positions × duties of a unit and its sub-units (by default the Directorate): each position with
 * its holders and its duties (catalogue or free text, with the clause and the substitute), the
 * catalogue duties nobody has, and the problems: no substitute, a vacant substitute, a position
 * substituting itself, a position without duties.
 */
export async function dutyMatrix(db: Db, auth: Auth, q: MatrixQuery): Promise<DutyMatrixOut> {
  const now = new Date()
  const tree = new Tree(await loadUnits(db))
  let root: UnitRow
  if (q.unitId) {
    const u = tree.byId.get(q.unitId)
    if (!u || u.archivedAt) throw new AppError('UNIT_NOT_FOUND')
    root = u
  } else root = defaultRoot(tree, auth)

  const units = tree.subtree(root.id)
  const unitIds = units.map((u) => u.id)
  const unitOrder = new Map(unitIds.map((id, i) => [id, i]))
  const scope = await draftingScope(db, auth)
  // Substitutes and catalogue duties come from the structures (directorates) the units belong to.
  const structures = new Set(unitIds.map((id) => tree.structureOf(id)))
  const structureUnits = tree.units.filter((u) => !u.archivedAt && structures.has(tree.structureOf(u.id)))
  const structureOrder = new Map(structureUnits.map((u, i) => [u.id, (unitOrder.get(u.id) ?? units.length) * 1000 + i]))

  const candidatesRows = (await db.position.findMany({ where: { unitId: { in: structureUnits.map((u) => u.id) }, archivedAt: null }, select: positionSelect })).sort(orderPositions(structureOrder))
  const positions = candidatesRows.filter((p) => unitOrder.has(p.unitId))
  const positionIds = positions.map((p) => p.id)
  const holders = await holdersOf(db, candidatesRows.map((p) => p.id), now)

  const rows = await db.dutyAssignment.findMany({ where: { removedAt: null, positionId: { in: positionIds } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
  const assignments = await presentAssignments(db, rows, now, { positions: new Map(candidatesRows.map((p) => [p.id, p])), holders })

  const catalogueRows = await db.dutyCatalogItem.findMany({ where: { unitId: { in: structureUnits.map((u) => u.id) } }, orderBy: [{ sortOrder: 'asc' }, { createdAt: 'asc' }] })
  const holdersOfDuty = await db.dutyAssignment.findMany({
    where: { removedAt: null, dutyId: { in: catalogueRows.map((d) => d.id) }, position: { archivedAt: null } },
    select: { dutyId: true, positionId: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  })
  const assignedTo = new Map<string, string[]>()
  for (const h of holdersOfDuty) if (h.dutyId) assignedTo.set(h.dutyId, [...(assignedTo.get(h.dutyId) ?? []), h.positionId])
  const catalogue: MatrixDutyOut[] = catalogueRows.map((d) => ({ id: d.id, text: d.text, sourceClause: d.sourceClause, unitId: d.unitId, sortOrder: d.sortOrder, assignedTo: [...new Set(assignedTo.get(d.id) ?? [])] }))
  const unassigned = catalogue.filter((d) => d.unitId && unitOrder.has(d.unitId) && d.assignedTo.length === 0)

  const dutiesPer = new Map<string, number>()
  for (const a of rows) dutiesPer.set(a.positionId, (dutiesPer.get(a.positionId) ?? 0) + 1)
  const positionsOut: MatrixPositionOut[] = positions.map((p) => {
    const h = holders.get(p.id) ?? []
    return {
      id: p.id,
      title: p.title,
      unitId: p.unitId,
      unitName: p.unit.name,
      isHead: p.isHead,
      structureId: tree.structureOf(p.unitId),
      holders: h,
      vacant: h.length === 0,
      flags: dutiesPer.get(p.id) ? [] : ['no_duties'],
      canEdit: inScope(scope, p.unitId),
    }
  })
  const unitsOut: MatrixUnitOut[] = units.map((u) => ({
    id: u.id,
    parentId: u.parentId,
    name: u.name,
    kind: u.kind,
    clauses: clausesOf(catalogueRows.filter((d) => d.unitId === u.id)),
    canEdit: inScope(scope, u.id),
  }))
  const candidates: CandidateOut[] = candidatesRows.map((p) => ({ ...presentSubstitute(p, holders.get(p.id) ?? []), structureId: tree.structureOf(p.unitId) }))
  const count = (flag: AssignmentFlag) => assignments.filter((a) => a.flags.includes(flag)).length

  return {
    root: { id: root.id, name: root.name },
    units: unitsOut,
    positions: positionsOut,
    assignments,
    unassigned,
    catalogue,
    candidates,
    summary: {
      positions: positionsOut.length,
      assignments: assignments.length,
      unassigned: unassigned.length,
      noSubstitute: count('no_substitute'),
      substituteVacant: count('substitute_vacant'),
      substituteSelf: count('substitute_self'),
      positionsWithoutDuties: positionsOut.filter((p) => p.flags.includes('no_duties')).length,
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Assigning, changing, removing

/** One paragraph: NFC, single spaces, trimmed (as job descriptions store their items). */
const normaliseText = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim()
const sameText = (a: string, b: string) => normaliseText(a).toLocaleLowerCase('uk') === normaliseText(b).toLocaleLowerCase('uk')

/** What the audit log keeps of an assignment. */
const snapshot = (a: AssignmentRow, sourceClause: string | null) => ({
  positionId: a.positionId,
  dutyId: a.dutyId,
  sourceClause,
  text: a.text,
  substitutePositionId: a.substitutePositionId,
  ...(a.removedAt ? { removedAt: a.removedAt.toISOString() } : {}),
})

/** Serialises changes to one position's duties, so "not twice to the same position" holds under concurrency. */
const lockPosition = (tx: Tx, positionId: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('duty_assignment'), hashtext(${positionId}))`

async function loadPosition(tx: Tx, positionId: string) {
  const p = await tx.position.findUnique({ where: { id: positionId }, select: { id: true, unitId: true, archivedAt: true } })
  if (!p || p.archivedAt) throw new AppError('POSITION_NOT_FOUND')
  return p
}

/** The head of a directorate distributes duties within it; admins anywhere. */
async function assertScope(tx: Tx, auth: Auth, unitId: string): Promise<Set<string> | 'all'> {
  const scope = await draftingScope(tx, auth)
  if (!inScope(scope, unitId)) throw new AppError('DUTIES_OUT_OF_SCOPE')
  return scope
}

/** A substitute is another current position of the same structure (4.8), within the person's scope. */
async function assertSubstitute(tx: Tx, tree: Tree, scope: Set<string> | 'all', position: { id: string; unitId: string }, substituteId: string): Promise<void> {
  if (substituteId === position.id) throw new AppError('SUBSTITUTE_INVALID', 'посада не може заміщувати сама себе')
  const s = await tx.position.findUnique({ where: { id: substituteId }, select: { unitId: true, archivedAt: true } })
  if (!s || s.archivedAt) throw new AppError('SUBSTITUTE_INVALID', 'посаду-заступника не знайдено')
  if (tree.structureOf(s.unitId) !== tree.structureOf(position.unitId) || !inScope(scope, s.unitId)) {
    throw new AppError('SUBSTITUTE_INVALID', 'посада-заступник має належати до того самого управління')
  }
}

async function assertNotAssigned(tx: Tx, positionId: string, duty: { dutyId: string | null; text: string }, exceptId?: string): Promise<void> {
  const active = await tx.dutyAssignment.findMany({ where: { positionId, removedAt: null, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true, dutyId: true, text: true } })
  const twin = active.find((a) => (duty.dutyId ? a.dutyId === duty.dutyId : !a.dutyId && sameText(a.text, duty.text)))
  if (twin) throw new AppError('DUTY_ALREADY_ASSIGNED', undefined, { assignmentId: twin.id })
  if (!exceptId && active.length >= JD_LIMITS.tasks) throw new AppError('CONFLICT', `на посаду покладено найбільшу кількість обовʼязків (${JD_LIMITS.tasks})`)
}

/** Puts a duty (from the catalogue, or in free text) on a position, optionally with its substitute. */
export async function assignDuty(db: Db, auth: Auth, actor: Actor, body: DutyAssignmentCreate): Promise<DutyAssignmentOut> {
  if ((body.dutyId === undefined) === (body.text === undefined)) {
    throw new AppError('VALIDATION_FAILED', 'вкажіть або dutyId (обовʼязок із каталогу), або text (обовʼязок довільним текстом)')
  }
  const id = await db.$transaction(async (tx) => {
    const position = await loadPosition(tx, body.positionId)
    const scope = await assertScope(tx, auth, position.unitId)
    const tree = new Tree(await loadUnits(tx))
    await lockPosition(tx, position.id)

    let dutyId: string | null = null
    let text: string
    let sourceClause: string | null = null
    if (body.dutyId !== undefined) {
      const item = await tx.dutyCatalogItem.findUnique({ where: { id: body.dutyId } })
      if (!item) throw new AppError('DUTY_NOT_FOUND', `в каталозі немає: ${body.dutyId}`)
      if (item.unitId && tree.structureOf(item.unitId) !== tree.structureOf(position.unitId)) throw new AppError('DUTY_NOT_IN_STRUCTURE')
      dutyId = item.id
      text = item.text
      sourceClause = item.sourceClause
    } else {
      text = normaliseText(body.text!)
      if (!text) throw new AppError('VALIDATION_FAILED', 'текст обовʼязку порожній')
    }
    await assertNotAssigned(tx, position.id, { dutyId, text })
    const substitutePositionId = body.substitutePositionId ?? null
    if (substitutePositionId) await assertSubstitute(tx, tree, scope, position, substitutePositionId)

    const row = await tx.dutyAssignment.create({ data: { positionId: position.id, dutyId, text, substitutePositionId, createdById: auth.userId } })
    await audit(tx, actor, { action: 'duty.assigned', targetType: 'duty_assignment', targetId: row.id, after: snapshot(row, sourceClause) })
    return row.id
  })
  return presentOne(db, id)
}

async function loadActive(tx: Tx, id: string): Promise<AssignmentRow> {
  const row = await tx.dutyAssignment.findUnique({ where: { id } })
  if (!row || row.removedAt) throw new AppError('DUTY_ASSIGNMENT_NOT_FOUND')
  return row
}

const clauseOf = async (tx: Tx, dutyId: string | null) => (dutyId ? ((await tx.dutyCatalogItem.findUnique({ where: { id: dutyId }, select: { sourceClause: true } }))?.sourceClause ?? null) : null)

/** Changes the text of a duty in free text, or sets or clears (null) the substitute. */
export async function updateAssignment(db: Db, auth: Auth, actor: Actor, id: string, patch: DutyAssignmentPatch): Promise<DutyAssignmentOut> {
  await db.$transaction(async (tx) => {
    const first = await loadActive(tx, id)
    const position = await loadPosition(tx, first.positionId)
    const scope = await assertScope(tx, auth, position.unitId)
    await lockPosition(tx, position.id)
    const before = await loadActive(tx, id)

    const data: { text?: string; substitutePositionId?: string | null } = {}
    if (patch.text !== undefined) {
      if (before.dutyId) throw new AppError('DUTY_TEXT_FIXED')
      const text = normaliseText(patch.text)
      if (!text) throw new AppError('VALIDATION_FAILED', 'текст обовʼязку порожній')
      if (text !== before.text) {
        await assertNotAssigned(tx, position.id, { dutyId: null, text }, id)
        data.text = text
      }
    }
    if (patch.substitutePositionId !== undefined && patch.substitutePositionId !== before.substitutePositionId) {
      if (patch.substitutePositionId) await assertSubstitute(tx, new Tree(await loadUnits(tx)), scope, position, patch.substitutePositionId)
      data.substitutePositionId = patch.substitutePositionId
    }
    // Nothing to change: no new row version, no audit event.
    if (Object.keys(data).length === 0) return
    const after = await tx.dutyAssignment.update({ where: { id }, data })
    const clause = await clauseOf(tx, before.dutyId)
    await audit(tx, actor, { action: 'duty.updated', targetType: 'duty_assignment', targetId: id, before: snapshot(before, clause), after: snapshot(after, clause) })
  })
  return presentOne(db, id)
}

/** Takes a duty off a position (kept in the record with the time it was removed). */
export async function removeAssignment(db: Db, auth: Auth, actor: Actor, id: string): Promise<DutyAssignmentOut> {
  await db.$transaction(async (tx) => {
    const first = await loadActive(tx, id)
    const position = await tx.position.findUnique({ where: { id: first.positionId }, select: { id: true, unitId: true } })
    await assertScope(tx, auth, position!.unitId)
    await lockPosition(tx, first.positionId)
    const before = await loadActive(tx, id)
    const after = await tx.dutyAssignment.update({ where: { id }, data: { removedAt: new Date() } })
    const clause = await clauseOf(tx, before.dutyId)
    await audit(tx, actor, { action: 'duty.removed', targetType: 'duty_assignment', targetId: id, before: snapshot(before, clause), after: { removedAt: after.removedAt!.toISOString() } })
  })
  return presentOne(db, id)
}

// ---------------------------------------------------------------------------------------------
// Job descriptions: a position's duties feed its first draft

const lowerFirst = (s: string) => s.charAt(0).toLocaleLowerCase('uk') + s.slice(1)
const unquoted = (s: string) => s.replace(/[.;]+$/, '')

/** "2.1–2.3, 2.5" from task numbers [1, 2, 3, 5] of section 2. */
function itemRanges(numbers: number[]): string {
  const out: string[] = []
  for (let i = 0; i < numbers.length; ) {
    let j = i
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++
    out.push(j === i ? `2.${numbers[i]}` : j === i + 1 ? `2.${numbers[i]}, 2.${numbers[j]}` : `2.${numbers[i]}–2.${numbers[j]}`)
    i = j + 1
  }
  return out.join(', ')
}

/** The line of the default general provisions about who stands in during absence (org.ts). */
const ABSENCE_LINE = /^На час відсутності посадової особи/

/**
 * When the position has distributed duties, a first draft's tasks are exactly those duties (in the
 * order they were assigned, catalogue ones linked to their items), and the general provisions say
 * who stands in for which of them and for whom the position stands in (4.8, «Взаємозамінність»).
 * Without assignments the sections are returned as they are.
 */
export async function withDistributedDuties(db: Db | Tx, ctx: PositionContext, sections: JobSections): Promise<JobSections> {
  const own = await db.dutyAssignment.findMany({ where: { positionId: ctx.position.id, removedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: JD_LIMITS.tasks })
  if (own.length === 0) return sections
  const tasks: JobSections['tasks'] = own.map((a) => ({ text: a.text, ...(a.dutyId ? { dutyId: a.dutyId } : {}) }))

  const regulation = ctx.directorate ? 'Положення про управління' : 'положення про структурний підрозділ'
  const chief = ctx.directorate ? 'начальником управління' : 'керівником структурного підрозділу'
  const covered = own.flatMap((a, i) => (a.substitutePositionId && a.substitutePositionId !== a.positionId ? [{ n: i + 1, by: a.substitutePositionId }] : []))
  const others = await db.dutyAssignment.findMany({
    where: { substitutePositionId: ctx.position.id, positionId: { not: ctx.position.id }, removedAt: null, position: { archivedAt: null } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { positionId: true, text: true },
  })
  const titleIds = [...new Set([...covered.map((c) => c.by), ...others.map((o) => o.positionId)])]
  const titles = new Map((await db.position.findMany({ where: { id: { in: titleIds }, archivedAt: null }, select: { id: true, title: true } })).map((p) => [p.id, p.title]))

  const lines: string[] = []
  const bySubstitute = new Map<string, number[]>()
  for (const c of covered) if (titles.has(c.by)) bySubstitute.set(c.by, [...(bySubstitute.get(c.by) ?? []), c.n])
  if (bySubstitute.size > 0) {
    const parts = [...bySubstitute.entries()].map(([by, ns], i) => {
      const where = `${ns.length === 1 ? 'пунктом' : 'пунктами'} ${itemRanges(ns)}`
      return i === 0 ? `обовʼязки за ${where} виконує ${lowerFirst(titles.get(by)!)}` : `за ${where} — ${lowerFirst(titles.get(by)!)}`
    })
    const rest = covered.filter((c) => titles.has(c.by)).length < own.length ? `; решту обовʼязків — працівник, визначений ${chief}` : ''
    lines.push(`Взаємозамінність (пункт 4.8 ${regulation}): на час відсутності посадової особи (відпустка, відрядження, тимчасова непрацездатність) ${parts.join('; ')}${rest}.`)
  }
  const forWhom = new Map<string, string[]>()
  for (const o of others) if (titles.has(o.positionId)) forWhom.set(o.positionId, [...(forWhom.get(o.positionId) ?? []), `«${unquoted(o.text)}»`])
  if (forWhom.size > 0) {
    const full = `На час відсутності інших працівників посадова особа виконує: ${[...forWhom.entries()].map(([p, ds]) => `за посадою «${titles.get(p)}» — ${ds.join('; ')}`).join('; ')}.`
    const short = `На час відсутності інших працівників посадова особа виконує окремі їхні обовʼязки за розподілом обовʼязків: ${[...forWhom.keys()].map((p) => `«${titles.get(p)}»`).join(', ')}.`
    lines.push(full)
    // The general provisions have a limit; a long list names the positions only.
    if (sections.general.length + lines.join('\n').length + 2 > JD_LIMITS.general) lines[lines.length - 1] = short
  }

  let general = sections.general
  if (lines.length > 0) {
    const kept = general.split('\n')
    const at = kept.findIndex((l) => ABSENCE_LINE.test(l))
    // The note on substitutes replaces the generic sentence about absence (it names who takes the rest).
    if (at >= 0 && bySubstitute.size > 0) kept.splice(at, 1, ...lines)
    else if (at >= 0) kept.splice(at + 1, 0, ...lines)
    else kept.push(...lines)
    general = kept.join('\n')
  }
  return { ...sections, tasks, general }
}
