import type { Db } from '../db/client.ts'
import { CONTENT_PREFIX, TEMP_PREFIX, type ObjectInfo, type ObjectStore } from '../../storage/index.ts'

export interface SweepResult {
  scanned: number
  deleted: string[]
}

/**
 * Which of these content hashes a row still names: a document version, an expert
 * conclusion's PDF, or a file attached to an assignment report. Every table that keeps a
 * blob's sha256 must be listed here, or the sweep deletes the blob once the grace passes.
 */
export async function referenced(db: Db, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set()
  // Report files are read in one pass per batch (the JSON arrays have no index of their own).
  const rows = await db.$queryRaw<{ h: string }[]>`
    SELECT v.sha256 AS h FROM version v WHERE v.sha256 = ANY(${hashes}::text[])
    UNION SELECT c.pdf_sha256 FROM expert_conclusion c WHERE c.pdf_sha256 = ANY(${hashes}::text[])
    UNION SELECT f->>'sha256' FROM assignment_report r CROSS JOIN LATERAL jsonb_array_elements(r.files) AS f
      WHERE r.files <> '[]'::jsonb AND f->>'sha256' = ANY(${hashes}::text[])`
  return new Set(rows.map((r) => r.h))
}

/**
 * Removes blobs no row references (see `referenced`), and leftovers of interrupted uploads. Only
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
    const keep = await referenced(db, hashes)
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
