import Fastify from 'fastify'
import { documentListSql, listDocuments } from '../server/documents/documents.service.ts'
import { lookupSession } from '../server/people/sessions.ts'
import { openDatabase } from '../server/db/client.ts'
import type { Auth } from '../server/people/sessions.ts'
const mode = process.env.MODE!
const auth = JSON.parse(process.env.BENCH_AUTH!) as Auth
const token = process.env.TOKEN!
const db = openDatabase(process.env.DATABASE_URL!)
const app = Fastify({ logger: false })
app.get('/', async () => {
  let a = auth
  if (mode.includes('session')) a = (await lookupSession(db.prisma, token, 12))!
  if (mode.includes('prisma')) return listDocuments(db.prisma, a, { limit: 50 })
  const sql = documentListSql(a, { limit: 50 })
  const { rows } = await db.pool.query({ text: sql.text, values: sql.values as unknown[] })
  return rows
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.stdout.write(JSON.stringify({ ready: true }) + '\n')
process.stdin.on('end', () => process.exit(0)); process.stdin.resume()
process.on('SIGTERM', () => process.exit(0))
