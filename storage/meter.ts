import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { ObjectTooLargeError } from './errors.ts'

/** Pass-through that hashes (sha256) and counts bytes, failing once more than maxBytes have arrived. */
export class HashMeter extends Transform {
  bytes = 0
  readonly #hash = createHash('sha256')
  readonly #maxBytes: number | undefined
  #digest: string | undefined

  constructor(maxBytes?: number) {
    super()
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
      throw new RangeError(`maxBytes must be a non-negative integer, got ${maxBytes}`)
    }
    this.#maxBytes = maxBytes
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    // Failing here (rather than after the source ends) makes the pipeline destroy the source at once.
    if (this.#maxBytes !== undefined && this.bytes > this.#maxBytes) {
      callback(new ObjectTooLargeError(this.#maxBytes))
      return
    }
    this.#hash.update(chunk)
    callback(null, chunk)
  }

  /** Lowercase hex sha256 of everything that passed through; call only after the input ended. */
  digest(): string {
    this.#digest ??= this.#hash.digest('hex')
    return this.#digest
  }
}

/** Calls onAbort(signal.reason) when signal aborts; returns a function that detaches the listener. */
export function whenAborted(signal: AbortSignal | undefined, onAbort: (reason: unknown) => void): () => void {
  if (!signal) return () => undefined
  const listener = () => onAbort(signal.reason)
  signal.addEventListener('abort', listener, { once: true })
  return () => signal.removeEventListener('abort', listener)
}

/** Validates a ByteRange's shape (the upper bound is checked by the driver, which knows the size). */
export function assertRangeShape(range: { start: number; end: number }): void {
  if (!Number.isSafeInteger(range.start) || !Number.isSafeInteger(range.end) || range.start < 0 || range.end < range.start) {
    throw new RangeError(`invalid byte range ${range.start}-${range.end}`)
  }
}
