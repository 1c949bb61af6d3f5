import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../db/client.ts'
import { scratchDatabase, testApp } from '../testing/harness.ts'
import { makePerson } from '../testing/factories.ts'
import { audit, auditAll } from './record.ts'
import { verifyAuditChain } from './verify.ts'

const run = promisify(execFile)

describe('the audit log', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  let db: Database
  let raw: pg.Client

  beforeAll(async () => {
    scratch = await scratchDatabase()
    db = openDatabase(scratch.url, { max: 4 })
    raw = new pg.Client({ connectionString: scratch.url })
    await raw.connect()
  })
  afterAll(async () => {
    await raw.end()
    await db.close()
    await scratch.drop()
  })

  const write = (n: number, tag: string) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        db.prisma.$transaction((tx) => audit(tx, { userId: null, ip: '127.0.0.1' }, { action: 'document.updated', targetType: 'document', targetId: `${tag}-${i}`, before: { i }, after: { title: `Заголовок «${i}»` } })),
      ),
    )
  /** Edits behind the application's back, as a superuser who switches the guard triggers off. */
  const tamper = async (sql: string, params: unknown[] = []) => {
    await raw.query('ALTER TABLE audit_event DISABLE TRIGGER USER')
    try {
      await raw.query(sql, params)
    } finally {
      await raw.query('ALTER TABLE audit_event ENABLE TRIGGER USER')
    }
  }

  it('chains concurrent appends in a gapless order that verifies', async () => {
    await write(40, 'concurrent')
    const r = await verifyAuditChain(raw)
    expect(r.ok).toBe(true)
    expect(r.checked).toBe(40)
    const seqs = (await raw.query<{ seq: string }>('SELECT seq FROM audit_event ORDER BY seq')).rows.map((x) => Number(x.seq))
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
  })

  it('refuses UPDATE, DELETE and TRUNCATE, also of the chain head', async () => {
    await expect(raw.query("UPDATE audit_event SET action = 'x' WHERE seq = 1")).rejects.toThrow(/append-only/)
    await expect(raw.query('DELETE FROM audit_event WHERE seq = 1')).rejects.toThrow(/append-only/)
    await expect(raw.query('TRUNCATE audit_event')).rejects.toThrow(/append-only/)
    await expect(raw.query("UPDATE audit_head SET hash = 'x'")).rejects.toThrow(/append-only/)
    await expect(raw.query('DELETE FROM audit_head')).rejects.toThrow(/append-only/)
    expect((await verifyAuditChain(raw)).ok).toBe(true)
  })

  it('rolls back with the change it records', async () => {
    const before = (await verifyAuditChain(raw)).headSeq
    await expect(
      db.prisma.$transaction(async (tx) => {
        await audit(tx, { userId: null, ip: null }, { action: 'unit.created', targetType: 'unit', targetId: 'rolled-back' })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    const r = await verifyAuditChain(raw)
    expect(r.headSeq).toBe(before)
    expect(r.ok).toBe(true)
  })

  it('names an edited event as the first broken link, in the API and the script', async () => {
    await write(5, 'edit')
    const victim = 17
    await tamper(`UPDATE audit_event SET after = '{"title": "підмінено"}' WHERE seq = $1`, [victim])
    const r = await verifyAuditChain(raw)
    expect(r.ok).toBe(false)
    expect(r.firstBroken).toMatchObject({ seq: victim, reason: 'hash_mismatch' })

    const script = await run('npx', ['tsx', 'scripts/verify-audit.ts'], { env: { ...process.env, DATABASE_URL: scratch.url }, cwd: process.cwd() }).catch((e: { code: number; stdout: string }) => e)
    expect((script as { code?: number }).code).toBe(1)
    expect((script as { stdout: string }).stdout).toContain(`BROKEN at event #${victim}`)

    const own = await testApp({ databaseUrl: scratch.url })
    try {
      const admin = await own.login((await makePerson(own.db.prisma, { roles: ['admin'] })).login)
      const res = await admin.get('/api/admin/audit/verify')
      expect(res.statusCode).toBe(200)
      expect(res.json()).toMatchObject({ ok: false, firstBroken: { seq: victim, reason: 'hash_mismatch' } })
    } finally {
      await own.close()
    }
    // A forger who also recomputes that event's own hash is caught by the next link.
    await tamper(
      `UPDATE audit_event e SET hash = encode(sha256(convert_to(e.prev_hash || E'\\n' || audit_event_canonical(e), 'UTF8')), 'hex') WHERE seq = $1`,
      [victim],
    )
    expect((await verifyAuditChain(raw)).firstBroken).toMatchObject({ seq: victim + 1, reason: 'prev_hash_mismatch' })
  })

  it('detects removed events, in the middle and at the end', async () => {
    const fresh = await scratchDatabase()
    const d = openDatabase(fresh.url, { max: 2 })
    const c = new pg.Client({ connectionString: fresh.url })
    await c.connect()
    try {
      for (let i = 0; i < 6; i++) await d.prisma.$transaction((tx) => audit(tx, { userId: null, ip: null }, { action: 'unit.updated', targetType: 'unit', targetId: `u${i}` }))
      const ok = await run('npx', ['tsx', 'scripts/verify-audit.ts'], { env: { ...process.env, DATABASE_URL: fresh.url } })
      expect(ok.stdout).toMatch(/intact: 6 events/)
      await c.query('ALTER TABLE audit_event DISABLE TRIGGER USER')
      await c.query('DELETE FROM audit_event WHERE seq = 6')
      expect((await verifyAuditChain(c)).firstBroken).toMatchObject({ seq: 6, reason: 'head_mismatch' })
      await c.query('DELETE FROM audit_event WHERE seq = 3')
      expect((await verifyAuditChain(c)).firstBroken).toMatchObject({ seq: 3, reason: 'missing_events' })
    } finally {
      await c.end()
      await d.close()
      await fresh.drop()
    }
  })
})

describe('the audit outbox', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  let db: Database
  const clients: pg.Client[] = []
  const client = async () => {
    const c = new pg.Client({ connectionString: scratch.url })
    await c.connect()
    clients.push(c)
    return c
  }
  const event = (targetId: string) => ({ action: 'document.updated' as const, targetType: 'document' as const, targetId })

  beforeAll(async () => {
    scratch = await scratchDatabase()
    db = openDatabase(scratch.url, { max: 4 })
  })
  afterAll(async () => {
    for (const c of clients) await c.end()
    await db.close()
    await scratch.drop()
  })

  it('does not hold the chain while a transaction is still working: a later one commits first', async () => {
    const a = await client()
    const b = await client()
    await a.query('BEGIN')
    await a.query(`INSERT INTO audit_outbox (action, target_type, target_id) VALUES ('document.updated', 'document', 'slow')`)
    // Appending straight to audit_event, b would wait for a's COMMIT on the chain's head; the
    // timeout turns such a wait into a failure instead of a hang.
    await b.query(`SET statement_timeout = '5s'`)
    await db.prisma.$transaction((tx) => audit(tx, { userId: null, ip: null }, event('quick')))
    await b.query('BEGIN')
    await b.query(`INSERT INTO audit_outbox (action, target_type, target_id) VALUES ('document.updated', 'document', 'quick-raw')`)
    await b.query('COMMIT')
    await a.query('COMMIT')
    const order = (await a.query<{ target_id: string }>('SELECT target_id FROM audit_event ORDER BY seq')).rows.map((r) => r.target_id)
    expect(order).toEqual(['quick', 'quick-raw', 'slow'])
    expect((await a.query('SELECT count(*)::int AS n FROM audit_outbox')).rows[0].n).toBe(0)
    expect((await verifyAuditChain(a)).ok).toBe(true)
  })

  it('keeps the order written within a transaction, and leaves nothing from a rolled-back one', async () => {
    await db.prisma.$transaction(async (tx) => {
      await audit(tx, { userId: null, ip: null }, event('one'))
      await auditAll(tx, { userId: null, ip: null }, [event('two'), event('three')])
    })
    await expect(
      db.prisma.$transaction(async (tx) => {
        await audit(tx, { userId: null, ip: null }, event('lost'))
        throw new Error('the business change fails')
      }),
    ).rejects.toThrow(/fails/)
    const c = await client()
    const order = (await c.query<{ target_id: string }>(`SELECT target_id FROM audit_event WHERE target_id IN ('one', 'two', 'three', 'lost') ORDER BY seq`)).rows.map((r) => r.target_id)
    expect(order).toEqual(['one', 'two', 'three'])
    expect((await c.query('SELECT count(*)::int AS n FROM audit_outbox')).rows[0].n).toBe(0)
    const r = await verifyAuditChain(c)
    expect(r.ok).toBe(true)
    expect(r.checked).toBe(6)
  })
})
