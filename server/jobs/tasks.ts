import type { Db } from '../db/client.ts'
import type { ObjectStore } from '../../storage/index.ts'
import { sweepOrphans } from '../documents/orphans.ts'
import type { TaskMap } from './queue.ts'

/** The task implementations, bound to the process's database and object store. */
export function makeTasks(deps: { prisma: Db; store: ObjectStore; orphanGraceHours: number }): TaskMap {
  return {
    async sweep_orphans(_payload, helpers) {
      const r = await sweepOrphans(deps.prisma, deps.store, { graceMs: deps.orphanGraceHours * 3600_000 })
      helpers.logger.info(`orphan sweep: scanned ${r.scanned}, deleted ${r.deleted.length}`)
    },
    async cleanup_expired(_payload, helpers) {
      const sessions = await deps.prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } })
      const limits = await deps.prisma.rateLimit.deleteMany({ where: { resetAt: { lt: new Date() } } })
      helpers.logger.debug(`expired: ${sessions.count} sessions, ${limits.count} rate-limit counters`)
    },
  }
}
