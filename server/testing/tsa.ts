import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import type { TestPki } from './pki.ts'

const run = promisify(execFile)
const ab = (b: Uint8Array) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer

/** How the test TSA answers: a real token, an RFC 3161 refusal, or a bare HTTP error status. */
export type TsaBehaviour = 'granted' | 'rejection' | 'waiting' | number

export interface TestTsa {
  /** http://127.0.0.1:<port>/tsr */
  url: string
  /** Requests received (answered or not). */
  readonly requests: number
  /** Closes every incoming connection at once (the client sees a network error). */
  down(): void
  /** Answers normally again, with the right imprint. */
  up(): void
  /**
   * 'rejection' / 'waiting': a TimeStampResp with PKIStatus 2 / 3 and no token (HTTP 200);
   * a number: that HTTP status with an empty body; 'granted': normal.
   */
  respondWith(status: TsaBehaviour): void
  /** Grants tokens that stamp a different hash than the one asked for. */
  wrongImprint(): void
  stop(): Promise<void>
}

/**
 * A real RFC 3161 timestamp authority for tests on 127.0.0.1 (random port): each
 * application/timestamp-query is answered by `openssl ts -reply` with the test PKI's TSA
 * certificate and chain. Requests are handled one at a time (openssl keeps a serial file).
 */
export async function startTestTsa(pki: TestPki): Promise<TestTsa> {
  let behaviour: TsaBehaviour = 'granted'
  let refuse = false
  let skewImprint = false
  let requests = 0
  let queue: Promise<unknown> = Promise.resolve()
  const sockets = new Set<Socket>()

  async function reply(query: Buffer): Promise<Buffer> {
    if (skewImprint) {
      const req = pkijs.TimeStampReq.fromBER(ab(query))
      req.messageImprint.hashedMessage = new asn1js.OctetString({ valueHex: ab(randomBytes(32)) })
      query = Buffer.from(req.toSchema().toBER(false))
    }
    const id = randomBytes(6).toString('hex')
    const q = join(pki.dir, `tsq-${id}.tsq`)
    const r = join(pki.dir, `tsr-${id}.tsr`)
    await writeFile(q, query)
    try {
      await run('openssl', ['ts', '-reply', '-config', pki.tsa.configPath, '-queryfile', q, '-signer', pki.tsa.certPath, '-inkey', pki.tsa.keyPath, '-chain', pki.tsa.chainPath, '-out', r], { cwd: pki.dir })
      return await readFile(r)
    } finally {
      await rm(q, { force: true })
      await rm(r, { force: true })
    }
  }

  const refusal = (status: number) => Buffer.from(new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status }) }).toSchema().toBER(false))

  const server: Server = createServer((req, res) => {
    requests++
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > 64 * 1024) req.destroy()
      else chunks.push(c)
    })
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end()
        return
      }
      if (typeof behaviour === 'number') {
        res.writeHead(behaviour).end()
        return
      }
      if (behaviour === 'rejection' || behaviour === 'waiting') {
        res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(refusal(behaviour === 'rejection' ? 2 : 3))
        return
      }
      const body = Buffer.concat(chunks)
      const job = queue.then(() => reply(body))
      queue = job.catch(() => undefined)
      job.then(
        (tsr) => res.writeHead(200, { 'content-type': 'application/timestamp-reply', 'content-length': tsr.length }).end(tsr),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(String((err as Error).message)),
      )
    })
  })
  server.on('connection', (socket) => {
    if (refuse) {
      socket.destroy()
      return
    }
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/tsr`,
    get requests() {
      return requests
    },
    down() {
      refuse = true
      for (const s of sockets) s.destroy()
    },
    up() {
      refuse = false
      behaviour = 'granted'
      skewImprint = false
    },
    respondWith(status) {
      behaviour = status
    },
    wrongImprint() {
      skewImprint = true
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
