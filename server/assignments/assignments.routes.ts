import type { Readable } from 'node:stream'
import { Type } from 'typebox'
import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import { contentDisposition } from '../documents/file-name.ts'
import { contentKey } from '../../storage/index.ts'
import { assertCanSee, standingInFor } from './access.ts'
import { checkStoredWith, reportFile, uploadReportFile } from './files.ts'
import {
  AcceptBody,
  ActionBody,
  AssignmentCounts,
  AssignmentList,
  AssignmentTreeOut,
  CancelBody,
  DelegateBody,
  ExtensionBody,
  ExtensionDecisionBody,
  ExtensionParams,
  FileOut,
  FileParams,
  FileUploadQuery,
  IssueBody,
  ListQuery,
  ReportBody,
  ReturnBody,
} from './schemas.ts'
import {
  acceptAssignment,
  cancelAssignment,
  decideExtension,
  delegateAssignment,
  issueAssignment,
  reportAssignment,
  requestExtension,
  returnAssignment,
  startAssignment,
  type AssignmentDeps,
} from './service.ts'
import { assignmentCounts, assignmentTree, listAssignments } from './view.ts'

const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })
/** Heads give instructions; the clerk registers resolutions written on documents. */
const ISSUERS = ['unit_head', 'directorate_head', 'deputy_mayor', 'mayor', 'admin', 'clerk'] as const
const tags = ['assignments']

/** Instructions and resolutions under control of execution: issue, delegate, report, accept, extend, and the lists. */
export default async function assignmentRoutes(app: App) {
  const deps: AssignmentDeps = { prisma: app.prisma, reminderDays: app.config.reminderDays }
  const tree = (req: Parameters<typeof requireAuth>[0], id: string) => assignmentTree(app.prisma, requireAuth(req), id)

  app.post(
    '/assignments',
    {
      config: { access: ISSUERS },
      schema: {
        tags,
        summary: 'Issue an instruction, or a resolution on a document, with its deadline',
        description:
          'deadline: { termDays, from?: "signing" | "receipt" | "YYYY-MM-DD" } counts calendar days (a last day that is not worked moves to the previous working day), or { dueDate: "YYYY-MM-DD" }, which must be a working day (400 DUE_DATE_NOT_WORKING_DAY with suggestedDueDate otherwise).',
        body: IssueBody,
        response: { 201: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const id = await issueAssignment(deps, requireAuth(req), actorOf(req), req.body)
      return reply.code(201).send(await tree(req, id))
    },
  )

  app.get(
    '/assignments',
    { config: { access: 'authenticated' }, schema: { tags, summary: '«Мої доручення»: my assignments by my part in them, with the inbox counts', querystring: ListQuery, response: { 200: AssignmentList, ...errors(400, 401) } } },
    async (req) => listAssignments(app.prisma, requireAuth(req), req.query),
  )

  app.get(
    '/assignments/counts',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'The counts of «Мої доручення» alone (for a badge)', response: { 200: AssignmentCounts, ...errors(401) } } },
    async (req) => {
      const auth = requireAuth(req)
      return assignmentCounts(app.prisma, [auth.userId, ...(await standingInFor(app.prisma, auth.userId))])
    },
  )

  app.get(
    '/assignments/:id',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'The whole tree the assignment belongs to, from its root, as far as I may see it', params: IdParams, response: { 200: AssignmentTreeOut, ...errors(401, 404) } } },
    async (req) => tree(req, req.params.id),
  )

  app.post(
    '/assignments/:id/delegate',
    {
      config: { access: 'authenticated' },
      schema: { tags, summary: 'The executor hands a part of the work to a subordinate (a sub-assignment they control)', params: IdParams, body: DelegateBody, response: { 201: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) } },
    },
    async (req, reply) => {
      const id = await delegateAssignment(deps, requireAuth(req), actorOf(req), req.params.id, req.body)
      return reply.code(201).send(await tree(req, id))
    },
  )

  app.post(
    '/assignments/:id/start',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'Take into work (executor)', params: IdParams, body: Type.Optional(ActionBody), response: { 200: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await startAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body?.rowVersion)
      return tree(req, req.params.id)
    },
  )
  app.post(
    '/assignments/:id/report',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Report on execution (executor: goes on check; co-executor: a report on their part)',
        description: 'Files are uploaded first with POST /assignments/:id/files?name=… and named here by sha256.',
        params: IdParams,
        body: ReportBody,
        response: { 200: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      await reportAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body, checkStoredWith(app.store))
      return tree(req, req.params.id)
    },
  )
  app.post(
    '/assignments/:id/accept',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'Accept the report (controller): done, or done late after the deadline', params: IdParams, body: AcceptBody, response: { 200: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await acceptAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body)
      return tree(req, req.params.id)
    },
  )
  app.post(
    '/assignments/:id/return',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'Return the report for more work (controller; comment required)', params: IdParams, body: ReturnBody, response: { 200: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await returnAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body)
      return tree(req, req.params.id)
    },
  )
  app.post(
    '/assignments/:id/cancel',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'Cancel (issuer or controller; reason required); open sub-assignments are cancelled with it', params: IdParams, body: CancelBody, response: { 200: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await cancelAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body)
      return tree(req, req.params.id)
    },
  )

  app.post(
    '/assignments/:id/extensions',
    {
      config: { access: 'authenticated' },
      schema: {
        tags,
        summary: 'Ask for more time (executor), or extend the deadline at once (controller); dueDate must be a working day later than the deadline',
        params: IdParams,
        body: ExtensionBody,
        response: { 201: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await requestExtension(deps, requireAuth(req), actorOf(req), req.params.id, req.body)
      return reply.code(201).send(await tree(req, req.params.id))
    },
  )
  for (const decision of ['grant', 'refuse'] as const) {
    app.post(
      `/assignments/:id/extensions/:extId/${decision}`,
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: decision === 'grant' ? 'Grant an extension (controller): the deadline moves, reminders are rescheduled' : 'Refuse an extension (controller)',
          params: ExtensionParams,
          body: ExtensionDecisionBody,
          response: { 200: AssignmentTreeOut, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (req) => {
        await decideExtension(deps, requireAuth(req), actorOf(req), req.params.id, req.params.extId, decision, req.body)
        return tree(req, req.params.id)
      },
    )
  }

  app.get(
    '/assignments/:id/files/:sha256',
    { config: { access: 'authenticated' }, schema: { tags, summary: 'Download a file of a report', params: FileParams, response: { 200: Binary, ...errors(401, 404) } } },
    async (req, reply) => {
      const auth = requireAuth(req)
      const a = await app.prisma.assignment.findUnique({ where: { id: req.params.id }, select: { id: true, rootId: true } })
      if (!a) throw new AppError('ASSIGNMENT_NOT_FOUND')
      await assertCanSee(app.prisma, auth, a, await standingInFor(app.prisma, auth.userId))
      const f = await reportFile(app.prisma, a.id, req.params.sha256)
      const stream = await app.store.get(contentKey(f.sha256))
      return reply
        .type(f.mediaType)
        .header('etag', `"${f.sha256}"`)
        .header('content-length', f.size)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-sha256', f.sha256)
        .header('content-disposition', contentDisposition('attachment', f.fileName))
        .send(stream as unknown as Buffer) // streamed; the schema only documents the body
    },
  )

  // Uploads are the raw file bytes, streamed: a scope of their own takes any Content-Type as a stream.
  await app.register(async (files: App) => {
    files.removeAllContentTypeParsers()
    files.addContentTypeParser('*', (_req, payload, done) => done(null, payload))
    files.post(
      '/assignments/:id/files',
      {
        config: { access: 'authenticated' },
        schema: {
          tags,
          summary: 'Upload a file for a report (request body = the file: PDF, DOCX, ODT, PNG or JPEG); name it in the report by its sha256',
          params: IdParams,
          querystring: FileUploadQuery,
          response: { 201: FileOut, ...errors(400, 401, 403, 404, 409, 413, 415) },
        },
      },
      async (req, reply) => {
        const auth = requireAuth(req)
        const body = req.body as Readable | undefined
        if (!body || typeof body.pipe !== 'function') throw new AppError('EMPTY_FILE')
        const declared = req.headers['content-length']
        const abort = new AbortController()
        const onClose = () => {
          if (!req.raw.complete) abort.abort(new Error('client went away'))
        }
        req.raw.once('close', onClose)
        try {
          const file = await uploadReportFile(app.prisma, app.store, auth, actorOf(req), {
            assignmentId: req.params.id,
            body,
            fileName: req.query.name,
            declaredLength: declared === undefined ? null : Number(declared),
            maxBytes: app.config.uploadMaxBytes,
            signal: abort.signal,
          })
          return reply.code(201).send(file)
        } catch (err) {
          if (!req.raw.complete) reply.header('connection', 'close')
          throw err
        } finally {
          req.raw.off('close', onClose)
        }
      },
    )
  })
}
