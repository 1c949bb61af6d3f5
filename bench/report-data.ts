/**
 * Test data for bench/report.ts: the seeded organisation, `staff` extra executors spread over
 * its units (the seed has only a score of people; a council has hundreds), and `count`
 * assignments issued over the `days` days before now, with a realistic mix of statuses and
 * extensions. Everything is bulk SQL (INSERT … SELECT generate_series), deterministic
 * (setseed) apart from ids and now(); indexes are dropped for the load and rebuilt after it,
 * with their own definitions, which is several times faster than maintaining them row by row.
 * The load runs with session_replication_role = replica, which also skips the trigger that keeps
 * assignment_tally (the discipline report's counts); the tally is then rebuilt in one GROUP BY by
 * assignment_tally_rebuild(), the migration's own backfill, which gives what the trigger would
 * have (server/reports/tally.test.ts checks both against assignment) in a second or two instead
 * of a million row-by-row upserts.
 */
import pg from 'pg'
import { log, seedDemo } from './lib.ts'

const SURNAMES = ['Бондаренко', 'Ковальчук', 'Шевченко', 'Мельничук', 'Кравченко', 'Олійник', 'Лисенко', 'Гуменюк', 'Петрук', 'Симоненко', 'Павлишин', 'Федорович', 'Гнатів', 'Дячук', 'Стасюк', 'Кушнір']
const NAMES = ['Олена Петрівна', 'Андрій Іванович', 'Марія Василівна', 'Богдан Миколайович', 'Ірина Степанівна', 'Тарас Романович', 'Наталія Ігорівна', 'Юрій Олегович', 'Софія Андріївна', 'Василь Богданович']
const TEXTS = [
  'Підготувати проєкт рішення виконавчого комітету та подати на погодження',
  'Надати інформацію про стан виконання програми за квартал',
  'Розглянути звернення та надати заявникові відповідь у встановлений строк',
  'Забезпечити оприлюднення рішення на офіційному вебсайті міської ради',
  'Опрацювати лист обласної військової адміністрації та підготувати пропозиції',
  'Провести інвентаризацію комп’ютерної техніки та подати звіт',
  'Підготувати відповідь на запит на публічну інформацію',
  'Взяти участь у засіданні робочої групи та подати протокол',
]

const STAFF_SQL = `
WITH units AS MATERIALIZED (SELECT (row_number() OVER (ORDER BY code))::int AS i, id FROM unit WHERE archived_at IS NULL),
     n AS (SELECT count(*)::int AS c FROM units)
INSERT INTO app_user (id, login, password_hash, full_name, active, created_at, updated_at)
SELECT gen_random_uuid(), 'bench.staff.' || s, '!', ($1::text[])[1 + (s % array_length($1::text[], 1))] || ' ' || ($2::text[])[1 + (s / array_length($1::text[], 1)) % array_length($2::text[], 1)] || ' (' || s || ')',
       true, now(), now()
  FROM generate_series(1, $3::int) AS s`

// Executors: every position holder in their unit, plus the bench's extra staff, each given a
// home unit (round robin, so every unit has people). Assignments are issued in time order, as
// a live system writes them, over the last `days` days. Statuses follow the deadline: most past
// ones closed (on time far more often than late), some still open past their deadline (the
// report counts them overdue), future ones mostly at work; 4% cancelled anywhere. About 6%
// asked for more time: two thirds granted (the deadline moved a week on, as the service does),
// the rest refused or pending. One statement writes both tables from the same generated rows.
const ASSIGNMENTS_SQL = `
WITH units AS MATERIALIZED (SELECT (row_number() OVER (ORDER BY code))::int AS i, id FROM unit WHERE archived_at IS NULL),
     nu AS (SELECT count(*)::int AS c FROM units),
people AS MATERIALIZED (
  SELECT (row_number() OVER (ORDER BY x.user_id, x.unit_id))::int AS i, x.user_id, x.unit_id FROM (
    SELECT DISTINCT ph.user_id, p.unit_id FROM position_holder ph JOIN position p ON p.id = ph.position_id
    UNION ALL
    SELECT u.id, un.id FROM app_user u JOIN nu ON true JOIN units un ON un.i = 1 + (substring(u.login FROM 13)::int % nu.c) WHERE u.login LIKE 'bench.staff.%'
  ) x
),
-- Arrays, not joins: a hash join could hand the rows over in another order than issued.
pa AS (SELECT array_agg(user_id ORDER BY i) AS users, array_agg(unit_id ORDER BY i) AS units, count(*)::int AS n FROM people),
g AS (
  SELECT gen_random_uuid() AS id, random() AS r_who, random() AS r_ctl, random() AS r_text, random() AS r_status, random() AS r_ext,
         now() - ($2::int * interval '1 day') * (1 - (s - random()) / $1::int) AS issued_at, 3 + floor(random() * 28)::int AS term
    FROM generate_series(1, $1::int) AS s
),
d AS MATERIALIZED (
  SELECT g.*, pa.users[w.who] AS executor_id, pa.units[w.who] AS unit_id, pa.users[1 + floor(g.r_ctl * least(pa.n, 20))::int] AS controller_id,
         g.issued_at + g.term * interval '1 day' AS original_due_at,
         g.issued_at + g.term * interval '1 day' + CASE WHEN g.r_ext < 0.04 THEN interval '7 days' ELSE interval '0' END AS due_at,
         CASE WHEN g.r_ext < 0.04 THEN 'granted' WHEN g.r_ext < 0.055 THEN 'refused' WHEN g.r_ext < 0.06 THEN 'pending' END AS ext
    FROM g CROSS JOIN pa CROSS JOIN LATERAL (SELECT 1 + floor(g.r_who * pa.n)::int AS who) w
),
a AS (
  INSERT INTO assignment (id, root_id, text, issued_by_id, executor_id, unit_id, controller_id, starts_on, term_days, due_at, original_due_at,
                          status, issued_at, started_at, reported_at, closed_at, cancelled_at)
  SELECT d.id, d.id, ($3::text[])[1 + floor(d.r_text * array_length($3::text[], 1))::int],
         d.controller_id, d.executor_id, d.unit_id, d.controller_id, (d.issued_at AT TIME ZONE 'Europe/Kyiv')::date, d.term, d.due_at, d.original_due_at,
         s.status::"AssignmentStatus", d.issued_at,
         CASE WHEN s.status NOT IN ('new', 'cancelled') THEN d.issued_at + interval '1 day' END,
         CASE WHEN s.status IN ('on_check', 'done', 'done_late') THEN least(now(), d.due_at + CASE WHEN s.status = 'done_late' THEN interval '2 days' ELSE interval '-1 day' END) END,
         CASE WHEN s.status IN ('done', 'done_late') THEN least(now(), d.due_at + CASE WHEN s.status = 'done_late' THEN interval '3 days' ELSE interval '-12 hours' END) END,
         CASE WHEN s.status = 'cancelled' THEN d.issued_at + interval '2 days' END
    FROM d
    CROSS JOIN LATERAL (SELECT CASE
        WHEN d.r_status < 0.04 THEN 'cancelled'
        WHEN d.due_at < now() THEN CASE WHEN d.r_status < 0.74 THEN 'done' WHEN d.r_status < 0.88 THEN 'done_late' WHEN d.r_status < 0.95 THEN 'overdue' WHEN d.r_status < 0.98 THEN 'in_work' ELSE 'on_check' END
        ELSE CASE WHEN d.r_status < 0.30 THEN 'new' WHEN d.r_status < 0.70 THEN 'in_work' WHEN d.r_status < 0.85 THEN 'on_check' ELSE 'done' END
      END AS status) s
  RETURNING 1
),
e AS (
  INSERT INTO extension (id, assignment_id, requested_by_id, reason, previous_due_at, requested_due_at, status, decided_by_id, decided_at, created_at)
  SELECT gen_random_uuid(), d.id, d.executor_id, 'Потрібно більше часу для погодження з іншими підрозділами', d.original_due_at, d.original_due_at + interval '7 days',
         d.ext::"ExtensionStatus", CASE WHEN d.ext <> 'pending' THEN d.controller_id END, CASE WHEN d.ext <> 'pending' THEN d.issued_at + interval '2 days' END,
         d.issued_at + interval '1 day'
    FROM d WHERE d.ext IS NOT NULL
  RETURNING 1
)
SELECT (SELECT count(*) FROM a)::int AS assignments, (SELECT count(*) FROM e)::int AS extensions`

export interface FillResult {
  assignments: number
  extensions: number
  staff: number
  /** Rows of assignment_tally after the load (settled assignments by day, unit, executor, status, extended). */
  tallyRows: number
  ms: number
}

/** Seeds the organisation like a first start, then bulk-loads staff, assignments and extensions. */
export async function fillDatabase(databaseUrl: string, opts: { assignments: number; staff: number; days: number }): Promise<FillResult> {
  await seedDemo(databaseUrl)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const started = Date.now()
    await client.query("SET maintenance_work_mem = '256MB'")
    await client.query('BEGIN')
    // The rows are consistent by construction (every id comes from the tables themselves), so the
    // foreign-key triggers, three lookups per row, are skipped for the load (superuser, this session only).
    await client.query("SET LOCAL session_replication_role = 'replica'")
    await client.query('SELECT setseed(0.4242)')
    // Secondary indexes of the two tables, as the migrations made them, rebuilt after the load.
    const { rows: indexes } = await client.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename IN ('assignment', 'extension') AND indexname NOT LIKE '%_pkey'`,
    )
    for (const i of indexes) await client.query(`DROP INDEX "${i.name}"`)
    const staff = await client.query(STAFF_SQL, [SURNAMES, NAMES, opts.staff])
    const { rows: [counts] } = await client.query<{ assignments: number; extensions: number }>(ASSIGNMENTS_SQL, [opts.assignments, opts.days, TEXTS])
    const loaded = Date.now()
    for (const i of indexes) await client.query(i.def)
    const indexed = Date.now()
    await client.query('SELECT assignment_tally_rebuild()')
    await client.query('COMMIT')
    const tallied = Date.now()
    // VACUUM sets the visibility map (index-only scans), ANALYZE the statistics.
    await client.query('VACUUM ANALYZE')
    const { rows: [tally] } = await client.query<{ rows: number }>('SELECT count(*)::int AS rows FROM assignment_tally')
    const result = { assignments: counts!.assignments, extensions: counts!.extensions, staff: staff.rowCount ?? 0, tallyRows: tally!.rows, ms: Date.now() - started }
    log(`load ${loaded - started} ms, indexes ${indexed - loaded} ms, assignment_tally ${tallied - indexed} ms (${tally!.rows} rows), VACUUM ANALYZE ${Date.now() - tallied} ms`)
    const { rows } = await client.query<{ status: string; n: string }>('SELECT status::text, count(*) AS n FROM assignment GROUP BY 1 ORDER BY 1')
    log(
      `inserted ${result.staff} staff, ${result.assignments} assignments (${rows.map((r) => `${r.status} ${r.n}`).join(', ')}) and ` +
        `${result.extensions} extensions in ${result.ms} ms, ${indexes.length} indexes rebuilt; VACUUM ANALYZE done`,
    )
    return result
  } finally {
    await client.end()
  }
}
