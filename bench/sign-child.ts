/**
 * One signing, measured inside its own process (bench/sign.ts runs it once per round), so
 * the memory figure is the signing's own: RSS just before, and the kernel's peak after.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { openP12 } from '../server/signing/p12.ts'
import { keyBackend } from '../server/signing/cms.ts'
import { signPdf } from '../server/signing/pades.ts'
import { readMemKb, resetPeakRss } from './lib.ts'

const [pdfPath, p12Path, passphrase, outPath] = process.argv.slice(2) as [string, string, string, string]
const pdf = readFileSync(pdfPath)
const identity = await openP12(readFileSync(p12Path), passphrase)
const backend = keyBackend(identity)
// Warm the code paths once, on the same file.
await signPdf(Buffer.from(pdf), backend, { reason: 'warm-up', location: 'Дрогобич', name: 'bench' })
globalThis.gc?.()
const before = readMemKb(process.pid).rssKb
const peakReset = resetPeakRss(process.pid)
const t0 = process.hrtime.bigint()
const signed = await signPdf(pdf, backend, { reason: 'Підписання', location: 'Дрогобич', name: 'Коваленко Віктор Богданович' })
const ms = Number(process.hrtime.bigint() - t0) / 1e6
const peak = readMemKb(process.pid).hwmKb
writeFileSync(outPath, signed)
process.stdout.write(JSON.stringify({ ms, rssBeforeKb: before, peakKb: peak, peakReset }) + '\n')
