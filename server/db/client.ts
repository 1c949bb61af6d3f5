import { createHash } from 'node:crypto'
import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { PrismaClient, type Prisma } from '../generated/prisma/client.ts'

export type Db = PrismaClient
/** The handle services take: the client itself or an open transaction. */
export type Tx = Prisma.TransactionClient

export interface Database {
  /** Shared pool: Prisma, the job queue and LISTEN/NOTIFY all draw from PostgreSQL through it. */
  pool: pg.Pool
  prisma: PrismaClient
  close(): Promise<void>
}

/**
 * Names for Prisma's statements, so that each connection prepares a statement once and
 * PostgreSQL reuses its parse and, once it finds a generic plan as good, its plan, instead of
 * planning every call (unnamed statements cost ~5 ms of planning per visa, bench/visa.ts). A
 * name is a hash of the text. Only the first `max` distinct texts get one, so no connection
 * ever holds more prepared statements than that; texts beyond (say, IN lists of every length)
 * stay unnamed.
 */
export function statementNames(max = 2000): (query: { sql: string }) => string {
  const names = new Map<string, string>()
  return (query) => {
    let name = names.get(query.sql)
    if (name === undefined && names.size < max) {
      name = 'p' + createHash('sha256').update(query.sql).digest('hex').slice(0, 32)
      names.set(query.sql, name)
    }
    // pg treats a missing name as an unnamed (unprepared) statement.
    return name as string
  }
}

/** The names every connection's statements get, whoever runs them (Prisma or server/db/sql.ts). */
export const preparedNames = statementNames()

/** Opens one pg pool and a Prisma 7 client over it (driver adapter, no native engine). */
export function openDatabase(databaseUrl: string, opts: { max?: number; onIdleError?: (err: Error) => void } = {}): Database {
  const onIdleError = opts.onIdleError ?? ((err: Error) => process.stderr.write(`PostgreSQL connection lost: ${err.message}\n`))
  const pool = new pg.Pool({ connectionString: databaseUrl, max: opts.max ?? 10 })
  // A connection dropped by the server must not crash the process; the pool replaces it.
  // 57P01 is the server shutting down (our own stop, or Ctrl-C reaching PostgreSQL): expected.
  const report = (err: Error & { code?: string }) => {
    if (err.code !== '57P01') onIdleError(err)
  }
  pool.on('error', report)
  pool.on('connect', (client) => client.on('error', report))
  // Under load a transaction may wait for a pooled connection longer than Prisma's 2 s default.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: preparedNames }), transactionOptions: { maxWait: 15_000, timeout: 30_000 } })
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}
