/**
 * The bare baseline for bench/list.ts: a Fastify server with one route that runs exactly the
 * SQL the product runs for GET /api/documents (built by the product's documentListSql) on a
 * pg Pool, and answers the rows as JSON. No auth, no session lookup, no response schema.
 *
 * Env: DATABASE_URL, PORT, BENCH_AUTH (JSON: the Auth the product builds for the user),
 * BENCH_QUERY (JSON: the list query, default {"limit":50}). Prints {"ready":true,"port":...}
 * when listening; exits on SIGTERM/SIGINT or when stdin closes (the bench process went away).
 */
import Fastify from 'fastify'
import pg from 'pg'
import { documentListQueries } from '../server/documents/documents.service.ts'
import type { DocumentListQuery } from '../server/documents/schemas.ts'
import type { Auth } from '../server/people/sessions.ts'

const env = (name: string) => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} is required`)
  return v
}
const auth = JSON.parse(env('BENCH_AUTH')) as Auth
const query = JSON.parse(process.env.BENCH_QUERY ?? '{"limit":50}') as DocumentListQuery

// The same pool size the product uses (server/db/client.ts).
const pool = new pg.Pool({ connectionString: env('DATABASE_URL'), max: 10 })
pool.on('error', (err) => process.stderr.write(`PostgreSQL connection lost: ${err.message}\n`))

const app = Fastify({ logger: false })
app.get('/', async () => {
  // Prisma.Sql renders $1.. placeholders in `.text`, the form pg expects. The same two
  // statements the product runs (page and count), in parallel as the product does.
  const { page, count } = documentListQueries(auth, query)
  const [rows, total] = await Promise.all([
    pool.query({ text: page.text, values: page.values as unknown[] }),
    pool.query({ text: count.text, values: count.values as unknown[] }),
  ])
  return { items: rows.rows, total: Number(total.rows[0].total) }
})

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  try {
    await app.close()
    await pool.end()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', () => void stop())
process.on('SIGINT', () => void stop())
process.stdin.on('end', () => void stop())
process.stdin.on('error', () => void stop())
process.stdin.resume()

await app.listen({ port: Number(env('PORT')), host: '127.0.0.1' })
process.stdout.write(JSON.stringify({ ready: true, port: Number(env('PORT')) }) + '\n')
