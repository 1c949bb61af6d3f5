import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../db/client.ts'
import { seedIfEmpty } from '../seed/seed.ts'
import { scratchDatabase } from '../testing/harness.ts'
import { disciplineSql, disciplineValues } from './discipline.ts'
import { rawDisciplineSql } from './discipline-raw.ts'
import { kyivMidnight, parsePeriod } from './period.ts'
import type { GroupBy } from './schemas.ts'

// assignment_tally is kept by a trigger on assignment (migration 20261129024210). Whatever is
// done to assignment, row by row or many rows at once, (1) the tally must equal a GROUP BY over
// assignment, and (2) the report statement built on it must give exactly the rows of the
// pre-tally statement (discipline-raw.ts), which aggregates assignment directly. The database
// is this file's own, so the tally can be compared as a whole.

const STATUSES = ['new', 'in_work', 'on_check', 'done', 'done_late', 'overdue', 'cancelled'] as const
type Status = (typeof STATUSES)[number]

// The report's clock. Deadlines fall on both sides of it and on it (0 days: due exactly now,
// which is "open"), so open assignments count as open or overdue.
const NOW = new Date('2025-03-20T10:00:00Z')
const DAY = 86_400_000

// Issue instants: Kyiv midnights (and a millisecond either side) around the periods below,
// including the spring DST change (30 March 2025), plus arbitrary times in between.
const EDGES = ['2025-02-01', '2025-02-28', '2025-03-01', '2025-03-02', '2025-03-30', '2025-03-31', '2025-04-01', '2025-04-02'].flatMap((d) => {
  const t = kyivMidnight(d).getTime()
  return [t - 1, t, t + 1]
})
const START = kyivMidnight('2025-01-25').getTime()
const SPAN = kyivMidnight('2025-04-08').getTime() - START

const PERIODS = [
  parsePeriod('2025-03-01', '2025-04-01'), // a month
  parsePeriod('2025-03-01', '2025-03-02'), // one day
  parsePeriod('2025-01-01', '2025-04-01'), // a quarter
  parsePeriod('2025-02-28', '2025-04-02'), // odd edges
  parsePeriod('2025-03-30', '2025-03-31'), // the 23-hour day
]

let scratch: Awaited<ReturnType<typeof scratchDatabase>>
let db: Database
let pool: pg.Pool
let users: string[]
let units: string[]
let unitByCode: Map<string, string>

beforeAll(async () => {
  scratch = await scratchDatabase()
  db = openDatabase(scratch.url, { max: 8 })
  pool = db.pool
  await seedIfEmpty(db.prisma, { demo: true, adminPassword: null })
  users = (await pool.query<{ id: string }>('SELECT id FROM app_user ORDER BY login LIMIT 6')).rows.map((r) => r.id)
  const u = (await pool.query<{ id: string; code: string }>('SELECT id, code FROM unit ORDER BY code')).rows
  unitByCode = new Map(u.map((r) => [r.code, r.id]))
  // A few units across the tree: the Directorate, two of its departments, one outside it.
  units = ['02', '02-01', '02-02', '05'].map((c) => unitByCode.get(c)!)
})
afterAll(async () => {
  await db?.close()
  await scratch?.drop()
})

// --- operations on assignment, as SQL, the way any writer (the service, an admin, a script) could ---

type Op =
  | { kind: 'insert'; unit: number; executor: number; status: Status; issued: number; due: number; extended: boolean }
  | { kind: 'status'; row: number; status: Status }
  | { kind: 'extend'; row: number; days: number }
  | { kind: 'cancel'; row: number }
  | { kind: 'move'; row: number; unit: number; executor: number }
  | { kind: 'reissue'; row: number; issued: number }
  | { kind: 'delete'; row: number }
  | { kind: 'bulk'; unit: number; status: Status }

const issuedArb = fc.oneof(fc.constantFrom(...EDGES), fc.integer({ min: 0, max: SPAN }).map((x) => START + x))
const statusArb = fc.constantFrom(...STATUSES)
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('insert' as const), unit: fc.nat(3), executor: fc.nat(5), status: statusArb, issued: issuedArb, due: fc.constantFrom(-20, -3, -1, 0, 1, 3, 20), extended: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('status' as const), row: fc.nat(), status: statusArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('extend' as const), row: fc.nat(), days: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), row: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('move' as const), row: fc.nat(), unit: fc.nat(3), executor: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reissue' as const), row: fc.nat(), issued: issuedArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), row: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('bulk' as const), unit: fc.nat(3), status: statusArb }) },
)

async function apply(ops: Op[]): Promise<void> {
  const ids: string[] = []
  const pick = (i: number) => (ids.length ? ids[i % ids.length]! : null)
  for (const op of ops) {
    switch (op.kind) {
      case 'insert': {
        const id = randomUUID()
        const issued = new Date(op.issued)
        const due = new Date(NOW.getTime() + op.due * DAY)
        const original = op.extended ? new Date(due.getTime() - 7 * DAY) : due
        await pool.query(
          `INSERT INTO assignment (id, root_id, text, issued_by_id, executor_id, unit_id, controller_id, starts_on, due_at, original_due_at, status, issued_at)
           VALUES ($1, $1, 'Доручення', $2, $3, $4, $2, $5::timestamptz::date, $6, $7, $8, $5)`,
          [id, users[0], users[op.executor], units[op.unit], issued, due, original, op.status],
        )
        ids.push(id)
        break
      }
      case 'status':
        if (pick(op.row)) await pool.query('UPDATE assignment SET status = $2, row_version = row_version + 1 WHERE id = $1', [pick(op.row), op.status])
        break
      case 'extend':
        if (pick(op.row)) await pool.query(`UPDATE assignment SET due_at = due_at + $2 * interval '1 day' WHERE id = $1`, [pick(op.row), op.days])
        break
      case 'cancel':
        if (pick(op.row)) await pool.query(`UPDATE assignment SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [pick(op.row)])
        break
      case 'move':
        if (pick(op.row)) await pool.query('UPDATE assignment SET unit_id = $2, executor_id = $3 WHERE id = $1', [pick(op.row), units[op.unit], users[op.executor]])
        break
      case 'reissue':
        if (pick(op.row)) await pool.query('UPDATE assignment SET issued_at = $2 WHERE id = $1', [pick(op.row), new Date(op.issued)])
        break
      case 'delete':
        if (pick(op.row)) {
          await pool.query('DELETE FROM assignment WHERE id = $1', [pick(op.row)])
          ids.splice(ids.indexOf(pick(op.row)!), 1)
        }
        break
      case 'bulk':
        // Many rows in one statement, several of them under the same tally key.
        await pool.query('UPDATE assignment SET status = $2 WHERE unit_id = $1', [units[op.unit], op.status])
        break
    }
  }
}

// --- the two checks ---

/** The tally and the GROUP BY it stands for, both in key order. */
async function tallyAndTruth() {
  const key = 'day::text, unit_id, executor_id, status::text'
  const tally = await pool.query(`SELECT ${key}, extended, n FROM assignment_tally ORDER BY 1, 2, 3, 4, 5`)
  const truth = await pool.query(
    `SELECT (issued_at AT TIME ZONE 'Europe/Kyiv')::date::text AS day, unit_id, executor_id, status::text, due_at > original_due_at AS extended, count(*)::int AS n
       FROM assignment WHERE status IN ('done', 'done_late', 'overdue', 'cancelled') GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`,
  )
  return { tally: tally.rows, truth: truth.rows }
}

/** Every period × grouping × viewer: the product's statement and the raw one, row for row. */
async function reportPairs() {
  const views = [
    { unitId: null, scope: { roots: null } }, // the whole organisation
    { unitId: unitByCode.get('02')!, scope: { roots: null } }, // filtered to the Directorate
    { unitId: null, scope: { roots: [unitByCode.get('02-01')!] } }, // a department head
  ]
  const out: { what: string; ours: unknown[]; raw: unknown[] }[] = []
  for (const period of PERIODS) {
    for (const groupBy of ['unit', 'person'] as GroupBy[]) {
      for (const view of views) {
        const values = disciplineValues({ period, now: NOW, ...view })
        const ours = (await pool.query(disciplineSql(groupBy), values)).rows
        const raw = (await pool.query(rawDisciplineSql(groupBy), values)).rows
        out.push({ what: `${period.from}..${period.lastDay} by ${groupBy}, unit ${view.unitId}, scope ${view.scope.roots}`, ours, raw })
      }
    }
  }
  return out
}

async function expectConsistent() {
  const { tally, truth } = await tallyAndTruth()
  expect(tally).toEqual(truth)
  for (const p of await reportPairs()) expect(p.ours, p.what).toEqual(p.raw)
}

describe('assignment_tally', () => {
  it('follows any sequence of inserts, status changes, extensions, cancellations, moves and deletes; the report equals the raw aggregate', async () => {
    let nonEmpty = 0
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 60 }), async (ops) => {
        // Each run starts from nothing, the tally included, so a counterexample stands on its own.
        await pool.query('DELETE FROM assignment')
        await pool.query('DELETE FROM assignment_tally')
        await apply(ops)
        await expectConsistent()
        if ((await pool.query('SELECT count(*)::int AS n FROM assignment_tally')).rows[0].n > 0) nonEmpty++
      }),
      { numRuns: 40 },
    )
    // The property was not vacuous: many runs left settled assignments behind. About half do
    // (a run has 1 to 60 random operations); a quarter is a bound random runs do not miss
    // (at 20 of 40 it failed once by chance).
    expect(nonEmpty).toBeGreaterThanOrEqual(10)
  }, 300_000)

  it('loses no count when many transactions change assignments of the same key at once', async () => {
    await pool.query('DELETE FROM assignment')
    const issued = new Date('2025-03-10T08:00:00Z')
    const rows = Array.from({ length: 40 }, () => randomUUID())
    for (const id of rows) {
      await pool.query(
        `INSERT INTO assignment (id, root_id, text, issued_by_id, executor_id, unit_id, controller_id, starts_on, due_at, original_due_at, status, issued_at)
         VALUES ($1, $1, 'Доручення', $2, $2, $3, $2, '2025-03-10', $4, $4, 'in_work', $4)`,
        [id, users[1], units[1], issued],
      )
    }
    // Every row goes in_work -> done, then half of them done -> done_late, each in its own
    // transaction, all at once: the same tally rows are upserted concurrently, and rows are
    // deleted when they reach zero while others insert them again.
    const tx = async (sql: string, id: string) => {
      const c = await pool.connect()
      try {
        await c.query('BEGIN')
        await c.query(sql, [id])
        await c.query('COMMIT')
      } finally {
        c.release()
      }
    }
    await Promise.all(rows.map((id) => tx(`UPDATE assignment SET status = 'done' WHERE id = $1`, id)))
    await Promise.all(rows.map((id, i) => tx(i % 2 ? `UPDATE assignment SET status = 'done_late' WHERE id = $1` : `UPDATE assignment SET status = 'overdue' WHERE id = $1`, id)))
    await Promise.all(rows.map((id, i) => tx(i % 4 === 0 ? `UPDATE assignment SET status = 'in_work' WHERE id = $1` : `UPDATE assignment SET due_at = due_at + interval '1 day' WHERE id = $1`, id)))
    const { tally, truth } = await tallyAndTruth()
    expect(tally).toEqual(truth)
    expect(tally.map((r) => [r.status, r.extended, r.n])).toEqual([
      ['done_late', true, 20],
      ['overdue', true, 10],
    ])
  })

  it('the checks can fail: a change the trigger did not see shows in both', async () => {
    await pool.query('DELETE FROM assignment')
    await apply([
      { kind: 'insert', unit: 1, executor: 1, status: 'done', issued: kyivMidnight('2025-03-05').getTime(), due: -5, extended: false },
      { kind: 'insert', unit: 1, executor: 1, status: 'in_work', issued: kyivMidnight('2025-03-06').getTime(), due: -5, extended: false },
    ])
    await expectConsistent()
    const c = await pool.connect()
    try {
      // Behind the trigger's back (this session only; the trigger is an ordinary, "origin" one).
      await c.query('BEGIN')
      await c.query("SET LOCAL session_replication_role = 'replica'")
      await c.query(`UPDATE assignment SET status = 'done_late' WHERE status = 'in_work'`)
      await c.query('COMMIT')
    } finally {
      c.release()
    }
    const { tally, truth } = await tallyAndTruth()
    expect(tally).not.toEqual(truth)
    const pairs = await reportPairs()
    expect(pairs.some((p) => JSON.stringify(p.ours) !== JSON.stringify(p.raw))).toBe(true)
    // assignment_tally_rebuild() puts it right, as after the benchmark's bulk load.
    await pool.query('SELECT assignment_tally_rebuild()')
    await expectConsistent()
  })
})
