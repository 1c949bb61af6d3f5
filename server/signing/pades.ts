import { plainAddPlaceholder } from '@signpdf/placeholder-plain'
import { SignPdf } from '@signpdf/signpdf'
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils'
import { buildCades, type SignerBackend } from './cms.ts'
import { SigningError } from './errors.ts'
import { requestTimestamp } from './tsa.ts'

const signpdf = new SignPdf()

export interface PadesOptions {
  reason: string
  location: string
  /** The signer's name for the signature dictionary (/Name). */
  name: string
  contactInfo?: string
  /** RFC 3161 timestamp authority: makes the signature PAdES B-T. */
  tsaUrl?: string | null
  /** The time claimed in the signature dictionary (/M); the trusted time comes from the TSA. */
  signingTime?: Date
}

/** Room for the CMS: certificates, the signature and a timestamp token with the TSA's chain. */
const SIGNATURE_BYTES = 24_000

/**
 * The incremental update @signpdf/placeholder-plain writes has two blemishes that qpdf
 * reports: startxref points at the line break before `xref`, and the trailer's /Size does
 * not match the objects the file holds. Both are fixed here, before signing, so that the
 * byte ranges are computed on the corrected file.
 */
export function tidyIncrementalUpdate(pdf: Buffer): Buffer {
  let text = pdf.toString('latin1')
  const tail = text.lastIndexOf('startxref')
  const m = /startxref\s*(\d+)\s*%%EOF\s*$/.exec(text.slice(tail))
  if (!m) return pdf
  const declared = Number(m[1])
  const xrefAt = text.lastIndexOf('xref', tail - 1)
  if (xrefAt > 0 && text.slice(xrefAt - 5, xrefAt) !== 'start' && declared !== xrefAt && /^\s*$/.test(text.slice(declared, xrefAt))) {
    text = text.slice(0, tail) + text.slice(tail).replace(/startxref\s*\d+/, `startxref\n${xrefAt}`)
  }
  const trailerAt = text.lastIndexOf('trailer')
  if (trailerAt > xrefAt && xrefAt > 0) {
    const section = text.slice(xrefAt + 4, trailerAt)
    let highest = 0
    for (const h of section.matchAll(/^\s*(\d+)\s+(\d+)\s*$/gm)) highest = Math.max(highest, Number(h[1]) + Number(h[2]) - 1)
    // The whole file's object count: what the previous trailer said, or more if this update adds objects.
    const previous = [...text.slice(0, xrefAt).matchAll(/\/Size\s+(\d+)/g)].map((x) => Number(x[1]))
    const size = Math.max(highest + 1, ...previous)
    const trailer = text.slice(trailerAt)
    text = text.slice(0, trailerAt) + trailer.replace(/\/Size\s+\d+/, `/Size ${size}`)
  }
  return Buffer.from(text, 'latin1')
}

/**
 * Signs a PDF as PAdES baseline B-B (or B-T with a timestamp authority) by appending an
 * incremental update, so earlier signatures stay valid.
 */
export async function signPdf(pdf: Buffer, backend: SignerBackend, opts: PadesOptions): Promise<Buffer> {
  let prepared: Buffer
  try {
    prepared = plainAddPlaceholder({
      pdfBuffer: pdf,
      reason: opts.reason,
      location: opts.location,
      name: opts.name,
      contactInfo: opts.contactInfo ?? '',
      signingTime: opts.signingTime,
      signatureLength: SIGNATURE_BYTES,
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    })
  } catch (err) {
    throw new SigningError('PDF_NOT_SIGNABLE', `PDF не вдалося підготувати до підписання: ${(err as Error).message}`)
  }
  const tsaUrl = opts.tsaUrl
  class CadesSigner extends Signer {
    override async sign(content: Buffer): Promise<Buffer> {
      return buildCades({ content, backend, timestamp: tsaUrl ? (sig) => requestTimestamp(tsaUrl, sig) : undefined })
    }
  }
  return signpdf.sign(tidyIncrementalUpdate(prepared), new CadesSigner())
}
