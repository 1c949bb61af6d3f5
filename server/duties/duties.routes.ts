import { Type } from 'typebox'
import type { App } from '../app.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import {
  acknowledgeJobDescription,
  draftJobDescription,
  getJobDescription,
  listCatalog,
  myJobDescriptions,
  positionHistory,
  sendJobDescription,
  updateJobDescription,
} from './job-descriptions.service.ts'
import { CatalogQuery, DutyOut, JobDescriptionCreate, JobDescriptionOut, JobDescriptionUpdate, MyJobDescriptionOut, PositionJobDescriptionsOut } from './schemas.ts'

/** Who drafts and edits job descriptions (regulation 4.3: the head of the Directorate; admins too). */
const DRAFTERS = ['directorate_head', 'admin'] as const

/** The duty catalogue and job descriptions: drafting, editing, sending for approval, acknowledgment. */
export default async function dutiesRoutes(app: App) {
  app.get(
    '/duties/catalog',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['duties'], summary: 'Duties from the Directorate’s regulation, by unit and clause (a section number like "3" takes all its clauses)', querystring: CatalogQuery, response: { 200: Type.Array(DutyOut), ...errors(400, 401) } },
    },
    async (req) => (await listCatalog(app.prisma, req.query)).map((d) => ({ id: d.id, text: d.text, sourceClause: d.sourceClause, unitId: d.unitId, sortOrder: d.sortOrder })),
  )

  app.get(
    '/positions/:id/job-descriptions',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['duties'], summary: 'A position’s job descriptions, newest first: status, period in force, acknowledgments', params: IdParams, response: { 200: PositionJobDescriptionsOut, ...errors(400, 401, 404) } },
    },
    async (req) => positionHistory(app.prisma, requireAuth(req), req.params.id),
  )
  app.post(
    '/positions/:id/job-descriptions',
    {
      config: { access: DRAFTERS },
      // The body is optional: a POST without one drafts from the previous version or the defaults.
      preValidation: async (req) => {
        if (req.body === undefined || req.body === null) req.body = {}
      },
      schema: {
        tags: ['duties'],
        summary: 'Draft the next version of a position’s job description (prefilled from the previous version or the unit’s defaults)',
        params: IdParams,
        body: JobDescriptionCreate,
        response: { 201: JobDescriptionOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await draftJobDescription(app.prisma, app.store, requireAuth(req), actorOf(req), req.params.id, req.body)),
  )

  app.get(
    '/job-descriptions/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['duties'], summary: 'One job description', params: IdParams, response: { 200: JobDescriptionOut, ...errors(400, 401, 404) } } },
    async (req) => getJobDescription(app.prisma, requireAuth(req), req.params.id),
  )
  app.put(
    '/job-descriptions/:id',
    {
      config: { access: DRAFTERS },
      schema: { tags: ['duties'], summary: 'Replace the sections of a draft; its PDF is rendered again as the next version', params: IdParams, body: JobDescriptionUpdate, response: { 200: JobDescriptionOut, ...errors(400, 401, 403, 404, 409) } },
    },
    async (req) => updateJobDescription(app.prisma, app.store, requireAuth(req), actorOf(req), req.params.id, req.body.sections),
  )
  app.post(
    '/job-descriptions/:id/send',
    {
      config: { access: DRAFTERS },
      schema: { tags: ['duties'], summary: 'Send the draft for approval (or resubmit it after a return)', params: IdParams, response: { 200: JobDescriptionOut, ...errors(400, 401, 403, 404, 409) } },
    },
    async (req) => sendJobDescription(app.prisma, requireAuth(req), actorOf(req), req.params.id),
  )
  app.post(
    '/job-descriptions/:id/acknowledge',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['duties'], summary: 'Acknowledge the job description in force (by the employee holding the position)', params: IdParams, response: { 200: JobDescriptionOut, ...errors(400, 401, 403, 404, 409) } },
    },
    async (req) => acknowledgeJobDescription(app.prisma, requireAuth(req), actorOf(req), req.params.id),
  )

  app.get(
    '/my/job-descriptions',
    { config: { access: 'authenticated' }, schema: { tags: ['duties'], summary: 'Job descriptions in force for my positions, and whether I acknowledged them', response: { 200: Type.Array(MyJobDescriptionOut), ...errors(401) } } },
    async (req) => myJobDescriptions(app.prisma, requireAuth(req)),
  )
}
