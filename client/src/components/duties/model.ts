import type { AssignmentFlag, CandidateOut, DutyAssignmentOut, DutyMatrixOut, MatrixDutyOut, MatrixPositionOut, PositionFlag, UnitOut } from '../../api/types.ts'
import { t } from '../../i18n/index.ts'

/** "розділ 3 (функції управління)", "пункт 4.3.1". */
export const clauseLabel = (clause: string): string => (clause === '3' ? t('duties.clause.3') : t('duties.clause', { clause }))

/** Who holds a position, or «вакантна». */
export const holdersText = (p: { holders: { fullName: string }[]; vacant: boolean }): string =>
  p.vacant || p.holders.length === 0 ? t('duties.vacant') : p.holders.map((h) => h.fullName).join(', ')

export interface OptionGroup<T> {
  label: string
  items: T[]
}

/** Groups items by a label, keeping the order in which labels first appear. */
export function groupBy<T>(items: T[], label: (x: T) => string): OptionGroup<T>[] {
  const out = new Map<string, T[]>()
  for (const x of items) out.set(label(x), [...(out.get(label(x)) ?? []), x])
  return [...out].map(([l, xs]) => ({ label: l, items: xs }))
}

/** Positions that may stand in for a duty of the position: others of the same structure (4.8). */
export const substituteOptions = (m: DutyMatrixOut, position: { id: string; structureId: string }): OptionGroup<CandidateOut>[] =>
  groupBy(
    m.candidates.filter((c) => c.structureId === position.structureId && c.positionId !== position.id),
    (c) => c.unitName,
  )

/** The unit and its ancestors, nearest first (from the organisation's units). */
export function chainOf(units: UnitOut[] | undefined, unitId: string): string[] {
  const byId = new Map((units ?? []).map((u) => [u.id, u]))
  const out: string[] = []
  let id: string | null = unitId
  while (id && !out.includes(id)) {
    out.push(id)
    id = byId.get(id)?.parentId ?? null
  }
  return out
}

/**
 * Catalogue duties to offer a position: those of its unit's clauses and of the units above it
 * (e.g. the Directorate's functions), or every duty of its structure with `all`.
 */
export function catalogueOptions(m: DutyMatrixOut, position: MatrixPositionOut, units: UnitOut[] | undefined, all: boolean): OptionGroup<MatrixDutyOut>[] {
  const structureOf = new Map(m.candidates.map((c) => [c.unitId, c.structureId]))
  const chain = chainOf(units, position.unitId)
  const items = m.catalogue.filter((d) => {
    if (!d.unitId) return true
    if (all) return (structureOf.get(d.unitId) ?? position.structureId) === position.structureId
    return chain.includes(d.unitId)
  })
  // The position's own unit first, then the units above it.
  const rank = (d: MatrixDutyOut) => (d.unitId ? chain.indexOf(d.unitId) : chain.length) + (d.unitId && !chain.includes(d.unitId) ? chain.length + 1 : 0)
  const sorted = [...items].sort((a, b) => rank(a) - rank(b) || a.sortOrder - b.sortOrder)
  return groupBy(sorted, (d) => clauseLabel(/^3\.\d+$/.test(d.sourceClause) ? '3' : d.sourceClause))
}

/** Whether an assignment or a position needs attention (the «Лише проблеми» filter). */
export const isProblem = (a: DutyAssignmentOut): boolean => a.flags.length > 0

/** Markup is refused by the server; say so before sending. */
export const hasMarkup = (s: string): boolean => /[<>]/.test(s)

/** Whitespace as the server normalises it. */
export const normalise = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ').trim()

/** A problem to flag: those of an assignment or a position, a duty nobody has; or a vacant position (for information). */
export type Flag = AssignmentFlag | PositionFlag | 'unassigned' | 'vacant'

/** What a dialog of the page is asked to do. */
export type DialogRequest =
  | { kind: 'add'; position: MatrixPositionOut }
  | { kind: 'assign'; duty: MatrixDutyOut }
  | { kind: 'edit'; assignment: DutyAssignmentOut; position: MatrixPositionOut }
  | { kind: 'remove'; assignment: DutyAssignmentOut; position: MatrixPositionOut }

/** "Title — holders" (or «вакантна») for a position in a list of options. */
export const positionLabel = (p: { title: string; holders: { fullName: string }[]; vacant: boolean }): string => `${p.title} — ${holdersText(p)}`

/** The structure (directorate, else the unit) a unit belongs to, from the matrix's candidates. */
export const structureOfUnit = (m: DutyMatrixOut, unitId: string | null): string | undefined =>
  unitId ? m.candidates.find((c) => c.unitId === unitId)?.structureId : undefined

/** Positions a catalogue duty may be given to: editable ones of the duty's structure, grouped by unit. */
export function positionOptions(m: DutyMatrixOut, duty: MatrixDutyOut | null): OptionGroup<MatrixPositionOut>[] {
  const structure = duty ? structureOfUnit(m, duty.unitId) : undefined
  return groupBy(
    m.positions.filter((p) => p.canEdit && (!structure || p.structureId === structure)),
    (p) => p.unitName,
  )
}

/** The longest text of a duty (as the server allows for a job description's item). */
export const DUTY_TEXT_MAX = 2000

/** A short form of a long duty for buttons' accessible names and messages. */
export const shortText = (s: string, max = 90): string => (s.length <= max ? s : `${s.slice(0, max - 1).trimEnd()}…`)

/** One line of the «by duty» view: a catalogue duty (or a duty in free text) with who has it. */
export interface DutyRow {
  key: string
  duty: MatrixDutyOut | null
  text: string
  /** The duty's current assignments among the positions shown. */
  assignments: DutyAssignmentOut[]
  /** Positions outside the units shown that have the catalogue duty. */
  elsewhere: string[]
  flags: Flag[]
}
export interface DutyGroup {
  /** A clause ("3", "4.3", "4.3.1"...) or "free" for duties in free text. */
  key: string
  rows: DutyRow[]
}

/**
 * The «by duty» view: catalogue duties of the units shown (and any other catalogue duty a shown
 * position has) grouped by clause, then the duties in free text; with `problemsOnly`, only flagged ones.
 */
export function dutyRows(m: DutyMatrixOut, problemsOnly: boolean): DutyGroup[] {
  const shown = new Set(m.units.map((u) => u.id))
  const inView = new Set(m.positions.map((p) => p.id))
  const byDuty = new Map<string, DutyAssignmentOut[]>()
  const free = new Map<string, DutyAssignmentOut[]>()
  for (const a of m.assignments) {
    if (a.dutyId) byDuty.set(a.dutyId, [...(byDuty.get(a.dutyId) ?? []), a])
    else {
      const k = normalise(a.text).toLocaleLowerCase('uk')
      free.set(k, [...(free.get(k) ?? []), a])
    }
  }
  const uniq = (flags: Flag[]) => [...new Set(flags)]
  const groups = new Map<string, DutyRow[]>()
  for (const d of m.catalogue) {
    const assignments = byDuty.get(d.id) ?? []
    if (!(d.unitId && shown.has(d.unitId)) && assignments.length === 0) continue
    const flags: Flag[] = d.assignedTo.length === 0 ? ['unassigned'] : uniq(assignments.flatMap((a) => a.flags))
    const key = /^3\.\d+$/.test(d.sourceClause) ? '3' : d.sourceClause
    groups.set(key, [...(groups.get(key) ?? []), { key: d.id, duty: d, text: d.text, assignments, elsewhere: d.assignedTo.filter((id) => !inView.has(id)), flags }])
  }
  const out: DutyGroup[] = [...groups].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })).map(([key, rows]) => ({ key, rows }))
  const freeRows: DutyRow[] = [...free.values()].map((as) => ({ key: as[0]!.id, duty: null, text: as[0]!.text, assignments: as, elsewhere: [], flags: uniq(as.flatMap((a) => a.flags)) }))
  if (freeRows.length > 0) out.push({ key: 'free', rows: freeRows })
  if (!problemsOnly) return out
  return out.map((g) => ({ key: g.key, rows: g.rows.filter((r) => r.flags.length > 0) })).filter((g) => g.rows.length > 0)
}
