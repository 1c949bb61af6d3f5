import { orgApi } from '../../api/endpoints.ts'
import type { PositionOut, SessionOut, UnitOut } from '../../api/types.ts'

/**
 * Whom one may pick in the instruction forms, worked out from the org chart (units and
 * positions with their holders) by the same rules the server applies
 * (server/assignments/access.ts): the server still decides, this only keeps the lists short.
 */
export interface Candidate {
  userId: string
  fullName: string
  title: string
  unitId: string
  unitName: string
  isHead: boolean
}

/** Roles that may give an instruction to anyone (and the clerk, who registers resolutions). */
const ISSUE_ANYONE = ['mayor', 'deputy_mayor', 'admin', 'clerk'] as const
/** Roles that may issue at all (the API's access list). */
const ISSUERS = ['unit_head', 'directorate_head', 'deputy_mayor', 'mayor', 'admin', 'clerk'] as const

export const mayIssue = (s: SessionOut | null): boolean => !!s && ISSUERS.some((r) => s.roles.includes(r))

/** The units and everything under them. */
function subtreeOf(units: readonly UnitOut[], roots: Iterable<string>): Set<string> {
  const out = new Set(roots)
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

/** Everyone holding a position now, in the org chart's order (a person once, by their first position). */
export function allHolders(units: readonly UnitOut[], positions: readonly PositionOut[]): Candidate[] {
  const order = new Map(units.map((u, i) => [u.id, i]))
  const seen = new Set<string>()
  const out: Candidate[] = []
  const sorted = positions
    .filter((p) => !p.archived && p.holder)
    .toSorted((a, b) => (order.get(a.unitId) ?? 0) - (order.get(b.unitId) ?? 0) || Number(b.isHead) - Number(a.isHead) || a.sortOrder - b.sortOrder)
  for (const p of sorted) {
    const h = p.holder!
    if (seen.has(h.userId)) continue
    seen.add(h.userId)
    out.push({ userId: h.userId, fullName: h.fullName, title: p.title, unitId: p.unitId, unitName: p.unitName, isHead: p.isHead })
  }
  return out
}

/** Whom this person may give a top-level instruction. */
export function issueCandidates(s: SessionOut | null, units: readonly UnitOut[], positions: readonly PositionOut[]): Candidate[] {
  const all = allHolders(units, positions)
  if (!s) return []
  if (ISSUE_ANYONE.some((r) => s.roles.includes(r))) return all
  const scope = subtreeOf(
    units,
    s.positions.filter((p) => p.isHead || p.roles.includes('unit_head') || p.roles.includes('directorate_head')).map((p) => p.unitId),
  )
  const inScope = new Set(positions.filter((p) => !p.archived && p.holder && scope.has(p.unitId)).map((p) => p.holder!.userId))
  return all.filter((c) => inScope.has(c.userId))
}

/**
 * Whom the executor may hand a part of the work to: people in the executor's unit or under it;
 * within the executor's own unit, only a head hands work to another head.
 */
export function delegateCandidates(executorId: string, units: readonly UnitOut[], positions: readonly PositionOut[]): Candidate[] {
  const live = positions.filter((p) => !p.archived && p.holder)
  const mine = live.filter((p) => p.holder!.userId === executorId)
  const ok = new Set<string>()
  for (const t of live) {
    const uid = t.holder!.userId
    if (uid === executorId) continue
    if (mine.some((m) => subtreeOf(units, [m.unitId]).has(t.unitId) && (m.isHead || t.unitId !== m.unitId || !t.isHead))) ok.add(uid)
  }
  return allHolders(units, positions).filter((c) => ok.has(c.userId))
}

/** "Бойко Андрій Миколайович — Начальник відділу …" */
export const candidateLabel = (c: Candidate): string => `${c.fullName} — ${c.title}`

/** Candidates grouped by unit, in order, for <optgroup>s. */
export function byUnit(list: readonly Candidate[]): { unitId: string; unitName: string; people: Candidate[] }[] {
  const groups = new Map<string, { unitId: string; unitName: string; people: Candidate[] }>()
  for (const c of list) {
    let g = groups.get(c.unitId)
    if (!g) groups.set(c.unitId, (g = { unitId: c.unitId, unitName: c.unitName, people: [] }))
    g.people.push(c)
  }
  return [...groups.values()]
}

/** Matches a search text against name, title and unit (case- and apostrophe-insensitive). */
export function matches(c: Candidate, q: string): boolean {
  const norm = (s: string) => s.toLocaleLowerCase('uk').replace(/[ʼ’']/g, '')
  const needle = norm(q.trim())
  if (!needle) return true
  return norm(`${c.fullName} ${c.title} ${c.unitName}`).includes(needle)
}

export interface Directory {
  units: UnitOut[]
  positions: PositionOut[]
}

/** The org chart the pickers work from. */
export async function loadDirectory(signal?: AbortSignal): Promise<Directory> {
  const [units, positions] = await Promise.all([orgApi.units(signal), orgApi.positions(undefined, signal)])
  return { units: units.filter((u) => !u.archived), positions }
}
