import { createHash } from 'node:crypto'
import * as pkijs from 'pkijs'
import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import { commonName, nameToString, toArrayBuffer } from './p12.ts'
import type { TrustAnchorCreate, TrustAnchorOut } from './verify.schemas.ts'

/** One certificate from PEM text or base64 of its DER. */
export function decodeCertificateText(text: string): Buffer {
  const t = text.trim()
  const pem = /-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----([\s\S]*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----/.exec(t)
  const b64 = (pem ? pem[1]! : t).replace(/\s+/g, '')
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new AppError('TRUST_ANCHOR_INVALID', 'очікується сертифікат у PEM або DER, закодованому base64')
  return Buffer.from(b64, 'base64')
}

/** Parses and checks a would-be trust anchor: an X.509 CA certificate (basicConstraints cA). */
export function parseCaCertificate(der: Buffer): pkijs.Certificate {
  let cert: pkijs.Certificate
  try {
    cert = pkijs.Certificate.fromBER(toArrayBuffer(der))
  } catch {
    throw new AppError('TRUST_ANCHOR_INVALID', 'файл не є сертифікатом X.509')
  }
  const bc = cert.extensions?.find((e) => e.extnID === '2.5.29.19')?.parsedValue
  if (!(bc instanceof pkijs.BasicConstraints) || !bc.cA) throw new AppError('TRUST_ANCHOR_INVALID', `сертифікат «${commonName(cert.subject)}» не є сертифікатом ЦСК (немає basicConstraints cA=true)`)
  return cert
}

export function presentTrustAnchor(row: { id: string; label: string; der: Uint8Array; sha256: string; createdAt: Date }): TrustAnchorOut {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(row.der))
  return {
    id: row.id,
    label: row.label,
    subject: nameToString(cert.subject),
    issuer: nameToString(cert.issuer),
    serialNumber: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    sha256: row.sha256,
    selfSigned: Buffer.from(cert.subject.valueBeforeDecode).equals(Buffer.from(cert.issuer.valueBeforeDecode)),
    createdAt: row.createdAt.toISOString(),
  }
}

export async function listTrustAnchors(db: Db): Promise<TrustAnchorOut[]> {
  const rows = await db.trustAnchor.findMany({ orderBy: { createdAt: 'asc' } })
  return rows.map(presentTrustAnchor)
}

/** The DER of every trust anchor, for verification. */
export async function trustAnchorDers(db: Db): Promise<Buffer[]> {
  const rows = await db.trustAnchor.findMany({ select: { der: true } })
  return rows.map((r) => Buffer.from(r.der))
}

export async function addTrustAnchor(db: Db, actor: Actor, body: TrustAnchorCreate): Promise<TrustAnchorOut> {
  const der = decodeCertificateText(body.certificate)
  const cert = parseCaCertificate(der)
  // The stored bytes are the certificate exactly as issued (no trailing data).
  const exact = Buffer.from(cert.toSchema().toBER(false))
  const sha256 = createHash('sha256').update(exact).digest('hex')
  const subject = nameToString(cert.subject)
  const label = body.label?.trim() || commonName(cert.subject)
  const row = await db.$transaction(async (tx) => {
    const existing = await tx.trustAnchor.findUnique({ where: { sha256 }, select: { id: true } })
    if (existing) throw new AppError('TRUST_ANCHOR_EXISTS', `«${label}» уже довірений`)
    const created = await tx.trustAnchor.create({ data: { label, subject, sha256, der: exact, createdById: actor.userId } })
    await audit(tx, actor, { action: 'trust_anchor.added', targetType: 'trust_anchor', targetId: created.id, after: { label, subject, sha256 } })
    return created
  })
  return presentTrustAnchor(row)
}

export async function removeTrustAnchor(db: Db, actor: Actor, id: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.trustAnchor.findUnique({ where: { id } })
    if (!row) throw new AppError('TRUST_ANCHOR_NOT_FOUND')
    await tx.trustAnchor.delete({ where: { id } })
    await audit(tx, actor, { action: 'trust_anchor.removed', targetType: 'trust_anchor', targetId: id, before: { label: row.label, subject: row.subject, sha256: row.sha256 } })
  })
}
