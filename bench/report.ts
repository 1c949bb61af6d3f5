/**
 * Report benchmark (issue 5 §6): the execution-discipline report over 1,000,000 assignments,
 * GET /api/reports/discipline through the product (HTTP, a signed-in deputy mayor, who sees
 * the whole organisation), against the very same statement run as bare SQL on a pg Pool in
 * this process, in the same run: the same text (disciplineSql), the same parameters
 * (disciplineValues), the same concurrency, alternating bare/ours rounds.
 *
 * The product's statement sums pre-aggregated counts (assignment_tally, kept by a trigger on
 * assignment) plus the period's open assignments read live. For transparency a third side,
 * `raw`, times the statement the product ran before the tally (server/reports/discipline-raw.ts:
 * the period's rows of assignment aggregated on every request) with the same parameters, in the
 * same alternating rounds; it must give exactly the same rows, or the run fails.
 *
 *   npx tsx bench/report.ts [--assignments=1000000] [--days=730] [--staff=400] [--from=YYYY-MM-DD] [--to=YYYY-MM-DD] [--groupBy=person]
 *                           [--sequential=100] [--concurrency=4] [--requests=200] [--rounds=3] [--warmup=30] [--verbose]
 *
 * The assignments are issued over the `days` days before now; the default period is the last
 * full calendar quarter before today (Kyiv), the one a quarterly control report covers.
 * Two phases, each in alternating rounds: repeated requests one at a time (`sequential`: the
 * latency of a report request, as a head opening the page sees it), then `concurrency` at once
 * (`concurrent`). Latency percentiles are exact (every request timed). `ratio` = bare time per
 * request / ours under concurrency (median of rounds; target >= 0.5); `p95ms` = our p95 one at
 * a time (target < 200); `rawP95ms` = the pre-tally statement's p95 one at a time, as bare SQL
 * (what the report would cost without the tally); both phases' full figures are in the result.
 * `bareCpuMs` (and `rawCpuMs`) is the statement's CPU time in one PostgreSQL backend, which does not depend on
 * how busy the machine is, and `loadAverage` the 1-minute load when the rounds ended: wall
 * times on a shared machine are only comparable together with it.
 * Last stdout line: the JSON result.
 */
import { loadavg } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { disciplineSql, disciplineValues } from '../server/reports/discipline.ts'
import { rawDisciplineSql } from '../server/reports/discipline-raw.ts'
import { parsePeriod } from '../server/reports/period.ts'
import type { DisciplineOut, GroupBy } from '../server/reports/schemas.ts'
import { fillDatabase } from './report-data.ts'
import { log, login, makeTempRoot, median, onCleanup, parseArgs, round, runBench, startPostgres, startServer } from './lib.ts'
import { backendCpuMs, lastQuarter, load, type LoadRun } from './report-load.ts'

const args = parseArgs({ assignments: 1_000_000, days: 730, staff: 400, from: '', to: '', groupBy: 'person', concurrency: 4, requests: 200, sequential: 100, rounds: 3, warmup: 30, verbose: false })
const GROUP_BY = args.groupBy as GroupBy
if (GROUP_BY !== 'unit' && GROUP_BY !== 'person') throw new Error('--groupBy is unit or person')
const CONCURRENCY = Math.floor(args.concurrency)
const REQUESTS = Math.floor(args.requests)
const SEQUENTIAL = Math.floor(args.sequential)
const VIEWER = 'deputy'

runBench('report', async () => {
  const period = args.from && args.to ? parsePeriod(args.from, args.to) : lastQuarter(new Date())
  log(
    `report benchmark: ${args.assignments} assignments over ${args.days} days; period ${period.from} .. ${period.lastDay}, by ${GROUP_BY}; ` +
      `${args.rounds} rounds of ${SEQUENTIAL} requests one at a time, then of ${REQUESTS} requests ${CONCURRENCY} at once (bare, ours alternating)`,
  )
  const root = makeTempRoot('report')
  // Room for the load's WAL without a checkpoint in the middle of it; nothing else differs from the defaults.
  const pgh = await startPostgres(join(root, 'pg'), { max_wal_size: '4GB' })
  const fill = await fillDatabase(pgh.url, { assignments: Math.floor(args.assignments), staff: Math.floor(args.staff), days: Math.floor(args.days) })

  const { baseUrl } = await startServer({ databaseUrl: pgh.url, dataDir: join(root, 'data') })
  const session = await login(baseUrl, VIEWER)
  log(`signed in as ${VIEWER} (roles ${session.roles.join(', ')})`)

  // The bare side: the product's statement and parameters for this viewer (whole organisation:
  // scope roots null), on a pool as large as the product's.
  const pool = new pg.Pool({ connectionString: pgh.url, max: 10 })
  onCleanup('close the bare pool', () => pool.end())
  const now = new Date()
  const sql = disciplineSql(GROUP_BY)
  const values = disciplineValues({ period, now, unitId: null, scope: { roots: null } })
  const bare = async () => {
    const r = await pool.query(sql, values)
    return r.rowCount ?? 0
  }
  // The reference: the pre-tally statement, aggregating the period's assignment rows.
  const rawSql = rawDisciplineSql(GROUP_BY)
  const raw = async () => {
    const r = await pool.query(rawSql, values)
    return r.rowCount ?? 0
  }
  const url = `${baseUrl}/api/reports/discipline?from=${period.from}&to=${period.to}&groupBy=${GROUP_BY}`
  const headers = { cookie: session.cookie, accept: 'application/json' }
  const ours = async () => {
    const res = await fetch(url, { headers })
    const body = await res.arrayBuffer()
    if (res.status !== 200) throw new Error(`GET ${url}: HTTP ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 300)}`)
    return body.byteLength
  }

  // Both must count the same assignments, or the comparison is meaningless.
  const report = (await (await fetch(url, { headers })).json()) as DisciplineOut
  const { rows } = await pool.query<{ unit_id: string | null; assigned: number; done_late: number; overdue: number; extended: number }>(sql, values)
  const bareRows = rows.filter((r) => r.unit_id !== null)
  const sum = (k: 'assigned' | 'done_late' | 'overdue' | 'extended') => bareRows.reduce((n, r) => n + r[k], 0)
  const same =
    report.rows.length === bareRows.length &&
    report.totals.assigned === sum('assigned') &&
    report.totals.doneLate === sum('done_late') &&
    report.totals.overdue === sum('overdue') &&
    report.totals.extended === sum('extended')
  if (!same) throw new Error(`ours and bare disagree: ${report.rows.length} rows, totals ${JSON.stringify(report.totals)} vs ${bareRows.length} rows, assigned ${sum('assigned')}`)
  // The tally must give exactly what aggregating assignment gives: every row, every figure.
  const { rows: rawRows } = await pool.query(rawSql, values)
  if (JSON.stringify(rawRows) !== JSON.stringify(rows)) {
    const diff = rows.findIndex((r, i) => JSON.stringify(r) !== JSON.stringify(rawRows[i]))
    throw new Error(`the tally and the raw aggregate disagree (${rows.length} vs ${rawRows.length} rows; first difference at row ${diff}: ${JSON.stringify(rows[diff])} vs ${JSON.stringify(rawRows[diff])})`)
  }
  if (report.totals.assigned === 0) throw new Error('the period holds no assignments: nothing is measured')
  const { rows: inTable } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM assignment')
  log(
    `all three (ours, bare, raw) give ${bareRows.length} rows with the same figures; the period holds ${report.totals.assigned} of ${inTable[0]!.n} assignments ` +
      `(on time ${report.totals.doneOnTime}, late ${report.totals.doneLate}, overdue ${report.totals.overdue}, extended ${report.totals.extended}); ` +
      `our answer is ${Buffer.byteLength(JSON.stringify(report))} bytes of JSON`,
  )

  await load(bare, CONCURRENCY, Math.floor(args.warmup))
  await load(ours, CONCURRENCY, Math.floor(args.warmup))
  await load(raw, CONCURRENCY, Math.floor(args.warmup))
  log(`warm-up done (${args.warmup} requests each)`)

  const show = (r: LoadRun) => `mean ${r.meanMs.toFixed(1)} ms, p50 ${r.p50Ms.toFixed(1)} ms, p95 ${r.p95Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, ${r.rps.toFixed(1)} req/s`
  /** Alternating rounds, bare first, then ours, then raw; the medians of the rounds' figures, and the ratio of mean times. */
  async function phase(name: string, concurrency: number, requests: number) {
    const bareRuns: LoadRun[] = []
    const ourRuns: LoadRun[] = []
    const rawRuns: LoadRun[] = []
    for (let i = 1; i <= args.rounds; i++) {
      const b = await load(bare, concurrency, requests)
      bareRuns.push(b)
      log(`${name} round ${i}/${args.rounds} bare: ${show(b)}`)
      const o = await load(ours, concurrency, requests)
      ourRuns.push(o)
      log(`${name} round ${i}/${args.rounds} ours: ${show(o)}`)
      const r = await load(raw, concurrency, requests)
      rawRuns.push(r)
      log(`${name} round ${i}/${args.rounds} raw (pre-tally statement, bare SQL): ${show(r)}`)
    }
    const m = (runs: LoadRun[], k: keyof LoadRun) => round(median(runs.map((r) => r[k])), 1)
    return {
      concurrency,
      requests: requests * args.rounds,
      // Time per request under the same concurrency, round by round; the median round's ratio.
      ratio: round(median(ourRuns.map((o, i) => bareRuns[i]!.meanMs / o.meanMs)), 3),
      p50ms: m(ourRuns, 'p50Ms'),
      p95ms: m(ourRuns, 'p95Ms'),
      p99ms: m(ourRuns, 'p99Ms'),
      bareP50Ms: m(bareRuns, 'p50Ms'),
      bareP95Ms: m(bareRuns, 'p95Ms'),
      ourRps: m(ourRuns, 'rps'),
      bareRps: m(bareRuns, 'rps'),
      rawP50Ms: m(rawRuns, 'p50Ms'),
      rawP95Ms: m(rawRuns, 'p95Ms'),
      rawRps: m(rawRuns, 'rps'),
    }
  }

  // One request at a time (a head opening the report), then several at once.
  const sequential = await phase('one at a time:', 1, SEQUENTIAL)
  const concurrent = await phase(`${CONCURRENCY} at once:`, CONCURRENCY, REQUESTS)

  // What the statement costs in CPU, apart from waiting for a core on a busy machine.
  const client = new pg.Client({ connectionString: pgh.url })
  await client.connect()
  const cpu = await backendCpuMs(client, sql, values)
  const rawCpu = await backendCpuMs(client, rawSql, values).finally(() => client.end())
  const load1 = loadavg()[0]!
  const ms = (x: number | null) => (x === null ? 'unknown' : x.toFixed(1))
  log(`the statement takes ${ms(cpu)} ms of CPU per run in one backend (no parallel workers), the pre-tally one ${ms(rawCpu)} ms; load average ${load1.toFixed(2)} on this machine`)

  const result = {
    bench: 'report',
    assignments: fill.assignments,
    extensions: fill.extensions,
    period: { from: period.from, to: period.to, assignments: report.totals.assigned },
    groupBy: GROUP_BY,
    rows: report.rows.length,
    // The two headline figures: ratio under concurrency, p95 of a report request on its own.
    ratio: concurrent.ratio,
    p95ms: sequential.p95ms,
    // For comparison only: the pre-tally statement's p95 one at a time, as bare SQL.
    rawP95ms: sequential.rawP95Ms,
    sequential,
    concurrent,
    bareCpuMs: cpu === null ? null : round(cpu, 1),
    rawCpuMs: rawCpu === null ? null : round(rawCpu, 1),
    tallyRows: fill.tallyRows,
    loadAverage: round(load1, 2),
    fillMs: fill.ms,
    target: { ratio: '>=0.5', p95ms: '<200' },
  }
  log(
    `one at a time: ours p50 ${sequential.p50ms} ms, p95 ${sequential.p95ms} ms (target < 200), bare p95 ${sequential.bareP95Ms} ms, ratio ${sequential.ratio}, ` +
      `pre-tally statement p95 ${sequential.rawP95Ms} ms; ` +
      `${CONCURRENCY} at once: ours p95 ${concurrent.p95ms} ms, bare p95 ${concurrent.bareP95Ms} ms, ratio ${concurrent.ratio} (target >= 0.5)`,
  )
  return result
})
