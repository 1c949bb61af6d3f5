import { Type } from 'typebox'
import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import { TemplateCreate, TemplateOut } from './schemas.ts'
import { createTemplateVersion, listTemplates, presentTemplate } from './templates.ts'
import { cancelSubstitution, createSubstitution, listSubstitutions, presentSubstitution, SubstitutionCreate, SubstitutionOut } from './substitutions.ts'

/** Route templates (read by all, edited by admins) and substitutions (set by the absent person). */
export default async function approvalSettingsRoutes(app: App) {
  app.get(
    '/route-templates',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['approvals'], summary: 'Route templates: the current version of each kind, or every version', querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Array(TemplateOut), ...errors(400, 401) } },
    },
    async (req) => (await listTemplates(app.prisma, req.query.all ?? false)).map(presentTemplate),
  )
  app.get(
    '/route-templates/:id',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'One template version', params: IdParams, response: { 200: TemplateOut, ...errors(401, 404) } } },
    async (req) => {
      const t = await app.prisma.routeTemplate.findUnique({ where: { id: req.params.id } })
      if (!t) throw new AppError('NOT_FOUND', 'шаблону маршруту не знайдено')
      return presentTemplate(t)
    },
  )
  app.post(
    '/admin/route-templates',
    { config: { access: ['admin'] }, schema: { tags: ['admin'], summary: 'Save a template as the next version of its kind (running routes keep theirs)', body: TemplateCreate, response: { 201: TemplateOut, ...errors(400, 401, 403, 404) } } },
    async (req, reply) => reply.code(201).send(presentTemplate(await createTemplateVersion(app.prisma, actorOf(req), req.body))),
  )

  app.get(
    '/substitutions',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['approvals'], summary: 'Substitutions where I am absent or stand in (admins: all with ?all=true)', querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }), response: { 200: Type.Array(SubstitutionOut), ...errors(400, 401) } },
    },
    async (req) => (await listSubstitutions(app.prisma, requireAuth(req), req.query.all ?? false)).map((s) => presentSubstitution(s)),
  )
  app.post(
    '/substitutions',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'Name my substitute for a period (clause 4.8)', body: SubstitutionCreate, response: { 201: SubstitutionOut, ...errors(400, 401, 403, 404) } } },
    async (req, reply) => reply.code(201).send(presentSubstitution(await createSubstitution(app.prisma, requireAuth(req), actorOf(req), req.body))),
  )
  app.post(
    '/substitutions/:id/cancel',
    { config: { access: 'authenticated' }, schema: { tags: ['approvals'], summary: 'End a substitution now', params: IdParams, response: { 200: SubstitutionOut, ...errors(401, 404, 409) } } },
    async (req) => presentSubstitution(await cancelSubstitution(app.prisma, requireAuth(req), actorOf(req), req.params.id)),
  )
}
