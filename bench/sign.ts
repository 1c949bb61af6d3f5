/**
 * Signing a 10 MB, 300-page PDF (PAdES B-B, the product's signing core with a PKCS#12 key)
 * against `openssl cms -sign` over the same bytes with the same key, in the same run,
 * alternating. Prints `ratio` (our time / openssl's; target <= 3) and `rssGrowthMB` (the
 * signing process's peak RSS over its RSS just before signing; target < 150).
 *
 *   npx tsx bench/sign.ts [--pages=300] [--mb=10] [--rounds=5]
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { testPki } from '../server/testing/pki.ts'
import { log, makeTempRoot, median, parseArgs, REPO_ROOT, round, runBench } from './lib.ts'

async function bigPdf(pages: number, megabytes: number): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  // Incompressible filler per page (as scanned attachments would be), so the file really is ~N MB.
  const perPage = Math.floor((megabytes * 1024 * 1024) / pages)
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842])
    page.drawText(`Page ${i + 1}: draft decision of the council, annex`, { x: 72, y: 780, size: 12, font })
    const filler = doc.context.flateStream(randomBytes(perPage), {})
    doc.context.register(filler)
  }
  return Buffer.from(await doc.save({ useObjectStreams: false }))
}

runBench('sign', async () => {
  const args = parseArgs({ pages: 300, mb: 10, rounds: 5 })
  const dir = makeTempRoot('sign')
  const pki = await testPki()
  const signer = pki.signers.cyrillicRsa
  const pdfPath = join(dir, 'big.pdf')
  const p12Path = join(dir, 'signer.p12')
  writeFileSync(pdfPath, await bigPdf(args.pages, args.mb))
  writeFileSync(p12Path, signer.p12)
  const size = statSync(pdfPath).size
  log(`PDF: ${args.pages} pages, ${round(size / 1024 / 1024)} MiB`)

  const ours: number[] = []
  const growth: number[] = []
  const openssl: number[] = []
  for (let r = 1; r <= args.rounds; r++) {
    const t0 = process.hrtime.bigint()
    const o = spawnSync('openssl', ['cms', '-sign', '-binary', '-in', pdfPath, '-signer', signer.certPath, '-inkey', signer.keyPath, '-certfile', pki.caBundlePath, '-outform', 'DER', '-out', join(dir, 'openssl.p7s'), '-md', 'sha256'])
    const osslMs = Number(process.hrtime.bigint() - t0) / 1e6
    if (o.status !== 0) throw new Error(`openssl cms -sign failed: ${o.stderr}`)
    openssl.push(osslMs)

    const c = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO_ROOT, 'bench', 'sign-child.ts'), pdfPath, p12Path, signer.passphrase, join(dir, `signed-${r}.pdf`)], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 20 })
    if (c.status !== 0) throw new Error(`signing child failed: ${c.stderr}`)
    const m = JSON.parse(c.stdout.trim().split('\n').at(-1)!) as { ms: number; rssBeforeKb: number; peakKb: number }
    ours.push(m.ms)
    growth.push((m.peakKb - m.rssBeforeKb) / 1024)
    log(`round ${r}/${args.rounds}: openssl ${round(osslMs)} ms, ours ${round(m.ms)} ms (RSS +${round((m.peakKb - m.rssBeforeKb) / 1024)} MiB)`)
  }
  // The signed file must be valid, or the figures mean nothing.
  const check = spawnSync('pdfsig', [join(dir, `signed-${args.rounds}.pdf`)], { encoding: 'utf8' })
  if (!/Signature is Valid/.test(check.stdout)) throw new Error(`the benchmark's signature is not valid: ${check.stdout}`)
  const ratio = median(ours) / median(openssl)
  log(`median ours ${round(median(ours))} ms, openssl ${round(median(openssl))} ms, ratio ${round(ratio)} (target <= 3)`)
  return {
    bench: 'sign',
    pages: args.pages,
    bytes: size,
    rounds: args.rounds,
    ourMs: round(median(ours)),
    opensslMs: round(median(openssl)),
    ratio: round(ratio),
    rssGrowthMB: round(Math.max(...growth)),
    target: { ratio: '<=3', rssGrowthMB: '<150' },
  }
})
