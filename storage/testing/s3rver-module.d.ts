// Minimal typings for the parts of s3rver (which ships none) that testing/s3rver.ts uses.
declare module 's3rver' {
  import type { Server } from 'node:http'
  import type { AddressInfo } from 'node:net'

  interface S3rverOptions {
    address?: string
    port?: number
    silent?: boolean
    directory?: string
    resetOnClose?: boolean
    allowMismatchedSignatures?: boolean
    vhostBuckets?: boolean
    serviceEndpoint?: string
    configureBuckets?: Array<{ name: string; configs?: Array<string | Buffer> }>
  }

  class S3rver {
    constructor(options?: S3rverOptions)
    httpServer?: Server
    run(): Promise<AddressInfo>
    close(): Promise<void>
    reset(): void
  }

  export default S3rver
}
