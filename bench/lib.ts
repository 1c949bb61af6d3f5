/**
 * Shared helpers for the benchmarks in bench/: temp dirs, embedded PostgreSQL, child processes
 * (the server under test, s3rver, the bare baseline), RSS sampling from /proc, HTTP helpers,
 * medians, and a cleanup registry that also runs on Ctrl-C / SIGTERM / errors.
 *
 * Progress goes to stderr; each benchmark prints exactly one JSON line on stdout, at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { freePort, reachableClusterDir, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../server/db/embedded-postgres.ts'
import { openDatabase } from '../server/db/client.ts'
import { migrate } from '../server/db/migrate.ts'
import { seedIfEmpty } from '../server/seed/seed.ts'

export { freePort }

/** The repository root (where node_modules and server/ live). */
export const REPO_ROOT = resolve(import.meta.dirname, '..')
export const MiB = 1024 * 1024

// ---------------------------------------------------------------------------------------------
// Output

const t0 = Date.now()
/** A progress line on stderr, stamped with seconds since start. */
export function log(line: string): void {
  process.stderr.write(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}\n`)
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

// ---------------------------------------------------------------------------------------------
// Arguments

/**
 * Parses `--name=value` flags against defaults (numbers stay numbers, `--flag` alone means true);
 * unknown flags are an error so a typo does not silently run the default.
 */
export function parseArgs<T extends Record<string, number | string | boolean>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, number | string | boolean> = { ...defaults }
  for (const a of argv) {
    const m = /^--([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(a)
    if (!m || !(m[1]! in defaults)) throw new Error(`unknown argument ${a}; known: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`)
    const key = m[1]!
    const def = defaults[key]
    const raw = m[2]
    if (typeof def === 'number') {
      const n = Number(raw)
      if (raw === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`--${key} needs a positive number`)
      out[key] = n
    } else if (typeof def === 'boolean') out[key] = raw === undefined ? true : ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())
    else out[key] = raw ?? ''
  }
  return out as T
}

// ---------------------------------------------------------------------------------------------
// Cleanup

interface CleanupStep {
  name: string
  run: () => Promise<void> | void
  /** Synchronous last resort for process 'exit' (e.g. SIGKILL a child, remove a folder). */
  sync?: () => void
}
const steps: CleanupStep[] = []
let cleaning: Promise<void> | null = null
/** Set once cleanup or a signal started: children going away is then expected. */
let shuttingDown = false

/** Registers a cleanup step; steps run newest first. Returns a function that runs it early (once). */
export function onCleanup(name: string, run: () => Promise<void> | void, sync?: () => void): () => Promise<void> {
  const step: CleanupStep = { name, run, ...(sync ? { sync } : {}) }
  steps.push(step)
  return async () => {
    const i = steps.indexOf(step)
    if (i < 0) return
    steps.splice(i, 1)
    await step.run()
  }
}

async function runCleanup(): Promise<void> {
  shuttingDown = true
  cleaning ??= (async () => {
    while (steps.length) {
      const step = steps.pop()!
      try {
        await withTimeout(Promise.resolve(step.run()), 30_000, `cleanup "${step.name}"`)
      } catch (err) {
        log(`cleanup "${step.name}" failed: ${(err as Error).message}`)
        try {
          step.sync?.()
        } catch {
          // nothing more to do for this step
        }
      }
    }
  })()
  return cleaning
}

function runSyncCleanup(): void {
  while (steps.length) {
    const step = steps.pop()!
    try {
      step.sync?.()
    } catch {
      // best effort while exiting
    }
  }
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([p, new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${what} timed out after ${ms} ms`)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Runs a benchmark: cleans up on success, failure and signals, then prints the result as the
 * last stdout line. A second Ctrl-C during cleanup kills the children at once.
 */
export function runBench(name: string, main: () => Promise<Record<string, unknown>>): void {
  let signalled = 0
  let firstSignalAt = 0
  const onSignal = (sig: NodeJS.Signals) => {
    shuttingDown = true
    signalled++
    // npx/tsx may pass a terminal's Ctrl-C on as well, so one keypress can arrive twice.
    if (signalled > 1 && Date.now() - firstSignalAt < 1500) return
    firstSignalAt ||= Date.now()
    if (signalled > 1) {
      log(`${sig} again: killing everything now`)
      runSyncCleanup()
      process.exit(130)
    }
    log(`${sig}: stopping ${name} benchmark and cleaning up (press again to force)`)
    void runCleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143))
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal)
  process.on('exit', runSyncCleanup)

  // Exits explicitly: a timer or socket left behind by a failed step must not keep the bench alive.
  main().then(
    async (result) => {
      await runCleanup()
      if (signalled) return
      process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0))
    },
    async (err: unknown) => {
      if (!signalled) log(`${name} benchmark failed: ${(err as Error)?.stack ?? err}`)
      await runCleanup()
      if (!signalled) process.exit(1)
    },
  )
}

/** A fresh temp folder, removed at cleanup. World-traversable so PostgreSQL (run as `postgres` under root) can live inside. */
export function makeTempRoot(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hromada-bench-${name}-`))
  chmodSync(dir, 0o755)
  const rm = () => rmSync(dir, { recursive: true, force: true })
  onCleanup(`remove ${dir}`, rm, rm)
  return dir
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/** Starts a fresh embedded PostgreSQL under dir and migrates it; stopped at cleanup. */
export async function startPostgres(dir: string, settings: Record<string, string> = {}): Promise<EmbeddedPostgresHandle> {
  // reachableClusterDir may relocate the cluster (root without a traversable parent); remove that too.
  const actual = reachableClusterDir(dir, () => {})
  if (actual !== resolve(dir)) {
    const rm = () => rmSync(actual, { recursive: true, force: true })
    onCleanup(`remove ${actual}`, rm, rm)
  }
  const pg = await startEmbeddedPostgres({
    dir,
    database: 'hromada_bench',
    log: (l) => (/\b(FATAL|PANIC)\b/.test(l) ? log(`[postgres] ${l}`) : undefined),
    settings: { max_connections: '100', ...settings },
  })
  // embedded-postgres' own 'exit' hook sends postgres SIGINT synchronously if we die abruptly.
  onCleanup('stop PostgreSQL', () => pg.stop())
  const { applied } = await migrate(pg.url)
  log(`PostgreSQL ready (${applied.length} migrations applied)`)
  return pg
}

// ---------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  name: string
  proc: ChildProcess
  pid: number
  /** The last lines the child printed (stdout and stderr), for error reports. */
  tail(): string
  /** Resolves with the first stdout line that parses as a JSON object. */
  firstJsonLine<T>(timeoutMs?: number): Promise<T>
  exited: Promise<number | null>
  stop(): Promise<void>
}

/**
 * Spawns `node --import tsx <script>` (one process, no wrapper, so its pid is the one whose
 * memory we measure). stdin is a pipe that stays open: our own helper children exit when it
 * closes, i.e. when the bench process dies without cleaning up.
 */
export function spawnNode(name: string, script: string, opts: { env?: Record<string, string>; args?: string[]; nodeArgs?: string[]; echo?: boolean } = {}): Child {
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  if (proc.pid === undefined) throw new Error(`could not start ${name}`)
  const pid = proc.pid
  const lines: string[] = []
  const jsonWaiters: ((v: unknown) => void)[] = []
  const remember = (stream: string, line: string) => {
    lines.push(`${stream}: ${line}`)
    if (lines.length > 60) lines.shift()
    if (opts.echo) log(`[${name}] ${line}`)
  }
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    remember('out', line)
    if (jsonWaiters.length && line.startsWith('{')) {
      try {
        const v: unknown = JSON.parse(line)
        for (const w of jsonWaiters.splice(0)) w(v)
      } catch {
        // not a JSON line after all
      }
    }
  })
  createInterface({ input: proc.stderr! }).on('line', (line) => remember('err', line))
  let stopping = false
  const tail = () => lines.join('\n')
  const exited = new Promise<number | null>((res) =>
    proc.once('exit', (code, signal) => {
      if (!stopping && !shuttingDown) log(`${name} (pid ${pid}) exited unexpectedly (${signal ?? `code ${code}`}); its last output:\n${tail()}`)
      res(code ?? (signal ? 128 : null))
    }),
  )
  const alive = () => proc.exitCode === null && proc.signalCode === null

  const stop = async () => {
    stopping = true
    if (!alive()) return
    proc.kill('SIGTERM')
    const timer = setTimeout(() => alive() && proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
    proc.stdin?.destroy()
  }
  const runStop = onCleanup(`stop ${name} (pid ${pid})`, stop, () => {
    stopping = true
    if (alive()) proc.kill('SIGKILL')
  })

  return {
    name,
    proc,
    pid,
    tail,
    exited,
    stop: runStop,
    firstJsonLine<T>(timeoutMs = 60_000) {
      return withTimeout(
        new Promise<T>((res, rej) => {
          jsonWaiters.push((v) => res(v as T))
          void exited.then((code) => rej(new Error(`${name} exited (${code}) before it was ready:\n${tail()}`)))
        }),
        timeoutMs,
        `waiting for ${name}`,
      )
    },
  }
}

/** Polls url until it answers 200, the child exits, or the time runs out. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let exitCode: number | null | undefined
  void child.exited.then((c) => (exitCode = c))
  for (;;) {
    if (exitCode !== undefined) throw new Error(`${child.name} exited (${exitCode}) before it was ready:\n${child.tail()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
      await res.arrayBuffer()
      if (res.status === 200) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${child.name} not ready after ${timeoutMs} ms:\n${child.tail()}`)
    await sleep(200)
  }
}

/**
 * Starts the product (`node --import tsx server/main.ts`) against the bench's PostgreSQL, with
 * its data under dataDir; waits for /api/health. Extra env (S3_*, UPLOAD_MAX_BYTES) via `env`.
 */
export async function startServer(opts: { databaseUrl: string; dataDir: string; env?: Record<string, string>; nodeArgs?: string[] }): Promise<{ child: Child; baseUrl: string }> {
  const port = await freePort()
  const env: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: opts.dataDir,
    LOG_LEVEL: 'warn',
    RUN_JOBS: 'false',
    SEED_DEMO: 'true',
    LOGIN_RATE_LIMIT: '1000',
    ...opts.env,
  }
  // Whatever S3 setup the bench's own environment has must not leak into the server under test.
  for (const k of Object.keys(process.env)) if (/^S3_/.test(k) && !(k in env)) env[k] = ''
  const child = spawnNode('server', 'server/main.ts', { env, ...(opts.nodeArgs ? { nodeArgs: opts.nodeArgs } : {}) })
  const baseUrl = `http://127.0.0.1:${port}`
  await waitForHttp(`${baseUrl}/api/health`, child)
  log(`server ready at ${baseUrl} (pid ${child.pid})`)
  return { child, baseUrl }
}

// ---------------------------------------------------------------------------------------------
// Memory

/** VmRSS and VmHWM (peak RSS) of a process, in KiB, from /proc/<pid>/status. */
export function readMemKb(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
  return { rssKb: field('VmRSS'), hwmKb: field('VmHWM') }
}

/** Resets the kernel's peak-RSS counter (VmHWM) of a process; false when not permitted. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

/** Samples a process' VmRSS every intervalMs while running; peakKb is the largest sample. */
export class RssSampler {
  peakKb = 0
  samples = 0
  #timer: NodeJS.Timeout | null = null
  constructor(
    readonly pid: number,
    readonly intervalMs = 100,
  ) {}
  start(): this {
    this.#sample()
    this.#timer = setInterval(() => this.#sample(), this.intervalMs)
    return this
  }
  stop(): number {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#sample()
    return this.peakKb
  }
  #sample() {
    try {
      const { rssKb } = readMemKb(this.pid)
      this.samples++
      if (rssKb > this.peakKb) this.peakKb = rssKb
    } catch {
      // the process is gone; the caller notices elsewhere
    }
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Session {
  cookie: string
  csrfToken: string
  user: { id: string; login: string; fullName: string }
  roles: string[]
  positions: { id: string; title: string; unitId: string; unitName: string; isHead: boolean; roles: string[] }[]
}

/** Signs in through the API; returns the cookie header value and the session body. */
export async function login(baseUrl: string, loginName: string, password = 'hromada-demo'): Promise<Session> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: loginName, password }),
  })
  const body = (await res.json()) as Omit<Session, 'cookie'>
  if (res.status !== 200) throw new Error(`login ${loginName}: HTTP ${res.status} ${JSON.stringify(body)}`)
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('hromada_session='))
  if (!cookie) throw new Error(`login ${loginName}: no hromada_session cookie`)
  return { ...body, cookie }
}

/** A JSON API call with the session's cookie and CSRF token. */
export async function apiJson<T>(baseUrl: string, session: Session, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 500)}`)
  return JSON.parse(text) as T
}

/** Streams body to url as the request body (with Content-Length); resolves with status and parsed JSON answer. */
export function streamPost(url: string, body: Readable, headers: Record<string, string | number>): Promise<{ status: number; json: unknown }> {
  return new Promise((res, rej) => {
    const req = httpRequest(url, { method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (c: Buffer) => chunks.push(c))
      response.on('error', rej)
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown = text
        try {
          json = JSON.parse(text)
        } catch {
          // keep the text
        }
        res({ status: response.statusCode ?? 0, json })
      })
    })
    req.on('error', rej)
    // An early answer (error) makes the server close; the pipeline error is then secondary.
    pipeline(body, req).catch((err: unknown) => {
      if (!req.destroyed) rej(err)
    })
  })
}

/** Seeds the demo organisation as a first start would (nothing when already seeded). */
export async function seedDemo(databaseUrl: string): Promise<void> {
  const db = openDatabase(databaseUrl, { max: 2 })
  try {
    await seedIfEmpty(db.prisma, { demo: true, adminPassword: null })
  } finally {
    await db.close()
  }
}
