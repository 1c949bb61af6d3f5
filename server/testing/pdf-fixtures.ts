import { PDFDocument, StandardFonts } from 'pdf-lib'
import { openP12 } from '../signing/p12.ts'
import { keyBackend } from '../signing/cms.ts'
import { signPdf, type PadesOptions } from '../signing/pades.ts'
import type { TestSigner } from './pki.ts'

/** A one-page PDF made with pdf-lib, classic cross-reference table (no object streams). */
export async function samplePdf(text = 'Проєкт рішення: test document'): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([595, 842])
  const font = await doc.embedFont(StandardFonts.Helvetica)
  page.drawText(text.replace(/[^\x20-\x7e]/g, '?'), { x: 72, y: 760, size: 14, font })
  return Buffer.from(await doc.save({ useObjectStreams: false }))
}

/** Signs with a test signer's PKCS#12 through the product's own signing core. */
export async function signWith(pdf: Buffer, signer: TestSigner, opts: Partial<PadesOptions> = {}): Promise<Buffer> {
  const identity = await openP12(signer.p12, signer.passphrase)
  return signPdf(pdf, keyBackend(identity), { reason: 'Погоджено', location: 'Дрогобич', name: signer.commonName, ...opts })
}

/** Each signature's /ByteRange, the signed bytes and the CMS (DER, padding stripped), read from the raw file. */
export function rawSignatures(pdf: Buffer): { byteRange: number[]; signed: Buffer; cms: Buffer; subFilter: string | null }[] {
  const s = pdf.toString('latin1')
  const out: { byteRange: number[]; signed: Buffer; cms: Buffer; subFilter: string | null }[] = []
  for (const m of s.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const [a, b, c, d] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number]
    const hex = s.slice(a + b + 1, c - 1)
    const der = Buffer.from(hex, 'hex')
    // DER length of the outer SEQUENCE: drops the zero padding after the CMS.
    const len = der[1]! < 0x80 ? der[1]! + 2 : 2 + (der[1]! & 0x7f) + der.subarray(2, 2 + (der[1]! & 0x7f)).reduce((acc, x) => acc * 256 + x, 0)
    const dict = s.slice(Math.max(0, m.index - 400), m.index)
    out.push({
      byteRange: [a, b, c, d],
      signed: Buffer.concat([pdf.subarray(a, a + b), pdf.subarray(c, c + d)]),
      cms: der.subarray(0, len),
      subFilter: /\/SubFilter\s*\/([A-Za-z0-9.]+)/.exec(dict)?.[1] ?? null,
    })
  }
  return out
}

/**
 * Appends an incremental update by hand (pdf-lib would rewrite the file): a new content
 * stream for the page, replacing what the page shows. Returns the modified file.
 */
export function appendContentChange(pdf: Buffer, text = 'CHANGED AFTER SIGNING'): Buffer {
  const s = pdf.toString('latin1')
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(s)?.[1])
  const root = [...s.matchAll(/\/Root\s+(\d+\s+\d+\s+R)/g)].at(-1)![1]
  const size = Math.max(...[...s.matchAll(/\/Size\s+(\d+)/g)].map((m) => Number(m[1])))
  // The page's content stream: the first /Contents reference of a /Type /Page object.
  const pageContents = /\/Type\s*\/Page\b[\s\S]*?\/Contents\s*\[?\s*(\d+)\s+(\d+)\s+R/.exec(s)
  if (!pageContents) throw new Error('no page contents')
  const num = Number(pageContents[1])
  const stream = `BT /F1 18 Tf 72 700 Td (${text}) Tj ET`
  let out = s.endsWith('\n') ? s : `${s}\n`
  const at = Buffer.byteLength(out, 'latin1')
  out += `${num} 0 obj\n<< /Length ${stream.length} >>\nstream\n${stream}\nendstream\nendobj\n`
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 1\n0000000000 65535 f \n${num} 1\n${String(at).padStart(10, '0')} 00000 n \ntrailer\n<< /Size ${size} /Root ${root} /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** Changes one byte inside the first signed range (a letter of the /Producer entry), leaving the file parseable. */
export function tamperSignedByte(pdf: Buffer): Buffer {
  const copy = Buffer.from(pdf)
  const at = copy.indexOf('/Producer <FEFF00')
  if (at < 0) throw new Error('no /Producer to tamper with')
  // A hex digit of the first letter: still a valid hex string, now a different letter.
  const i = at + '/Producer <FEFF00'.length
  copy[i] = copy[i] === 0x37 ? 0x36 : 0x37
  return copy
}

/**
 * Appends validation data the way PAdES B-LT does (an incremental update adding a /DSS
 * dictionary with certificates to the catalog), built by hand. The certificates are DER.
 */
export function appendDss(pdf: Buffer, certificates: Buffer[]): Buffer {
  const s = pdf.toString('latin1')
  const prev = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(s)?.[1])
  const rootRef = [...s.matchAll(/\/Root\s+(\d+)\s+(\d+)\s+R/g)].at(-1)!
  const rootNum = Number(rootRef[1])
  const catalog = [...s.matchAll(new RegExp(`(?:^|\\s)${rootNum}\\s+0\\s+obj\\s*([\\s\\S]*?)endobj`, 'g'))].at(-1)![1]!.trim()
  let size = Math.max(...[...s.matchAll(/\/Size\s+(\d+)/g)].map((m) => Number(m[1])))
  let out = s.endsWith('\n') ? s : `${s}\n`
  const entries: [number, number][] = []
  const certRefs: string[] = []
  for (const der of certificates) {
    const n = size++
    entries.push([n, Buffer.byteLength(out, 'latin1')])
    out += `${n} 0 obj\n<< /Length ${der.length} >>\nstream\n${der.toString('latin1')}\nendstream\nendobj\n`
    certRefs.push(`${n} 0 R`)
  }
  const dss = size++
  entries.push([dss, Buffer.byteLength(out, 'latin1')])
  out += `${dss} 0 obj\n<< /Type /DSS /Certs [${certRefs.join(' ')}] >>\nendobj\n`
  entries.push([rootNum, Buffer.byteLength(out, 'latin1')])
  out += `${rootNum} 0 obj\n${catalog.replace(/^<</, `<< /DSS ${dss} 0 R`)}\nendobj\n`
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 1\n0000000000 65535 f \n${entries.map(([n, at]) => `${n} 1\n${String(at).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${size} /Root ${rootNum} 0 R /Prev ${prev} >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}
