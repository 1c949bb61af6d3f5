/// <reference path="./s3rver-module.d.ts" />
import { mkdtemp, rm } from 'node:fs/promises'
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

/** Starts s3rver on 127.0.0.1 with a free port and the bucket created; stop() removes dir unless it was given. */
export async function startS3rver(opts: { dir?: string; bucket: string }): Promise<S3rverHandle> {
  const ownDir = opts.dir === undefined
  const dir = opts.dir ?? (await mkdtemp(path.join(os.tmpdir(), 's3rver-')))
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    // Path-style only: vhost matching would treat "127.0.0.1" as bucket-name-bearing hostnames.
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
