import { randomUUID } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import pg from 'pg'
import { migrate } from '../db/migrate.ts'
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import pino from 'pino'
import { buildApp, REDACT, type App } from '../app.ts'
import { loadConfig, type Config } from '../config.ts'
import { openDatabase, type Database } from '../db/client.ts'
import { createObjectStore, type ObjectStore } from '../../storage/index.ts'
import type { SessionOut } from '../people/schemas.ts'

export interface TestApp {
  app: App
  db: Database
  store: ObjectStore
  config: Config
  /** Signs in through the API and returns a client that sends the cookie and CSRF token. */
  login(login: string, password?: string): Promise<ApiClient>
  /** A client without a session. */
  anonymous(): ApiClient
  close(): Promise<void>
}

export interface ApiClient {
  session: SessionOut | null
  /** The Cookie header value, for raw HTTP requests. */
  cookie: string | null
  request(opts: InjectOptions): Promise<LightMyRequestResponse>
  get(url: string, opts?: Partial<InjectOptions>): Promise<LightMyRequestResponse>
  post(url: string, payload?: unknown, opts?: Partial<InjectOptions>): Promise<LightMyRequestResponse>
  patch(url: string, payload?: unknown, opts?: Partial<InjectOptions>): Promise<LightMyRequestResponse>
  delete(url: string, opts?: Partial<InjectOptions>): Promise<LightMyRequestResponse>
}

export const TEST_PASSWORD = 'test-password-1'

/**
 * Builds the real app against the run's PostgreSQL and either the S3-protocol server (a
 * bucket of its own, so tests can count objects) or a fresh local-disk store. `env` overrides configuration as environment variables would.
 */
export async function testApp(opts: { storage?: 's3' | 'disk'; env?: Record<string, string>; databaseUrl?: string; logTo?: NodeJS.WritableStream } = {}): Promise<TestApp> {
  const s3 = inject('s3')
  const storage = opts.storage ?? 's3'
  const env: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl ?? inject('databaseUrl'),
    LOG_LEVEL: 'silent',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'hromada-app-')),
    LOGIN_RATE_LIMIT: '1000',
    // A fixed key for sealing test certificates (production sets its own CERTIFICATE_KEY).
    CERTIFICATE_KEY: Buffer.alloc(32, 7).toString('base64'),
    ...(storage === 's3' ? { S3_ENDPOINT: s3.endpoint, S3_BUCKET: `t-${randomUUID().slice(0, 12)}`, S3_ACCESS_KEY: s3.accessKeyId, S3_SECRET_KEY: s3.secretAccessKey } : {}),
    ...opts.env,
  }
  const config = loadConfig(env)
  const db = openDatabase(config.databaseUrl!, { max: 5 })
  const store = config.s3 ? await createObjectStore({ kind: 's3', ...config.s3 }) : await createObjectStore({ kind: 'disk', root: join(config.dataDir, 'objects') })
  const logger = opts.logTo ? pino({ level: 'debug', redact: REDACT }, opts.logTo) : undefined
  const app = await buildApp({ config, prisma: db.prisma, pool: db.pool, store, ...(logger ? { logger } : {}) })
  await app.ready()

  const client = (cookie: string | null, session: SessionOut | null): ApiClient => {
    const request = (o: InjectOptions) =>
      app.inject({
        ...o,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(session && o.method && o.method !== 'GET' ? { 'x-csrf-token': session.csrfToken } : {}),
          ...(o.headers ?? {}),
        },
      })
    return {
      session,
      cookie,
      request,
      get: (url, o = {}) => request({ ...o, method: 'GET', url }),
      post: (url, payload, o = {}) => request({ ...o, method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) }),
      patch: (url, payload, o = {}) => request({ ...o, method: 'PATCH', url, payload: payload as InjectOptions['payload'] }),
      delete: (url, o = {}) => request({ ...o, method: 'DELETE', url }),
    }
  }

  return {
    app,
    db,
    store,
    config,
    async login(login, password = TEST_PASSWORD) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login, password } })
      if (res.statusCode !== 200) throw new Error(`login ${login} failed: ${res.statusCode} ${res.body}`)
      const c = res.cookies.find((x) => x.name === 'hromada_session')!
      return client(`${c.name}=${c.value}`, res.json() as SessionOut)
    },
    anonymous: () => client(null, null),
    async close() {
      await app.close()
      await store.close?.()
      await db.close()
    },
  }
}

/**
 * A fresh, migrated database of its own, for tests that need the whole database to
 * themselves (tampering with the audit log, global invariants such as "one admin remains").
 */
export async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `scratch_${randomUUID().replace(/-/g, '').slice(0, 16)}`
  const admin = new pg.Client({ connectionString: new URL('postgres', inject('clusterUrl')).toString() })
  await admin.connect()
  await admin.query(`CREATE DATABASE "${name}"`)
  await admin.end()
  const url = new URL(name, inject('clusterUrl')).toString()
  await migrate(url)
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: new URL('postgres', inject('clusterUrl')).toString() })
      await c.connect()
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await c.end()
    },
  }
}
