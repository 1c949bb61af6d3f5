/**
 * Upload benchmark: a large PDF-looking stream (default 1 GiB) uploaded through the API
 * (POST /api/documents/:id/versions, streamed) versus put straight into the same S3 store
 * from this process (createS3Store(...).put), alternating; plus the server's RSS growth.
 *
 *   npx tsx bench/upload.ts [--size=<MiB>] [--rounds=<n>] [--warmup=<MiB>] [--verbose]
 *
 * Starts embedded PostgreSQL, s3rver (own process) and the server (own process) in a temp
 * folder and removes everything afterwards. Last stdout line: the JSON result.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { contentKey, createS3Store } from '../storage/index.ts'
import {
  apiJson,
  login,
  log,
  makeTempRoot,
  median,
  MiB,
  parseArgs,
  readMemKb,
  resetPeakRss,
  round,
  RssSampler,
  runBench,
  spawnNode,
  startPostgres,
  startServer,
  streamPost,
} from './lib.ts'

const args = parseArgs({ size: 1024, rounds: 3, warmup: 24, verbose: false })
const BYTES = Math.round(args.size * MiB)
const ROUNDS = Math.floor(args.rounds)

/** One random 1 MiB block per process; every chunk of every stream is this block stamped with (nonce, chunk index). */
const BLOCK = randomBytes(MiB)
const PDF_HEADER = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')

/**
 * A deterministic, cheap byte stream of `size` bytes that starts like a PDF. Each 1 MiB chunk
 * is the shared random block with a 16-byte stamp (run nonce + chunk index) in every 4 KiB, so
 * no two chunks, and no two runs, share content (the store deduplicates identical objects).
 */
function pdfLikeStream(size: number): Readable {
  const nonce = randomBytes(8)
  let sent = 0
  let index = 0
  return new Readable({
    highWaterMark: MiB,
    read() {
      if (sent >= size) {
        this.push(null)
        return
      }
      const n = Math.min(MiB, size - sent)
      const chunk = Buffer.allocUnsafe(n)
      BLOCK.copy(chunk, 0, 0, n)
      for (let off = 2048; off + 16 <= n; off += 4096) {
        nonce.copy(chunk, off)
        chunk.writeUInt32LE(index, off + 8)
        chunk.writeUInt32LE(off, off + 12)
      }
      if (index === 0) PDF_HEADER.copy(chunk, 0, 0, Math.min(PDF_HEADER.length, n))
      index++
      sent += n
      this.push(chunk)
    },
  })
}

const mbps = (bytes: number, ms: number) => bytes / MiB / (ms / 1000)
const mb = (kb: number) => kb / 1024

runBench('upload', async () => {
  if (ROUNDS < 2) log(`warning: --rounds=${ROUNDS}; the brief asks for at least 2 rounds each`)
  log(`upload benchmark: ${args.size} MiB per upload, ${ROUNDS} rounds (direct, api alternating); MB = MiB`)
  const root = makeTempRoot('upload')

  const pg = await startPostgres(join(root, 'pg'))

  const s3child = spawnNode('s3rver', 'bench/s3rver-child.ts', { args: [join(root, 's3'), 'hromada-bench'], echo: args.verbose })
  const s3 = await s3child.firstJsonLine<{ endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string }>()
  log(`s3rver ready at ${s3.endpoint} (pid ${s3child.pid})`)

  const uploadMax = Math.max(2 * 1024 * MiB, BYTES + MiB)
  const { child: server, baseUrl } = await startServer({
    databaseUrl: pg.url,
    dataDir: join(root, 'data'),
    env: {
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: s3.bucket,
      S3_ACCESS_KEY: s3.accessKeyId,
      S3_SECRET_KEY: s3.secretAccessKey,
      // 2GB unless --size needs more.
      UPLOAD_MAX_BYTES: String(uploadMax),
    },
  })

  const session = await login(baseUrl, 'it.staff')
  const unitId = session.positions[0]?.unitId
  if (!unitId) throw new Error('it.staff holds no position')
  const doc = await apiJson<{ id: string }>(baseUrl, session, 'POST', '/api/documents', {
    kind: 'council_decision_draft',
    title: 'Про затвердження Програми цифрової трансформації (навантажувальний тест)',
    authorUnitId: unitId,
  })
  log(`signed in as it.staff, document ${doc.id}`)

  // The baseline: the same store implementation with the server's defaults, in this process.
  const store = createS3Store({ endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: 'us-east-1', forcePathStyle: true })

  async function direct(bytes: number): Promise<{ ms: number; key: string }> {
    const started = performance.now()
    const put = await store.put(pdfLikeStream(bytes), { maxBytes: uploadMax, contentType: 'application/pdf' })
    const ms = performance.now() - started
    if (put.size !== bytes) throw new Error(`direct put stored ${put.size} of ${bytes} bytes`)
    return { ms, key: put.key }
  }

  async function api(bytes: number): Promise<{ ms: number; key: string }> {
    const started = performance.now()
    const res = await streamPost(`${baseUrl}/api/documents/${doc.id}/versions?name=bench.pdf`, pdfLikeStream(bytes), {
      'content-type': 'application/pdf',
      'content-length': bytes,
      cookie: session.cookie,
      'x-csrf-token': session.csrfToken,
    })
    const ms = performance.now() - started
    const v = res.json as { size?: number; sha256?: string }
    if (res.status !== 201 || v.size !== bytes || !v.sha256) throw new Error(`API upload: HTTP ${res.status} ${JSON.stringify(res.json).slice(0, 500)}`)
    return { ms, key: contentKey(v.sha256) }
  }

  // Objects are deleted after each run (untimed) so s3rver's folder does not grow by a GiB per run.
  const drop = (key: string) => store.delete(key)
  try {
    // Warm-up: both paths once with a multipart-sized object (loads code, opens sockets, JITs).
    const warm = Math.round(args.warmup * MiB)
    await drop((await direct(warm)).key)
    await drop((await api(warm)).key)
    log(`warm-up done (${args.warmup} MiB each way)`)

    const before = readMemKb(server.pid)
    log(`server RSS before the first measured upload: ${mb(before.rssKb).toFixed(1)} MB`)
    const hwmReset = resetPeakRss(server.pid)
    let sampledPeakKb = 0
    let hwmPeakKb = 0
    const directMBps: number[] = []
    const apiMBps: number[] = []

    for (let r = 1; r <= ROUNDS; r++) {
      const d = await direct(BYTES)
      await drop(d.key)
      directMBps.push(mbps(BYTES, d.ms))
      log(`round ${r}/${ROUNDS} direct: ${(d.ms / 1000).toFixed(2)} s, ${mbps(BYTES, d.ms).toFixed(1)} MB/s`)

      if (hwmReset) resetPeakRss(server.pid)
      const sampler = new RssSampler(server.pid, 100).start()
      let a: { ms: number; key: string }
      try {
        a = await api(BYTES)
      } finally {
        sampler.stop()
      }
      const peak = sampler.peakKb
      const hwm = hwmReset ? readMemKb(server.pid).hwmKb : 0
      sampledPeakKb = Math.max(sampledPeakKb, peak)
      hwmPeakKb = Math.max(hwmPeakKb, hwm)
      await drop(a.key)
      apiMBps.push(mbps(BYTES, a.ms))
      log(
        `round ${r}/${ROUNDS} api:    ${(a.ms / 1000).toFixed(2)} s, ${mbps(BYTES, a.ms).toFixed(1)} MB/s; server RSS peak ${mb(peak).toFixed(1)} MB ` +
          `(${sampler.samples} samples${hwmReset ? `, kernel VmHWM ${mb(hwm).toFixed(1)} MB` : ''})`,
      )
    }

    const apiMed = median(apiMBps)
    const directMed = median(directMBps)
    // The kernel's peak counter catches spikes between samples; use whichever is higher.
    const peakKb = Math.max(sampledPeakKb, hwmPeakKb)
    const rssGrowthMB = mb(peakKb - before.rssKb)
    log(`median direct ${directMed.toFixed(1)} MB/s, median api ${apiMed.toFixed(1)} MB/s, ratio ${(apiMed / directMed).toFixed(3)} (target >= 0.7)`)
    log(
      `server RSS: before ${mb(before.rssKb).toFixed(1)} MB, sampled peak ${mb(sampledPeakKb).toFixed(1)} MB` +
        (hwmReset ? `, kernel peak ${mb(hwmPeakKb).toFixed(1)} MB` : ' (VmHWM reset not permitted)') +
        ` => growth ${rssGrowthMB.toFixed(1)} MB (target < 100)`,
    )
    return {
      bench: 'upload',
      bytes: BYTES,
      rounds: ROUNDS,
      apiMBps: round(apiMed),
      directMBps: round(directMed),
      ratio: round(apiMed / directMed, 3),
      rssGrowthMB: round(rssGrowthMB, 1),
      target: { ratio: '>=0.7', rssGrowthMB: '<100' },
    }
  } finally {
    await store.close()
  }
})
