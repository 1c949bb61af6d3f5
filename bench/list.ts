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
import pg from 'pg'
import { openDatabase } from '../server/db/client.ts'
import { seedIfEmpty } from '../server/seed/seed.ts'
import { freePort, log, login, makeTempRoot, median, parseArgs, round, runBench, spawnNode, startPostgres, startServer, type Session } from './lib.ts'

const args = parseArgs({ docs: 10_000, rounds: 3, duration: 10, connections: 10, warmup: 3, verbose: false })
const DOCS = Math.floor(args.docs)
const ROUNDS = Math.floor(args.rounds)
const LIST_PATH = '/api/documents?limit=50'

const TITLES = [
  'Про затвердження Програми цифрової трансформації Дрогобицької міської територіальної громади на 2026–2028 роки',
  'Про внесення змін до бюджету Дрогобицької міської територіальної громади на 2026 рік',
  'Про надання дозволу на розроблення проєкту землеустрою щодо відведення земельної ділянки',
  'Про затвердження Положення про відділ інформаційних технологій, аналізу та цифрової трансформації',
  'Про встановлення тарифів на послуги з поводження з побутовими відходами',
  'Про організацію роботи зі зверненнями громадян у виконавчих органах міської ради',
  'Про проведення громадських слухань щодо проєкту генерального плану міста Дрогобича',
  'Про затвердження посадової інструкції головного спеціаліста відділу інформаційної політики',
  'Про заходи з підготовки житлового фонду до опалювального сезону 2026–2027 років',
  'Про присвоєння поштової адреси об’єкту нерухомого майна на вулиці Шевченка',
  'Про внесення змін до Регламенту виконавчого комітету Дрогобицької міської ради',
  'Щодо надання публічної інформації на запит громадської організації',
  'Звернення щодо ремонту дорожнього покриття на вулиці Івана Франка',
  'Висновок експертизи проєкту рішення щодо запровадження електронного документообігу',
  'Про затвердження Інструкції з діловодства у виконавчих органах міської ради',
  'Про відзначення Дня місцевого самоврядування',
  'Про передачу майна комунальної власності на баланс комунального підприємства «Дрогобичтеплоенерго»',
  'Лист щодо погодження технічних умов на приєднання до мереж водопостачання',
  'Про скликання чергової сесії Дрогобицької міської ради VIII скликання',
  'Про затвердження плану заходів з енергозбереження в закладах бюджетної сфери',
  'Про створення робочої групи з питань впровадження системи «Прозорі закупівлі»',
  'Про затвердження Порядку захисту персональних даних у міській раді',
  'Розпорядження про відпустку працівникам управління житлово-комунального господарства',
  'Про надання матеріальної допомоги внутрішньо переміщеним особам',
]
const SUMMARIES = [
  'Проєкт підготовлено відповідно до Закону України «Про місцеве самоврядування в Україні» та з урахуванням пропозицій постійних комісій міської ради.',
  'Документ визначає порядок взаємодії структурних підрозділів, строки виконання та відповідальних осіб.',
  'Погоджено з юридичним відділом; фінансово-економічне обґрунтування додається.',
  '',
  'Підготовлено на виконання доручення міського голови. Потребує погодження заступника міського голови.',
  'Звернення зареєстровано загальним відділом; відповідь надати у строк, визначений законом.',
]

const DOCUMENTS_SQL = `
WITH authors AS MATERIALIZED (
  SELECT (row_number() OVER (ORDER BY u.login))::int AS i, u.id AS user_id, p.unit_id
    FROM position_holder ph
    JOIN position p ON p.id = ph.position_id
    JOIN app_user u ON u.id = ph.user_id
), n AS (SELECT count(*)::int AS c FROM authors),
g AS MATERIALIZED (
  SELECT s, random() AS r_author, random() AS r_kind, random() AS r_title, random() AS r_num, random() AS r_sum,
         random() AS r_access, random() AS r_status, random() AS r_age, random() AS r_upd, random() AS r_ver
    FROM generate_series(1, $3::int) AS s
)
INSERT INTO document (id, kind, title, summary, author_unit_id, access_mark, status, created_by_id, created_at, updated_at, version_count)
SELECT gen_random_uuid(),
       (enum_range(NULL::"DocumentKind"))[1 + floor(g.r_kind * 9)::int],
       ($1::text[])[1 + floor(g.r_title * array_length($1::text[], 1))::int]
         || CASE WHEN g.r_num < 0.6 THEN ' (№ ' || (100 + g.s) || ')' ELSE '' END,
       ($2::text[])[1 + floor(g.r_sum * array_length($2::text[], 1))::int],
       a.unit_id,
       (CASE WHEN g.r_access < 0.70 THEN 'public' WHEN g.r_access < 0.92 THEN 'internal' ELSE 'personal_data' END)::"AccessMark",
       (CASE WHEN g.r_status < 0.40 THEN 'draft' WHEN g.r_status < 0.55 THEN 'in_approval' WHEN g.r_status < 0.65 THEN 'approved'
             WHEN g.r_status < 0.75 THEN 'signed' WHEN g.r_status < 0.90 THEN 'registered' WHEN g.r_status < 0.95 THEN 'withdrawn'
             ELSE 'archived' END)::"DocumentStatus",
       a.user_id,
       now() - g.r_age * interval '730 days',
       LEAST(now(), now() - g.r_age * interval '730 days' + g.r_upd * interval '30 days'),
       CASE WHEN g.r_ver < 0.15 THEN 0 ELSE 1 + floor((g.r_ver - 0.15) / 0.85 * 3)::int END
  FROM g CROSS JOIN n JOIN authors a ON a.i = 1 + floor(g.r_author * n.c)::int`

const VERSIONS_SQL = `
INSERT INTO version (id, document_id, number, sha256, size, media_type, file_name, comment, created_by_id, created_at)
SELECT gen_random_uuid(), d.id, v.n,
       encode(sha256(convert_to(d.id::text || ':' || v.n, 'UTF8')), 'hex'),
       (20000 + random() * 8000000)::bigint,
       CASE WHEN v.n % 2 = 1 THEN 'application/pdf' ELSE 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' END,
       'Проєкт документа (версія ' || v.n || ').' || CASE WHEN v.n % 2 = 1 THEN 'pdf' ELSE 'docx' END,
       CASE WHEN v.n > 1 THEN 'Враховано зауваження юридичного відділу' ELSE '' END,
       d.created_by_id,
       LEAST(d.updated_at, d.created_at + (v.n - 1) * interval '1 day')
  FROM document d CROSS JOIN LATERAL generate_series(1, d.version_count) AS v(n)`

/** Seeds the organisation like a first start, then bulk-inserts documents and their version rows. */
async function fillDatabase(databaseUrl: string): Promise<void> {
  const db = openDatabase(databaseUrl, { max: 2 })
  try {
    await seedIfEmpty(db.prisma, { demo: true, adminPassword: null })
  } finally {
    await db.close()
  }
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const started = Date.now()
    await client.query('BEGIN')
    await client.query('SELECT setseed(0.4242)')
    const docs = await client.query(DOCUMENTS_SQL, [TITLES, SUMMARIES, DOCS])
    const versions = await client.query(VERSIONS_SQL)
    await client.query('COMMIT')
    await client.query('ANALYZE')
    const { rows } = await client.query<{ access_mark: string; n: string }>('SELECT access_mark::text, count(*) AS n FROM document GROUP BY 1 ORDER BY 1')
    log(
      `inserted ${docs.rowCount} documents and ${versions.rowCount} versions in ${Date.now() - started} ms ` +
        `(${rows.map((r) => `${r.access_mark} ${r.n}`).join(', ')}); ANALYZE done`,
    )
  } finally {
    await client.end()
  }
}

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
  await fillDatabase(pgh.url)

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
  const bareRows = (await (await fetch(bareUrl)).json()) as { id: string; total: string }[]
  const same = ours.items.length === bareRows.length && ours.items.every((d, i) => d.id === bareRows[i]?.id) && ours.total === Number(bareRows[0]?.total)
  if (!same) throw new Error(`ours and bare disagree: ${ours.items.length} items / total ${ours.total} vs ${bareRows.length} rows / total ${bareRows[0]?.total}`)
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
