import type { Db } from '../db/client.ts'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import type { Auth } from '../people/sessions.ts'
import { SigningError } from './errors.ts'
import { describeCertificate, openP12, type SigningIdentity } from './p12.ts'
import type { CertificateOut, CertificateUpload } from './schemas.ts'
import { requireSealingKey, seal, sealingKey, unseal } from './vault.ts'

const include = { owner: { select: { id: true, fullName: true } } } as const
type Row = Awaited<ReturnType<typeof listCertificates>>[number]

export function presentCertificate(c: Row, now = new Date()): CertificateOut {
  return {
    id: c.id,
    owner: c.owner,
    label: c.label,
    subject: c.subject,
    commonName: c.commonName,
    issuer: c.issuer,
    serialNumber: c.serialNumber,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    sha256: c.sha256,
    keyType: c.keyType,
    valid: !c.revokedAt && c.notBefore <= now && c.notAfter > now,
    revoked: c.revokedAt !== null,
    createdAt: c.createdAt.toISOString(),
  }
}

/** Maps the signing core's failures to stable problem codes. */
export function asProblem(err: unknown): never {
  if (err instanceof SigningError) {
    switch (err.reason) {
      case 'BAD_PASSPHRASE':
        throw new AppError('BAD_PASSPHRASE')
      case 'TSA_UNREACHABLE':
      case 'TSA_REFUSED':
        throw new AppError('TSA_UNAVAILABLE', err.message)
      case 'PDF_NOT_SIGNABLE':
        throw new AppError('PDF_NOT_SIGNABLE', err.message)
      case 'CERTIFICATE_EXPIRED':
        throw new AppError('CERTIFICATE_EXPIRED', err.message)
      default:
        throw new AppError('CERTIFICATE_INVALID', err.message)
    }
  }
  throw err
}

export const listCertificates = (db: Db, auth: Auth, all: boolean) =>
  db.signingCertificate.findMany({ where: all && auth.roles.includes('admin') ? {} : { ownerId: auth.userId }, include, orderBy: { createdAt: 'desc' } })

/** Keeps a signer's PKCS#12, sealed with the server key, after checking it opens with the passphrase. */
export async function addCertificate(db: Db, config: Config, auth: Auth, actor: Actor, input: CertificateUpload) {
  const ownerId = input.ownerId ?? auth.userId
  if (ownerId !== auth.userId && !auth.roles.includes('admin')) throw new AppError('FORBIDDEN', 'сертифікат завантажує його власник або адміністратор')
  const key = requireSealingKey(config)
  const p12 = Buffer.from(input.p12Base64.replace(/\s+/g, ''), 'base64')
  let identity: SigningIdentity
  try {
    identity = await openP12(p12, input.passphrase)
  } catch (err) {
    asProblem(err)
  }
  const facts = describeCertificate(identity.certificate)
  if (facts.notAfter <= new Date()) throw new AppError('CERTIFICATE_EXPIRED', `сертифікат діяв до ${facts.notAfter.toISOString().slice(0, 10)}`)
  return db.$transaction(async (tx) => {
    const owner = await tx.user.findUnique({ where: { id: ownerId } })
    if (!owner) throw new AppError('USER_NOT_FOUND')
    const row = await tx.signingCertificate.create({
      data: {
        ownerId,
        label: input.label.trim(),
        subject: facts.subject,
        commonName: facts.commonName,
        issuer: facts.issuer,
        serialNumber: facts.serialNumber,
        notBefore: facts.notBefore,
        notAfter: facts.notAfter,
        sha256: facts.sha256,
        keyType: identity.keyType,
        sealed: new Uint8Array(seal(key, p12)),
        keyId: key.id,
        createdById: auth.userId,
      },
      include,
    })
    await audit(tx, actor, { action: 'certificate.added', targetType: 'certificate', targetId: row.id, after: { owner: ownerId, subject: facts.subject, issuer: facts.issuer, serialNumber: facts.serialNumber, sha256: facts.sha256 } })
    return row
  })
}

export async function revokeCertificate(db: Db, auth: Auth, actor: Actor, id: string) {
  return db.$transaction(async (tx) => {
    const c = await tx.signingCertificate.findUnique({ where: { id }, include })
    if (!c || (c.ownerId !== auth.userId && !auth.roles.includes('admin'))) throw new AppError('CERTIFICATE_NOT_FOUND')
    if (c.revokedAt) throw new AppError('CONFLICT', 'сертифікат уже відкликано')
    const after = await tx.signingCertificate.update({ where: { id }, data: { revokedAt: new Date() }, include })
    await audit(tx, actor, { action: 'certificate.revoked', targetType: 'certificate', targetId: id, before: { revoked: false }, after: { revoked: true } })
    return after
  })
}

/** Opens the person's own certificate for one signing; the passphrase goes no further. */
export async function openOwnCertificate(db: Db, config: Config, userId: string, certificateId: string, passphrase: string) {
  const c = await db.signingCertificate.findUnique({ where: { id: certificateId } })
  if (!c || c.ownerId !== userId || c.revokedAt) throw new AppError('CERTIFICATE_NOT_FOUND')
  const now = new Date()
  if (c.notBefore > now || c.notAfter <= now) throw new AppError('CERTIFICATE_EXPIRED')
  const key = sealingKey(config)
  if (!key) throw new AppError('SIGNING_NOT_CONFIGURED')
  if (key.id !== c.keyId) throw new AppError('SIGNING_NOT_CONFIGURED', 'сертифікат запечатано іншим ключем сервера; завантажте його знову')
  try {
    return { row: c, identity: await openP12(unseal(key, Buffer.from(c.sealed)), passphrase) }
  } catch (err) {
    asProblem(err)
  }
}
