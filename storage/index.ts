import { createDiskStore } from './disk.ts'
import { createS3Store } from './s3.ts'
import type { ObjectStore } from './types.ts'

export type { ByteRange, ObjectInfo, ObjectStore, PutOptions, PutResult } from './types.ts'
export { InvalidKeyError, ObjectNotFoundError, ObjectTooLargeError } from './errors.ts'
export { CONTENT_PREFIX, TEMP_PREFIX, contentKey, isContentKey, isValidKey } from './keys.ts'
export type { CleanupErrorHandler } from './cleanup.ts'
export { createDiskStore, type DiskObjectStore, type DiskStoreOptions } from './disk.ts'
export { createS3Store, type S3ObjectStore, type S3StoreOptions } from './s3.ts'

/** Configuration accepted by createObjectStore. */
export type ObjectStoreConfig =
  | { kind: 'disk'; root: string }
  | {
      kind: 's3'
      endpoint: string
      bucket: string
      accessKeyId: string
      secretAccessKey: string
      region?: string
      forcePathStyle?: boolean
      /** Create the bucket when missing (default true). */
      createBucket?: boolean
    }

/** Builds the configured store and prepares it (disk: directories; S3: bucket), failing fast on misconfiguration. */
export async function createObjectStore(cfg: ObjectStoreConfig): Promise<ObjectStore> {
  if (cfg.kind === 'disk') {
    const store = createDiskStore({ root: cfg.root })
    await store.ensureRoot()
    return store
  }
  const { kind: _kind, ...s3 } = cfg
  const store = createS3Store(s3)
  try {
    await store.ensureBucket()
  } catch (err) {
    await store.close()
    throw err
  }
  return store
}
