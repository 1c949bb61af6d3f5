import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3'
import type { Readable } from 'node:stream'
import type { CleanupErrorHandler } from './cleanup.ts'

/** S3's limit on parts per multipart upload. */
const MAX_PARTS = 10_000

/** Where and how streamToS3 uploads. */
export interface StreamUploadOptions {
  client: S3Client
  Bucket: string
  Key: string
  ContentType?: string
  partSize: number
  queueSize: number
  onCleanupError: CleanupErrorHandler
}

/**
 * Uploads a stream of unknown length: one PutObject when it fits in a part, otherwise a multipart upload.
 *
 * Unlike lib-storage's Upload, which concatenates every part into a fresh buffer, part buffers are
 * allocated once and reused, so memory stays near (queueSize + 1) * partSize no matter how lazily the
 * garbage collector runs (measured: lib-storage peaked at ~120 MiB of buffers for a 256 MiB object with
 * 8 MiB parts and queueSize 4; this holds exactly 40 MiB). On failure it waits for in-flight parts, aborts the multipart upload and
 * rethrows the first error, having destroyed source with it; nothing is then left under Key.
 */
export async function streamToS3(source: Readable, o: StreamUploadOptions): Promise<void> {
  const { client, Bucket, Key, ContentType, partSize } = o
  const spare: Buffer[] = []
  const inflight = new Set<Promise<void>>()
  const parts: CompletedPart[] = []
  let uploadId: string | undefined
  let failure: { err: unknown } | undefined
  let partNumber = 0
  let cur: Buffer | undefined
  let fill = 0
  // Until more than one part's worth arrived, chunks are only referenced: small objects cost no part buffer.
  let head: Buffer[] | undefined = []
  let headLen = 0

  const dispatch = async (buf: Buffer, len: number) => {
    while (inflight.size >= o.queueSize) await Promise.race(inflight)
    if (failure) throw failure.err
    uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType }))).UploadId
    const PartNumber = ++partNumber
    if (PartNumber > MAX_PARTS) throw new Error(`object needs more than ${MAX_PARTS} parts of ${partSize} bytes`)
    const Body = buf.subarray(0, len)
    const p: Promise<void> = client
      .send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body, ContentLength: len }))
      .then(
        (res) => {
          parts.push({ PartNumber, ETag: res.ETag })
          // Only a part the server fully received is reused; a failed one may still be referenced by its socket.
          spare.push(buf)
        },
        (err: unknown) => {
          failure ??= { err }
        },
      )
      .finally(() => inflight.delete(p))
    inflight.add(p)
  }

  const feed = async (chunk: Buffer) => {
    for (let off = 0; off < chunk.length; ) {
      cur ??= spare.pop() ?? Buffer.allocUnsafe(partSize)
      const n = chunk.copy(cur, fill, off)
      fill += n
      off += n
      if (fill === partSize) {
        const full = cur
        cur = undefined
        fill = 0
        await dispatch(full, partSize)
      }
    }
  }

  try {
    // destroyOnReturn: false, so that on failure the source is destroyed with the real error (below),
    // not with the generic premature-close error an abandoned iteration would cause.
    for await (const chunk of source.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      if (head && headLen + chunk.length <= partSize) {
        head.push(chunk)
        headLen += chunk.length
        continue
      }
      if (head) {
        const first = head
        head = undefined
        for (const c of first) await feed(c)
      }
      await feed(chunk)
      if (failure) throw failure.err
    }
    if (head) {
      const Body = Buffer.concat(head, headLen)
      await client.send(new PutObjectCommand({ Bucket, Key, ContentType, Body, ContentLength: headLen }))
      return
    }
    if (cur && fill > 0) await dispatch(cur, fill)
    await Promise.all(inflight)
    if (failure) throw failure.err
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
    )
  } catch (err) {
    if (!source.destroyed) source.destroy(err as Error)
    await Promise.all(inflight)
    if (uploadId !== undefined) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch((abortErr: unknown) => o.onCleanupError(abortErr, `${Key} (multipart upload ${uploadId})`))
    }
    throw err
  }
}
