import { Type } from 'typebox'
import type { App } from '../app.ts'
import { actorOf } from '../plugins/auth.ts'
import { errors, IdParams, Ok } from '../schemas.ts'
import * as org from './org.service.ts'
import {
  AssignHolderBody, PositionCreate, PositionOut, PositionPatch, UnitCreate, UnitOut, UnitPatch, UserCreate, UserOut, UserPatch,
} from './schemas.ts'

const ADMIN = ['admin'] as const

/** The org structure (readable by everyone signed in) and its administration (admin only). */
export default async function peopleRoutes(app: App) {
  app.get(
    '/units',
    { config: { access: 'authenticated' }, schema: { tags: ['people'], summary: 'Structural units', response: { 200: Type.Array(UnitOut), ...errors(401) } } },
    async () => (await org.listUnits(app.prisma)).map(org.presentUnit),
  )
  app.get(
    '/positions',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['people'], summary: 'Positions with their current holders', querystring: Type.Object({ unitId: Type.Optional(Type.String({ format: 'uuid' })) }), response: { 200: Type.Array(PositionOut), ...errors(400, 401) } },
    },
    async (req) => (await org.listPositions(app.prisma, req.query)).map(org.presentPosition),
  )
  app.get(
    '/users',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['people'],
        summary: 'People directory (for pickers); admins also see inactive accounts',
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })), active: Type.Optional(Type.Boolean()) }),
        response: { 200: Type.Array(UserOut), ...errors(400, 401) },
      },
    },
    async (req) => {
      const isAdmin = req.auth!.roles.includes('admin')
      const users = await org.listUsers(app.prisma, { q: req.query.q, active: isAdmin ? req.query.active : true })
      return users.map(org.presentUser).map((u) => (isAdmin ? u : { ...u, email: null }))
    },
  )

  app.post(
    '/admin/units',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Create a unit', body: UnitCreate, response: { 201: UnitOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req, reply) => reply.code(201).send(org.presentUnit(await org.createUnit(app.prisma, actorOf(req), req.body))),
  )
  app.patch(
    '/admin/units/:id',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Change a unit', params: IdParams, body: UnitPatch, response: { 200: UnitOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => org.presentUnit(await org.updateUnit(app.prisma, actorOf(req), req.params.id, req.body)),
  )
  app.post(
    '/admin/positions',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Create a position with its roles', body: PositionCreate, response: { 201: PositionOut, ...errors(400, 401, 403, 404) } } },
    async (req, reply) => reply.code(201).send(org.presentPosition(await org.createPosition(app.prisma, actorOf(req), req.body))),
  )
  app.patch(
    '/admin/positions/:id',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Change a position (title, roles, head flag, archive)', params: IdParams, body: PositionPatch, response: { 200: PositionOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => org.presentPosition(await org.updatePosition(app.prisma, actorOf(req), req.params.id, req.body)),
  )
  app.post(
    '/admin/positions/:id/holder',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Appoint a person to a position (ends the previous holding)', params: IdParams, body: AssignHolderBody, response: { 200: PositionOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => org.presentPosition(await org.assignHolder(app.prisma, actorOf(req), req.params.id, req.body.userId, req.body.since ? new Date(req.body.since) : undefined)),
  )
  app.delete(
    '/admin/holders/:id',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'End a holding now', params: IdParams, response: { 200: Ok, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => {
      await org.endHolding(app.prisma, actorOf(req), req.params.id)
      return { ok: true as const }
    },
  )
  app.post(
    '/admin/users',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Create an account', body: UserCreate, response: { 201: UserOut, ...errors(400, 401, 403, 409) } } },
    async (req, reply) => reply.code(201).send(org.presentUser(await org.createUser(app.prisma, actorOf(req), req.body))),
  )
  app.patch(
    '/admin/users/:id',
    { config: { access: ADMIN }, schema: { tags: ['admin'], summary: 'Change an account (name, e-mail, active, password reset)', params: IdParams, body: UserPatch, response: { 200: UserOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req) => org.presentUser(await org.updateUser(app.prisma, actorOf(req), req.params.id, req.body)),
  )
}
