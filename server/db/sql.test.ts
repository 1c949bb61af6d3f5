import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDatabase } from '../testing/harness.ts'
import { openDatabase, type Database } from './client.ts'
import { asSql, pgSql, pgTransaction, sql } from './sql.ts'

describe('the plain-pg way to the database (sql.ts)', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  let db: Database
  beforeAll(async () => {
    scratch = await scratchDatabase()
    db = openDatabase(scratch.url, { max: 2 })
    await db.pool.query('CREATE TABLE sql_probe (n int PRIMARY KEY, at timestamptz, doc json)')
  })
  afterAll(async () => {
    await db.close()
    await scratch.drop()
  })
  const count = async () => (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM sql_probe')).rows[0]!.n

  it('commits what a transaction wrote when it resolves, and nothing when it throws', async () => {
    const at = new Date('2026-03-29T00:59:59.123Z')
    const got = await pgTransaction(db.pool, async (tx) => {
      await tx.exec(sql`INSERT INTO sql_probe (n, at, doc) VALUES (${1}, ${at}, ${JSON.stringify({ a: [1, 'б'] })}::json)`)
      return tx.query<{ n: number; at: Date; doc: unknown }>(sql`SELECT n, at, doc FROM sql_probe WHERE n = ${1}`)
    })
    expect(got).toEqual([{ n: 1, at, doc: { a: [1, 'б'] } }])
    await expect(
      pgTransaction(db.pool, async (tx) => {
        await tx.exec(sql`INSERT INTO sql_probe (n) VALUES (${2})`)
        throw new Error('refused')
      }),
    ).rejects.toThrow('refused')
    // A failing statement rolls back the statements before it too.
    await expect(
      pgTransaction(db.pool, async (tx) => {
        await tx.exec(sql`INSERT INTO sql_probe (n) VALUES (${3})`)
        await tx.exec(sql`INSERT INTO sql_probe (n) VALUES (${1})`)
      }),
    ).rejects.toThrow(/duplicate key/)
    expect(await count()).toBe(1)
    // Every connection went back to the pool idle, none left in a transaction.
    expect(db.pool.idleCount).toBe(db.pool.totalCount)
    const open = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`)
    expect(open.rows[0]!.n).toBe(0)
  })

  it('gives up with DATABASE_BUSY, leaving nothing, when a lock or a connection does not come in time', async () => {
    // Another transaction holds the row this one wants.
    const holder = await db.pool.connect()
    try {
      await holder.query('BEGIN')
      await holder.query('UPDATE sql_probe SET at = now() WHERE n = 1')
      const locked = pgTransaction(
        db.pool,
        async (tx) => {
          await tx.exec(sql`INSERT INTO sql_probe (n) VALUES (${20})`)
          await tx.exec(sql`UPDATE sql_probe SET doc = NULL WHERE n = ${1}`)
        },
        { statementMs: 300 },
      )
      await expect(locked).rejects.toMatchObject({ code: 'DATABASE_BUSY', status: 503 })
      // Every connection of the pool (max 2) is taken: the next transaction cannot start.
      const second = await db.pool.connect()
      try {
        await expect(pgTransaction(db.pool, async () => 'never', { waitMs: 200 })).rejects.toMatchObject({ code: 'DATABASE_BUSY' })
      } finally {
        second.release()
      }
      await holder.query('ROLLBACK')
    } finally {
      holder.release()
    }
    expect(await count()).toBe(1)
    // The connection that came late went back to the pool: a transaction runs now.
    expect(await pgTransaction(db.pool, async (tx) => (await tx.query<{ one: number }>(sql`SELECT 1 AS one`))[0]!.one)).toBe(1)
  })

  it('runs the same statement inside a Prisma transaction through asSql, in that transaction', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await asSql(tx).exec(sql`INSERT INTO sql_probe (n) VALUES (${10})`)
        const seen = await asSql(tx).query<{ n: number }>(sql`SELECT n FROM sql_probe WHERE n = ${10}`)
        expect(seen).toEqual([{ n: 10 }])
        throw new Error('undo')
      }),
    ).rejects.toThrow('undo')
    expect(await count()).toBe(1)
  })

  it('prepares a statement once per connection and reuses it', async () => {
    const one = await db.pool.connect()
    try {
      const q = pgSql(one)
      for (let i = 0; i < 3; i++) expect(await q.query(sql`SELECT ${i}::int * 7 AS seven_times`)).toEqual([{ seven_times: i * 7 }])
      const prepared = await one.query(`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%* 7 AS seven_times%'`)
      expect(prepared.rows).toHaveLength(1)
    } finally {
      one.release()
    }
  })
})
