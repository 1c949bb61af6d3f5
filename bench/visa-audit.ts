/**
 * A fast, valid way to put a history of a million audit events into the hash chain for
 * bench/visa.ts.
 *
 * Appending through the chain trigger (audit_event_chain: lock audit_head, hash, update
 * audit_head, once per row) runs at a few thousand events a second here, and it slows down as
 * audit_head's dead row versions pile up within a transaction. Instead the events are staged
 * in an unlogged table while the history is generated, then chained in one pass by
 * `chainStaged`: in time order, each event gets the next seq, prev_hash = the previous hash,
 * and hash = sha256(prev_hash || '\n' || audit_event_canonical(event)), exactly what the
 * trigger computes, using the migration's own canonical function; audit_head is left at the
 * last link. The pass runs with session_replication_role = replica (so the chain trigger and
 * audit_head's guard stay out of the way) and holds audit_head locked throughout, so nothing
 * else can append meanwhile. Unlike trigger appends, the events keep their historical times.
 *
 * `verifyChain` then runs the product's own verifier (server/audit/verify.ts, what
 * scripts/verify-audit runs) over the whole table: the proof that the chain is valid.
 */
import type pg from 'pg'
import { verifyAuditChain } from '../server/audit/verify.ts'

export interface StagedAudit {
  /** Milliseconds since the epoch: when it happened. */
  t: number
  actor_id: string | null
  ip: string | null
  action: string
  target_type: string
  target_id: string | null
  after: unknown
}

const STAGE = 'bench_audit_stage'

/** Creates (empty) the unlogged staging table. */
export async function createAuditStage(c: pg.Client): Promise<void> {
  await c.query(`DROP TABLE IF EXISTS ${STAGE}`)
  await c.query(`CREATE UNLOGGED TABLE ${STAGE} (n bigint NOT NULL, at timestamptz NOT NULL, actor_id uuid, ip text, action text NOT NULL, target_type text NOT NULL, target_id text, after jsonb)`)
}

/** Stages audit events; `n` (the order among events of the same instant) continues across calls. */
export class AuditStager {
  staged = 0
  constructor(readonly c: pg.Client) {}
  async append(rows: StagedAudit[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 20_000) {
      const batch = rows.slice(i, i + 20_000)
      const json = JSON.stringify(batch.map((r, k) => ({ n: this.staged + k, at: new Date(r.t).toISOString(), actor_id: r.actor_id, ip: r.ip, action: r.action, target_type: r.target_type, target_id: r.target_id, after: r.after ?? null })))
      await this.c.query(
        `INSERT INTO ${STAGE} SELECT x.n, x.at, x.actor_id, x.ip, x.action, x.target_type, x.target_id, x.after
           FROM json_to_recordset($1::json) AS x(n bigint, at timestamptz, actor_id uuid, ip text, action text, target_type text, target_id text, after jsonb)`,
        [json],
      )
      this.staged += batch.length
    }
  }
}

/**
 * Appends the staged events to the chain in (time, staging) order, as described above, and
 * drops the staging table. Returns how many events were appended and the new head.
 */
export async function chainStaged(c: pg.Client): Promise<{ appended: number; headSeq: number }> {
  // The composite literal below lists audit_event's columns in table order; a migration that
  // adds or reorders columns must show up here as an error, not as a quietly wrong hash.
  const { rows: cols } = await c.query<{ attname: string }>(`SELECT attname FROM pg_attribute WHERE attrelid = 'audit_event'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)
  const expected = ['seq', 'at', 'actor_id', 'action', 'target_type', 'target_id', 'ip', 'before', 'after', 'prev_hash', 'hash']
  if (cols.map((r) => r.attname).join() !== expected.join()) throw new Error(`audit_event's columns changed (${cols.map((r) => r.attname).join(', ')}); update bench/visa-audit.ts`)
  await c.query('BEGIN')
  try {
    await c.query('SET LOCAL session_replication_role = replica')
    await c.query(`
      DO $$
      DECLARE
        head record;
        r record;
        s bigint;
        prev text;
        e audit_event;
      BEGIN
        SELECT seq, hash INTO head FROM audit_head WHERE id = 1 FOR UPDATE;
        s := head.seq;
        prev := head.hash;
        FOR r IN SELECT * FROM ${STAGE} ORDER BY at, n LOOP
          s := s + 1;
          e := ROW(s, r.at, r.actor_id, r.action, r.target_type, r.target_id, r.ip, NULL, r.after, prev, '')::audit_event;
          -- What audit_event_chain() computes for a new row.
          e.hash := encode(sha256(convert_to(prev || E'\\n' || audit_event_canonical(e), 'UTF8')), 'hex');
          INSERT INTO audit_event SELECT (e).*;
          prev := e.hash;
        END LOOP;
        UPDATE audit_head SET seq = s, hash = prev WHERE id = 1;
        PERFORM setval(pg_get_serial_sequence('audit_event', 'seq'), GREATEST(s, 1));
      END
      $$`)
    const { rows } = await c.query<{ seq: string }>('SELECT seq::text FROM audit_head WHERE id = 1')
    const { rows: n } = await c.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${STAGE}`)
    await c.query(`DROP TABLE ${STAGE}`)
    await c.query('COMMIT')
    return { appended: Number(n[0]!.n), headSeq: Number(rows[0]!.seq) }
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {})
    throw err
  }
}

/** The product's chain verifier over the whole table; throws naming the first broken link. */
export async function verifyChain(c: pg.Client): Promise<{ checked: number; seconds: number }> {
  const started = Date.now()
  const r = await verifyAuditChain(c, 20_000)
  if (!r.ok) throw new Error(`the audit chain is broken at event ${r.firstBroken!.seq} (${r.firstBroken!.reason}): ${r.firstBroken!.detail}`)
  return { checked: r.checked, seconds: (Date.now() - started) / 1000 }
}
