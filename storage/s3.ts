import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
  type CompletedPart,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3'
import { warnCleanupError, type CleanupErrorHandler } from './cleanup.ts'
import { ObjectNotFoundError } from './errors.ts'
import { assertValidKey, assertValidPrefix, contentKey, isValidKey, TEMP_PREFIX } from './keys.ts'
import { assertRangeShape, HashMeter, whenAborted } from './meter.ts'
import { streamToS3 } from './multipart.ts'
import type { ByteRange, ObjectInfo, ObjectStore, PutOptions, PutResult } from './types.ts'

/** Options for createS3Store. */
export interface S3StoreOptions {
  endpoint: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  region?: string
  /** Path-style URLs (endpoint/bucket/key); what MinIO, Garage, SeaweedFS and s3rver expect. */
  forcePathStyle?: boolean
  /** Multipart part size; S3 requires at least 5 MiB. Memory per put is roughly partSize * (queueSize + 1). */
  partSizeBytes?: number
  /** Parts uploaded concurrently per put. */
  queueSize?: number
  /** Whether ensureBucket() may create a missing bucket (default true). */
  createBucket?: boolean
  /** MaxKeys per ListObjectsV2 page; only tests need anything but the default 1000. */
  listPageSize?: number
  /** Called when removing a temp object fails; defaults to a process warning. */
  onCleanupError?: CleanupErrorHandler
}

/** ObjectStore on an S3-compatible service, plus ensureBucket() for startup. */
export interface S3ObjectStore extends ObjectStore {
  readonly kind: 's3'
  readonly bucket: string
  readonly client: S3Client
  /** Creates the bucket when missing (unless createBucket is false); explains permission problems. */
  ensureBucket(): Promise<void>
  /** Releases the client's sockets. */
  close(): Promise<void>
}

const MiB = 1024 * 1024
/** Largest object a single CopyObject may copy. */
const MAX_SINGLE_COPY = 5 * 1024 * MiB
const COPY_PART = 1024 * MiB

/** Creates an S3-backed store (no network I/O until first use). */
export function createS3Store(opts: S3StoreOptions): S3ObjectStore {
  return new S3Store(opts)
}

class S3Store implements S3ObjectStore {
  readonly kind = 's3'
  readonly bucket: string
  readonly client: S3Client
  readonly #endpoint: string
  readonly #partSize: number
  readonly #queueSize: number
  readonly #createBucket: boolean
  readonly #listPageSize: number | undefined
  readonly #onCleanupError: CleanupErrorHandler

  constructor(opts: S3StoreOptions) {
    this.bucket = opts.bucket
    this.#endpoint = opts.endpoint
    this.#partSize = opts.partSizeBytes ?? 8 * MiB
    this.#queueSize = opts.queueSize ?? 4
    if (!Number.isSafeInteger(this.#partSize) || this.#partSize < 5 * MiB) {
      throw new RangeError(`partSizeBytes must be an integer of at least 5 MiB (S3's minimum part size)`)
    }
    if (!Number.isSafeInteger(this.#queueSize) || this.#queueSize < 1) throw new RangeError('queueSize must be >= 1')
    this.#createBucket = opts.createBucket ?? true
    this.#listPageSize = opts.listPageSize
    this.#onCleanupError = opts.onCleanupError ?? warnCleanupError
    this.client = new S3Client({
      endpoint: opts.endpoint,
      region: opts.region ?? 'us-east-1',
      forcePathStyle: opts.forcePathStyle ?? true,
      credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
      // MinIO-type stores reject the CRC32 checksums the SDK adds by default.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    })
  }

  async put(body: Readable, opts: PutOptions = {}): Promise<PutResult> {
    const { signal } = opts
    const Bucket = this.bucket
    const tmpKey = TEMP_PREFIX + randomUUID()
    let tmpMayExist = false
    let detach = () => {}
    try {
      const meter = new HashMeter(opts.maxBytes)
      signal?.throwIfAborted()
      tmpMayExist = true
      // Destroying the meter ends the upload's read loop with that error; it then settles only after
      // in-flight parts finish and the multipart upload is aborted, so the temp key can be deleted safely.
      detach = whenAborted(signal, (reason) => meter.destroy(reason as Error))
      const uploading = streamToS3(meter, {
        client: this.client,
        Bucket,
        Key: tmpKey,
        ContentType: opts.contentType,
        partSize: this.#partSize,
        queueSize: this.#queueSize,
        onCleanupError: this.#onCleanupError,
      })
      // A failed upload destroys the meter with its error, so the feed cannot stall on backpressure.
      const [fed, uploaded] = await Promise.allSettled([pipeline(body, meter), uploading])
      detach()
      // The feed's error is the root cause (input error, size limit, abort, or the upload's own failure).
      if (fed.status === 'rejected') throw fed.reason
      if (uploaded.status === 'rejected') throw uploaded.reason
      signal?.throwIfAborted()

      const sha256 = meter.digest()
      const key = contentKey(sha256)
      // Copying (rather than uploading straight to the final key) keeps partial bytes away from it,
      // and re-copying identical bytes refreshes LastModified, which the orphan sweep relies on.
      await this.#copy(tmpKey, key, meter.bytes)
      await this.#deleteTemp(tmpKey)
      return { key, size: meter.bytes, sha256 }
    } catch (err) {
      detach()
      // Without an error argument: an 'error' event on a body nobody listens to any more would crash the process.
      if (!body.destroyed) body.destroy()
      if (tmpMayExist) await this.#deleteTemp(tmpKey)
      throw err
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertValidKey(key)
    if (range) assertRangeShape(range)
    let res: GetObjectCommandOutput
    try {
      res = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: range && `bytes=${range.start}-${range.end}` }),
      )
    } catch (err) {
      if (isNotFound(err)) throw new ObjectNotFoundError(key, { cause: err })
      if (httpStatus(err) === 416) throw new RangeError(`range ${range?.start}-${range?.end} not satisfiable for ${key}`)
      throw err
    }
    if (!(res.Body instanceof Readable)) throw new Error(`unexpected GetObject body type for ${key}`)
    return range ? sliceToRange(res.Body, res.ContentRange, range, key) : res.Body
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertValidKey(key)
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))
      return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0) }
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key)
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }))
    } catch (err) {
      // S3 answers 204 for missing keys, but some compatible stores answer 404.
      if (!isNotFound(err)) throw err
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix)
    let ContinuationToken: string | undefined
    for (;;) {
      const res = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken, MaxKeys: this.#listPageSize }),
      )
      for (const o of res.Contents ?? []) {
        // A shared bucket may hold foreign keys; callers must be able to pass every listed key back in.
        if (o.Key === undefined || !isValidKey(o.Key)) continue
        yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) }
      }
      if (!res.IsTruncated) return
      if (!res.NextContinuationToken) throw new Error('ListObjectsV2 truncated without a continuation token')
      ContinuationToken = res.NextContinuationToken
    }
  }

  async check(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }))
  }

  async ensureBucket(): Promise<void> {
    const where = `bucket "${this.bucket}" at ${this.#endpoint}`
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }))
      return
    } catch (err) {
      const status = httpStatus(err)
      if (status === 403) {
        throw new Error(`access to ${where} denied: check the access key, secret and bucket policy`, { cause: err })
      }
      if (status !== 404 && !isNotFound(err)) throw err
      if (!this.#createBucket) throw new Error(`${where} does not exist and createBucket is off`, { cause: err })
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }))
    } catch (err) {
      const name = err instanceof Error ? err.name : ''
      // Another instance starting at the same time may have won the race.
      if (name === 'BucketAlreadyOwnedByYou') return
      if (httpStatus(err) === 403) {
        throw new Error(`${where} does not exist and these credentials may not create it; create it manually`, {
          cause: err,
        })
      }
      throw err
    }
  }

  async close(): Promise<void> {
    this.client.destroy()
  }

  async #copy(from: string, to: string, size: number): Promise<void> {
    const CopySource = `${encodeURIComponent(this.bucket)}/${from.split('/').map(encodeURIComponent).join('/')}`
    if (size <= MAX_SINGLE_COPY) {
      await this.client.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource }))
      return
    }
    // Beyond 5 GiB S3 only copies piecewise (UploadPartCopy); s3rver lacks it, so tests do not reach this.
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: to }))
    try {
      const Parts: CompletedPart[] = []
      for (let start = 0, PartNumber = 1; start < size; start += COPY_PART, PartNumber++) {
        const end = Math.min(start + COPY_PART, size) - 1
        const res = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: to,
            UploadId,
            PartNumber,
            CopySource,
            CopySourceRange: `bytes=${start}-${end}`,
          }),
        )
        Parts.push({ PartNumber, ETag: res.CopyPartResult?.ETag })
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId, MultipartUpload: { Parts } }),
      )
    } catch (err) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId }))
        .catch((abortErr: unknown) => this.#onCleanupError(abortErr, `${to} (multipart copy ${UploadId})`))
      throw err
    }
  }

  /** Best effort: a leftover temp object is only wasted space, which the orphan sweep reclaims. */
  async #deleteTemp(tmpKey: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: tmpKey }))
    } catch (err) {
      if (!isNotFound(err)) this.#onCleanupError(err, tmpKey)
    }
  }
}

function httpStatus(err: unknown): number | undefined {
  const meta = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
  return meta?.httpStatusCode
}

function isNotFound(err: unknown): boolean {
  const name = err instanceof Error ? err.name : ''
  return name === 'NoSuchKey' || name === 'NotFound' || name === 'NoSuchBucket' || httpStatus(err) === 404
}

/**
 * Trims a ranged response to exactly the requested bytes when the server ignored or widened the
 * Range (s3rver returns the whole object for `bytes=0-0`; some proxies drop Range altogether).
 */
function sliceToRange(body: Readable, contentRange: string | undefined, range: ByteRange, key: string): Readable {
  const m = contentRange && /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange)
  const gotStart = m ? Number(m[1]) : 0
  const gotEnd = m ? Number(m[2]) : Infinity
  const total = m && m[3] !== '*' ? Number(m[3]) : Infinity
  const wantEnd = Math.min(range.end, total - 1)
  if (gotStart === range.start && gotEnd === wantEnd) return body
  if (range.start >= total) {
    body.destroy()
    throw new RangeError(`range start ${range.start} beyond size ${total} of ${key}`)
  }
  if (gotStart > range.start || gotEnd < wantEnd) {
    body.destroy()
    throw new Error(`server answered range ${contentRange} for requested ${range.start}-${range.end} of ${key}`)
  }
  const skip = range.start - gotStart
  const take = wantEnd - range.start + 1
  async function* trimmed(): AsyncGenerator<Buffer> {
    let pos = 0
    // Returning early ends the for-await, which destroys the underlying response.
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const from = Math.max(skip - pos, 0)
      const to = Math.min(skip + take - pos, chunk.length)
      pos += chunk.length
      if (to > from) yield chunk.subarray(from, to)
      if (pos >= skip + take) return
    }
  }
  return Readable.from(trimmed(), { objectMode: false })
}
