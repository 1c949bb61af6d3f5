import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDatabase } from '../testing/harness.ts'
import { openDatabase, statementNames, type Database } from './client.ts'

describe('statement names', () => {
  it('name each text the same way every time, differently from other texts, and only so many texts', () => {
    const name = statementNames(2)
    const a = name({ sql: 'SELECT 1' })
    expect(a).toMatch(/^p[0-9a-f]{32}$/)
    expect(name({ sql: 'SELECT 1' })).toBe(a)
    const b = name({ sql: 'SELECT 2' })
    expect(b).not.toBe(a)
    // The third distinct text stays unnamed (not prepared), so no connection collects without bound.
    expect(name({ sql: 'SELECT 3' })).toBeUndefined()
    expect(name({ sql: 'SELECT 1' })).toBe(a)
  })

  describe('on a real connection', () => {
    let scratch: Awaited<ReturnType<typeof scratchDatabase>>
    let db: Database
    beforeAll(async () => {
      scratch = await scratchDatabase()
      db = openDatabase(scratch.url, { max: 1 })
    })
    afterAll(async () => {
      await db.close()
      await scratch.drop()
    })

    it('prepares a statement Prisma runs once per connection and reuses it', async () => {
      const run = () => db.prisma.$queryRaw<{ n: number }[]>`SELECT ${41}::int + 1 AS n`
      expect(await run()).toEqual([{ n: 42 }])
      expect(await run()).toEqual([{ n: 42 }])
      const prepared = await db.prisma.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements WHERE statement LIKE '%::int + 1 AS n%' AND statement NOT LIKE '%pg_prepared_statements%'`
      expect(prepared).toHaveLength(1)
    })
  })
})
