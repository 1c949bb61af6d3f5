/**
 * List benchmark: GET /api/documents?limit=50 as a non-admin staff member (it.staff, so the
 * visibility filter is part of the SQL) against a bare Fastify + pg server running the very
 * same SQL (bench/bare-list.ts), under autocannon, alternating bare/ours.
 *
 *   npx tsx bench/list.ts [--docs=10000] [--rounds=3] [--duration=10] [--connections=10] [--warmup=3] [--verbose]
 *
 * Starts embedded PostgreSQL (migrated, seeded, filled with --docs documents), the server and
 * the bare baseline (each its own process) in a temp folder and removes everything afterwards.
 * Last stdout line: the JSON result.
 */
import { join } from 'node:path'
import autocannon from 'autocannon'
import { fillDatabase } from './list-data.ts'
import { freePort, log, login, makeTempRoot, median, parseArgs, round, runBench, spawnNode, startPostgres, startServer, type Session } from './lib.ts'

const args = parseArgs({ docs: 10_000, rounds: 3, duration: 10, connections: 10, warmup: 3, verbose: false })
const DOCS = Math.floor(args.docs)
const ROUNDS = Math.floor(args.rounds)
const LIST_PATH = '/api/documents?limit=50'

interface Run {
  rps: number
  p50: number
  p99: number
  requests: number
}

/** One autocannon run; any error or non-2xx answer fails the benchmark (it would measure the wrong thing). */
async function cannon(label: string, url: string, headers: Record<string, string>, duration: number): Promise<Run> {
  const r = await autocannon({ url, connections: args.connections, duration, headers, timeout: 30 })
  if (r.errors || r.timeouts || r.non2xx) {
    throw new Error(`${label}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx answers (${JSON.stringify(r.statusCodeStats)})`)
  }
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total }
}

runBench('list', async () => {
  if (ROUNDS < 2) log(`warning: --rounds=${ROUNDS}; the brief asks for at least 2 rounds each`)
  log(`list benchmark: ${DOCS} documents, ${ROUNDS} rounds of ${args.duration} s x ${args.connections} connections (bare, ours alternating)`)
  const root = makeTempRoot('list')
  const pgh = await startPostgres(join(root, 'pg'))
  await fillDatabase(pgh.url, DOCS)

  // No S3 settings: the server uses the local-disk store under DATA_DIR, which the list never touches.
  const { baseUrl } = await startServer({ databaseUrl: pgh.url, dataDir: join(root, 'data') })
  const session: Session = await login(baseUrl, 'it.staff')
  if (session.roles.some((r) => r === 'admin' || r === 'clerk')) throw new Error('it.staff must not see everything')
  log(`signed in as it.staff (roles ${session.roles.join(', ')}; units ${session.positions.map((p) => p.unitName).join('; ')})`)

  // The Auth the product builds for this session (what documentListSql reads: userId, roles, positions).
  const auth = {
    userId: session.user.id,
    login: session.user.login,
    fullName: session.user.fullName,
    roles: session.roles,
    positions: session.positions,
    sessionId: 'bench',
    csrfToken: session.csrfToken,
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
  }
  const barePort = await freePort()
  const bare = spawnNode('bare-list', 'bench/bare-list.ts', {
    env: { DATABASE_URL: pgh.url, PORT: String(barePort), BENCH_AUTH: JSON.stringify(auth), BENCH_QUERY: JSON.stringify({ limit: 50 }) },
    echo: args.verbose,
  })
  await bare.firstJsonLine()
  const bareUrl = `http://127.0.0.1:${barePort}/`
  log(`bare baseline ready at ${bareUrl} (pid ${bare.pid})`)

  // Both must answer the same page, or the comparison is meaningless.
  const ours = (await (await fetch(baseUrl + LIST_PATH, { headers: { cookie: session.cookie } })).json()) as { items: { id: string }[]; total: number }
  const bareList = (await (await fetch(bareUrl)).json()) as { items: { id: string }[]; total: number }
  const same = ours.items.length === bareList.items.length && ours.items.every((d, i) => d.id === bareList.items[i]?.id) && ours.total === bareList.total
  if (!same) throw new Error(`ours and bare disagree: ${ours.items.length} items / total ${ours.total} vs ${bareList.items.length} rows / total ${bareList.total}`)
  const ourBytes = Buffer.byteLength(JSON.stringify(ours))
  log(`both answer the same ${ours.items.length} of ${ours.total} visible documents (ours ${ourBytes} bytes of JSON)`)

  const ourUrl = baseUrl + LIST_PATH
  const ourHeaders = { cookie: session.cookie }
  await cannon('bare warm-up', bareUrl, {}, args.warmup)
  await cannon('ours warm-up', ourUrl, ourHeaders, args.warmup)
  log(`warm-up done (${args.warmup} s each)`)

  const bareRuns: Run[] = []
  const ourRuns: Run[] = []
  const show = (r: Run) => `${r.rps.toFixed(1)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms (${r.requests} requests)`
  for (let i = 1; i <= ROUNDS; i++) {
    const b = await cannon(`bare round ${i}`, bareUrl, {}, args.duration)
    bareRuns.push(b)
    log(`round ${i}/${ROUNDS} bare: ${show(b)}`)
    const o = await cannon(`ours round ${i}`, ourUrl, ourHeaders, args.duration)
    ourRuns.push(o)
    log(`round ${i}/${ROUNDS} ours: ${show(o)}`)
  }

  const ourRps = median(ourRuns.map((r) => r.rps))
  const bareRps = median(bareRuns.map((r) => r.rps))
  const result = {
    bench: 'list',
    docs: DOCS,
    ourRps: round(ourRps, 1),
    bareRps: round(bareRps, 1),
    ratio: round(ourRps / bareRps, 3),
    ourP50Ms: median(ourRuns.map((r) => r.p50)),
    ourP99Ms: median(ourRuns.map((r) => r.p99)),
    bareP50Ms: median(bareRuns.map((r) => r.p50)),
    bareP99Ms: median(bareRuns.map((r) => r.p99)),
    target: { ratio: '>=0.5' },
  }
  log(
    `median ours ${result.ourRps} req/s (p50 ${result.ourP50Ms} ms, p99 ${result.ourP99Ms} ms), ` +
      `bare ${result.bareRps} req/s (p50 ${result.bareP50Ms} ms, p99 ${result.bareP99Ms} ms), ratio ${result.ratio} (target >= 0.5)`,
  )
  return result
})
