/// <reference path="./s3rver-module.d.ts" />
import crypto from 'node:crypto'
import { mkdtemp, rm, unlink } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'

/** A running s3rver instance and the settings a client needs to reach it. */
export interface S3rverHandle {
  endpoint: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  /** Directory s3rver keeps its data in (objects live at <dir>/<bucket>/<key>._S3rver_object). */
  dir: string
  stop(): Promise<void>
}

const SHIMMED = Symbol.for('hromada.s3rver.desShim')

/**
 * s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node >= 17) refuses, so
 * every truncated listing fails with a 500. Only s3rver itself decrypts those tokens, so substituting
 * AES for 'des' is invisible to clients; the patch touches nothing but calls that would throw anyway.
 */
function shimDesForS3rver(): void {
  const c = crypto as typeof crypto & { [SHIMMED]?: true }
  if (c[SHIMMED]) return
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8))
    return // this OpenSSL still has DES: nothing to fix
  } catch {
    // expected on OpenSSL 3 without the legacy provider: install the substitute below
  }
  const widen = (b: crypto.BinaryLike) => {
    const buf = Buffer.from(b as Uint8Array)
    return Buffer.concat([buf, buf]).subarray(0, 16)
  }
  const { createCipheriv, createDecipheriv } = crypto
  const cipher = (alg: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, opts?: object) =>
    alg === 'des'
      ? createCipheriv('aes-128-cbc', widen(key as crypto.BinaryLike), widen(iv as crypto.BinaryLike))
      : createCipheriv(alg, key, iv, opts as never)
  const decipher = (alg: string, key: crypto.CipherKey, iv: crypto.BinaryLike | null, opts?: object) =>
    alg === 'des'
      ? createDecipheriv('aes-128-cbc', widen(key as crypto.BinaryLike), widen(iv as crypto.BinaryLike))
      : createDecipheriv(alg, key, iv, opts as never)
  Object.assign(crypto, { createCipheriv: cipher, createDecipheriv: decipher, [SHIMMED]: true })
}

const KEEPS_DIRS = Symbol.for('hromada.s3rver.keepDirs')

/**
 * s3rver's deleteObject removes a key's directories once they are empty, and its putObject
 * creates them and then opens the file: when one object under `tmp/` is deleted while another
 * is being written there (our uploads go through `tmp/` and are moved when hashed), the
 * directory can vanish between the two steps and the write stream's unhandled ENOENT takes
 * down the process running the tests. MinIO has no such race. Deleting keeps the directories.
 */
function keepDirectoriesOnDelete(): void {
  const require = createRequire(import.meta.url)
  const Store = require('s3rver/lib/stores/filesystem.js') as { prototype: Record<string | symbol, unknown> }
  if (Store.prototype[KEEPS_DIRS]) return
  Store.prototype.deleteObject = async function deleteObject(this: { getResourcePath(b: string, k: string, t: string): string }, bucket: string, key: string) {
    for (const type of ['object', 'object.md5', 'metadata.json']) {
      await unlink(this.getResourcePath(bucket, key, type)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
      })
    }
  }
  Store.prototype[KEEPS_DIRS] = true
}

/** Starts s3rver on 127.0.0.1 with a free port and the bucket created; stop() removes dir unless it was given. */
export async function startS3rver(opts: { dir?: string; bucket: string }): Promise<S3rverHandle> {
  shimDesForS3rver()
  keepDirectoriesOnDelete()
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 's3rver-')))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    // S3RVER_DEBUG=1 shows its request log and the stack traces behind its 500s.
    silent: !process.env.S3RVER_DEBUG,
    directory: dir,
    // Clients use path-style URLs; without vhost matching no hostname is ever read as a bucket name.
    vhostBuckets: false,
    configureBuckets: [{ name: opts.bucket }],
  })
  const address = await server.run()
  let stopped = false
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    bucket: opts.bucket,
    // s3rver's fixed credentials.
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    dir,
    async stop() {
      if (stopped) return
      stopped = true
      // Keep-alive sockets from SDK clients would otherwise hold close() open.
      server.httpServer?.closeAllConnections()
      await server.close()
      if (ownDir) await rm(dir, { recursive: true, force: true })
    },
  }
}
