import { join } from 'node:path'
import pg from 'pg'
import type { Config } from '../server/config.ts'
import { runningEmbeddedUrl, startEmbeddedPostgres } from '../server/db/embedded-postgres.ts'

/**
 * A database connection for command-line tools: DATABASE_URL when set; otherwise the
 * embedded cluster of a running server under DATA_DIR; otherwise that cluster started just
 * for the duration of the command.
 */
export async function connectForScript(config: Config): Promise<{ client: pg.Client; close(): Promise<void> }> {
  const dir = join(config.dataDir, 'postgres')
  const candidates = [config.databaseUrl, config.databaseUrl ? null : runningEmbeddedUrl(dir)].filter((u): u is string => !!u)
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url })
    try {
      await client.connect()
      return { client, close: () => client.end() }
    } catch (err) {
      if (url === config.databaseUrl) throw err
    }
  }
  const embedded = await startEmbeddedPostgres({ dir })
  const client = new pg.Client({ connectionString: embedded.url })
  await client.connect()
  return {
    client,
    async close() {
      await client.end()
      await embedded.stop()
    },
  }
}
