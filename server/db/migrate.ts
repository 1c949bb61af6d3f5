import { createHash, randomUUID } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { Logger, runMigrations as runQueueMigrations } from 'graphile-worker'

// graphile-worker logs its migrations at info level; start-up prints what matters itself.
const quietLogger = new Logger(() => (level, message) => {
  if (level === 'error') process.stderr.write(`[jobs] ${message}\n`)
})

/** Where the migrations live, in Prisma's folder format. */
export const MIGRATIONS_DIR = join(import.meta.dirname, '..', '..', 'prisma', 'migrations')

// Prisma Migrate's own advisory lock key, so our runner and `prisma migrate deploy` exclude each other.
const MIGRATE_LOCK = 72707369

export interface MigrationResult {
  applied: string[]
  total: number
}

interface Migration {
  name: string
  sql: string
  checksum: string
}

/** Reads prisma/migrations/<name>/migration.sql in name order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8')
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

/**
 * Applies pending migrations and records them in `_prisma_migrations` exactly as Prisma
 * Migrate does, so `prisma migrate status/deploy` agree wherever Prisma's native engine
 * exists. Prisma's engine cannot be downloaded on every machine we run on (FACTS.md),
 * hence our own runner. Each migration runs in one transaction; several server
 * instances starting at once are serialized by the advisory lock.
 */
export async function migrate(databaseUrl: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const result = await migrateSchema(databaseUrl, dir)
  // The job queue's own schema: transactions enqueue jobs (graphile_worker.add_job) whether
  // or not this instance runs workers, so it must exist before the app serves a request.
  await runQueueMigrations({ connectionString: databaseUrl, logger: quietLogger })
  return result
}

async function migrateSchema(databaseUrl: string, dir: string): Promise<MigrationResult> {
  const migrations = readMigrations(dir)
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const applied: string[] = []
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATE_LOCK])
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`)
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    )
    const done = new Map(rows.map((r) => [r.migration_name, r]))
    for (const m of migrations) {
      const row = done.get(m.name)
      if (row) {
        if (!row.finished_at) throw new Error(`Migration ${m.name} started earlier and did not finish; resolve it by hand before starting.`)
        if (row.checksum !== m.checksum) throw new Error(`Migration ${m.name} was changed after it was applied; write a new migration instead.`)
        continue
      }
      await client.query('BEGIN')
      try {
        await client.query(m.sql)
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count, started_at)
           VALUES ($1, $2, now(), $3, 1, now())`,
          [randomUUID(), m.checksum, m.name],
        )
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err })
      }
      applied.push(m.name)
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATE_LOCK]).catch(() => undefined /* the connection is closing anyway */)
    await client.end()
  }
  return { applied, total: migrations.length }
}
