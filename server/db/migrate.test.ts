import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { scratchDatabase } from '../testing/harness.ts'
import { migrate, MIGRATIONS_DIR, readMigrations } from './migrate.ts'
import { migrationsToSchemaDiff, SCHEMA } from '../../scripts/prisma6.ts'

describe('migrations', () => {
  it('agree with prisma/schema.prisma (drift fails this test)', async () => {
    const scratch = await scratchDatabase()
    try {
      const r = migrationsToSchemaDiff(scratch.url)
      expect(r.error).toBeNull()
      expect(r.sql, 'schema.prisma has changes no migration carries: run `npm run db:diff -- <name>`').toBe('-- This is an empty migration.')
      expect(r.drift).toBe(false)

      // The check itself can fail: a schema with one more field must show as drift.
      const dir = mkdtempSync(join(tmpdir(), 'drift-'))
      const changed = join(dir, 'schema.prisma')
      writeFileSync(changed, readFileSync(SCHEMA, 'utf8').replace('  summary      String         @default("")', '  summary      String         @default("")\n  extra        String?'))
      const d = migrationsToSchemaDiff(scratch.url, changed)
      expect(d.drift).toBe(true)
      expect(d.sql).toMatch(/ALTER TABLE "document" ADD COLUMN\s+"extra" TEXT/)
    } finally {
      await scratch.drop()
    }
  })

  it('records migrations as Prisma does and applies nothing twice', async () => {
    const scratch = await scratchDatabase() // already migrated once
    const c = new pg.Client({ connectionString: scratch.url })
    await c.connect()
    try {
      const again = await migrate(scratch.url)
      expect(again.applied).toEqual([])
      const rows = (await c.query('SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name')).rows
      expect(rows.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name))
      expect(rows.every((r) => r.finished_at !== null && /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true)
    } finally {
      await c.end()
      await scratch.drop()
    }
  })

  it('refuses to start on a migration edited after it was applied', async () => {
    const scratch = await scratchDatabase()
    try {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
      cpSync(MIGRATIONS_DIR, dir, { recursive: true })
      const first = readMigrations(dir)[0]!
      const file = join(dir, first.name, 'migration.sql')
      writeFileSync(file, readFileSync(file, 'utf8') + '\n-- edited\n')
      await expect(migrate(scratch.url, dir)).rejects.toThrow(/changed after it was applied/)
      copyFileSync(join(MIGRATIONS_DIR, first.name, 'migration.sql'), file)
      await expect(migrate(scratch.url, dir)).resolves.toMatchObject({ applied: [] })
    } finally {
      await scratch.drop()
    }
  })

  it('rolls a failing migration back completely', async () => {
    const scratch = await scratchDatabase()
    const c = new pg.Client({ connectionString: scratch.url })
    await c.connect()
    try {
      const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
      cpSync(MIGRATIONS_DIR, dir, { recursive: true })
      const bad = join(dir, '29990101000000_broken')
      cpSync(join(MIGRATIONS_DIR, readMigrations()[0]!.name), bad, { recursive: true })
      writeFileSync(join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n')
      await expect(migrate(scratch.url, dir)).rejects.toThrow(/29990101000000_broken failed/)
      expect((await c.query("SELECT to_regclass('half_done') AS t")).rows[0].t).toBeNull()
      expect((await c.query("SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'")).rows[0].n).toBe(0)
    } finally {
      await c.end()
      await scratch.drop()
    }
  })
})
