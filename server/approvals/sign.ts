import { Readable } from 'node:stream'
import type { Db } from '../db/client.ts'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'
import { audit, auditAll, type Actor } from '../audit/record.ts'
import type { Auth } from '../people/sessions.ts'
import { contentKey, type ObjectStore } from '../../storage/index.ts'
import { enqueue } from '../jobs/queue.ts'
import { prepareSigner, recordSignature, signBytes } from '../signing/sign.service.ts'
import { auditRegistration, registerDocument, registrationOf } from '../registration/registration.service.ts'
import { StampError, stampRegistration } from '../pdf/registration-stamp.ts'
import { onDocumentSigned } from '../duties/job-descriptions.service.ts'
import type { SignBody } from '../signing/schemas.ts'
import { apply, choose, outcomeAudits, recordVisa } from './decisions.ts'
import { currentVersion, lockApproval, readApproval } from './load.ts'
import { persistTransition } from './persist.ts'

async function readAll(store: ObjectStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of await store.get(contentKey(sha256))) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/**
 * The signing stage: the signer's certificate signs the approved version. The first
 * signature also registers the document, and the registration number and date are stamped
 * on the PDF before it is signed, so the signature covers them.
 *
 * Unlike other use cases, this transaction spans the timestamp request and the store write:
 * the journal's counter row stays locked until the signed file exists, which is what keeps
 * registration numbers gapless (a failed signing gives its number back by rolling back). A
 * blob written by a transaction that then fails is left for the orphan sweep.
 */
export async function signStage(db: Db, store: ObjectStore, config: Config, auth: Auth, actor: Actor, approvalId: string, body: SignBody) {
  // The passphrase is checked before anything is locked.
  const signer = await prepareSigner(db, config, auth.userId, body.certificateId, body.passphrase)
  const peek = await readApproval(db, approvalId)
  if (!peek) throw new AppError('APPROVAL_NOT_FOUND')
  const first = choose(peek, auth.userId, body.participantId, 'signing')
  apply(peek, { type: 'decide', participantId: first.participant.id, decision: 'approve' })
  const source = await db.version.findFirst({ where: { documentId: peek.documentId }, orderBy: { number: 'desc' } })
  if (!source) throw new AppError('NO_VERSION')
  if (source.mediaType !== 'application/pdf') throw new AppError('PDF_REQUIRED')
  const sourceBytes = await readAll(store, source.sha256)

  return db.$transaction(
    async (tx) => {
      const a = await lockApproval(tx, approvalId)
      const acting = choose(a, auth.userId, body.participantId, 'signing')
      const out = apply(a, { type: 'decide', participantId: acting.participant.id, decision: 'approve' })
      const current = currentVersion(a)
      if (current.id !== source.id) throw new AppError('STALE_VERSION')
      const now = new Date()
      let pdf = sourceBytes
      let registration = await registrationOf(tx, a.documentId)
      const registeredNow = !registration
      if (!registration) {
        // Its audit event is written last: the audit chain's head stays locked from an append to commit.
        registration = await registerDocument(tx, actor, { documentId: a.documentId, at: now }, { audit: false })
        try {
          pdf = Buffer.from(await stampRegistration(pdf, { index: registration.index, date: registration.registeredAt }))
        } catch (err) {
          if (err instanceof StampError) throw new AppError('PDF_NOT_SIGNABLE', err.message)
          throw err
        }
      }
      const signed = await signBytes(pdf, signer, config, { reason: acting.stage.name, name: auth.fullName })
      const put = await store.put(Readable.from([signed.bytes]), { contentType: 'application/pdf' })
      const number = current.number + 1
      const baseName = current.fileName.replace(/( \(підписано\))?\.pdf$/i, '')
      const version = await tx.version.create({
        data: { documentId: a.documentId, number, sha256: put.sha256, size: BigInt(put.size), mediaType: 'application/pdf', fileName: `${baseName} (підписано).pdf`, comment: `Підписано: ${auth.fullName}`, createdById: auth.userId },
      })
      await tx.document.update({ where: { id: a.documentId }, data: { versionCount: number } })
      await enqueue(tx, 'extract_text', { versionId: version.id }, { jobKey: `extract_text:${version.id}` })
      const signature = await recordSignature(tx, { documentId: a.documentId, sourceVersionId: current.id, signedVersionId: version.id, signer, signerId: auth.userId, onBehalfOfId: acting.onBehalfOf?.id ?? null, approvalId, signed })
      await recordVisa(tx, a, auth, acting, 'approve', `Підписано кваліфікованим підписом (${signed.level.replace('_', '-')})`, current)
      await persistTransition(tx, a, out.next, out.effects, actor)
      if (out.next.state === 'completed') {
        await tx.document.update({ where: { id: a.documentId }, data: { status: 'registered' } })
        await onDocumentSigned(tx, a.documentId, now)
      }
      await audit(tx, actor, {
        action: 'document.signed',
        targetType: 'document',
        targetId: a.documentId,
        after: { approvalId, signatureId: signature.id, sourceVersion: current.number, signedVersion: number, sha256: put.sha256, level: signed.level, certificate: signer.facts.sha256, subject: signer.facts.subject, registration: registration.index },
      })
      if (registeredNow) await auditRegistration(tx, actor, { ...registration, documentId: a.documentId })
      await auditAll(tx, actor, outcomeAudits(a, out.effects))
      return { signatureId: signature.id, versionNumber: number, sha256: put.sha256, registrationIndex: registration.index }
    },
    { timeout: 60_000 },
  )
}
