import type { Db } from '../db/client.ts'
import { CONTENT_PREFIX, TEMP_PREFIX, type ObjectInfo, type ObjectStore } from '../../storage/index.ts'

export interface SweepResult {
  scanned: number
  deleted: string[]
}

/**
 * Removes blobs no version row references, and leftovers of interrupted uploads. Only
 * objects older than the grace period go: an upload refreshes its blob's timestamp when it
 * stores it, so a blob whose row is about to commit is never swept.
 */
export async function sweepOrphans(db: Db, store: ObjectStore, opts: { graceMs: number; now?: Date }): Promise<SweepResult> {
  const cutoff = (opts.now ?? new Date()).getTime() - opts.graceMs
  const deleted: string[] = []
  let scanned = 0
  for await (const o of store.list(TEMP_PREFIX)) {
    scanned++
    if (o.lastModified.getTime() < cutoff) {
      await store.delete(o.key)
      deleted.push(o.key)
    }
  }
  let batch: ObjectInfo[] = []
  const flush = async () => {
    const old = batch.filter((o) => o.lastModified.getTime() < cutoff)
    batch = []
    if (old.length === 0) return
    const hashes = old.map((o) => o.key.slice(o.key.lastIndexOf('/') + 1))
    const used = await db.version.findMany({ where: { sha256: { in: hashes } }, select: { sha256: true }, distinct: ['sha256'] })
    const keep = new Set(used.map((u) => u.sha256))
    for (const o of old) {
      if (keep.has(o.key.slice(o.key.lastIndexOf('/') + 1))) continue
      await store.delete(o.key)
      deleted.push(o.key)
    }
  }
  for await (const o of store.list(CONTENT_PREFIX)) {
    scanned++
    batch.push(o)
    if (batch.length >= 500) await flush()
  }
  await flush()
  return { scanned, deleted }
}
