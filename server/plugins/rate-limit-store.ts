import type { Db } from '../db/client.ts'

type Cb = (err: Error | null, res?: { current: number; ttl: number }) => void

/**
 * A @fastify/rate-limit store kept in PostgreSQL, so a limit holds across all server
 * instances (the plugin's default store lives in one process's memory).
 */
export function pgRateLimitStore(db: Db) {
  return class PgRateLimitStore {
    constructor(readonly options: object = {}) {}

    incr(key: string, cb: Cb, timeWindow: number): void {
      db.$queryRaw<{ count: number; ttl: number }[]>`
        INSERT INTO rate_limit (key, count, reset_at)
        VALUES (${key}, 1, clock_timestamp() + ${timeWindow} * interval '1 millisecond')
        ON CONFLICT (key) DO UPDATE SET
          count = CASE WHEN rate_limit.reset_at <= clock_timestamp() THEN 1 ELSE rate_limit.count + 1 END,
          reset_at = CASE WHEN rate_limit.reset_at <= clock_timestamp()
                          THEN clock_timestamp() + ${timeWindow} * interval '1 millisecond' ELSE rate_limit.reset_at END
        RETURNING count, GREATEST(0, (extract(epoch FROM reset_at - clock_timestamp()) * 1000))::int AS ttl`
        .then((rows) => cb(null, { current: rows[0]!.count, ttl: rows[0]!.ttl }))
        .catch((err: Error) => cb(err))
    }

    read(key: string, cb: Cb): void {
      db.$queryRaw<{ count: number; ttl: number }[]>`
        SELECT count, GREATEST(0, (extract(epoch FROM reset_at - clock_timestamp()) * 1000))::int AS ttl
          FROM rate_limit WHERE key = ${key} AND reset_at > clock_timestamp()`
        .then((rows) => cb(null, rows[0] ? { current: rows[0].count, ttl: rows[0].ttl } : { current: 0, ttl: 0 }))
        .catch((err: Error) => cb(err))
    }

    child(routeOptions: object) {
      return new PgRateLimitStore({ ...this.options, ...routeOptions })
    }
  }
}
