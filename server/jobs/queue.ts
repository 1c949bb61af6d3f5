import { Logger, run, type Runner, type Task } from 'graphile-worker'
import type pg from 'pg'
import type { FastifyBaseLogger } from 'fastify'
import { asSql, sql, type Conn } from '../db/sql.ts'

/**
 * Background jobs live in PostgreSQL (graphile-worker): they survive restarts and each job
 * runs once however many server instances poll the queue. Recurring jobs are in the crontab
 * below; graphile-worker's cron is itself safe across instances.
 */
export type TaskName = 'sweep_orphans' | 'cleanup_expired' | 'extract_text' | 'send_email' | 'stage_reminder' | 'stage_overdue' | 'assignment_reminder' | 'assignment_overdue'

export interface JobQueue {
  stop(): Promise<void>
}

/** Task implementations by name; an instance only picks up jobs whose task it has. */
export type TaskMap = Partial<Record<TaskName, Task>>

/** Enqueues a job inside the caller's transaction, so it exists iff the change commits. */
export async function enqueue(tx: Conn, task: TaskName, payload: Record<string, unknown> = {}, opts: { runAt?: Date; jobKey?: string } = {}) {
  await asSql(tx).exec(sql`SELECT graphile_worker.add_job(${task}::text, ${JSON.stringify(payload)}::json, run_at => ${opts.runAt ?? null}::timestamptz, job_key => ${opts.jobKey ?? null}::text)`)
}

export interface JobSpec {
  task: TaskName
  payload?: Record<string, unknown>
  runAt?: Date
  jobKey?: string
}

/**
 * Several jobs with one statement (graphile_worker.add_jobs), in the caller's transaction; a
 * job key replaces a queued job with that key, as enqueue() does. Keys must differ.
 */
export async function enqueueAll(tx: Conn, jobs: JobSpec[]) {
  if (jobs.length <= 1) {
    for (const j of jobs) await enqueue(tx, j.task, j.payload, { runAt: j.runAt, jobKey: j.jobKey })
    return
  }
  await asSql(tx).exec(sql`SELECT ${addJobs(jobs)}`)
}

/**
 * The call behind enqueueAll() as an expression (the number of jobs added), for a caller that
 * adds its jobs within a larger statement.
 */
export const addJobs = (jobs: JobSpec[]) => {
  const specs = JSON.stringify(jobs.map((j, n) => ({ n, identifier: j.task, payload: j.payload ?? {}, run_at: j.runAt?.toISOString() ?? null, job_key: j.jobKey ?? null })))
  return sql`(SELECT count(*)::int FROM graphile_worker.add_jobs((
    SELECT array_agg((x.identifier, x.payload, NULL, x.run_at, NULL, x.job_key, NULL, NULL)::graphile_worker.job_spec ORDER BY x.n)
      FROM json_to_recordset(${specs}::json) AS x(n int, identifier text, payload json, run_at timestamptz, job_key text))))`
}

function gwLogger(log: FastifyBaseLogger): Logger {
  return new Logger(() => (level, message, meta) => {
    // A server shutting down (57P01) is expected when we stop; anything else keeps its level.
    const shutdown = (meta as { error?: { code?: string } } | undefined)?.error?.code === '57P01'
    const fn = shutdown ? log.debug : level === 'error' ? log.error : level === 'warning' ? log.warn : level === 'info' ? log.info : log.debug
    fn.call(log, meta ?? {}, message)
  })
}

/** Starts the worker (installing graphile-worker's schema on first run). */
export async function startJobQueue(opts: {
  pool: pg.Pool
  tasks: TaskMap
  concurrency: number
  log: FastifyBaseLogger
  crontab?: string
}): Promise<JobQueue> {
  const runner: Runner = await run({
    pgPool: opts.pool,
    concurrency: opts.concurrency,
    noHandleSignals: true,
    pollInterval: 2000,
    taskList: opts.tasks as Record<string, Task>,
    crontab: opts.crontab ?? ['0 * * * * sweep_orphans', '*/15 * * * * cleanup_expired'].join('\n'),
    logger: gwLogger(opts.log.child({ module: 'jobs' })),
  })
  return { stop: () => runner.stop() }
}
