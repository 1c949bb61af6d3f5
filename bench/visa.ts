/**
 * Visa benchmark: N approvers give their visas at once through the API
 * (POST /api/approvals/:id/decisions) against a bare SQL transaction per visa doing the same
 * writes from N pg connections, alternating rounds; and the latency of GET /api/inbox with
 * --docs documents and --audit audit events in the database.
 *
 *   npx tsx bench/visa.ts [--docs=100000] [--audit=1000000] [--approvers=40] [--waves=10] [--rounds=3]
 *                         [--warmup=2] [--inboxRequests=200] [--inboxWarmup=20] [--diagnose] [--pg=name=value,...]
 *                         [--profile=<dir>] [--verbose]
 *
 * --diagnose loads pg_stat_statements and, after the timed rounds, runs one more wave each way
 * to report per visa: the statements and PostgreSQL's time for them (with the generic plan's
 * sequential scans of costly reads), WAL bytes and full-page images, blocks read and hit, and
 * what the busy backends were waiting on (sampled from pg_stat_activity).
 * --pg passes PostgreSQL settings (e.g. --pg=shared_buffers=1GB) for experiments.
 * --profile writes a V8 CPU profile of the server (node --cpu-prof) into that folder when it stops.
 *
 * Each approver is the head of a unit of their own (bench units, see visa-data.ts); each wave
 * gives every approver a fresh approval whose active stage (the author's unit head) awaits
 * them, and all N visas are sent at once; a round is --waves waves (plus --warmup untimed
 * waves per side first). Ours counts HTTP 200 answers only (anything else fails the run).
 * Bare runs, per visa, BEGIN; SELECT ... FOR UPDATE of the approval; one statement for the
 * visa and the transition's rows (the visa INSERT; stages: done, next active with its
 * working-day deadline; the participants' inbox flags; the approval, the document's status
 * does not change inside a running route; both audit events into audit_outbox, chained into
 * audit_event by the deferred trigger at COMMIT; the reminder and overdue jobs in one
 * graphile_worker.add_jobs); one statement for the notifications, a send_email job per
 * notified person with an address and both live events; COMMIT: the writes of decide() in the
 * product's statements and order, values computed in this process, reading nothing else and
 * answering nothing. After the warm-up the bench checks
 * that a bare visa and an API visa leave identical rows behind (see signature()).
 * Bare uses N connections (one per approver); the server its own pool (10).
 *
 * The inbox is measured before the visa rounds, one request at a time for each of a few
 * users (6 x --inboxRequests), as the «Сьогодні» page asks for it (counts of all tasks and the
 * first page of them): API latency, the same SQL straight through pg, its plan, and
 * the CPU each request costs the server and PostgreSQL (from /proc; unlike latency, not
 * inflated by whatever else the machine runs; see loadAverage in the result).
 *
 * The history (visa-data.ts) takes several minutes at the default size. Its audit events are
 * chained in one bulk pass (visa-audit.ts); at the end the product's verifier recomputes the
 * whole chain, the bulk part and the visas' appends alike.
 *
 * Starts embedded PostgreSQL and the server (own process) in a temp folder and removes
 * everything afterwards. Progress on stderr; last stdout line: the JSON result.
 */
import { randomUUID } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { documentLink } from '../server/approvals/persist.ts'
import { addWorkingDays, reminderAt } from '../server/calendar/working-days.ts'
import { encodeEvent, EVENTS_CHANNEL } from '../server/notifications/notify.ts'
import { log, login, makeTempRoot, median, onCleanup, parseArgs, round, runBench, sleep, startPostgres, startServer, type Session } from './lib.ts'
import { verifyChain } from './visa-audit.ts'
import { checkInvariants, generateHistory, inboxSql, openWorld, prepareFresh, signature, validateAgainstServices, type BenchPair, type Driven, type World } from './visa-data.ts'

const args = parseArgs({ docs: 100_000, audit: 1_000_000, approvers: 40, waves: 10, rounds: 3, warmup: 2, inboxRequests: 200, inboxWarmup: 20, diagnose: false, pg: '', profile: '', verbose: false })
const DOCS = Math.floor(args.docs)
const AUDIT = Math.floor(args.audit)
const N = Math.floor(args.approvers)
const WAVES = Math.floor(args.waves)
const ROUNDS = Math.floor(args.rounds)
const WARMUP = Math.floor(args.warmup)
/** Approvers with running tasks (the deputy mayor takes part in nearly every route), reviewers, a unit head, and plain staff. */
const INBOX_USERS = ['deputy', 'mayor', 'legal', 'expert', 'head.housing', 'it.staff']

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (clock ticks; 100 per second on Linux)

const TICK_MS = 10
const cpus = availableParallelism()
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return 0
  }
}
/** CPU ticks of the postmaster's children (the backends, checkpointer, WAL writer...). */
function postgresTicks(postmaster: number): number {
  let sum = 0
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(f[1]) === postmaster) sum += Number(f[11]) + Number(f[12])
    } catch {
      // gone meanwhile
    }
  }
  return sum
}

// ---------------------------------------------------------------------------------------------
// The inbox

interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  Plans?: PlanNode[]
}
/** Scans in a plan that touch many rows: where the time goes. */
function bigScans(node: PlanNode, out: string[] = []): string[] {
  const rows = (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1)
  if (/Scan/.test(node['Node Type']) && node['Relation Name'] && rows >= 1000) out.push(`${node['Node Type']} on ${node['Relation Name']}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}: ${rows} rows`)
  for (const p of node.Plans ?? []) bigScans(p, out)
  return out
}

interface InboxResult {
  tasks: number
  p50: number
  p95: number
  sqlP50: number
  sqlP95: number
  /** CPU per request (load-independent): the server process, and PostgreSQL's processes. */
  cpuMs: { server: number; postgres: number }
  /** CPU of the backend per run of the SQL alone. */
  sqlCpuMs: number
  execMs: number
  planMs: number
  bigScans: string[]
}

async function measureInbox(baseUrl: string, w: World, serverPid: number, postmaster: number): Promise<{ byUser: Record<string, InboxResult>; all: number[]; sqlAll: number[]; worstPlan: string }> {
  const byUser: Record<string, InboxResult> = {}
  const { rows: me } = await w.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
  const backend = me[0]!.pid
  const all: number[] = []
  const sqlAll: number[] = []
  let worst = { p95: -1, plan: '' }
  for (const who of INBOX_USERS) {
    const s = await login(baseUrl, who)
    const get = async () => {
      const res = await fetch(`${baseUrl}/api/inbox`, { headers: { cookie: s.cookie } })
      const text = await res.text()
      if (res.status !== 200) throw new Error(`GET /api/inbox as ${who}: HTTP ${res.status} ${text.slice(0, 300)}`)
      return text
    }
    let body = ''
    for (let i = 0; i < args.inboxWarmup; i++) body = await get()
    const lat: number[] = []
    const server0 = cpuTicks(serverPid)
    const pg0 = postgresTicks(postmaster)
    for (let i = 0; i < args.inboxRequests; i++) {
      const t = performance.now()
      body = await get()
      lat.push(performance.now() - t)
    }
    const cpuMs = { server: round(((cpuTicks(serverPid) - server0) * TICK_MS) / args.inboxRequests), postgres: round(((postgresTicks(postmaster) - pg0) * TICK_MS) / args.inboxRequests) }
    const parsed = JSON.parse(body) as { counts: { toApprove: number; toReview: number; returned: number; overdue: number }; total: number; items: unknown[] }

    // The same SQL straight through pg, and its plan.
    const q = await inboxSql(s.user.id, new Date())
    const run = () => w.client.query({ text: q.text, values: q.values as unknown[] })
    for (let i = 0; i < args.inboxWarmup; i++) await run()
    const sqlLat: number[] = []
    let rows = 0
    const backend0 = cpuTicks(backend)
    for (let i = 0; i < args.inboxRequests; i++) {
      const t = performance.now()
      rows = (await run()).rowCount ?? 0
      sqlLat.push(performance.now() - t)
    }
    const sqlCpuMs = round(((cpuTicks(backend) - backend0) * TICK_MS) / args.inboxRequests)
    // One row per listed task, or the one row of counts when none is listed.
    if (rows !== Math.max(parsed.items.length, 1)) throw new Error(`inbox of ${who}: the API answered ${parsed.items.length} items, its SQL ${rows} rows`)
    const explain = await w.client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Planning Time': number; 'Execution Time': number }] }>({ text: `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.text}`, values: q.values as unknown[] })
    const plan = explain.rows[0]!['QUERY PLAN'][0]
    const r: InboxResult = {
      tasks: parsed.items.length,
      p50: round(pct(lat, 50)),
      p95: round(pct(lat, 95)),
      sqlP50: round(pct(sqlLat, 50)),
      sqlP95: round(pct(sqlLat, 95)),
      cpuMs,
      sqlCpuMs,
      execMs: round(plan['Execution Time']),
      planMs: round(plan['Planning Time']),
      bigScans: bigScans(plan.Plan),
    }
    byUser[who] = r
    all.push(...lat)
    sqlAll.push(...sqlLat)
    log(
      `inbox ${who.padEnd(12)} ${String(parsed.total).padStart(5)} tasks, first ${String(r.tasks).padStart(3)} listed (${parsed.counts.toApprove} to approve, ${parsed.counts.toReview} to review, ${parsed.counts.returned} returned, ${parsed.counts.overdue} overdue, ${(body.length / 1024).toFixed(0)} KiB): ` +
        `API p50 ${r.p50} ms p95 ${r.p95} ms, CPU per request: server ${cpuMs.server} ms + PostgreSQL ${cpuMs.postgres} ms; SQL alone p50 ${r.sqlP50} ms p95 ${r.sqlP95} ms, backend CPU ${sqlCpuMs} ms (EXPLAIN ANALYZE: execution ${r.execMs} ms, planning ${r.planMs} ms${r.bigScans.length ? `; ${r.bigScans.join('; ')}` : ''})`,
    )
    if (r.p95 > worst.p95) {
      const text = await w.client.query<{ 'QUERY PLAN': string }>({ text: `EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, values: q.values as unknown[] })
      worst = { p95: r.p95, plan: `inbox of ${who}:\n` + text.rows.map((x) => x['QUERY PLAN']).join('\n') }
    }
  }
  return { byUser, all, sqlAll, worstPlan: worst.plan }
}

// ---------------------------------------------------------------------------------------------
// Visas

interface Task {
  pair: BenchPair
  a: Driven
}

/** Ours: one POST per approver, all at once; any answer but 200 fails the run. */
async function oursWave(baseUrl: string, sessions: Session[], tasks: Task[]): Promise<number> {
  const started = performance.now()
  await Promise.all(
    tasks.map(async (task, k) => {
      const s = sessions[k]!
      const res = await fetch(`${baseUrl}/api/approvals/${task.a.approvalId}/decisions`, {
        method: 'POST',
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ decision: 'approve', versionSha256: task.a.version.sha256 }),
      })
      const text = await res.text()
      if (res.status !== 200) throw new Error(`visa of ${task.pair.head.login} on ${task.a.approvalId}: HTTP ${res.status} ${text.slice(0, 500)}`)
    }),
  )
  return performance.now() - started
}

const dueFormat = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', dateStyle: 'long' })

/** Jobs as the product adds them within a larger statement (queue.ts addJobs): one add_jobs call. */
const ADD_JOBS = (param: string) => `(SELECT count(*)::int FROM graphile_worker.add_jobs((
    SELECT array_agg((x.identifier, x.payload, NULL, x.run_at, NULL, x.job_key, NULL, NULL)::graphile_worker.job_spec ORDER BY x.n)
      FROM json_to_recordset(${param}::json) AS x(n int, identifier text, payload json, run_at timestamptz, job_key text))))`

/** Bare: the writes decide() makes for this visa, in its statements and order, in one transaction. */
async function bareVisa(c: pg.Client, w: World, task: Task): Promise<void> {
  const { a, pair } = task
  const now = new Date()
  const stage = a.stages.find((s) => s.state === 'active')!
  const part = stage.participants.find((p) => p.positionId === pair.head.positionId)!
  const next = a.stages.find((s) => s.index > stage.index && s.participants.length > 0)!
  const due = addWorkingDays(now, next.deadlineDays, w.gen.cal)
  const notified = [...new Set(next.participants.map((p) => w.org.positions.get(p.positionId)!.holder!.id))]
  const link = documentLink(a.documentId)
  const visaId = randomUUID()
  const actor = pair.head.id
  const ip = '127.0.0.1'
  const notes = notified.map((userId) => ({
    id: randomUUID(),
    user_id: userId,
    kind: 'task_assigned',
    title: `${next.kind === 'expert_review' ? 'На експертизу' : 'На погодження'}: ${a.title}`.replace(/\s+/g, ' ').trim().slice(0, 300),
    body: `Етап «${next.name}». Строк — до ${dueFormat.format(due)}`,
    link,
    dedupe_key: `task:${next.id}:${a.round}:${userId}`,
  }))
  const jobs = [
    { identifier: 'stage_reminder', payload: { stageId: next.id, round: a.round }, run_at: reminderAt(due, w.gen.cal).toISOString(), job_key: `stage_reminder:${next.id}:${a.round}` },
    { identifier: 'stage_overdue', payload: { stageId: next.id, round: a.round }, run_at: due.toISOString(), job_key: `stage_overdue:${next.id}:${a.round}` },
  ]
  await c.query('BEGIN')
  try {
    await c.query('SELECT id FROM approval WHERE id = $1 FOR UPDATE', [a.approvalId])
    // The visa and the transition's rows in one statement, as decide() and persistTransition
    // write them: the visa, this stage done, the next active, the inbox flags (the visa closes
    // this participant's task, the next stage's open), the approval (the document's status does
    // not move inside a running route), both audit events (into the outbox: they join the chain
    // at COMMIT) and the reminder and overdue jobs.
    const stageRows = [
      { id: stage.id, state: 'done', keep: true, activated_at: null, due_at: null, finished_at: now },
      { id: next.id, state: 'active', keep: false, activated_at: now, due_at: due, finished_at: null },
    ]
    await c.query(
      `WITH visa AS (
         INSERT INTO visa (id, approval_id, stage_id, participant_id, round, decision, comment, user_id, position_title, full_name, version_id, version_number, version_sha256, at)
         VALUES ($1, $2, $3, $4, $5, 'approve', '', $6, $7, $8, $9, $10, $11, $12)
       ), stages AS (
         UPDATE approval_stage s
            SET state = v.state::"StageState", finished_at = v.finished_at,
                activated_at = CASE WHEN v.keep THEN s.activated_at ELSE v.activated_at END,
                due_at = CASE WHEN v.keep THEN s.due_at ELSE v.due_at END
           FROM json_to_recordset($13::json) AS v(id uuid, state text, keep boolean, activated_at timestamptz, due_at timestamptz, finished_at timestamptz)
          WHERE s.id = v.id
       ), flags AS (
         UPDATE approval_participant SET open = (id = ANY($14::uuid[])) WHERE id = ANY($15::uuid[])
       ), route AS (
         UPDATE approval SET state = 'running', round = $5, row_version = row_version + 1, finished_at = NULL WHERE id = $2
       ), audit AS (
         INSERT INTO audit_outbox (actor_id, ip, action, target_type, target_id, after)
         VALUES ($6, $16, 'approval.stage_activated', 'document', $17, $18), ($6, $16, 'approval.visa', 'document', $17, $19)
       )
       SELECT ${ADD_JOBS('$20')} AS jobs`,
      [
        visaId, a.approvalId, stage.id, part.id, a.round, actor, pair.head.positionTitle, pair.head.fullName, a.version.id, a.version.number, a.version.sha256, now,
        JSON.stringify(stageRows), next.participants.map((p) => p.id), [part.id, ...next.participants.map((p) => p.id)],
        ip, a.documentId,
        { approvalId: a.approvalId, stage: next.name, index: next.index, round: a.round, dueAt: due.toISOString() },
        { approvalId: a.approvalId, visaId, stage: stage.name, decision: 'approve', comment: '', round: a.round, versionNumber: a.version.number, versionSha256: a.version.sha256, onBehalfOf: null },
        JSON.stringify(jobs.map((j, n) => ({ n, ...j }))),
      ],
    )
    // The notifications, their e-mail jobs and both live events in one statement, as notify() writes them.
    const mailable = notes.filter((n) => w.org.people.get(n.user_id)?.email).map((n) => n.id)
    const events = [...encodeEvent({ userIds: notified, type: 'notification' }), ...encodeEvent({ userIds: [a.authorId, ...notified, actor], type: 'approval', documentId: a.documentId })]
    await c.query(
      `WITH ins AS (
         INSERT INTO notification (id, user_id, kind, title, body, link, dedupe_key)
         SELECT x.id, x.user_id, x.kind, x.title, x.body, x.link, x.dedupe_key
           FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, user_id uuid, kind text, title text, body text, link text, dedupe_key text)
          ORDER BY x.dedupe_key NULLS LAST
         ON CONFLICT (dedupe_key) DO NOTHING
         RETURNING id
       ), mail AS (
         SELECT id FROM ins WHERE id = ANY($2::uuid[])
       ), jobs AS (
         SELECT count(*) AS n FROM graphile_worker.add_jobs((
           SELECT array_agg(('send_email', json_build_object('notificationId', id), NULL, NULL, NULL, 'send_email:' || id, NULL, NULL)::graphile_worker.job_spec ORDER BY id) FROM mail))
          WHERE EXISTS (SELECT 1 FROM mail)
       ), events AS (
         SELECT pg_notify($3, p) FROM unnest($4::text[]) AS p
       )
       SELECT (SELECT n FROM jobs) AS jobs, (SELECT count(*) FROM events) AS events`,
      [JSON.stringify(notes), mailable, EVENTS_CHANNEL, events],
    )
    await c.query('COMMIT')
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  }
}

async function bareWave(clients: pg.Client[], w: World, tasks: Task[]): Promise<number> {
  const started = performance.now()
  await Promise.all(tasks.map((task, k) => bareVisa(clients[k]!, w, task)))
  return performance.now() - started
}

// ---------------------------------------------------------------------------------------------

runBench('visa', async () => {
  if (ROUNDS < 2) log(`warning: --rounds=${ROUNDS}; alternating needs at least 2 rounds each`)
  log(`visa benchmark: ${DOCS} documents, ${AUDIT} audit events, ${N} approvers, ${ROUNDS} rounds of ${WAVES} waves (bare, ours alternating)`)
  const root = makeTempRoot('visa')
  // --pg=name=value,name=value: PostgreSQL settings for experiments (the default is what the product ships: none).
  const pgSettings: Record<string, string> = Object.fromEntries(
    args.pg
      .split(',')
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=')
        if (i < 1) throw new Error(`--pg expects name=value pairs, got "${kv}"`)
        return [kv.slice(0, i).trim(), kv.slice(i + 1).trim()]
      }),
  )
  if (args.diagnose) Object.assign(pgSettings, { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'top', 'pg_stat_statements.track_planning': 'on', track_wal_io_timing: 'on' })
  const pgh = await startPostgres(join(root, 'pg'), pgSettings)
  if (Object.keys(pgSettings).length) log(`PostgreSQL settings: ${Object.entries(pgSettings).map(([k, v]) => `${k}=${v}`).join(' ')}`)
  const postmaster = Number(readFileSync(join(pgh.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0])

  // --- Data
  const genStarted = Date.now()
  const w = await openWorld(pgh.url, N)
  onCleanup('close the generator’s connections', () => w.close())
  log(`seeded the organisation, ${N} bench units (head + author each), ${w.org.authors.length} authors for the history`)
  const history = await generateHistory(w, DOCS, AUDIT)
  await checkInvariants(w.client)
  const checked = await validateAgainstServices(w)
  log(`generated rows match startApproval/decide (${checked.join('; ')}); database-wide invariants hold`)
  const dataGenSeconds = (Date.now() - genStarted) / 1000
  const sizes = await w.client.query<{ t: string; n: string; mb: string }>(
    `SELECT c.relname AS t, c.reltuples::bigint AS n, (pg_total_relation_size(c.oid) / 1048576)::int AS mb FROM pg_class c
      WHERE c.relname IN ('document', 'version', 'approval', 'approval_stage', 'approval_participant', 'visa', 'notification', 'audit_event') ORDER BY 1`,
  )
  log(`data generated in ${dataGenSeconds.toFixed(0)} s; ${sizes.rows.map((r) => `${r.t} ${r.n} rows ${r.mb} MB`).join(', ')}`)

  const loads: Record<string, number> = { dataGenerated: round(loadavg()[0]!, 1) }
  // --- The server
  const { child: server, baseUrl } = await startServer({ databaseUrl: pgh.url, dataDir: join(root, 'data'), ...(args.profile ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', args.profile] } : {}) })

  // --- Inbox latency on the loaded database (before the visa rounds add routes)
  loads.inbox = round(loadavg()[0]!, 1)
  const ib = await measureInbox(baseUrl, w, server.pid, postmaster)
  const inboxP50 = round(pct(ib.all, 50))
  const inboxP95 = round(pct(ib.all, 95))
  log(`inbox over ${INBOX_USERS.length} users x ${args.inboxRequests} requests: API p50 ${inboxP50} ms, p95 ${inboxP95} ms (target < 50); SQL alone p50 ${round(pct(ib.sqlAll, 50))} ms, p95 ${round(pct(ib.sqlAll, 95))} ms`)
  if (args.verbose) log(`plan of the slowest inbox — ${ib.worstPlan}`)

  // --- Visa throughput
  const perSide = WARMUP + ROUNDS * WAVES + (args.diagnose ? 1 : 0)
  const prepStarted = Date.now()
  const fresh = await prepareFresh(w, 2 * perSide, 0x5151)
  log(`prepared ${2 * perSide * N} fresh approvals (${2 * perSide} per approver) in ${((Date.now() - prepStarted) / 1000).toFixed(1)} s`)
  // Wave j of a side: approver k acts on fresh[k][...]; ours takes the even ones, bare the odd ones.
  const waveOf = (side: 0 | 1, j: number): Task[] => w.org.pairs.map((pair, k) => ({ pair, a: fresh[k]![2 * j + side]! }))

  const sessions = await Promise.all(w.org.pairs.map((p) => login(baseUrl, p.head.login)))
  log(`${sessions.length} approvers signed in through the API`)
  const clients: pg.Client[] = []
  onCleanup('close the bare connections', async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})))
  })
  for (let k = 0; k < N; k++) {
    const c = new pg.Client({ connectionString: pgh.url })
    c.on('error', () => {})
    clients.push(c)
  }
  await Promise.all(clients.map((c) => c.connect()))

  const next = [0, 0]
  const take = (side: 0 | 1) => waveOf(side, next[side]!++)
  for (let i = 0; i < WARMUP; i++) {
    await bareWave(clients, w, take(1))
    await oursWave(baseUrl, sessions, take(0))
  }
  // Both must have written the same thing.
  const oursSig = JSON.stringify(await signature(w.client, fresh[0]![0]!.approvalId))
  const bareSig = JSON.stringify(await signature(w.client, fresh[0]![1]!.approvalId))
  if (oursSig !== bareSig) throw new Error(`bare and ours wrote different rows:\nours: ${oursSig}\nbare: ${bareSig}`)
  log(`warm-up done (${WARMUP} waves each); a bare visa and an API visa leave identical rows behind`)

  loads.visas = round(loadavg()[0]!, 1)
  const bareRates: number[] = []
  const ourRates: number[] = []
  const cpu = { ours: { server: 0, postgres: 0, bench: 0 }, bare: { postgres: 0, bench: 0 } }
  const visasPerRound = WAVES * N
  for (let r = 1; r <= ROUNDS; r++) {
    let pgBefore = postgresTicks(postmaster)
    let benchBefore = process.cpuUsage()
    let ms = 0
    for (let i = 0; i < WAVES; i++) ms += await bareWave(clients, w, take(1))
    cpu.bare.postgres += (postgresTicks(postmaster) - pgBefore) * TICK_MS
    let benchUsed = process.cpuUsage(benchBefore)
    cpu.bare.bench += (benchUsed.user + benchUsed.system) / 1000
    const bareRate = (visasPerRound / ms) * 1000
    bareRates.push(bareRate)
    log(`round ${r}/${ROUNDS} bare: ${visasPerRound} visas in ${(ms / 1000).toFixed(2)} s = ${bareRate.toFixed(1)} visas/s (wave of ${N}: ${(ms / WAVES).toFixed(0)} ms)`)

    pgBefore = postgresTicks(postmaster)
    benchBefore = process.cpuUsage()
    const serverBefore = cpuTicks(server.pid)
    ms = 0
    for (let i = 0; i < WAVES; i++) ms += await oursWave(baseUrl, sessions, take(0))
    cpu.ours.postgres += (postgresTicks(postmaster) - pgBefore) * TICK_MS
    cpu.ours.server += (cpuTicks(server.pid) - serverBefore) * TICK_MS
    benchUsed = process.cpuUsage(benchBefore)
    cpu.ours.bench += (benchUsed.user + benchUsed.system) / 1000
    const ourRate = (visasPerRound / ms) * 1000
    ourRates.push(ourRate)
    log(`round ${r}/${ROUNDS} ours: ${visasPerRound} visas in ${(ms / 1000).toFixed(2)} s = ${ourRate.toFixed(1)} visas/s (wave of ${N}: ${(ms / WAVES).toFixed(0)} ms)`)
  }
  loads.visasDone = round(loadavg()[0]!, 1)
  log(`1-minute load average at the start of each phase (${cpus} CPUs; includes this benchmark's own processes): ${Object.entries(loads).map(([k, v]) => `${k} ${v}`).join(', ')}`)
  const perVisa = (x: number) => round(x / (ROUNDS * visasPerRound), 2)
  const cpuMsPerVisa = {
    ours: { server: perVisa(cpu.ours.server), postgres: perVisa(cpu.ours.postgres), benchClient: perVisa(cpu.ours.bench) },
    bare: { postgres: perVisa(cpu.bare.postgres), benchClient: perVisa(cpu.bare.bench) },
  }
  log(`CPU per visa: ours server ${cpuMsPerVisa.ours.server} ms + PostgreSQL ${cpuMsPerVisa.ours.postgres} ms; bare PostgreSQL ${cpuMsPerVisa.bare.postgres} ms (+ bench client ${cpuMsPerVisa.bare.benchClient} ms)`)

  // Where the time goes: one more wave each way, watched by pg_stat_statements, pg_stat_wal,
  // pg_stat_database and a sampler of the backends' wait events.
  let diagnosis: Record<string, unknown> | undefined
  if (args.diagnose) {
    await w.client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    const watcher = new pg.Client({ connectionString: pgh.url })
    watcher.on('error', () => {})
    await watcher.connect()
    try {
      const counters = async () => {
        const { rows } = await watcher.query<{ wal_records: string; wal_fpi: string; wal_bytes: string; blks_read: string; blks_hit: string; xact_commit: string }>(
          `SELECT w.wal_records, w.wal_fpi, w.wal_bytes, d.blks_read, d.blks_hit, d.xact_commit FROM pg_stat_wal w, pg_stat_database d WHERE d.datname = current_database()`,
        )
        return Object.fromEntries(Object.entries(rows[0]!).map(([k, v]) => [k, Number(v)])) as Record<string, number>
      }
      const sample = async (side: 'ours' | 'bare') => {
        await watcher.query('SELECT pg_stat_statements_reset()')
        await watcher.query('SELECT pg_stat_clear_snapshot()')
        const before = await counters()
        // Wait events of the client backends, every 5 ms while the wave runs.
        const waits = new Map<string, number>()
        let samples = 0
        let sampling = true
        const sampler = (async () => {
          while (sampling) {
            const { rows } = await watcher.query<{ w: string }>(
              `SELECT CASE WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for the client)'
                           ELSE COALESCE(wait_event_type || ':' || wait_event, 'CPU') END AS w
                 FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND state IN ('active', 'idle in transaction') AND pid <> pg_backend_pid() AND datname = current_database()`,
            )
            samples++
            for (const r of rows) waits.set(r.w, (waits.get(r.w) ?? 0) + 1)
            await sleep(5)
          }
        })()
        const ms = side === 'ours' ? await oursWave(baseUrl, sessions, take(0)) : await bareWave(clients, w, take(1))
        sampling = false
        await sampler
        await watcher.query('SELECT pg_stat_clear_snapshot()')
        // Let the statistics collector catch up.
        await sleep(600)
        const after = await counters()
        const per = (x: number) => round(x / N, 3)
        const { rows } = await watcher.query<{ query: string; calls: string; exec: number; plan: number }>(
          `SELECT query, calls, total_exec_time AS exec, total_plan_time AS plan FROM pg_stat_statements
            WHERE query !~* 'pg_stat_statements|pg_stat_activity|pg_stat_wal|pg_stat_clear' ORDER BY total_exec_time + total_plan_time DESC`,
        )
        const calls = rows.reduce((a, r) => a + Number(r.calls), 0)
        const exec = rows.reduce((a, r) => a + r.exec, 0)
        const plan = rows.reduce((a, r) => a + r.plan, 0)
        const top = []
        for (const r of rows.slice(0, args.verbose ? rows.length : 12)) {
          // The generic plan of a costly read shows a missing index as a sequential scan.
          let seqScans: string[] = []
          if (/^\s*SELECT/i.test(r.query) && r.exec / Number(r.calls) > 1 && !/graphile_worker|pg_notify/.test(r.query)) {
            const ex = await watcher.query<{ 'QUERY PLAN': string }>(`EXPLAIN (GENERIC_PLAN) ${r.query}`).catch(() => null)
            seqScans = ex ? ex.rows.map((x) => x['QUERY PLAN'].trim()).filter((l) => /Seq Scan/.test(l)) : []
          }
          top.push({ callsPerVisa: per(Number(r.calls)), execMsPerVisa: per(r.exec), planMsPerVisa: per(r.plan), query: r.query.replace(/\s+/g, ' ').slice(0, 160), ...(seqScans.length ? { seqScans } : {}) })
        }
        const total = [...waits.values()].reduce((a, b) => a + b, 0)
        const waitShare = Object.fromEntries([...waits].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, round(v / total, 3)]))
        const d = (k: string) => after[k]! - before[k]!
        const result = {
          visasPerSec: round((N / ms) * 1000, 1),
          statementsPerVisa: per(calls),
          execMsPerVisa: per(exec),
          planMsPerVisa: per(plan),
          walKBPerVisa: round(d('wal_bytes') / 1024 / N, 1),
          walFullPageImagesPerVisa: per(d('wal_fpi')),
          blocksReadPerVisa: per(d('blks_read')),
          blocksHitPerVisa: per(d('blks_hit')),
          backendsInTransactionAvg: round(total / Math.max(1, samples), 1),
          waitShare,
          top,
        }
        log(
          `${side}: ${result.visasPerSec} visas/s; ${result.statementsPerVisa} statements per visa; PostgreSQL execution ${result.execMsPerVisa} ms + planning ${result.planMsPerVisa} ms per visa; ` +
            `WAL ${result.walKBPerVisa} KB (${result.walFullPageImagesPerVisa} full-page images), ${result.blocksReadPerVisa} blocks read / ${result.blocksHitPerVisa} hit per visa; ` +
            `${result.backendsInTransactionAvg} backends in a transaction on average: ${Object.entries(waitShare).slice(0, 6).map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`).join(', ')}`,
        )
        for (const t of top) log(`    ${String(t.callsPerVisa).padStart(6)} x  exec ${t.execMsPerVisa.toFixed(3).padStart(8)} ms  plan ${t.planMsPerVisa.toFixed(3).padStart(7)} ms  ${t.query}${t.seqScans ? `\n        generic plan: ${t.seqScans.join('; ')}` : ''}`)
        return result
      }
      diagnosis = { ours: await sample('ours'), bare: await sample('bare') }
      // The answer to a visa is the approval as GET /api/approvals/:id presents it; its own
      // cost, one request at a time, on the approvals just decided.
      const viewed = fresh.map((xs) => xs[0]!)
      const cpu0 = cpuTicks(server.pid)
      const pg0 = postgresTicks(postmaster)
      const lat: number[] = []
      for (const [k, a] of viewed.entries()) {
        const t = performance.now()
        const res = await fetch(`${baseUrl}/api/approvals/${a.approvalId}`, { headers: { cookie: sessions[k]!.cookie } })
        await res.arrayBuffer()
        if (res.status !== 200) throw new Error(`GET /api/approvals/${a.approvalId}: HTTP ${res.status}`)
        lat.push(performance.now() - t)
      }
      const view = {
        p50Ms: round(pct(lat, 50)),
        serverCpuMsPerCall: round(((cpuTicks(server.pid) - cpu0) * TICK_MS) / viewed.length, 2),
        postgresCpuMsPerCall: round(((postgresTicks(postmaster) - pg0) * TICK_MS) / viewed.length, 2),
      }
      log(`GET /api/approvals/:id (the body a visa answers with), one at a time: p50 ${view.p50Ms} ms, server CPU ${view.serverCpuMsPerCall} ms + PostgreSQL ${view.postgresCpuMsPerCall} ms per call`)
      diagnosis.view = view
    } finally {
      await watcher.end().catch(() => {})
    }
  }

  await checkInvariants(w.client)
  log('after the rounds: database-wide invariants still hold')
  // The bulk-chained history, then the product's and the bare side's appends through the
  // trigger: the product's verifier recomputes every link.
  const chain = await verifyChain(w.client)
  log(`the audit chain verifies: ${chain.checked} events recomputed by server/audit/verify.ts in ${chain.seconds.toFixed(1)} s`)

  const ourMed = median(ourRates)
  const bareMed = median(bareRates)
  const result = {
    bench: 'visa',
    docs: DOCS,
    auditEvents: history.auditEvents,
    approvers: N,
    rounds: ROUNDS,
    wavesPerRound: WAVES,
    ourVisasPerSec: round(ourMed, 1),
    bareVisasPerSec: round(bareMed, 1),
    ratio: round(ourMed / bareMed, 3),
    inboxP50Ms: inboxP50,
    inboxP95Ms: inboxP95,
    inboxSqlP50Ms: round(pct(ib.sqlAll, 50)),
    inboxSqlP95Ms: round(pct(ib.sqlAll, 95)),
    // CPU per inbox request averaged over the users: what the latency would be on an idle machine, roughly.
    inboxCpuMs: {
      server: round(mean(Object.values(ib.byUser).map((u) => u.cpuMs.server))),
      postgres: round(mean(Object.values(ib.byUser).map((u) => u.cpuMs.postgres))),
      sqlBackend: round(mean(Object.values(ib.byUser).map((u) => u.sqlCpuMs))),
    },
    inboxByUser: ib.byUser,
    cpuMsPerVisa,
    ...(diagnosis ? { diagnosis } : {}),
    dataGenSeconds: round(dataGenSeconds, 1),
    // The machine's 1-minute load average when each phase began (other work on it skews absolute figures).
    loadAverage: loads,
    auditChainVerified: chain.checked,
    dataGen: { loadSeconds: round(history.loadSeconds, 1), chainSeconds: round(history.chainSeconds, 1), analyzeSeconds: round(history.analyzeSeconds, 1), approvals: history.approvals, rows: history.rows },
    target: { ratio: '>=0.5', inboxP95Ms: '<50' },
  }
  log(`median ours ${result.ourVisasPerSec} visas/s, bare ${result.bareVisasPerSec} visas/s, ratio ${result.ratio} (target >= 0.5); inbox p95 ${inboxP95} ms (target < 50)`)
  return result
})
