import type pg from 'pg'
import { AppError } from '../errors.ts'
import type { Auth } from '../people/sessions.ts'
import type { Period } from './period.ts'
import { seesAllTitles, type ReportScope } from './scope.ts'
import type { ApprovalsOut, SlowStage, StageDurationRow } from './schemas.ts'

// How long approval stages take: stages finished (done or returned) in [from, to), duration
// from activation to finishing, per stage name and kind, and the slowest instances. One
// statement; a scoped viewer sees the stages of documents authored in their unit trees, and
// a unit filter keeps the documents authored in that unit's tree.
//
//   $1 fromAt, $2 toAt, $3 stage kind | null, $4 document kind | null, $5 scope roots | null,
//   $6 limit, $7 sees every title, $8 viewer id, $9 viewer's unit ids, $10 unit filter | null
const SQL = `
WITH RECURSIVE
  allowed(id) AS (
    SELECT u.id FROM unit u WHERE u.id = ANY($5::uuid[])
    UNION
    SELECT c.id FROM unit c JOIN allowed p ON c.parent_id = p.id
  ),
  filtered(id) AS (
    SELECT u.id FROM unit u WHERE u.id = $10::uuid
    UNION
    SELECT c.id FROM unit c JOIN filtered p ON c.parent_id = p.id
  ),
  st AS (
    SELECT s.id, s.name, s.kind, s.state::text AS state, s.activated_at, s.finished_at, s.due_at,
           d.id AS document_id,
           CASE WHEN d.access_mark = 'public' OR $7::boolean OR d.created_by_id = $8::uuid OR d.author_unit_id = ANY($9::uuid[]) THEN d.title END AS title,
           extract(epoch FROM (s.finished_at - s.activated_at))::float8 / 3600 AS hours,
           (s.due_at IS NOT NULL AND s.finished_at > s.due_at) AS late
      FROM approval_stage s
      JOIN approval a ON a.id = s.approval_id
      JOIN document d ON d.id = a.document_id
     WHERE s.state IN ('done', 'returned')
       AND s.activated_at IS NOT NULL
       AND s.finished_at >= $1 AND s.finished_at < $2
       AND ($3::text IS NULL OR s.kind = $3::text::"StageKind")
       AND ($4::text IS NULL OR d.kind::text = $4)
       AND ($5::uuid[] IS NULL OR d.author_unit_id IN (SELECT id FROM allowed))
       AND ($10::uuid IS NULL OR d.author_unit_id IN (SELECT id FROM filtered))
  ),
  per_stage AS (
    SELECT name, kind, count(*)::int AS finished, avg(hours) AS avg_hours,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hours) AS median_hours,
           count(*) FILTER (WHERE late)::int AS late
      FROM st GROUP BY name, kind
  ),
  slowest AS (SELECT * FROM st ORDER BY hours DESC, id LIMIT $6)
SELECT
  -- Whether the unit filter names a unit, and one the viewer may report on.
  ($10::uuid IS NULL OR EXISTS (SELECT 1 FROM unit WHERE id = $10::uuid)) AS unit_known,
  ($10::uuid IS NULL OR $5::uuid[] IS NULL OR $10::uuid IN (SELECT id FROM allowed)) AS unit_allowed,
  -- Stage kinds in route order (the enum's order: visa, expert review, legal review, signing, …).
  (SELECT coalesce(json_agg(json_build_object('name', name, 'kind', kind::text, 'finished', finished, 'avgHours', avg_hours, 'medianHours', median_hours, 'late', late)
                            ORDER BY kind, name), '[]'::json) FROM per_stage) AS stages,
  (SELECT json_build_object('finished', count(*), 'avgHours', avg(hours), 'medianHours', percentile_cont(0.5) WITHIN GROUP (ORDER BY hours),
                            'late', count(*) FILTER (WHERE late)) FROM st) AS totals,
  (SELECT coalesce(json_agg(json_build_object(
            'stageId', x.id, 'documentId', x.document_id, 'documentTitle', x.title, 'stageName', x.name, 'kind', x.kind::text, 'state', x.state,
            'activatedAt', x.activated_at, 'finishedAt', x.finished_at, 'dueAt', x.due_at, 'hours', x.hours, 'late', x.late,
            'who', coalesce(
              (SELECT array_agg(v.full_name ORDER BY v.at) FROM visa v WHERE v.stage_id = x.id AND v.at >= x.activated_at AND v.at <= x.finished_at),
              (SELECT array_agg(p.title ORDER BY p.sort_order, p.title) FROM approval_participant ap JOIN position p ON p.id = ap.position_id WHERE ap.stage_id = x.id),
              '{}'::text[]))
          ORDER BY x.hours DESC, x.id), '[]'::json) FROM slowest x) AS slowest`

interface Raw {
  unit_known: boolean
  unit_allowed: boolean
  stages: { name: string; kind: StageDurationRow['kind']; finished: number; avgHours: number; medianHours: number; late: number }[]
  totals: { finished: number; avgHours: number | null; medianHours: number | null; late: number }
  slowest: (Omit<SlowStage, 'activatedAt' | 'finishedAt' | 'dueAt'> & { activatedAt: string; finishedAt: string; dueAt: string | null })[]
}

const hours = (h: number) => Math.round(h * 100) / 100
const iso = (s: string) => new Date(s).toISOString()

/**
 * Runs the report. A unit filter outside a scoped viewer's units is a 403 whether or not the
 * unit exists (as in the discipline report); an unknown unit is a 404 for the others.
 */
export async function approvalsReport(
  pool: pg.Pool,
  auth: Auth,
  p: { period: Period; scope: ReportScope; unitId: string | null; kind: string | null; documentKind: string | null; limit: number; now: Date },
): Promise<ApprovalsOut> {
  const unitIds = [...new Set(auth.positions.map((x) => x.unitId))]
  const { rows } = await pool.query<Raw>(SQL, [p.period.fromAt, p.period.toAt, p.kind, p.documentKind, p.scope.roots, p.limit, seesAllTitles(auth), auth.userId, unitIds, p.unitId])
  const r = rows[0]!
  if (!r.unit_allowed || (!r.unit_known && p.scope.roots !== null)) throw new AppError('FORBIDDEN', 'звіт доступний лише щодо підрозділів, якими ви керуєте, та підпорядкованих їм')
  if (!r.unit_known) throw new AppError('UNIT_NOT_FOUND')
  return {
    from: p.period.from,
    to: p.period.to,
    generatedAt: p.now.toISOString(),
    stages: r.stages.map((s) => ({ ...s, avgHours: hours(s.avgHours), medianHours: hours(s.medianHours), lateShare: s.finished ? Math.round((s.late / s.finished) * 10_000) / 10_000 : 0 })),
    totals: {
      finished: r.totals.finished,
      avgHours: r.totals.avgHours === null ? null : hours(r.totals.avgHours),
      medianHours: r.totals.medianHours === null ? null : hours(r.totals.medianHours),
      late: r.totals.late,
    },
    slowest: r.slowest.map((s) => ({ ...s, hours: hours(s.hours), activatedAt: iso(s.activatedAt), finishedAt: iso(s.finishedAt), dueAt: s.dueAt ? iso(s.dueAt) : null })),
  }
}
