import type pg from 'pg'
import { AppError } from '../errors.ts'
import type { Period } from './period.ts'
import type { ReportScope } from './scope.ts'
import type { DisciplineOut, DisciplineRow, Figures, GroupBy } from './schemas.ts'

// The discipline report is ONE statement per request: the viewer's scope and the unit tree are
// expanded by recursive CTEs, and the figures are summed from pre-aggregated counts. Everything
// is a parameter; the text depends only on groupBy.
//
//   $1 fromAt  timestamptz   Kyiv midnight of the first day (inclusive)
//   $2 toAt    timestamptz   Kyiv midnight of the day after the period (exclusive)
//   $3 now     timestamptz   what "deadline passed" is measured against
//   $4 roots   uuid[] | null the report's top unit(s); null: the organisation's top units
//   $5 scope   uuid[] | null the units the viewer heads (their subtrees are all they may see); null: everything
//
// Semantics (agreed with the assignments service): assigned = issued in [from, to), cancelled
// excluded; done on time = done; done late = done_late; overdue = overdue, or still open
// (new / in_work / on_check) with the deadline passed; open = still open, deadline ahead;
// extended = at least one granted extension; cancelled counted apart. A granted extension is
// the only thing that moves a deadline, and only later (the machine refuses EXTENSION_NOT_LATER),
// so "extended" reads due_at > original_due_at from the row itself: no lookup in extension.
// So assigned = doneOnTime + doneLate + overdue + open, always.
//
// Where the counts come from. Settled assignments (done, done_late, overdue, cancelled) keep
// their place in the report whatever the clock says, so a trigger on assignment keeps their counts
// in assignment_tally by (Kyiv issue day, unit, executor, status, deadline moved): see the
// migration 20261129024210_inbox_open_flag_assignment_tally. Open ones (new, in_work, on_check)
// turn from "open" to "overdue" as `now` passes their deadline, so they are read live from
// assignment (through assignment(status, issued_at), or the older covering index on issued_at
// while it exists); they are few (only the recent past is still open). How much the tally saves
// depends on how many assignments share a key: in bench/report.ts (1M over two years, 420
// executors) a quarter's 121k assignments are 65k tally rows plus 6k open ones.
// Both sources give rows of the same shape, n assignments each, and the same FILTERed sums
// (FIGURES, the semantics above in SQL) count each source on its own; the partial figures are then
// added up per unit (and executor). Counting the two sources' rows appended in one aggregate
// gives the same figures but costs about a third more CPU (measured at 1M assignments).
// The period [fromAt, toAt) runs from one Kyiv midnight to another, so on the tally's side it is
// exactly the Kyiv days from fromAt's to the day before toAt's.

const KYIV_DAY = (param: string) => `(${param}::timestamptz AT TIME ZONE 'Europe/Kyiv')::date`

const FIGURES = `
      coalesce(sum(a.n) FILTER (WHERE a.status <> 'cancelled'), 0)::int AS assigned,
      coalesce(sum(a.n) FILTER (WHERE a.status = 'done'), 0)::int AS done_on_time,
      coalesce(sum(a.n) FILTER (WHERE a.status = 'done_late'), 0)::int AS done_late,
      coalesce(sum(a.n) FILTER (WHERE a.status = 'overdue' OR (a.status IN ('new', 'in_work', 'on_check') AND a.past_due)), 0)::int AS overdue,
      coalesce(sum(a.n) FILTER (WHERE a.status IN ('new', 'in_work', 'on_check') AND NOT a.past_due), 0)::int AS open,
      coalesce(sum(a.n) FILTER (WHERE a.status <> 'cancelled' AND a.extended), 0)::int AS extended,
      coalesce(sum(a.n) FILTER (WHERE a.status = 'cancelled'), 0)::int AS cancelled`

// The whole organisation (no filter, no scope): every assignment's unit is in the tree, so the
// unit test is left out. With the parameters known when planning (node-postgres sends unnamed
// statements, planned for their values), PostgreSQL folds this to true or false.
const WHOLE_TREE = '($4::uuid[] IS NULL AND $5::uuid[] IS NULL)'

// The period's assignments as (unit, executor, status, deadline moved, deadline passed, n), from
// the two sources: the tally's settled counts, and the open assignments one by one. past_due only
// matters for open ones; a settled status already says whether it was late.
const SETTLED = `
          SELECT t.unit_id, t.executor_id, t.status, t.extended, false AS past_due, t.n
            FROM assignment_tally t
           WHERE t.day >= ${KYIV_DAY('$1')} AND t.day < ${KYIV_DAY('$2')}`
const OPEN = `
          SELECT o.unit_id, o.executor_id, o.status, o.due_at > o.original_due_at AS extended, o.due_at < $3 AS past_due, 1 AS n
            FROM assignment o
           WHERE o.status IN ('new', 'in_work', 'on_check')
             AND o.issued_at >= $1 AND o.issued_at < $2`

/** The agg CTE: each source's FIGURES per `keys` (limited to the tree), added up. */
function agg(keys: string): string {
  const part = (source: string) => `
      SELECT ${keys},${FIGURES}
        FROM (${source}) a
       WHERE ${WHOLE_TREE} OR a.unit_id IN (SELECT id FROM tree)
       GROUP BY ${keys}`
  const add = ['assigned', 'done_on_time', 'done_late', 'overdue', 'open', 'extended', 'cancelled'].map((f) => `sum(p.${f})::int AS ${f}`).join(', ')
  return `
  agg AS (
    SELECT ${keys}, ${add}
      FROM (${part(SETTLED)}
      UNION ALL${part(OPEN)}
      ) p
     GROUP BY ${keys}
  )`
}

const TREE = `
WITH RECURSIVE
  allowed(id) AS (
    SELECT u.id FROM unit u WHERE u.id = ANY($5::uuid[])
    UNION
    SELECT c.id FROM unit c JOIN allowed p ON c.parent_id = p.id
  ),
  walk(id, parent_id, depth, path) AS (
    SELECT u.id, u.parent_id, 0, ARRAY[u.sort_order]
      FROM unit u
     WHERE CASE WHEN $4::uuid[] IS NULL THEN u.parent_id IS NULL ELSE u.id = ANY($4::uuid[]) END
       AND ($5::uuid[] IS NULL OR u.id IN (SELECT id FROM allowed))
    UNION ALL
    SELECT c.id, c.parent_id, w.depth + 1, w.path || c.sort_order
      FROM unit c JOIN walk w ON c.parent_id = w.id
     WHERE w.depth < 32
  ),
  -- A root that lies under another root appears twice: keep it once, under the outer one.
  tree AS (SELECT DISTINCT ON (id) id, parent_id, depth, path FROM walk ORDER BY id, depth DESC)`

const UNIT_SQL = `${TREE},${agg('unit_id')}
SELECT t.id AS unit_id, u.name AS unit_name, u.code AS unit_code, t.parent_id, t.depth,
       NULL::uuid AS executor_id, NULL::text AS executor_name,
       coalesce(g.assigned, 0) AS assigned, coalesce(g.done_on_time, 0) AS done_on_time, coalesce(g.done_late, 0) AS done_late,
       coalesce(g.overdue, 0) AS overdue, coalesce(g.open, 0) AS open, coalesce(g.extended, 0) AS extended, coalesce(g.cancelled, 0) AS cancelled
  FROM tree t
  JOIN unit u ON u.id = t.id
  LEFT JOIN agg g ON g.unit_id = t.id
 WHERE t.depth = 0 OR u.archived_at IS NULL OR g.unit_id IS NOT NULL
 ORDER BY t.path, u.name`

// The one-row "s" keeps an answer when nobody has assignments, so an empty tree (a unit
// outside the viewer's scope) can be told from an empty period.
const PERSON_SQL = `${TREE},${agg('unit_id, executor_id')}
SELECT s.tree_units, s.root_name, p.*
  FROM (SELECT count(*)::int AS tree_units, min(u.name) FILTER (WHERE t.depth = 0) AS root_name FROM tree t JOIN unit u ON u.id = t.id) s
  LEFT JOIN (
    SELECT g.unit_id, u.name AS unit_name, u.code AS unit_code, t.parent_id, t.depth, t.path,
           g.executor_id, x.full_name AS executor_name,
           g.assigned, g.done_on_time, g.done_late, g.overdue, g.open, g.extended, g.cancelled
      FROM agg g
      JOIN tree t ON t.id = g.unit_id
      JOIN unit u ON u.id = g.unit_id
      JOIN app_user x ON x.id = g.executor_id
  ) p ON true
 ORDER BY p.path, p.executor_name, p.executor_id`

/** The statement's text for a grouping (also run as is by bench/report.ts as its bare baseline). */
export const disciplineSql = (groupBy: GroupBy): string => (groupBy === 'person' ? PERSON_SQL : UNIT_SQL)

export interface DisciplineParams {
  period: Period
  now: Date
  /** The unit the report is filtered to, if any. */
  unitId: string | null
  scope: ReportScope
}

/** The statement's parameters, in order. */
export function disciplineValues(p: DisciplineParams): unknown[] {
  // Without a filter, a scoped viewer's report starts at the units they head.
  const roots = p.unitId ? [p.unitId] : p.scope.roots
  return [p.period.fromAt, p.period.toAt, p.now, roots, p.scope.roots]
}

interface Row {
  tree_units?: number
  root_name?: string | null
  unit_id: string | null
  unit_name: string
  unit_code: string
  parent_id: string | null
  depth: number
  executor_id: string | null
  executor_name: string | null
  assigned: number
  done_on_time: number
  done_late: number
  overdue: number
  open: number
  extended: number
  cancelled: number
}

const ZERO: Omit<Figures, 'onTimeRate'> = { assigned: 0, doneOnTime: 0, doneLate: 0, overdue: 0, open: 0, extended: 0, cancelled: 0 }
type Counts = typeof ZERO

/** doneOnTime / (doneOnTime + doneLate + overdue), to four decimals; null before any outcome. */
export function onTimeRate(c: Counts): number | null {
  const decided = c.doneOnTime + c.doneLate + c.overdue
  return decided === 0 ? null : Math.round((c.doneOnTime / decided) * 10_000) / 10_000
}

const withRate = (c: Counts): Figures => ({ ...c, onTimeRate: onTimeRate(c) })

function add(into: Counts, c: Counts): void {
  into.assigned += c.assigned
  into.doneOnTime += c.doneOnTime
  into.doneLate += c.doneLate
  into.overdue += c.overdue
  into.open += c.open
  into.extended += c.extended
  into.cancelled += c.cancelled
}

const countsOf = (r: Row): Counts => ({
  assigned: r.assigned,
  doneOnTime: r.done_on_time,
  doneLate: r.done_late,
  overdue: r.overdue,
  open: r.open,
  extended: r.extended,
  cancelled: r.cancelled,
})

/**
 * Runs the report. An empty tree means the unit is unknown or outside the viewer's scope:
 * a scoped viewer gets 403 either way (existence is not revealed), others 404.
 */
export async function disciplineReport(pool: pg.Pool, p: DisciplineParams & { groupBy: GroupBy; rollup: boolean }): Promise<DisciplineOut> {
  const { rows } = await pool.query<Row>(disciplineSql(p.groupBy), disciplineValues(p))
  const treeUnits = p.groupBy === 'person' ? (rows[0]?.tree_units ?? 0) : rows.length
  if (treeUnits === 0) {
    if (p.scope.roots !== null) throw new AppError('FORBIDDEN', 'звіт доступний лише щодо підрозділів, якими ви керуєте, та підпорядкованих їм')
    throw new AppError('UNIT_NOT_FOUND')
  }
  const data = rows.filter((r) => r.unit_id !== null)
  const totals: Counts = { ...ZERO }
  for (const r of data) add(totals, countsOf(r))

  // Roll-up: rows come in tree order, so walking them backwards adds each unit's subtree to its parent.
  const counts = data.map(countsOf)
  if (p.rollup && p.groupBy === 'unit') {
    const at = new Map(data.map((r, i) => [r.unit_id!, i]))
    for (let i = data.length - 1; i >= 0; i--) {
      const parent = data[i]!.parent_id ? at.get(data[i]!.parent_id!) : undefined
      if (parent !== undefined && data[i]!.depth > 0) add(counts[parent]!, counts[i]!)
    }
  }

  const out: DisciplineRow[] = data.map((r, i) => ({
    unitId: r.unit_id!,
    unitName: r.unit_name,
    unitCode: r.unit_code,
    parentId: r.parent_id,
    depth: r.depth,
    executorId: r.executor_id,
    executorName: r.executor_name,
    ...withRate(counts[i]!),
  }))
  return {
    from: p.period.from,
    to: p.period.to,
    fromAt: p.period.fromAt.toISOString(),
    toAt: p.period.toAt.toISOString(),
    groupBy: p.groupBy,
    rollup: p.rollup && p.groupBy === 'unit',
    unitId: p.unitId,
    unitName: p.unitId ? ((p.groupBy === 'unit' ? data.find((r) => r.unit_id === p.unitId)?.unit_name : rows[0]?.root_name) ?? null) : null,
    generatedAt: p.now.toISOString(),
    rows: out,
    totals: withRate(totals),
  }
}
