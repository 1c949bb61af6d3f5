import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import type { FastifyRequest } from 'fastify'
import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf } from '../plugins/auth.ts'
import { errors, IdParams, Ok } from '../schemas.ts'
import { contentKey } from '../../storage/index.ts'
import { DetachedSignatureError, verifyDetached, verifyPdf } from './verify.ts'
import { DetachedVerifyBody, Sha256Params, TrustAnchorCreate, TrustAnchorOut, VerificationReportOut } from './verify.schemas.ts'
import { addTrustAnchor, listTrustAnchors, removeTrustAnchor, trustAnchorDers } from './trust-anchors.ts'

/** The largest file the public (anonymous) verification accepts. */
export const PUBLIC_VERIFY_MAX_BYTES = 30 * 1024 * 1024
/** Anonymous verifications per client address and minute. */
export const PUBLIC_VERIFY_RATE = { max: 20, timeWindow: 60_000 }

const PDF_BINARY = { description: 'The PDF file itself as the request body (any Content-Type).' }

/** Reads a raw request body into memory, refusing more than `max` bytes (also by Content-Length, before reading). */
async function readBody(req: FastifyRequest, max: number): Promise<Buffer> {
  const body = req.body as Readable | undefined
  if (!body || typeof body.pipe !== 'function') throw new AppError('EMPTY_FILE')
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) throw new AppError('FILE_TOO_LARGE', `найбільший розмір ${max} байт`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > max) {
      body.destroy()
      throw new AppError('FILE_TOO_LARGE', `найбільший розмір ${max} байт`)
    }
    chunks.push(chunk as Buffer)
  }
  if (!req.raw.complete && size < declared) throw new AppError('INCOMPLETE_UPLOAD')
  if (size === 0) throw new AppError('EMPTY_FILE')
  return Buffer.concat(chunks, size)
}

function assertPdf(bytes: Buffer) {
  if (!bytes.subarray(0, 1024).toString('latin1').includes('%PDF-')) throw new AppError('NOT_A_PDF', 'на початку файлу немає заголовка %PDF-')
}

/**
 * Signature verification: for signed-in people (a PDF or a file with its detached .p7s),
 * for anyone (a PDF, or a stored version by its SHA-256: signature facts only), and the
 * administrators' list of trust anchors (root certificates of qualified providers).
 */
export default async function verifyRoutes(app: App) {
  const anchors = () => trustAnchorDers(app.prisma)

  app.get(
    '/admin/trust-anchors',
    { config: { access: ['admin'] }, schema: { tags: ['signing'], summary: 'Trust anchors: CA certificates signatures are checked against', response: { 200: Type.Array(TrustAnchorOut), ...errors(401, 403) } } },
    async () => listTrustAnchors(app.prisma),
  )
  app.post(
    '/admin/trust-anchors',
    {
      config: { access: ['admin'] },
      schema: { tags: ['signing'], summary: 'Add a trust anchor (a CA certificate, PEM or base64 DER)', body: TrustAnchorCreate, response: { 201: TrustAnchorOut, ...errors(400, 401, 403, 409) } },
    },
    async (req, reply) => reply.code(201).send(await addTrustAnchor(app.prisma, actorOf(req), req.body)),
  )
  app.delete(
    '/admin/trust-anchors/:id',
    { config: { access: ['admin'] }, schema: { tags: ['signing'], summary: 'Remove a trust anchor', params: IdParams, response: { 200: Ok, ...errors(401, 403, 404) } } },
    async (req) => {
      await removeTrustAnchor(app.prisma, actorOf(req), req.params.id)
      return { ok: true as const }
    },
  )

  // A detached signature as JSON: the file and its .p7s in base64 (a third larger than the file).
  app.post(
    '/verify/detached',
    {
      config: { access: 'authenticated' },
      bodyLimit: Math.ceil((app.config.uploadMaxBytes * 4) / 3) + 12 * 1024 * 1024,
      schema: { tags: ['signing'], summary: 'Verify a file against its detached CMS signature (.p7s)', body: DetachedVerifyBody, response: { 200: VerificationReportOut, ...errors(400, 401, 403, 413) } },
    },
    async (req) => {
      const file = Buffer.from(req.body.fileBase64, 'base64')
      const p7s = Buffer.from(req.body.signatureBase64, 'base64')
      if (!file.length) throw new AppError('EMPTY_FILE')
      if (file.length > app.config.uploadMaxBytes) throw new AppError('FILE_TOO_LARGE')
      try {
        return await verifyDetached(file, p7s, await anchors())
      } catch (err) {
        if (err instanceof DetachedSignatureError) throw new AppError('SIGNATURE_UNREADABLE', err.message)
        throw err
      }
    },
  )

  app.get(
    '/public/verify/:sha256',
    {
      config: { access: 'public', rateLimit: { ...PUBLIC_VERIFY_RATE, keyGenerator: (req) => `public-verify:${req.ip}` } },
      schema: {
        tags: ['signing'],
        summary: 'Public: signature facts of a stored version, by its SHA-256',
        description: 'Answers only what the signatures themselves say (signers, times, integrity, trust); nothing about the document.',
        params: Sha256Params,
        response: { 200: VerificationReportOut, ...errors(400, 404, 413, 429) },
      },
    },
    async (req) => {
      const sha256 = req.params.sha256.toLowerCase()
      const version = await app.prisma.version.findFirst({ where: { sha256 }, select: { size: true, mediaType: true } })
      if (!version) throw new AppError('NOT_FOUND', 'файлу з таким SHA-256 у системі немає')
      if (Number(version.size) > PUBLIC_VERIFY_MAX_BYTES) throw new AppError('FILE_TOO_LARGE', 'файл завеликий для публічної перевірки')
      const chunks: Buffer[] = []
      for await (const chunk of await app.store.get(contentKey(sha256))) chunks.push(chunk as Buffer)
      const bytes = Buffer.concat(chunks)
      return verifyPdf(bytes, await anchors())
    },
  )

  // Raw-body routes: the request body is the file, streamed with a size limit.
  await app.register(async (raw: App) => {
    raw.removeAllContentTypeParsers()
    raw.addContentTypeParser('*', (_req, payload, done) => done(null, payload))

    raw.post(
      '/verify',
      {
        config: { access: 'authenticated' },
        schema: { tags: ['signing'], summary: 'Verify the signatures of a PDF (request body = the PDF)', description: PDF_BINARY.description, response: { 200: VerificationReportOut, ...errors(400, 401, 403, 413, 415) } },
      },
      async (req, reply) => {
        try {
          const bytes = await readBody(req, app.config.uploadMaxBytes)
          assertPdf(bytes)
          return await verifyPdf(bytes, await anchors())
        } catch (err) {
          if (!req.raw.complete) reply.header('connection', 'close')
          throw err
        }
      },
    )

    raw.post(
      '/public/verify',
      {
        config: { access: 'public', rateLimit: { ...PUBLIC_VERIFY_RATE, keyGenerator: (req) => `public-verify:${req.ip}` } },
        schema: {
          tags: ['signing'],
          summary: 'Public: verify the signatures of a PDF (request body = the PDF, at most 30 MB)',
          description: `${PDF_BINARY.description} Nothing is stored.`,
          response: { 200: VerificationReportOut, ...errors(400, 413, 415, 429) },
        },
      },
      async (req, reply) => {
        try {
          const bytes = await readBody(req, PUBLIC_VERIFY_MAX_BYTES)
          assertPdf(bytes)
          return await verifyPdf(bytes, await anchors())
        } catch (err) {
          if (!req.raw.complete) reply.header('connection', 'close')
          throw err
        }
      },
    )
  })
}
