import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import pino from 'pino'
import { openDatabase, type Database } from '../db/client.ts'
import { scratchDatabase } from '../testing/harness.ts'
import { createObjectStore, type ObjectStore } from '../../storage/index.ts'
import { enqueue, startJobQueue, type JobQueue, type TaskMap } from './queue.ts'
import { makeTasks } from './tasks.ts'

describe('the job queue', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>
  let db: Database
  let store: ObjectStore
  const runners: JobQueue[] = []
  const runs: string[] = []

  beforeAll(async () => {
    scratch = await scratchDatabase()
    db = openDatabase(scratch.url, { max: 6 })
    store = await createObjectStore({ kind: 'disk', root: mkdtempSync(join(tmpdir(), 'jobs-')) })
    // Two "server instances" polling one queue, each recording which instance ran a job.
    for (const name of ['A', 'B']) {
      const real = makeTasks({ prisma: db.prisma, store, orphanGraceHours: 0, mailer: null, publicUrl: null, reminderDays: [3, 1, 0] })
      const tasks: TaskMap = {
        sweep_orphans: async (payload, helpers) => {
          runs.push(`${name}:sweep`)
          await real.sweep_orphans(payload, helpers)
        },
        cleanup_expired: async (payload, helpers) => {
          runs.push(`${name}:cleanup`)
          await real.cleanup_expired(payload, helpers)
        },
      }
      runners.push(await startJobQueue({ pool: db.pool, tasks, concurrency: 2, log: pino({ level: 'silent' }), crontab: '' }))
    }
  })
  afterAll(async () => {
    for (const r of runners) await r.stop()
    await db.close()
    await scratch.drop()
  })

  it('runs a job enqueued in a committed transaction exactly once across two instances', async () => {
    const orphan = await store.put(Readable.from([Buffer.from(`orphan ${Math.random()}`)]))
    await db.prisma.$transaction((tx) => enqueue(tx, 'sweep_orphans'))
    await vi.waitFor(async () => expect(await store.head(orphan.key)).toBeNull(), { timeout: 20_000, interval: 100 })
    // Give the other instance every chance to run it a second time.
    await db.prisma.$transaction((tx) => enqueue(tx, 'cleanup_expired'))
    await vi.waitFor(() => expect(runs.filter((r) => r.endsWith(':cleanup'))).toHaveLength(1), { timeout: 20_000, interval: 100 })
    expect(runs.filter((r) => r.endsWith(':sweep'))).toHaveLength(1)
    // A finished job is removed once its task returns.
    await vi.waitFor(async () => expect((await db.pool.query('SELECT count(*)::int AS n FROM graphile_worker.jobs')).rows[0].n).toBe(0), { timeout: 20_000, interval: 100 })
    expect(runs.filter((r) => r.endsWith(':sweep'))).toHaveLength(1)
  })

  it('creates no job when the transaction rolls back', async () => {
    await expect(
      db.prisma.$transaction(async (tx) => {
        await enqueue(tx, 'sweep_orphans')
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    const jobs = await db.pool.query("SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'sweep_orphans'")
    expect(jobs.rows[0].n).toBe(0)
  })
})
