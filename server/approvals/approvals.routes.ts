import { Type } from 'typebox'
import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams, Uuid } from '../schemas.ts'
import { getVisibleDocument } from '../documents/documents.service.ts'
import { contentDisposition } from '../documents/file-name.ts'
import { KIND_LABELS } from '../documents/labels.ts'
import { renderApprovalSheet } from '../pdf/approval-sheet.ts'
import { contentKey } from '../../storage/index.ts'
import { conclude, decide, resubmit, withdraw } from './decisions.ts'
import { inbox, InboxOut } from './inbox.ts'
import { ApprovalOut, ConclusionBody, DecisionBody, InboxQuery, PreviewOut, StartBody, WithdrawBody } from './schemas.ts'
import { previewRoute, startApproval } from './start.ts'
import { presentApproval } from './view.ts'
import { latestApproval, readApproval } from './load.ts'

const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })

/** Approval routes of documents: preview, start, decisions, the expert conclusion, the approval sheet, and the inbox. */
export default async function approvalRoutes(app: App) {
  const viewOf = async (req: { auth: unknown }, approvalId: string) => {
    const auth = requireAuth(req as never)
    const a = await readApproval(app.prisma, approvalId)
    if (!a) throw new AppError('APPROVAL_NOT_FOUND')
    await getVisibleDocument(app.prisma, auth, a.documentId)
    return presentApproval(app.prisma, auth, a)
  }

  app.get(
    '/inbox',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: '«Сьогодні»: what awaits me, with counts (the first `limit` tasks, optionally of one kind)', querystring: InboxQuery, response: { 200: InboxOut, ...errors(400, 401) } } },
    async (req) => inbox(app.prisma, requireAuth(req).userId, { filter: req.query.filter ?? null, limit: req.query.limit }),
  )

  app.get(
    '/documents/:id/approval/preview',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'The route this draft would take, resolved to positions and people', params: IdParams, response: { 200: PreviewOut, ...errors(401, 404, 409) } } },
    async (req) => previewRoute(app.prisma, requireAuth(req), req.params.id),
  )
  app.post(
    '/documents/:id/approval',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'Send the draft for approval (optionally adding participants)', params: IdParams, body: StartBody, response: { 201: ApprovalOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req, reply) => {
      const id = await startApproval(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body)
      return reply.code(201).send(await viewOf(req, id))
    },
  )
  app.get(
    '/documents/:id/approval',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'The document’s latest approval route (null when never sent)', params: IdParams, response: { 200: Type.Union([ApprovalOut, Type.Null()]), ...errors(401, 404) } } },
    async (req) => {
      const auth = requireAuth(req)
      await getVisibleDocument(app.prisma, auth, req.params.id)
      const a = await latestApproval(app.prisma, req.params.id)
      return a ? presentApproval(app.prisma, auth, a) : null
    },
  )
  app.get(
    '/approvals/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'An approval route', params: IdParams, response: { 200: ApprovalOut, ...errors(401, 404) } } },
    async (req) => viewOf(req, req.params.id),
  )
  app.post(
    '/approvals/:id/decisions',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'A visa: approve, approve with remarks, or return for revision', params: IdParams, body: DecisionBody, response: { 200: ApprovalOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      const auth = requireAuth(req)
      // Answered from what the transaction wrote, without reading it all again. Having just
      // acted on the route, the person is its participant and may see the document.
      const done = await decide(app.pool, auth, actorOf(req), req.params.id, req.body)
      return presentApproval(app.prisma, auth, done)
    },
  )
  app.post(
    '/approvals/:id/conclusion',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'The Directorate’s expert conclusion (rendered to PDF and bound to the version)', params: IdParams, body: ConclusionBody, response: { 200: ApprovalOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await conclude(app.prisma, app.store, requireAuth(req), actorOf(req), req.params.id, req.body)
      return viewOf(req, req.params.id)
    },
  )
  app.post(
    '/approvals/:id/resubmit',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'Send the revised draft back along the route', params: IdParams, response: { 200: ApprovalOut, ...errors(401, 403, 404, 409) } } },
    async (req) => {
      await resubmit(app.prisma, requireAuth(req), actorOf(req), req.params.id)
      return viewOf(req, req.params.id)
    },
  )
  app.post(
    '/approvals/:id/withdraw',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'Withdraw the draft: the route takes no further actions', params: IdParams, body: WithdrawBody, response: { 200: ApprovalOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await withdraw(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body.reason?.trim() ?? '')
      return viewOf(req, req.params.id)
    },
  )

  app.get(
    '/approvals/:id/sheet.pdf',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'The approval sheet (аркуш погодження) as PDF, from the visas', params: IdParams, response: { 200: Binary, ...errors(401, 404) } } },
    async (req, reply) => {
      const auth = requireAuth(req)
      const a = await readApproval(app.prisma, req.params.id)
      if (!a) throw new AppError('APPROVAL_NOT_FOUND')
      const doc = await getVisibleDocument(app.prisma, auth, a.documentId)
      const council = await app.prisma.unit.findFirst({ where: { parentId: null }, orderBy: { sortOrder: 'asc' } })
      const visas = a.stages
        .flatMap((st) => st.participants.flatMap((p) => p.visas.map((v) => ({ v, st }))))
        .sort((x, y) => x.v.at.getTime() - y.v.at.getTime())
      const pdf = await renderApprovalSheet({
        organisation: council?.name ?? 'Міська рада',
        documentTitle: doc.title,
        documentKindLabel: KIND_LABELS[doc.kind],
        author: { fullName: doc.createdBy.fullName, unitName: doc.authorUnit.name },
        visas: visas.map(({ v, st }) => ({
          stageName: st.name,
          positionTitle: v.positionTitle,
          fullName: v.fullName,
          onBehalfOfName: v.onBehalfOfName,
          decision: v.decision,
          comment: v.comment,
          at: v.at,
          versionNumber: v.versionNumber,
          versionSha256: v.versionSha256,
          round: v.round,
        })),
        generatedAt: new Date(),
      })
      return reply
        .type('application/pdf')
        .header('content-disposition', contentDisposition('attachment', `Аркуш погодження — ${doc.title.slice(0, 80)}.pdf`))
        .header('cache-control', 'no-store')
        .send(Buffer.from(pdf))
    },
  )

  app.get(
    '/conclusions/:id/pdf',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'An expert conclusion’s PDF', params: Type.Object({ id: Uuid }), response: { 200: Binary, ...errors(401, 404) } } },
    async (req, reply) => {
      const auth = requireAuth(req)
      const c = await app.prisma.expertConclusion.findUnique({ where: { id: req.params.id } })
      if (!c) throw new AppError('NOT_FOUND', 'висновку не знайдено')
      const doc = await getVisibleDocument(app.prisma, auth, c.documentId)
      const stream = await app.store.get(contentKey(c.pdfSha256))
      return reply
        .type('application/pdf')
        .header('etag', `"${c.pdfSha256}"`)
        .header('content-length', c.pdfSize)
        .header('content-disposition', contentDisposition('attachment', `Висновок — ${doc.title.slice(0, 80)}.pdf`))
        .send(stream as unknown as Buffer) // streamed; the schema only documents the body
    },
  )
}

