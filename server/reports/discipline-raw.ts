import type { GroupBy } from './schemas.ts'

// NOT used by the product. The discipline report's statement as it was before assignment_tally
// (commit 3ce5f46): one pass over the period's rows of assignment, counted with FILTER clauses.
// It is the reference the tally-based statement in discipline.ts must agree with, figure for
// figure (tally.test.ts), and the baseline bench/report.ts times next to it (rawP95ms). Same
// parameters ($1 fromAt, $2 toAt, $3 now, $4 roots, $5 scope), same output rows. Keep it frozen:
// it states the report's semantics independently of the tally and its trigger.

const FIGURES = `
      count(*) FILTER (WHERE a.status <> 'cancelled')::int AS assigned,
      count(*) FILTER (WHERE a.status = 'done')::int AS done_on_time,
      count(*) FILTER (WHERE a.status = 'done_late')::int AS done_late,
      count(*) FILTER (WHERE a.status = 'overdue' OR (a.status IN ('new', 'in_work', 'on_check') AND a.due_at < $3))::int AS overdue,
      count(*) FILTER (WHERE a.status IN ('new', 'in_work', 'on_check') AND a.due_at >= $3)::int AS open,
      count(*) FILTER (WHERE a.status <> 'cancelled' AND a.due_at > a.original_due_at)::int AS extended,
      count(*) FILTER (WHERE a.status = 'cancelled')::int AS cancelled`

// The whole organisation (no filter, no scope): every assignment's unit is in the tree, so the
// unit test is left out. With the parameters known when planning (node-postgres sends unnamed
// statements, planned for their values), PostgreSQL folds this to true or false.
const WHOLE_TREE = '($4::uuid[] IS NULL AND $5::uuid[] IS NULL)'

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

const UNIT_SQL = `${TREE},
  agg AS (
    SELECT a.unit_id,${FIGURES}
      FROM assignment a
     WHERE a.issued_at >= $1 AND a.issued_at < $2
       AND (${WHOLE_TREE} OR a.unit_id IN (SELECT id FROM tree))
     GROUP BY a.unit_id
  )
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
const PERSON_SQL = `${TREE},
  agg AS (
    SELECT a.unit_id, a.executor_id,${FIGURES}
      FROM assignment a
     WHERE a.issued_at >= $1 AND a.issued_at < $2
       AND (${WHOLE_TREE} OR a.unit_id IN (SELECT id FROM tree))
     GROUP BY a.unit_id, a.executor_id
  )
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

/** The pre-tally statement's text for a grouping (aggregates assignment directly). */
export const rawDisciplineSql = (groupBy: GroupBy): string => (groupBy === 'person' ? PERSON_SQL : UNIT_SQL)
