import { buildCades, type SignerBackend } from './cms.ts'
import { embedSignature, fillByteRange, prepareSignature, signedParts } from './pdf-update.ts'
import { requestTimestamp } from './tsa.ts'

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
 * Signs a PDF as PAdES baseline B-B (or B-T with a timestamp authority) by appending an
 * incremental update, so earlier signatures stay valid. The update is written by
 * pdf-update.ts rather than @signpdf/placeholder-plain: that library re-read the whole file
 * as text (0.6 s for a 10 MB file, measured by bench/sign.ts) and wrote an update that qpdf
 * warns about (startxref off by a line break, a wrong /Size).
 */
export async function signPdf(pdf: Buffer, backend: SignerBackend, opts: PadesOptions): Promise<Buffer> {
  const prepared = prepareSignature(pdf, {
    reason: opts.reason,
    location: opts.location,
    name: opts.name,
    contactInfo: opts.contactInfo ?? '',
    signingTime: opts.signingTime ?? new Date(),
    signatureBytes: SIGNATURE_BYTES,
    subFilter: 'ETSI.CAdES.detached',
  })
  fillByteRange(prepared)
  const tsaUrl = opts.tsaUrl
  const cms = await buildCades({ content: signedParts(prepared), backend, timestamp: tsaUrl ? (sig) => requestTimestamp(tsaUrl, sig) : undefined })
  return embedSignature(prepared, cms)
}
