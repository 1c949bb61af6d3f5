import type { App } from '../app.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import { createDocument, getVisibleDocument, listDocuments, presentDetail, updateDocument } from './documents.service.ts'
import { DocumentCreate, DocumentDetail, DocumentListQuery, DocumentPage, DocumentPatch } from './schemas.ts'

/** Documents: list with filters and paging, create, metadata view and edit. */
export default async function documentRoutes(app: App) {
  app.get(
    '/',
    { config: { access: 'authenticated' }, schema: { tags: ['documents'], summary: 'Documents I may see, filtered and paged', querystring: DocumentListQuery, response: { 200: DocumentPage, ...errors(400, 401) } } },
    async (req) => listDocuments(app.prisma, requireAuth(req), req.query),
  )
  app.post(
    '/',
    { config: { access: 'authenticated' }, schema: { tags: ['documents'], summary: 'Create a document (a card without versions yet)', body: DocumentCreate, response: { 201: DocumentDetail, ...errors(400, 401, 403, 404) } } },
    async (req, reply) => {
      const auth = requireAuth(req)
      return reply.code(201).send(presentDetail(await createDocument(app.prisma, auth, actorOf(req), req.body), auth))
    },
  )
  app.get(
    '/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['documents'], summary: 'A document with its version history', params: IdParams, response: { 200: DocumentDetail, ...errors(400, 401, 404) } } },
    async (req) => {
      const auth = requireAuth(req)
      return presentDetail(await getVisibleDocument(app.prisma, auth, req.params.id), auth)
    },
  )
  app.patch(
    '/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['documents'], summary: 'Change a draft’s title, summary or access mark', params: IdParams, body: DocumentPatch, response: { 200: DocumentDetail, ...errors(400, 401, 403, 404) } } },
    async (req) => {
      const auth = requireAuth(req)
      return presentDetail(await updateDocument(app.prisma, auth, actorOf(req), req.params.id, req.body), auth)
    },
  )
}
