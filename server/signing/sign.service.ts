import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import type { Db, Tx } from '../db/client.ts'
import type { Config } from '../config.ts'
import type { PadesLevel } from '../generated/prisma/client.ts'
import { keyBackend, OID, type SignerBackend } from './cms.ts'
import { asProblem, openOwnCertificate } from './certificates.service.ts'
import { signPdf } from './pades.ts'
import { describeCertificate, toArrayBuffer } from './p12.ts'
import { tstInfoOf } from './tsa.ts'
import { verifyPdf } from './verify.ts'
import { AppError } from '../errors.ts'

/** A signer ready to sign: their opened certificate behind the backend interface. */
export interface PreparedSigner {
  backend: SignerBackend
  certificateId: string
  facts: ReturnType<typeof describeCertificate>
}

/** Opens the signer's own certificate with the passphrase they typed (checked before anything is locked). */
export async function prepareSigner(db: Db, config: Config, userId: string, certificateId: string, passphrase: string): Promise<PreparedSigner> {
  const { row, identity } = await openOwnCertificate(db, config, userId, certificateId, passphrase)
  return { backend: keyBackend(identity), certificateId: row.id, facts: describeCertificate(identity.certificate) }
}

export interface SignedBytes {
  bytes: Buffer
  level: PadesLevel
  timestampAt: Date | null
  claimedAt: Date
}

/** Signs PDF bytes (PAdES, incremental), B-T when a timestamp authority is configured. */
export async function signBytes(pdf: Buffer, signer: PreparedSigner, config: Config, meta: { reason: string; name: string }): Promise<SignedBytes> {
  const claimedAt = new Date()
  let bytes: Buffer
  try {
    bytes = await signPdf(pdf, signer.backend, { reason: meta.reason, name: meta.name, location: config.signingLocation, tsaUrl: config.tsaUrl, signingTime: claimedAt })
  } catch (err) {
    asProblem(err)
  }
  // Check our own work as a verifier would before anything is stored: every signature intact,
  // nothing changed after the last, and with a TSA a timestamp token that verifies.
  const report = await verifyPdf(bytes, [])
  const last = report.signatures.at(-1)
  if (!report.intact || report.modifiedAfterLastSignature || !last || last.integrity !== 'valid' || (config.tsaUrl && !last.timestamp?.valid)) {
    throw new AppError('PDF_NOT_SIGNABLE', `створений підпис не пройшов перевірку: ${[...(last?.errors ?? []), ...(last?.timestamp && !last.timestamp.valid ? ['позначка часу недійсна'] : [])].join('; ') || 'невідома причина'}`)
  }
  return { bytes, level: config.tsaUrl ? 'B_T' : 'B_B', timestampAt: config.tsaUrl ? lastTimestamp(bytes) : null, claimedAt }
}

/** The time in the signature timestamp of the file's last signature. */
function lastTimestamp(pdf: Buffer): Date | null {
  // The last signature's /Contents is the last long hex string in the file (its update comes last).
  const all = [...pdf.toString('latin1').matchAll(/\/Contents\s*<([0-9A-Fa-f]{200,})>/g)]
  const hex = (all.at(-1)?.[1] ?? '').replace(/(00)+$/, '')
  if (!hex) return null
  try {
    const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(Buffer.from(hex, 'hex')))
    const sd = new pkijs.SignedData({ schema: ci.content })
    const attr = sd.signerInfos[0]?.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken)
    if (!attr) return null
    const token = new pkijs.ContentInfo({ schema: attr.values[0] as asn1js.Sequence })
    return tstInfoOf(token).genTime
  } catch {
    return null
  }
}

/** Records a signature the product applied. */
export async function recordSignature(
  tx: Tx,
  input: { documentId: string; sourceVersionId: string; signedVersionId: string; signer: PreparedSigner; signerId: string; onBehalfOfId: string | null; approvalId: string | null; signed: SignedBytes },
) {
  return tx.signature.create({
    data: {
      documentId: input.documentId,
      sourceVersionId: input.sourceVersionId,
      signedVersionId: input.signedVersionId,
      certificateId: input.signer.certificateId,
      signerId: input.signerId,
      onBehalfOfId: input.onBehalfOfId,
      approvalId: input.approvalId,
      subject: input.signer.facts.subject,
      issuer: input.signer.facts.issuer,
      serialNumber: input.signer.facts.serialNumber,
      level: input.signed.level,
      timestampAt: input.signed.timestampAt,
      claimedAt: input.signed.claimedAt,
    },
  })
}
