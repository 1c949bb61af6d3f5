import { randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { access, mkdir, open, opendir, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import path from 'node:path'
import { Writable, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { errorCode, warnCleanupError, type CleanupErrorHandler } from './cleanup.ts'
import { InvalidKeyError, ObjectNotFoundError } from './errors.ts'
import { assertValidKey, assertValidPrefix, contentKey, CONTENT_PREFIX, isValidKey, TEMP_PREFIX } from './keys.ts'
import { assertRangeShape, HashMeter, whenAborted } from './meter.ts'
import type { ByteRange, ObjectInfo, ObjectStore, PutOptions, PutResult } from './types.ts'

/** Options for createDiskStore. */
export interface DiskStoreOptions {
  /** Directory holding sha256/ and tmp/; created on demand. */
  root: string
  /** Called when removing a temp file after a failed put fails; defaults to a process warning. */
  onCleanupError?: CleanupErrorHandler
}

/** ObjectStore on a local filesystem, plus ensureRoot() for startup. */
export interface DiskObjectStore extends ObjectStore {
  readonly kind: 'disk'
  readonly root: string
  /** Creates root, root/sha256 and root/tmp when missing. */
  ensureRoot(): Promise<void>
  close(): Promise<void>
}

/** Creates a disk-backed store rooted at opts.root (no I/O until first use). */
export function createDiskStore(opts: DiskStoreOptions): DiskObjectStore {
  return new DiskStore(path.resolve(opts.root), opts.onCleanupError ?? warnCleanupError)
}

const NOT_THERE = new Set(['ENOENT', 'ENOTDIR'])

class DiskStore implements DiskObjectStore {
  readonly kind = 'disk'
  readonly root: string
  readonly #onCleanupError: CleanupErrorHandler

  constructor(root: string, onCleanupError: CleanupErrorHandler) {
    this.root = root
    this.#onCleanupError = onCleanupError
  }

  async ensureRoot(): Promise<void> {
    await mkdir(path.join(this.root, CONTENT_PREFIX), { recursive: true })
    await mkdir(path.join(this.root, TEMP_PREFIX), { recursive: true })
  }

  async put(body: Readable, opts: PutOptions = {}): Promise<PutResult> {
    const { signal } = opts
    const tmpKey = TEMP_PREFIX + randomUUID()
    const tmpPath = this.#path(tmpKey)
    let fh: FileHandle | undefined
    let detach = () => {}
    try {
      const meter = new HashMeter(opts.maxBytes)
      signal?.throwIfAborted()
      await mkdir(path.dirname(tmpPath), { recursive: true })
      fh = await open(tmpPath, 'wx', 0o640)
      signal?.throwIfAborted()
      const out = fileSink(fh)
      detach = whenAborted(signal, (reason) => meter.destroy(reason as Error))
      await pipeline(body, meter, out)
      detach()
      await fh.sync()
      await fh.close()
      fh = undefined
      signal?.throwIfAborted()

      const sha256 = meter.digest()
      const key = contentKey(sha256)
      const finalPath = this.#path(key)
      await mkdirDurable(path.dirname(finalPath))
      // rename is atomic, so readers see either the previous (identical) file or the new one.
      await rename(tmpPath, finalPath)
      await fsyncDir(path.dirname(finalPath))
      return { key, size: meter.bytes, sha256 }
    } catch (err) {
      detach()
      // Without an error argument: an 'error' event on a body nobody listens to any more would crash the process.
      if (!body.destroyed) body.destroy()
      if (fh) await fh.close().catch((closeErr: unknown) => this.#onCleanupError(closeErr, tmpKey))
      await unlink(tmpPath).catch((unlinkErr: unknown) => {
        if (errorCode(unlinkErr) !== 'ENOENT') this.#onCleanupError(unlinkErr, tmpKey)
      })
      throw err
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const p = this.#path(key)
    if (range) assertRangeShape(range)
    let fh: FileHandle
    try {
      fh = await open(p, 'r')
    } catch (err) {
      if (NOT_THERE.has(errorCode(err) ?? '')) throw new ObjectNotFoundError(key, { cause: err })
      throw err
    }
    try {
      const st = await fh.stat()
      if (!st.isFile()) throw new ObjectNotFoundError(key)
      if (!range) return fh.createReadStream()
      if (range.start >= st.size) throw new RangeError(`range start ${range.start} beyond size ${st.size} of ${key}`)
      return fh.createReadStream({ start: range.start, end: Math.min(range.end, st.size - 1) })
    } catch (err) {
      await fh.close()
      throw err
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const p = this.#path(key)
    try {
      const st = await stat(p)
      return st.isFile() ? { key, size: st.size, lastModified: st.mtime } : null
    } catch (err) {
      if (NOT_THERE.has(errorCode(err) ?? '')) return null
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    const p = this.#path(key)
    try {
      await unlink(p)
    } catch (err) {
      if (!NOT_THERE.has(errorCode(err) ?? '')) throw err
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(prefix)
    // Start at the deepest directory the prefix names completely; the rest is a string filter.
    const dirRel = prefix.slice(0, prefix.lastIndexOf('/') + 1)
    const start = path.resolve(this.root, ...dirRel.split('/').filter(Boolean))
    if (start !== this.root && !start.startsWith(this.root + path.sep)) throw new InvalidKeyError(prefix)
    yield* this.#walk(start, dirRel, prefix)
  }

  async check(): Promise<void> {
    const st = await stat(this.root)
    if (!st.isDirectory()) throw new Error(`object store root ${this.root} is not a directory`)
    await access(this.root, constants.R_OK | constants.W_OK | constants.X_OK)
  }

  async close(): Promise<void> {}

  async *#walk(dirPath: string, relDir: string, prefix: string): AsyncGenerator<ObjectInfo> {
    let dir
    try {
      dir = await opendir(dirPath)
    } catch (err) {
      if (NOT_THERE.has(errorCode(err) ?? '')) return
      throw err
    }
    // for-await closes the Dir handle on completion, error, or an early break by the consumer.
    for await (const ent of dir) {
      const rel = relDir + ent.name
      const full = path.join(dirPath, ent.name)
      if (ent.isDirectory()) {
        const sub = rel + '/'
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) yield* this.#walk(full, sub, prefix)
      } else if (ent.isFile() && rel.startsWith(prefix) && isValidKey(rel)) {
        let st
        try {
          st = await stat(full)
        } catch (err) {
          // Deleted between readdir and stat: it simply is no longer part of the listing.
          if (errorCode(err) === 'ENOENT') continue
          throw err
        }
        yield { key: rel, size: st.size, lastModified: st.mtime }
      }
    }
  }

  /** Maps a validated key to a path, refusing anything that would resolve outside root. */
  #path(key: string): string {
    assertValidKey(key)
    const p = path.resolve(this.root, ...key.split('/'))
    if (!p.startsWith(this.root + path.sep)) throw new InvalidKeyError(key)
    return p
  }
}

/** mkdir -p that also fsyncs the parents of every directory it created, so the new entries survive a crash. */
async function mkdirDurable(dir: string): Promise<void> {
  const first = await mkdir(dir, { recursive: true })
  if (first === undefined) return
  for (let d = dir; ; d = path.dirname(d)) {
    await fsyncDir(path.dirname(d))
    if (d === first || d === path.dirname(d)) break
  }
}

/** Writable onto an open handle that leaves closing (and fsync) to the caller, unlike fs write streams. */
function fileSink(fh: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writeFully(fh, chunk).then(() => callback(), callback)
    },
    writev(chunks, callback) {
      writeAllv(
        fh,
        chunks.map((c) => c.chunk as Buffer),
      ).then(() => callback(), callback)
    },
  })
}

async function writeAllv(fh: FileHandle, bufs: Buffer[]): Promise<void> {
  const total = bufs.reduce((n, b) => n + b.length, 0)
  const { bytesWritten } = await fh.writev(bufs)
  // Short writes are rare on regular files; finishing them through the slow path keeps this simple.
  if (bytesWritten < total) await writeFully(fh, Buffer.concat(bufs).subarray(bytesWritten))
}

async function writeFully(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off)
    off += bytesWritten
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open directories for fsync; NTFS metadata journaling covers the rename there.
  if (process.platform === 'win32') return
  const h = await open(dir, 'r')
  try {
    await h.sync()
  } finally {
    await h.close()
  }
}
