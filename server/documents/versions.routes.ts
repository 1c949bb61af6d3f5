import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams, Problem } from '../schemas.ts'
import { getVisibleDocument, presentVersion } from './documents.service.ts'
import { contentDisposition } from './file-name.ts'
import { parseRange } from './range.ts'
import { DownloadQuery, UploadQuery, VersionOut, VersionParams } from './schemas.ts'
import { uploadVersion } from './upload.service.ts'
import { contentKey } from '../../storage/index.ts'

/** Version upload (raw request body, streamed) and download (with HTTP Range). */
export default async function versionRoutes(app: App) {
  // Uploads are the raw file bytes, whatever Content-Type the client sends: the body is
  // handed over as a stream, and the type is decided from the bytes themselves.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload))

  app.post(
    '/:id/versions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['documents'],
        summary: 'Upload a new version (request body = the file: PDF, DOCX or ODT)',
        description: 'Send the file bytes as the request body. The type is checked from the content. Returns the stored version with its sha256.',
        params: IdParams,
        querystring: UploadQuery,
        response: { 201: VersionOut, ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (req, reply) => {
      const auth = requireAuth(req)
      const body = req.body as Readable | undefined
      if (!body || typeof (body as Readable).pipe !== 'function') throw new AppError('EMPTY_FILE')
      const declared = req.headers['content-length']
      const abort = new AbortController()
      const onClose = () => {
        if (!req.raw.complete) abort.abort(new Error('client went away'))
      }
      req.raw.once('close', onClose)
      try {
        const version = await uploadVersion(app.prisma, app.store, auth, actorOf(req), {
          documentId: req.params.id,
          body,
          fileName: req.query.name,
          comment: req.query.comment,
          declaredLength: declared === undefined ? null : Number(declared),
          maxBytes: app.config.uploadMaxBytes,
          signal: abort.signal,
        })
        return reply.code(201).send(presentVersion(version))
      } catch (err) {
        // Refused before the whole body arrived (too large, wrong type, no permission): close
        // the connection after answering, so no client keeps sending into a finished exchange.
        if (!req.raw.complete) reply.header('connection', 'close')
        throw err
      } finally {
        req.raw.off('close', onClose)
      }
    },
  )

  app.get(
    '/:id/versions',
    { config: { access: 'authenticated' }, schema: { tags: ['documents'], summary: 'Version history, newest first', params: IdParams, response: { 200: Type.Array(VersionOut), ...errors(401, 404) } } },
    async (req) => (await getVisibleDocument(app.prisma, requireAuth(req), req.params.id)).versions.map(presentVersion),
  )

  app.get(
    '/:id/versions/:number/content',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['documents'],
        summary: 'Download a version (supports Range; ETag is the sha256)',
        params: VersionParams,
        querystring: DownloadQuery,
        response: { 200: Type.Unsafe({ type: 'string', format: 'binary' }), 206: Type.Unsafe({ type: 'string', format: 'binary' }), 304: Type.Null(), 401: Problem, 404: Problem, 416: Problem },
      },
    },
    async (req, reply) => {
      const doc = await getVisibleDocument(app.prisma, requireAuth(req), req.params.id)
      const v = doc.versions.find((x) => x.number === req.params.number)
      if (!v) throw new AppError('VERSION_NOT_FOUND')
      const size = Number(v.size)
      const etag = `"${v.sha256}"`
      reply
        .header('etag', etag)
        .header('accept-ranges', 'bytes')
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('last-modified', v.createdAt.toUTCString())
        .header('content-disposition', contentDisposition(req.query.inline && v.mediaType === 'application/pdf' ? 'inline' : 'attachment', v.fileName))
        .header('x-content-sha256', v.sha256)
      if (req.headers['if-none-match'] === etag) return reply.code(304).send(null)
      const ifRange = req.headers['if-range']
      const range = ifRange && ifRange !== etag ? { kind: 'full' as const } : parseRange(req.headers.range, size)
      if (range.kind === 'unsatisfiable') {
        reply.header('content-range', `bytes */${size}`)
        throw new AppError('INVALID_RANGE', `розмір файлу ${size} байт`)
      }
      const key = contentKey(v.sha256)
      if (range.kind === 'partial') {
        const stream = await app.store.get(key, { start: range.start, end: range.end })
        return reply
          .code(206)
          .type(v.mediaType)
          .header('content-range', `bytes ${range.start}-${range.end}/${size}`)
          .header('content-length', range.end - range.start + 1)
          .send(stream)
      }
      const stream = await app.store.get(key)
      return reply.type(v.mediaType).header('content-length', size).send(stream)
    },
  )
}

