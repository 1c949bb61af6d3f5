import { spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '..')
export const SCHEMA = join(ROOT, 'prisma', 'schema.prisma')
export const MIGRATIONS = join(ROOT, 'prisma', 'migrations')
export const SCHEMA_COPY = '<schema copy>'

/**
 * Runs Prisma 6.19's CLI (npm alias `prisma6`) with its WASM schema engine, which works
 * where Prisma 7's native engine cannot be downloaded. Prisma 6 wants `url` in the
 * datasource block and Prisma 7 forbids it, so it reads a temporary copy of the schema;
 * pass SCHEMA_COPY where an argument should name that copy.
 */
export function runPrisma6(args: string[], opts: { databaseUrl: string; schema?: string }): { status: number; stdout: string; stderr: string } {
  const require = createRequire(import.meta.url)
  const cli = require.resolve('prisma6/build/index.js')
  const dir = mkdtempSync(join(tmpdir(), 'prisma6-'))
  try {
    const schemaCopy = join(dir, 'schema.prisma')
    const text = readFileSync(opts.schema ?? SCHEMA, 'utf8')
      .replace('provider = "postgresql"', 'provider = "postgresql"\n  url      = env("PRISMA6_DATABASE_URL")')
      .replace(/output\s*=\s*"[^"]*"/, `output = "${join(dir, 'client')}"`)
    writeFileSync(schemaCopy, text)
    const r = spawnSync(process.execPath, [cli, ...args.map((a) => (a === SCHEMA_COPY ? schemaCopy : a)), '--config', join(ROOT, 'prisma', 'prisma6.config.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        PRISMA6_DATABASE_URL: opts.databaseUrl,
        PRISMA6_SCHEMA: schemaCopy,
        // The CLI checks these exist before it decides to use the WASM engine; it never runs them.
        PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
        PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
      },
    })
    return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// CREATE CONSTRAINT TRIGGER ... ; (a statement of its own, up to its semicolon)
const CONSTRAINT_TRIGGER = /^CREATE CONSTRAINT TRIGGER[^;]*;/gim

/**
 * A copy of prisma/migrations without constraint triggers: Prisma 6's schema describer stops
 * with a WASM "unreachable" on them (they live in pg_constraint with a kind it does not know).
 * Triggers are no part of the datamodel, so the comparison loses nothing.
 */
function migrationsForDiff(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
  cpSync(MIGRATIONS, dir, { recursive: true })
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    if (!name.endsWith('migration.sql')) continue
    const file = join(dir, name)
    const text = readFileSync(file, 'utf8')
    if (CONSTRAINT_TRIGGER.test(text)) writeFileSync(file, text.replace(CONSTRAINT_TRIGGER, '-- (constraint trigger left out for the comparison)'))
    CONSTRAINT_TRIGGER.lastIndex = 0
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** SQL that would bring a database built from the migrations to the schema ('' when in step). */
export function migrationsToSchemaDiff(databaseUrl: string, schema = SCHEMA): { drift: boolean; sql: string; error: string | null } {
  const copy = migrationsForDiff()
  try {
    const r = runPrisma6(['migrate', 'diff', '--from-migrations', copy.dir, '--to-schema-datamodel', SCHEMA_COPY, '--script', '--exit-code'], { databaseUrl, schema })
    if (r.status !== 0 && r.status !== 2) return { drift: false, sql: '', error: `prisma migrate diff failed (${r.status}): ${r.stderr || r.stdout}` }
    const sql = r.stdout.replace(/^Loaded Prisma config.*\n/m, '').trim()
    return { drift: r.status === 2, sql, error: null }
  } finally {
    copy.remove()
  }
}
