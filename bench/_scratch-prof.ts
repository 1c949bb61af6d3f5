import { join } from 'node:path'
import { readdirSync, copyFileSync } from 'node:fs'
import pg from 'pg'
import autocannon from 'autocannon'
import { makeTempRoot, runBench, log, login, startServer, onCleanup } from './lib.ts'
import { fillDatabase } from './list-data.ts'
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts'
import { migrate } from '../server/db/migrate.ts'

const N = Number(process.argv[2] ?? 10000)
runBench('prof', async () => {
  const root = makeTempRoot('prof')
  let capture: string[] | null = null
  const pgh = await startEmbeddedPostgres({ dir: join(root, 'pg'), database: 'hromada_bench', log: (l) => { if (capture) capture.push(l) } })
  onCleanup('pg', () => pgh.stop())
  await migrate(pgh.url)
  await fillDatabase(pgh.url, N)
  const { child, baseUrl } = await startServer({ databaseUrl: pgh.url, dataDir: join(root, 'data'), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${join(root, 'prof')}`] })
  const s = await login(baseUrl, 'it.staff')
  const c = new pg.Client({ connectionString: pgh.url }); await c.connect()
  await fetch(baseUrl + '/api/documents?limit=50', { headers: { cookie: s.cookie } }).then((r) => r.text())
  await c.query(`ALTER SYSTEM SET log_statement = 'all'`); await c.query('SELECT pg_reload_conf()')
  await new Promise((r) => setTimeout(r, 300))
  capture = []
  await fetch(baseUrl + '/api/documents?limit=50', { headers: { cookie: s.cookie } }).then((r) => r.text())
  await new Promise((r) => setTimeout(r, 300))
  const got = capture; capture = null
  await c.query(`ALTER SYSTEM RESET log_statement`); await c.query('SELECT pg_reload_conf()')
  await c.end()
  console.error('--- statements for one list request:\n' + got.join('\n').slice(0, 6000))
  const r = await autocannon({ url: baseUrl + '/api/documents?limit=50', connections: 10, duration: 10, headers: { cookie: s.cookie } })
  log(`ours ${r.requests.average} req/s p50 ${r.latency.p50}`)
  await child.stop()
  const dir = join(root, 'prof')
  for (const f of readdirSync(dir)) { copyFileSync(join(dir, f), `/tmp/benchscratch/server-${N}-${f.split(".")[4]}.cpuprofile`); log(`profile ${f}`) }
  return {}
})
