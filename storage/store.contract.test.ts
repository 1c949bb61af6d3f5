import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, utimes } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  CONTENT_PREFIX,
  contentKey,
  createDiskStore,
  createObjectStore,
  createS3Store,
  InvalidKeyError,
  isContentKey,
  ObjectNotFoundError,
  ObjectTooLargeError,
  TEMP_PREFIX,
  type ObjectStore,
} from './index.ts'
import { startS3rver } from './testing/s3rver.ts'

const MiB = 1024 * 1024

interface Harness {
  store: ObjectStore
  /** Same backend, listing in tiny pages so pagination is exercised without thousands of objects. */
  pagedStore: ObjectStore
  /** Rewinds an object's stored modification time, so a refresh by a later put is observable without sleeping. */
  backdate(key: string, when: Date): Promise<void>
  /** Failures reported by best-effort cleanup; the tests expect none. */
  cleanupErrors: unknown[]
  teardown(): Promise<void>
}

async function diskHarness(): Promise<Harness> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'objstore-disk-'))
  const cleanupErrors: unknown[] = []
  const store = createDiskStore({ root, onCleanupError: (err) => cleanupErrors.push(err) })
  await store.ensureRoot()
  return {
    store,
    pagedStore: store,
    backdate: (key, when) => utimes(path.join(root, ...key.split('/')), when, when),
    cleanupErrors,
    teardown: () => rm(root, { recursive: true, force: true }),
  }
}

async function s3Harness(): Promise<Harness> {
  const s3 = await startS3rver({ bucket: 'contract' })
  const cleanupErrors: unknown[] = []
  const onCleanupError = (err: unknown) => {
    // s3rver does not implement AbortMultipartUpload (answers 405); real S3 and MinIO do.
    if (err instanceof Error && err.name === 'MethodNotAllowed') return
    cleanupErrors.push(err)
  }
  const opts = { ...s3, onCleanupError }
  const store = createS3Store(opts)
  const pagedStore = createS3Store({ ...opts, listPageSize: 3 })
  await store.ensureBucket()
  return {
    store,
    pagedStore,
    // s3rver keeps each object in a plain file and reports its mtime as LastModified.
    backdate: (key, when) => utimes(path.join(s3.dir, s3.bucket, `${key}._S3rver_object`), when, when),
    cleanupErrors,
    async teardown() {
      await store.close()
      await pagedStore.close()
      await s3.stop()
    },
  }
}

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex')

/** Feeds buf in fixed-size chunks, as a network body would arrive. */
function streamOf(buf: Buffer, chunkSize = 64 * 1024): Readable {
  const chunks: Buffer[] = []
  for (let i = 0; i < buf.length; i += chunkSize) chunks.push(buf.subarray(i, i + chunkSize))
  return Readable.from(chunks)
}

/**
 * Endless random-looking stream; onChunk runs before each chunk is pushed with the bytes produced so far
 * and may return an Error to fail the stream there. Counting lets tests assert how far a put read.
 */
function endless(onChunk: (produced: number) => Error | void, chunkSize = 64 * 1024) {
  const block = randomBytes(chunkSize)
  const state = { produced: 0 }
  const stream = new Readable({
    read() {
      const err = onChunk(state.produced)
      if (err) {
        stream.destroy(err)
        return
      }
      state.produced += block.length
      this.push(Buffer.from(block))
    },
  })
  return { stream, state }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

async function listKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = []
  for await (const info of store.list(prefix)) keys.push(info.key)
  return keys
}

describe.each([
  ['disk', diskHarness],
  ['s3', s3Harness],
] as const)('ObjectStore contract: %s', (kind, makeHarness) => {
  let h: Harness
  let store: ObjectStore

  beforeAll(async () => {
    h = await makeHarness()
    store = h.store
  })
  afterAll(async () => {
    await h?.teardown()
  })

  /** Every failure case must leave no temp object and no new content object behind. */
  async function expectNothingLeft(contentCountBefore: number, fullSha?: string) {
    expect(await listKeys(store, TEMP_PREFIX)).toEqual([])
    expect((await listKeys(store, CONTENT_PREFIX)).length).toBe(contentCountBefore)
    if (fullSha) expect(await store.head(contentKey(fullSha))).toBeNull()
    expect(h.cleanupErrors).toEqual([])
  }

  it('reports its kind and passes check()', async () => {
    expect(store.kind).toBe(kind)
    await expect(store.check()).resolves.toBeUndefined()
  })

  it('put returns sha256, size and content key; get returns the same bytes', async () => {
    const data = randomBytes(300 * 1024 + 17)
    const res = await store.put(streamOf(data), { contentType: 'application/pdf' })
    const hex = sha256(data)
    expect(res).toEqual({ key: `sha256/${hex.slice(0, 2)}/${hex}`, size: data.length, sha256: hex })
    expect(res.key).toBe(contentKey(hex))
    expect(isContentKey(res.key)).toBe(true)
    expect((await collect(await store.get(res.key))).equals(data)).toBe(true)
    const info = await store.head(res.key)
    expect(info).toMatchObject({ key: res.key, size: data.length })
    expect(info?.lastModified).toBeInstanceOf(Date)
    expect(await listKeys(store, TEMP_PREFIX)).toEqual([])
  })

  it('serves byte ranges: first byte, middle, last byte, whole', async () => {
    const data = randomBytes(100_000)
    const { key } = await store.put(streamOf(data))
    const ranges = [
      { start: 0, end: 0 },
      { start: 12_345, end: 54_321 },
      { start: data.length - 1, end: data.length - 1 },
      { start: 0, end: data.length - 1 },
    ]
    for (const r of ranges) {
      const got = await collect(await store.get(key, r))
      expect(got.equals(data.subarray(r.start, r.end + 1)), `${r.start}-${r.end}`).toBe(true)
    }
    // An end past the last byte is clamped, as HTTP and S3 do; a start past it cannot be served.
    const tail = await collect(await store.get(key, { start: data.length - 2, end: data.length + 100 }))
    expect(tail.equals(data.subarray(data.length - 2))).toBe(true)
    await expect(store.get(key, { start: data.length, end: data.length + 5 })).rejects.toBeInstanceOf(RangeError)
    await expect(store.get(key, { start: 5, end: 4 })).rejects.toBeInstanceOf(RangeError)
  })

  it('reports missing objects: head → null, get → ObjectNotFoundError', async () => {
    const missing = contentKey(sha256(randomBytes(32)))
    expect(await store.head(missing)).toBeNull()
    await expect(store.get(missing)).rejects.toBeInstanceOf(ObjectNotFoundError)
    await expect(store.get(missing, { start: 0, end: 0 })).rejects.toBeInstanceOf(ObjectNotFoundError)
    await expect(store.get(`${TEMP_PREFIX}does-not-exist`)).rejects.toBeInstanceOf(ObjectNotFoundError)
  })

  it('stores identical bytes once and refreshes lastModified on a repeated put', async () => {
    const data = randomBytes(4096)
    const first = await store.put(streamOf(data))
    const before = await store.head(first.key)
    const past = new Date('2001-02-03T04:05:06Z')
    await h.backdate(first.key, past)
    expect((await store.head(first.key))?.lastModified.getTime()).toBe(past.getTime())

    const second = await store.put(streamOf(data, 1000))
    expect(second).toEqual(first)
    const after = await store.head(second.key)
    expect(after?.lastModified.getTime()).toBeGreaterThanOrEqual(before!.lastModified.getTime())
    const matches = (await listKeys(store, CONTENT_PREFIX)).filter((k) => k === first.key)
    expect(matches).toEqual([first.key])
    expect(await listKeys(store, TEMP_PREFIX)).toEqual([])
  })

  // 8 MiB is the S3 driver's part size: exactly one part is a single PUT, one byte more a multipart upload.
  it.each([8 * MiB, 8 * MiB + 1, 16 * MiB + 5])('round-trips %i bytes around the part boundary', async (size) => {
    const data = randomBytes(size)
    const res = await store.put(streamOf(data, 100_000))
    expect(res).toEqual({ key: contentKey(sha256(data)), size, sha256: sha256(data) })
    expect((await collect(await store.get(res.key))).equals(data)).toBe(true)
    await store.delete(res.key)
  })

  it('handles an empty object', async () => {
    const res = await store.put(Readable.from([]))
    expect(res).toEqual({ key: contentKey(sha256(Buffer.alloc(0))), size: 0, sha256: sha256(Buffer.alloc(0)) })
    expect((await collect(await store.get(res.key))).length).toBe(0)
    expect(await store.head(res.key)).toMatchObject({ size: 0 })
  })

  it('accepts exactly maxBytes and rejects one byte more', async () => {
    const data = randomBytes(10_000)
    await expect(store.put(streamOf(data), { maxBytes: data.length })).resolves.toMatchObject({ size: data.length })
    const before = (await listKeys(store, CONTENT_PREFIX)).length
    const bigger = randomBytes(10_001)
    const err = await store.put(streamOf(bigger), { maxBytes: 10_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ObjectTooLargeError)
    expect((err as ObjectTooLargeError).limit).toBe(10_000)
    await expectNothingLeft(before, sha256(bigger))
  })

  it('cuts an oversized upload off as soon as the limit is crossed', async () => {
    const before = (await listKeys(store, CONTENT_PREFIX)).length
    const limit = 3 * MiB
    // Would never end on its own: only the limit can stop this put.
    const { stream, state } = endless(() => undefined)
    await expect(store.put(stream, { maxBytes: limit })).rejects.toBeInstanceOf(ObjectTooLargeError)
    expect(state.produced).toBeGreaterThan(limit)
    expect(state.produced).toBeLessThan(limit + MiB)
    expect(stream.destroyed).toBe(true)
    await expectNothingLeft(before)
  })

  // 12 MiB crosses the 8 MiB part size, so the S3 driver is mid-multipart-upload when the input fails.
  it.each([200 * 1024, 12 * MiB])('rejects with the input error when the body is destroyed after %i bytes', async (at) => {
    const before = (await listKeys(store, CONTENT_PREFIX)).length
    const boom = new Error('client went away')
    const { stream } = endless((produced) => (produced >= at ? boom : undefined))
    await expect(store.put(stream)).rejects.toBe(boom)
    await expectNothingLeft(before)
  })

  it.each([200 * 1024, 12 * MiB])('rejects with signal.reason when aborted after %i bytes', async (at) => {
    const before = (await listKeys(store, CONTENT_PREFIX)).length
    const ac = new AbortController()
    const reason = new Error('request aborted')
    const { stream } = endless((produced) => {
      if (produced >= at && !ac.signal.aborted) ac.abort(reason)
    })
    await expect(store.put(stream, { signal: ac.signal })).rejects.toBe(reason)
    await expectNothingLeft(before)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const before = (await listKeys(store, CONTENT_PREFIX)).length
    const reason = new Error('too late')
    const data = randomBytes(1000)
    await expect(store.put(streamOf(data), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    await expectNothingLeft(before, sha256(data))
  })

  it('deletes idempotently', async () => {
    const { key } = await store.put(streamOf(randomBytes(2048)))
    await store.delete(key)
    await store.delete(key)
    expect(await store.head(key)).toBeNull()
    await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError)
    await expect(store.delete(contentKey(sha256(randomBytes(8))))).resolves.toBeUndefined()
  })

  it('lists by prefix across pages without duplicates', async () => {
    const keys = new Set<string>()
    for (let i = 0; i < 10; i++) keys.add((await store.put(streamOf(randomBytes(64 + i)))).key)
    const all = await listKeys(store, CONTENT_PREFIX)
    const paged = await listKeys(h.pagedStore, CONTENT_PREFIX)
    expect(new Set(paged).size).toBe(paged.length)
    expect(new Set(paged)).toEqual(new Set(all))
    for (const k of keys) expect(all).toContain(k)
    expect(all.every(isContentKey)).toBe(true)

    const one = [...keys][0]!
    const shard = one.slice(0, CONTENT_PREFIX.length + 3)
    const inShard = await listKeys(h.pagedStore, shard)
    expect(inShard).toContain(one)
    expect(inShard.every((k) => k.startsWith(shard))).toBe(true)
    expect(await listKeys(store, one)).toEqual([one])
    expect(await listKeys(store, 'sha256/zz/')).toEqual([])
    for await (const info of store.list(one)) expect(info.size).toBeGreaterThanOrEqual(64)
  })

  it.each(['../etc/passwd', 'sha256/../../x', '/abs', 'tmp/../../etc/passwd', 'sha256//x', 'sha256/AB', 'other/x', ''])(
    'refuses the invalid key %j',
    async (bad) => {
      await expect(store.get(bad)).rejects.toBeInstanceOf(InvalidKeyError)
      await expect(store.get(bad, { start: 0, end: 0 })).rejects.toBeInstanceOf(InvalidKeyError)
      await expect(store.head(bad)).rejects.toBeInstanceOf(InvalidKeyError)
      await expect(store.delete(bad)).rejects.toBeInstanceOf(InvalidKeyError)
    },
  )

  it('refuses traversal in list prefixes', async () => {
    for (const bad of ['../', 'sha256/../..', '/etc/']) {
      await expect(listKeys(store, bad)).rejects.toBeInstanceOf(InvalidKeyError)
    }
  })

  it('streams 256 MiB through put without memory growing with object size', { timeout: 120_000 }, async () => {
    const total = 256 * MiB
    const chunk = 64 * 1024
    // Fresh chunks copied from a random pool, like a network body; 3 MiB does not divide the
    // S3 part size, so no two parts carry the same bytes.
    const pool = randomBytes(3 * MiB)
    const expected = createHash('sha256')
    let produced = 0
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }
    const body = new Readable({
      read() {
        // Sampling per chunk as well as on a timer keeps the measurement independent of scheduling.
        if (produced % MiB === 0) sample()
        if (produced >= total) {
          this.push(null)
          return
        }
        const off = produced % pool.length
        const next = Buffer.from(pool.subarray(off, off + chunk))
        expected.update(next)
        produced += next.length
        this.push(next)
      },
    })
    const timer = setInterval(sample, 50)
    let res
    try {
      res = await store.put(body)
    } finally {
      clearInterval(timer)
    }
    sample()
    const hex = expected.digest('hex')
    expect(res).toEqual({ key: contentKey(hex), size: total, sha256: hex })
    expect(peak - baseline).toBeLessThan(96 * MiB)
    await store.delete(res.key)
  })
})

describe('createObjectStore', () => {
  it('prepares a fresh disk root', async () => {
    const root = path.join(await mkdtemp(path.join(os.tmpdir(), 'objstore-cfg-')), 'nested', 'root')
    try {
      const store = await createObjectStore({ kind: 'disk', root })
      expect(store.kind).toBe('disk')
      await store.check()
      expect(await listKeys(store, '')).toEqual([])
    } finally {
      await rm(path.dirname(path.dirname(root)), { recursive: true, force: true })
    }
  })

  it('creates a missing bucket and explains rejected credentials', async () => {
    const s3 = await startS3rver({ bucket: 'existing' })
    try {
      const { endpoint, accessKeyId, secretAccessKey } = s3
      const store = await createObjectStore({ kind: 's3', endpoint, bucket: 'created-at-start', accessKeyId, secretAccessKey })
      try {
        expect(store.kind).toBe('s3')
        await store.check()
        const { key } = await store.put(streamOf(randomBytes(100)))
        expect(await store.head(key)).toMatchObject({ size: 100 })
      } finally {
        await store.close?.()
      }
      // s3rver checks only the access key id (it does not verify SigV4 signatures).
      const cfg = { kind: 's3', endpoint, bucket: 'existing', accessKeyId: 'NOBODY', secretAccessKey } as const
      await expect(createObjectStore(cfg)).rejects.toThrow(/denied/)
      const noCreate = { kind: 's3', endpoint, bucket: 'absent', accessKeyId, secretAccessKey, createBucket: false } as const
      await expect(createObjectStore(noCreate)).rejects.toThrow(/does not exist/)
    } finally {
      await s3.stop()
    }
  })
})
