import type pg from 'pg'
import { AppError } from '../errors.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { preparedNames, type Db, type Tx } from './client.ts'

/**
 * The second way to the database, for the hottest paths. Prisma's query client costs about
 * 0.5–0.8 ms of Node CPU per call against ~0.15 ms for the same statement on plain `pg`
 * (bench/visa.ts); a visa makes a dozen calls. Code that must be cheap writes its SQL with the
 * `sql` tag and runs it through this interface, so the same function works inside a Prisma
 * transaction (the rest of the product) and inside a plain pg transaction (the visa).
 *
 * Result types are pg's: int4 → number, timestamptz → Date, json → value, uuid → string.
 * Do not select int8, numeric or `date` columns through it (pg and Prisma decode them
 * differently): cast counts to int and dates to text.
 */
export interface Sql {
  /** The rows of one statement. */
  query<R = Record<string, unknown>>(q: Prisma.Sql): Promise<R[]>
  /** One statement whose rows do not matter (UPDATE, SELECT of void functions). */
  exec(q: Prisma.Sql): Promise<void>
}

/** What services accept: a plain-pg handle, a Prisma transaction, or the Prisma client. */
export type Conn = Sql | Tx | Db

export const sql = Prisma.sql
export const join = Prisma.join
export const empty = Prisma.empty
/** Text put into a statement as it is: only ever for names made by our code, never for input. */
export const raw = Prisma.raw

const isPrisma = (c: Conn): c is Tx | Db => typeof (c as { $queryRawUnsafe?: unknown }).$queryRawUnsafe === 'function'

/** The Sql face of any handle; a Prisma one keeps its transaction. */
export function asSql(c: Conn): Sql {
  if (!isPrisma(c)) return c
  return {
    query: <R>(q: Prisma.Sql) => c.$queryRawUnsafe<R[]>(q.text, ...q.values),
    exec: async (q: Prisma.Sql) => {
      await c.$executeRawUnsafe(q.text, ...q.values)
    },
  }
}

// The names Prisma's statements get too: pg keeps a record of what each connection has
// prepared, keyed by name, and a name is a hash of the text, so the same text prepared by
// either side is one statement, and the bound on distinct texts holds for both together.
const names = preparedNames

/** Sql over a pg client or pool; statements are prepared once per connection (see statementNames). */
export function pgSql(client: pg.Pool | pg.ClientBase): Sql {
  const run = (q: Prisma.Sql) => client.query({ text: q.text, values: q.values as unknown[], name: names({ sql: q.text }) })
  return {
    query: async <R>(q: Prisma.Sql) => (await run(q)).rows as R[],
    exec: async (q: Prisma.Sql) => {
      await run(q)
    },
  }
}

export interface TransactionLimits {
  /** How long to wait for a pooled connection (as Prisma's maxWait). */
  waitMs?: number
  /** How long any one statement may run, lock waits included (Prisma limits the whole transaction). */
  statementMs?: number
}

/** PostgreSQL's codes for a statement cancelled by statement_timeout and a lock not obtained in time. */
const TIMED_OUT = new Set(['57014', '55P03'])

/**
 * Runs `fn` in a transaction on one pooled connection (READ COMMITTED, like Prisma's). It
 * commits when `fn` resolves and rolls back when it throws; a connection that failed to roll
 * back is dropped from the pool instead of being reused. Waiting too long for a connection or
 * a statement (a lock held by a long signing, say) fails with DATABASE_BUSY (503), changing
 * nothing.
 */
export async function pgTransaction<T>(pool: pg.Pool, fn: (sql: Sql) => Promise<T>, limits: TransactionLimits = {}): Promise<T> {
  const statementMs = limits.statementMs ?? 30_000
  if (!Number.isInteger(statementMs) || statementMs <= 0) throw new RangeError(`pgTransaction: statementMs ${statementMs}`)
  const client = await acquire(pool, limits.waitMs ?? 15_000)
  let broken: Error | undefined
  try {
    // One round trip: both go in one simple-protocol message.
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${statementMs}`)
    const result = await fn(pgSql(client))
    await client.query('COMMIT')
    return result
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch (e) {
      broken = e as Error
    }
    if (TIMED_OUT.has((err as { code?: string }).code ?? '')) throw new AppError('DATABASE_BUSY')
    throw err
  } finally {
    client.release(broken)
  }
}

async function acquire(pool: pg.Pool, waitMs: number): Promise<pg.PoolClient> {
  const pending = pool.connect()
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AppError('DATABASE_BUSY', 'немає вільного зʼєднання з базою даних')), waitMs)
  })
  try {
    return await Promise.race([pending, late])
  } catch (err) {
    // The connection may still come: give it straight back.
    pending.then((c) => c.release(), () => {})
    throw err
  } finally {
    clearTimeout(timer)
  }
}
