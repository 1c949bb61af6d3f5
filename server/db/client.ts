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
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), transactionOptions: { maxWait: 15_000, timeout: 30_000 } })
  return {
    pool,
    prisma,
    async close() {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}
