import type { CandidateOut, DutyAssignmentOut, DutyMatrixOut, MatrixDutyOut, MatrixPositionOut, UnitOut } from '../../api/types.ts'
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
