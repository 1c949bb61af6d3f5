import type { Readable } from 'node:stream'

/** Outcome of a successful put: where the bytes landed and what they hash to. */
export interface PutResult {
  /** Always contentKey(sha256). */
  key: string
  size: number
  /** Lowercase hex. */
  sha256: string
}

/** Metadata of one stored object. */
export interface ObjectInfo {
  key: string
  size: number
  lastModified: Date
}

/** Inclusive byte range; both ends within [0, size-1]. */
export interface ByteRange {
  start: number
  end: number
}

/** Options for ObjectStore.put. */
export interface PutOptions {
  /** Reject with ObjectTooLargeError as soon as more than this many bytes arrive. */
  maxBytes?: number
  contentType?: string
  /** Aborting rejects put with signal.reason and removes the temp object. */
  signal?: AbortSignal
}

/** Content-addressed store for immutable document versions. */
export interface ObjectStore {
  readonly kind: 's3' | 'disk'
  /**
   * Streams bytes in, hashing on the way; stores them under contentKey(sha256).
   * Never leaves a partial object under a final key. Identical bytes end up under one key
   * (putting the same bytes again overwrites/refreshes the same key, which also refreshes
   * its lastModified — the orphan sweep relies on that).
   * put owns `body`: on failure the body is destroyed.
   */
  put(body: Readable, opts?: PutOptions): Promise<PutResult>
  /** ObjectNotFoundError when missing. */
  get(key: string, range?: ByteRange): Promise<Readable>
  head(key: string): Promise<ObjectInfo | null>
  /** Idempotent. */
  delete(key: string): Promise<void>
  /** Objects whose key starts with prefix, e.g. list('sha256/'), list('tmp/'); order unspecified. */
  list(prefix: string): AsyncIterable<ObjectInfo>
  /** Cheap reachability/permission check for /api/health; throws on failure. */
  check(): Promise<void>
  close?(): Promise<void>
}
