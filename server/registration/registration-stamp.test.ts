import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { degrees, PDFDocument } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderExpertConclusion } from '../pdf/conclusion.ts'
import { stampRegistration, StampError } from '../pdf/registration-stamp.ts'
import { sampleConclusion } from '../pdf/samples.ts'
import { prepareSignature } from '../signing/pdf-update.ts'
import { tinyPdf } from '../testing/factories.ts'

const run = promisify(execFile)
let dir = ''

async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { maxBuffer: 50 * 1024 * 1024 })).stdout
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed: these tests need poppler-utils and qpdf`)
    throw err
  }
}

function save(name: string, bytes: Uint8Array): string {
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}

const text = (file: string, ...args: string[]) => tool('pdftotext', ['-enc', 'UTF-8', ...args, file, '-'])
// 28.11.2026 in Kyiv at 23:30 local time: the date printed is Kyiv's, not UTC's.
const DATE = new Date('2026-11-28T21:30:00Z')

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hromada-stamp-'))
})
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('stampRegistration', () => {
  it('prints the date and index at the top of the first page, passes qpdf and repeats byte for byte', async () => {
    const input = await renderExpertConclusion(sampleConclusion())
    const out = await stampRegistration(input, { index: '123/02-13', date: DATE, organisation: 'Дрогобицька міська рада' })
    const file = save('conclusion.pdf', out)
    expect(await tool('qpdf', ['--check', file])).toMatch(/No syntax or stream encoding errors found/)
    const page1 = (await text(file, '-layout', '-f', '1', '-l', '1')).split('\n').filter((l) => l.trim())
    // The stamp is the first thing on the page: above the blank's header.
    expect(page1[0]).toContain('Дрогобицька міська рада')
    expect(page1[1]).toContain('від 28.11.2026 № 123/02-13')
    expect(page1.slice(2).join('\n')).toContain('ВИСНОВОК')
    // Only the first page carries it.
    const pages = Number(/Pages:\s+(\d+)/.exec(await tool('pdfinfo', [file]))?.[1])
    if (pages > 1) expect(await text(file, '-f', '2')).not.toContain('123/02-13')
    // A classic cross-reference table, no object streams: what the signer's incremental update needs.
    const raw = Buffer.from(out).toString('latin1')
    expect(raw).toMatch(/\nxref\n0 \d+\n/)
    expect(raw).not.toContain('/ObjStm')
    // Deterministic: no clock, no random font tag.
    const again = await stampRegistration(input, { index: '123/02-13', date: DATE, organisation: 'Дрогобицька міська рада' })
    expect(Buffer.compare(Buffer.from(again), Buffer.from(out))).toBe(0)
    const other = await stampRegistration(input, { index: '124/02-13', date: DATE, organisation: 'Дрогобицька міська рада' })
    expect(Buffer.compare(Buffer.from(other), Buffer.from(out))).not.toBe(0)
    // The metadata is the document's own; the first /ID survives.
    const info = await tool('pdfinfo', ['-isodates', file])
    expect(info).toMatch(/CreationDate:\s+2026-/)
    const idOf = (b: Uint8Array) => /\/ID\s*\[\s*<([0-9A-Fa-f]+)>/.exec(Buffer.from(b).toString('latin1'))?.[1]
    expect(idOf(out)).toBe(idOf(input))
  })

  it('stamps a bare PDF without metadata, and a rotated page where it is shown at the top', async () => {
    const plain = save('plain.pdf', await stampRegistration(tinyPdf('Plain page'), { index: '7-р', date: DATE }))
    expect(await tool('qpdf', ['--check', plain])).toMatch(/No syntax or stream encoding errors found/)
    const t = await text(plain, '-layout')
    expect(t).toContain('від 28.11.2026 № 7-р')
    expect(t.indexOf('7-р')).toBeLessThan(t.indexOf('Plain page'))

    const doc = await PDFDocument.load(tinyPdf('Turned page'))
    doc.getPages()[0]!.setRotation(degrees(90))
    const turned = save('turned.pdf', await stampRegistration(await doc.save(), { index: '8/02-05', date: DATE }))
    expect(await tool('qpdf', ['--check', turned])).toMatch(/No syntax or stream encoding errors found/)
    // pdftotext lays out the page as shown: the stamp reads horizontally, in its first lines.
    const lines = (await text(turned, '-layout')).split('\n').filter((l) => l.trim())
    expect(lines[0]).toContain('від 28.11.2026 № 8/02-05')
  })

  it('takes a PDF with object streams and writes it back with a classic table', async () => {
    const src = save('objstm-src.pdf', await renderExpertConclusion(sampleConclusion()))
    const packed = join(dir, 'objstm.pdf')
    await tool('qpdf', ['--object-streams=generate', src, packed])
    expect(readFileSync(packed).toString('latin1')).toContain('/ObjStm')
    const out = await stampRegistration(readFileSync(packed), { index: '9', date: DATE })
    const file = save('objstm-out.pdf', out)
    expect(await tool('qpdf', ['--check', file])).toMatch(/No syntax or stream encoding errors found/)
    expect(Buffer.from(out).toString('latin1')).not.toContain('/ObjStm')
    expect(await text(file)).toContain('від 28.11.2026 № 9')
  })

  it('refuses encrypted PDFs, signed PDFs and what is not a PDF, with a clear reason', async () => {
    const src = save('to-encrypt.pdf', tinyPdf('Secret'))
    const enc = join(dir, 'encrypted.pdf')
    await tool('qpdf', ['--encrypt', 'user', 'owner', '256', '--', src, enc])
    const refused = await stampRegistration(readFileSync(enc), { index: '1', date: DATE }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(StampError)
    expect((refused as StampError).reason).toBe('ENCRYPTED')
    expect((refused as StampError).message).toMatch(/зашифровано/)

    const notPdf = await stampRegistration(new TextEncoder().encode('hello, not a pdf'), { index: '1', date: DATE }).catch((e: unknown) => e)
    expect(notPdf).toBeInstanceOf(StampError)
    expect((notPdf as StampError).reason).toBe('NOT_PDF')
  })

  it('leaves a file the signer can extend with an incremental update, and refuses one that is already signed', async () => {
    const stamped = await stampRegistration(tinyPdf('To be signed'), { index: '10/02-13', date: DATE })
    // The signing code's first step: a signature field and placeholder appended as an incremental update.
    const prepared = prepareSignature(Buffer.from(stamped), { reason: 'test', location: 'Дрогобич', name: 'Test', signingTime: DATE, signatureBytes: 4096, subFilter: 'ETSI.CAdES.detached' }).pdf
    expect(prepared.subarray(0, stamped.length).equals(Buffer.from(stamped))).toBe(true)
    const file = save('prepared.pdf', prepared)
    expect(await tool('qpdf', ['--check', file])).toMatch(/No syntax or stream encoding errors found/)
    expect(await text(file)).toContain('№ 10/02-13')
    // A file with a signature value in its form: rewriting it would break the signature.
    const refused = await stampRegistration(prepared, { index: '11', date: DATE }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(StampError)
    expect((refused as StampError).reason).toBe('ALREADY_SIGNED')
  })
})
