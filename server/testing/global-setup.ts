import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../db/embedded-postgres.ts'
import { migrate } from '../db/migrate.ts'
import { openDatabase } from '../db/client.ts'
import { seedIfEmpty } from '../seed/seed.ts'
import { ensureDefaults } from '../defaults.ts'
import { startS3rver, type S3rverHandle } from '../../storage/testing/s3rver.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    /** The cluster's superuser URL without a database name, for tests that need a scratch database. */
    clusterUrl: string
    s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string }
  }
}

let pg: EmbeddedPostgresHandle | null = null
let s3: S3rverHandle | null = null
let dir: string | null = null

/**
 * One real PostgreSQL (embedded, fresh for the run, migrated and seeded like a first start)
 * and one real S3-protocol server for the whole run. Tests create their own data in them.
 */
export async function setup(project: TestProject) {
  dir = mkdtempSync(join(tmpdir(), 'hromada-test-'))
  pg = await startEmbeddedPostgres({ dir: join(dir, 'pg'), database: 'hromada_test', settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' } })
  await migrate(pg.url)
  const db = openDatabase(pg.url, { max: 2 })
  try {
    await seedIfEmpty(db.prisma, { demo: true, adminPassword: null })
    await ensureDefaults(db.prisma)
  } finally {
    await db.close()
  }
  s3 = await startS3rver({ bucket: 'hromada-test', dir: join(dir, 's3') })
  const clusterUrl = new URL(pg.url)
  clusterUrl.pathname = '/'
  project.provide('databaseUrl', pg.url)
  project.provide('clusterUrl', clusterUrl.toString())
  project.provide('s3', { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey })
}

export async function teardown() {
  await s3?.stop()
  await pg?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
}
