import { join } from 'node:path'
import pg from 'pg'
import { makeTempRoot, runBench, startPostgres, log } from './lib.ts'
import { fillDatabase } from './list-data.ts'
import { documentListSql } from '../server/documents/documents.service.ts'

runBench('explain', async () => {
  const root = makeTempRoot('explain')
  const pgh = await startPostgres(join(root, 'pg'))
  await fillDatabase(pgh.url, Number(process.argv[2] ?? 10000))
  const c = new pg.Client({ connectionString: pgh.url })
  await c.connect()
  const { rows: [u] } = await c.query(`SELECT u.id, p.unit_id FROM app_user u JOIN position_holder ph ON ph.user_id=u.id JOIN position p ON p.id=ph.position_id WHERE login='it.staff'`)
  const auth = { userId: u.id, roles: ['staff'], positions: [{ unitId: u.unit_id }] } as any
  const sql = documentListSql(auth, { limit: 50 })
  for (let i = 0; i < 3; i++) { const t = performance.now(); await c.query(sql.text, sql.values as any[]); log(`query ${(performance.now()-t).toFixed(1)} ms`) }
  const { rows } = await c.query('EXPLAIN (ANALYZE, BUFFERS) ' + sql.text, sql.values as any[])
  console.error(rows.map((r: any) => r['QUERY PLAN']).join('\n'))
  // Without the window count
  const noCount = sql.text.replace(', count(*) OVER () AS total', '')
  for (let i = 0; i < 3; i++) { const t = performance.now(); await c.query(noCount, sql.values as any[]); log(`query without count(*) OVER () ${(performance.now()-t).toFixed(1)} ms`) }
  const { rows: r2 } = await c.query('EXPLAIN (ANALYZE) ' + noCount, sql.values as any[])
  console.error(r2.map((r: any) => r['QUERY PLAN']).join('\n'))
  for (let i = 0; i < 3; i++) { const t = performance.now(); await c.query(`SELECT count(*) FROM document d WHERE (d.access_mark = 'public' OR d.created_by_id = $1::uuid OR d.author_unit_id IN ($2::uuid))`, [u.id, u.unit_id]); log(`separate count ${(performance.now()-t).toFixed(1)} ms`) }
  const { rows: s } = await c.query(`SELECT 1`); log(JSON.stringify(s))
  const { rows: co } = await c.query(`SELECT datcollate, datlocprovider, daticulocale FROM pg_database WHERE datname = current_database()`); log(JSON.stringify(co))
  await c.end()
  return {}
})
