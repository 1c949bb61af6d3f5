// Writes a new migration from the difference between prisma/migrations and prisma/schema.prisma.
// Usage: npm run db:diff -- <migration_name>
// Uses DATABASE_URL's server for the shadow database, or a throwaway embedded PostgreSQL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../server/config.ts'
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts'
import { MIGRATIONS, migrationsToSchemaDiff } from './prisma6.ts'

const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('Usage: npm run db:diff -- <migration_name>   (lower-case letters, digits, underscores)\n')
  process.exit(2)
}
const config = loadConfig()
let url = config.databaseUrl
let stop = async () => {}
if (!url) {
  const dir = mkdtempSync(join(tmpdir(), 'hromada-diff-'))
  const pg = await startEmbeddedPostgres({ dir })
  url = pg.url
  stop = async () => {
    await pg.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}
try {
  const r = migrationsToSchemaDiff(url)
  if (r.error) throw new Error(r.error)
  if (!r.drift) {
    process.stdout.write('prisma/schema.prisma and prisma/migrations agree: nothing to write.\n')
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
    const dir = join(MIGRATIONS, `${stamp}_${name}`)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'migration.sql'), r.sql + '\n')
    process.stdout.write(`Wrote ${dir}/migration.sql:\n\n${r.sql}\n`)
  }
} finally {
  await stop()
}
