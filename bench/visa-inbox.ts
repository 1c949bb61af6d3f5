/**
 * The «Сьогодні» inbox query of bench/visa.ts on its own, for finding out why it is slow and
 * trying remedies: builds the same history (visa-data.ts) once in a cluster kept under --dir
 * (reused by later runs: delete the folder to regenerate), then for each inbox user runs the
 * product's inbox SQL (server/approvals/inbox.ts) --requests times straight through pg and
 * prints p50/p95, the EXPLAIN ANALYZE of the slowest, and the same for each experiment
 * (candidate indexes, created and dropped again, and candidate rewrites of the query). Each
 * variant must return exactly the product query's rows. Wall-clock figures depend on what
 * else the machine runs; the backend's CPU per query (from /proc) and the buffer hits do not.
 *
 *   npx tsx bench/visa-inbox.ts [--dir=/tmp/hromada-visa-inbox] [--docs=100000] [--audit=1000000]
 *                               [--requests=100] [--plans] [--only=name,name]
 *
 * Prints one JSON line: per experiment, the p95 over all users (ms) and per user.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts'
import { migrate } from '../server/db/migrate.ts'
import { log, onCleanup, parseArgs, round, runBench } from './lib.ts'
import { checkInvariants, generateHistory, inboxSql, openWorld } from './visa-data.ts'

const args = parseArgs({ dir: '/tmp/hromada-visa-inbox', docs: 100_000, audit: 1_000_000, approvers: 40, requests: 100, plans: false, only: '' })
const USERS = ['deputy', 'mayor', 'legal', 'expert', 'head.housing', 'it.staff']

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN
}


/** CPU ticks (1/100 s) a process has used, from /proc. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12])
}

interface Experiment {
  name: string
  what: string
  setup?: string[]
  teardown?: string[]
  /** Another query text with $1 = user id, $2 = now; default the product's. */
  sql?: string
}

// The variants tried here earlier (tasks from an open flag per participant through a
// (position, open) index; returned drafts found from their authors) are what the product now
// runs (server/approvals/inbox.ts, since the commit that added approval_participant.open).
// Add new variants here to try them against it; each must answer exactly the product's rows.
const EXPERIMENTS: Experiment[] = [{ name: 'product', what: 'the product’s query and indexes as they are' }]

runBench('visa-inbox', async () => {
  const only = args.only ? new Set(args.only.split(',')) : null
  mkdirSync(args.dir, { recursive: true })
  const pgh = await startEmbeddedPostgres({ dir: join(args.dir, 'pg'), database: 'hromada_bench', log: () => {}, settings: { max_connections: '100' } })
  onCleanup('stop PostgreSQL', () => pgh.stop())
  await migrate(pgh.url)
  const w = await openWorld(pgh.url, args.approvers)
  onCleanup('close the generator’s connections', () => w.close())
  const { rows: count } = await w.client.query<{ n: string }>('SELECT count(*) AS n FROM document')
  if (Number(count[0]!.n) === 0) {
    log(`generating ${args.docs} documents and ${args.audit} audit events under ${args.dir} (kept for later runs)`)
    const started = Date.now()
    await generateHistory(w, args.docs, args.audit)
    await checkInvariants(w.client)
    log(`generated in ${((Date.now() - started) / 1000).toFixed(0)} s`)
  } else log(`reusing the data under ${args.dir} (${count[0]!.n} documents)`)
  const c = new pg.Client({ connectionString: pgh.url })
  await c.connect()
  onCleanup('close', () => c.end())
  const backend = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid

  const { rows: users } = await c.query<{ id: string; login: string }>('SELECT id, login FROM app_user WHERE login = ANY($1)', [USERS])
  const idOf = new Map(users.map((u) => [u.login, u.id]))
  const now = new Date()
  const result: Record<string, unknown> = { bench: 'visa-inbox', docs: Number(count[0]!.n) }
  const reference = new Map<string, string>()
  for (const ex of EXPERIMENTS) {
    if (only && !only.has(ex.name)) continue
    for (const s of ex.setup ?? []) await c.query(s)
    if (ex.setup) await c.query('ANALYZE approval_stage; ANALYZE approval; ANALYZE approval_participant')
    try {
      const all: number[] = []
      const per: Record<string, { rows: number; p50: number; p95: number; cpuMs: number; execMs: number; bufferHits: number }> = {}
      const cpus: number[] = []
      for (const login of USERS) {
        const userId = idOf.get(login)!
        const q = ex.sql ? { text: ex.sql, values: [userId, now] } : await inboxSql(userId, now)
        const run = () => c.query({ text: q.text, values: q.values })
        for (let i = 0; i < 10; i++) await run()
        const lat: number[] = []
        let rows: Record<string, unknown>[] = []
        const ticks0 = cpuTicks(backend)
        for (let i = 0; i < args.requests; i++) {
          const t = performance.now()
          rows = (await run()).rows
          lat.push(performance.now() - t)
        }
        const cpuMs = round(((cpuTicks(backend) - ticks0) * 10) / args.requests)
        // Every variant must answer exactly what the product's query answers.
        const canon = JSON.stringify(rows.map((r) => JSON.stringify(r)).sort())
        if (!reference.has(login)) reference.set(login, canon)
        else if (reference.get(login) !== canon) throw new Error(`${ex.name}: the inbox of ${login} differs from the product query's`)
        const explain = await c.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, values: q.values })
        const plan = explain.rows.map((x) => x['QUERY PLAN'])
        const execMs = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1])
        const hits = Number(/Buffers: shared hit=(\d+)/.exec(plan.join('\n'))?.[1])
        per[login] = { rows: rows.length, p50: round(pct(lat, 50)), p95: round(pct(lat, 95)), cpuMs, execMs, bufferHits: hits }
        all.push(...lat)
        cpus.push(cpuMs)
        log(`${ex.name.padEnd(28)} ${login.padEnd(12)} ${String(rows.length).padStart(5)} rows: p50 ${per[login].p50} ms, p95 ${per[login].p95} ms, backend CPU ${cpuMs} ms per query (EXPLAIN ANALYZE ${execMs} ms, ${hits} buffer hits)`)
        if (args.plans) log(`plan:\n${plan.join('\n')}`)
      }
      const cpuMean = round(cpus.reduce((a, b) => a + b, 0) / cpus.length)
      result[ex.name] = { what: ex.what, p50: round(pct(all, 50)), p95: round(pct(all, 95)), cpuMsMean: cpuMean, per }
      log(`${ex.name}: all users p50 ${round(pct(all, 50))} ms, p95 ${round(pct(all, 95))} ms, backend CPU ${cpuMean} ms per query on average (1-minute load average ${loadavg()[0]!.toFixed(1)})`)
    } finally {
      for (const s of ex.teardown ?? []) await c.query(s)
    }
  }
  return result
})
