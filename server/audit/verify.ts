import { createHash } from 'node:crypto'
import type pg from 'pg'

export interface AuditVerification {
  ok: boolean
  checked: number
  headSeq: number
  headHash: string
  /** The first link that does not hold, when the chain is broken. */
  firstBroken: { seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'missing_events' | 'head_mismatch'; detail: string } | null
}

const GENESIS = '0'.repeat(64)

/**
 * Recomputes the whole hash chain in batches and names the first broken link. The hashes
 * are recomputed here, in the application, from the canonical text of each row; a row
 * edited or removed behind the application's back (triggers disabled by a superuser)
 * breaks its own hash, the next row's prev_hash, or the seq sequence.
 */
export async function verifyAuditChain(client: pg.Pool | pg.PoolClient | pg.Client, batchSize = 5000): Promise<AuditVerification> {
  let prevHash = GENESIS
  let prevSeq = 0
  let checked = 0
  const fail = (seq: number, reason: NonNullable<AuditVerification['firstBroken']>['reason'], detail: string, head: { seq: number; hash: string }) => ({
    ok: false,
    checked,
    headSeq: head.seq,
    headHash: head.hash,
    firstBroken: { seq, reason, detail },
  })
  const headRow = await client.query<{ seq: string; hash: string }>('SELECT seq::text, hash FROM audit_head WHERE id = 1')
  const head = { seq: Number(headRow.rows[0]?.seq ?? 0), hash: headRow.rows[0]?.hash ?? GENESIS }
  for (;;) {
    const { rows } = await client.query<{ seq: string; prev_hash: string; hash: string; canonical: string }>(
      `SELECT e.seq::text, e.prev_hash, e.hash, audit_event_canonical(e) AS canonical
         FROM audit_event e WHERE e.seq > $1 ORDER BY e.seq LIMIT $2`,
      [prevSeq, batchSize],
    )
    if (rows.length === 0) break
    for (const r of rows) {
      const seq = Number(r.seq)
      if (seq !== prevSeq + 1) return fail(prevSeq + 1, 'missing_events', `events ${prevSeq + 1}..${seq - 1} are missing`, head)
      if (r.prev_hash !== prevHash) return fail(seq, 'prev_hash_mismatch', `event ${seq} does not follow event ${prevSeq}: the earlier event was changed or removed`, head)
      const expected = createHash('sha256').update(`${r.prev_hash}\n${r.canonical}`, 'utf8').digest('hex')
      if (expected !== r.hash) return fail(seq, 'hash_mismatch', `event ${seq} was changed after it was written`, head)
      prevHash = r.hash
      prevSeq = seq
      checked++
    }
  }
  if (head.seq !== prevSeq || head.hash !== prevHash) {
    return fail(prevSeq + 1, 'head_mismatch', `the chain ends at event ${prevSeq} but its head says ${head.seq}: latest events were removed`, head)
  }
  return { ok: true, checked, headSeq: head.seq, headHash: head.hash, firstBroken: null }
}
