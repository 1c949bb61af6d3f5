import { join } from 'node:path'
import autocannon from 'autocannon'
import { makeTempRoot, runBench, log, login, startServer, startPostgres, spawnNode, freePort, median } from './lib.ts'
import { fillDatabase } from './list-data.ts'
const N = Number(process.argv[2] ?? 300)
runBench('modes', async () => {
  const root = makeTempRoot('modes')
  const pgh = await startPostgres(join(root, 'pg'))
  await fillDatabase(pgh.url, N)
  const { baseUrl } = await startServer({ databaseUrl: pgh.url, dataDir: join(root, 'data') })
  const s = await login(baseUrl, 'it.staff')
  const auth = { userId: s.user.id, roles: s.roles, positions: s.positions }
  const token = s.cookie.split('=')[1]!
  const targets: Record<string, string> = { ours: baseUrl + '/api/documents?limit=50' }
  for (const mode of ['sql', 'sql+session', 'prisma', 'prisma+session']) {
    const port = await freePort()
    const c = spawnNode(mode, 'bench/_scratch-bare2.ts', { env: { MODE: mode, DATABASE_URL: pgh.url, PORT: String(port), BENCH_AUTH: JSON.stringify(auth), TOKEN: token } })
    await c.firstJsonLine()
    targets[mode] = `http://127.0.0.1:${port}/`
  }
  const res: Record<string, number[]> = {}
  for (const [k, u] of Object.entries(targets)) await autocannon({ url: u, connections: 10, duration: 2, headers: { cookie: s.cookie } })
  for (let r = 0; r < 2; r++) for (const [k, u] of Object.entries(targets)) {
    const x = await autocannon({ url: u, connections: 10, duration: 6, headers: { cookie: s.cookie } })
    if (x.non2xx || x.errors) throw new Error(k + ' errors')
    ;(res[k] ??= []).push(x.requests.average)
    log(`${k}: ${x.requests.average} req/s p50 ${x.latency.p50}`)
  }
  for (const [k, v] of Object.entries(res)) log(`${k}: median ${median(v).toFixed(1)} req/s`)
  return {}
})
