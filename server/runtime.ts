import { join } from 'node:path'
import type { Config } from './config.ts'
import { openDatabase, type Database } from './db/client.ts'
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './db/embedded-postgres.ts'
import { migrate } from './db/migrate.ts'
import { createObjectStore, type ObjectStore } from '../storage/index.ts'

/** Everything the app runs on: PostgreSQL (external or embedded), the migrated schema, the object store. */
export interface Runtime {
  databaseUrl: string
  db: Database
  store: ObjectStore
  embedded: EmbeddedPostgresHandle | null
  migrationsApplied: string[]
  close(): Promise<void>
}

/** Starts or connects to PostgreSQL, applies migrations, and opens the object store. */
export async function startRuntime(config: Config, log: (line: string) => void): Promise<Runtime> {
  let embedded: EmbeddedPostgresHandle | null = null
  let databaseUrl = config.databaseUrl
  if (!databaseUrl) {
    // PostgreSQL's own log stays quiet except for real trouble; sessions it ends while
    // shutting down ("administrator command") are part of a normal stop.
    const pgLog = (chunk: string) => {
      for (const line of chunk.split('\n')) if (/\b(FATAL|PANIC)\b/.test(line) && !/administrator command/.test(line)) log(`[postgres] ${line}`)
    }
    embedded = await startEmbeddedPostgres({ dir: join(config.dataDir, 'postgres'), log: pgLog })
    databaseUrl = embedded.url
  }
  try {
    const { applied } = await migrate(databaseUrl)
    if (applied.length) log(`Applied migrations: ${applied.join(', ')}`)
    const store = config.s3
      ? await createObjectStore({ kind: 's3', ...config.s3 })
      : await createObjectStore({ kind: 'disk', root: join(config.dataDir, 'objects') })
    const db = openDatabase(databaseUrl)
    return {
      databaseUrl,
      db,
      store,
      embedded,
      migrationsApplied: applied,
      async close() {
        await db.close()
        await store.close?.()
        await embedded?.stop()
      },
    }
  } catch (err) {
    await embedded?.stop()
    throw err
  }
}
