/**
 * Helpers for bench/report.ts: a closed-loop load generator that times every request (exact
 * percentiles, which autocannon does not give for p95), and the default report period.
 */
import { readFileSync } from 'node:fs'
import type pg from 'pg'
import { addCalendarDays } from '../server/calendar/working-days.ts'
import { parsePeriod, type Period } from '../server/reports/period.ts'

export interface LoadRun {
  requests: number
  meanMs: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  rps: number
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!
}

/**
 * Runs `total` calls of fn with `concurrency` of them in flight at any time (each worker
 * starts its next call when the previous one ends); any failure fails the run.
 */
export async function load(fn: () => Promise<unknown>, concurrency: number, total: number): Promise<LoadRun> {
  const times: number[] = []
  let started = 0
  const t0 = performance.now()
  const worker = async () => {
    while (started < total) {
      started++
      const t = performance.now()
      await fn()
      times.push(performance.now() - t)
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker))
  const elapsed = performance.now() - t0
  times.sort((a, b) => a - b)
  return {
    requests: times.length,
    meanMs: times.reduce((s, x) => s + x, 0) / times.length,
    p50Ms: quantile(times, 0.5),
    p95Ms: quantile(times, 0.95),
    p99Ms: quantile(times, 0.99),
    rps: (times.length * 1000) / elapsed,
  }
}

const kyivDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit' })

/** The last full calendar quarter before `now` (Kyiv), as a report period. */
export function lastQuarter(now: Date): Period {
  const today = kyivDay.format(now)
  const [y, m] = today.split('-').map(Number) as [number, number]
  const q = Math.floor((m - 1) / 3)
  const end = `${y}-${String(q * 3 + 1).padStart(2, '0')}-01`
  // Three months back from the quarter's first day: step to the last day of the previous month, thrice.
  let from = end
  for (let i = 0; i < 3; i++) from = `${addCalendarDays(from, -1).slice(0, 7)}-01`
  return parsePeriod(from, end)
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * The CPU time PostgreSQL spends on one run of a statement, without parallel workers (so one
 * backend does all of it): what the statement costs whatever else the machine is doing, as
 * opposed to wall time, which grows with the load. Null where /proc of the server is unreadable.
 */
export async function backendCpuMs(client: pg.Client, sql: string, values: unknown[], runs = 20): Promise<number | null> {
  await client.query('SET max_parallel_workers_per_gather = 0')
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    const pid = rows[0]!.pid
    for (let i = 0; i < 3; i++) await client.query(sql, values)
    const before = cpuMs(pid)
    for (let i = 0; i < runs; i++) await client.query(sql, values)
    return (cpuMs(pid) - before) / runs
  } catch {
    return null
  } finally {
    await client.query('RESET max_parallel_workers_per_gather')
  }
}
