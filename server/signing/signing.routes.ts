import { Type } from 'typebox'
import type { App } from '../app.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams, Ok } from '../schemas.ts'
import { getVisibleDocument } from '../documents/documents.service.ts'
import { signStage } from '../approvals/sign.ts'
import { ApprovalOut } from '../approvals/schemas.ts'
import { presentApproval } from '../approvals/view.ts'
import { readApproval } from '../approvals/load.ts'
import { AppError } from '../errors.ts'
import { addCertificate, listCertificates, presentCertificate, revokeCertificate } from './certificates.service.ts'
import { CertificateOut, CertificateUpload, SignatureOut, SignBody } from './schemas.ts'

/** Signers' certificates, the signing action of a route, and a document's signatures. */
export default async function signingRoutes(app: App) {
  app.get(
    '/certificates',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['signing'], summary: 'My signing certificates (admins: all with ?all=true)', querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Array(CertificateOut), ...errors(400, 401) } },
    },
    async (req) => (await listCertificates(app.prisma, requireAuth(req), req.query.all ?? false)).map((c) => presentCertificate(c)),
  )
  app.post(
    '/certificates',
    {
      config: { access: 'authenticated', rateLimit: { max: 20, timeWindow: 15 * 60_000, keyGenerator: (req) => `certificates:${req.ip}` } },
      bodyLimit: 512 * 1024,
      schema: { tags: ['signing'], summary: 'Upload a PKCS#12 certificate with its key (sealed at rest; the passphrase is checked, never stored)', body: CertificateUpload, response: { 201: CertificateOut, ...errors(400, 401, 403, 404, 409, 429, 503) } },
    },
    async (req, reply) => reply.code(201).send(presentCertificate(await addCertificate(app.prisma, app.config, requireAuth(req), actorOf(req), req.body))),
  )
  app.delete(
    '/certificates/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['signing'], summary: 'Revoke a certificate for signing in this system', params: IdParams, response: { 200: Ok, ...errors(401, 404, 409) } } },
    async (req) => {
      await revokeCertificate(app.prisma, requireAuth(req), actorOf(req), req.params.id)
      return { ok: true as const }
    },
  )

  app.post(
    '/approvals/:id/sign',
    {
      config: { access: 'authenticated', rateLimit: { max: 30, timeWindow: 15 * 60_000, keyGenerator: (req) => `sign:${req.ip}` } },
      schema: {
        tags: ['signing'],
        summary: 'Sign the approved version at the signing stage (registers the document on the first signature)',
        params: IdParams,
        body: SignBody,
        response: { 200: ApprovalOut, ...errors(400, 401, 403, 404, 409, 429, 502, 503) },
      },
    },
    async (req) => {
      const auth = requireAuth(req)
      await signStage(app.prisma, app.store, app.config, auth, actorOf(req), req.params.id, req.body)
      const a = await readApproval(app.prisma, req.params.id)
      if (!a) throw new AppError('APPROVAL_NOT_FOUND')
      return presentApproval(app.prisma, auth, a)
    },
  )

  app.get(
    '/documents/:id/signatures',
    { config: { access: 'authenticated' }, schema: { tags: ['signing'], summary: 'Signatures applied to the document', params: IdParams, response: { 200: Type.Array(SignatureOut), ...errors(401, 404) } } },
    async (req) => {
      const doc = await getVisibleDocument(app.prisma, requireAuth(req), req.params.id)
      const rows = await app.prisma.signature.findMany({ where: { documentId: doc.id }, orderBy: { createdAt: 'asc' } })
      const people = new Map((await app.prisma.user.findMany({ where: { id: { in: rows.flatMap((r) => [r.signerId, r.onBehalfOfId ?? r.signerId]) } }, select: { id: true, fullName: true } })).map((u) => [u.id, u]))
      const versions = new Map(doc.versions.map((v) => [v.id, v]))
      return rows.map((r) => ({
        id: r.id,
        signer: people.get(r.signerId) ?? { id: r.signerId, fullName: '—' },
        onBehalfOf: r.onBehalfOfId ? (people.get(r.onBehalfOfId)?.fullName ?? null) : null,
        subject: r.subject,
        issuer: r.issuer,
        serialNumber: r.serialNumber,
        level: r.level,
        timestampAt: r.timestampAt?.toISOString() ?? null,
        claimedAt: r.claimedAt.toISOString(),
        sourceVersionNumber: versions.get(r.sourceVersionId)?.number ?? 0,
        signedVersionNumber: versions.get(r.signedVersionId)?.number ?? 0,
        signedVersionSha256: versions.get(r.signedVersionId)?.sha256 ?? '',
      }))
    },
  )
}
