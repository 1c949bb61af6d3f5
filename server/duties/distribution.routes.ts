import type { App } from '../app.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import { assignDuty, dutyMatrix, removeAssignment, updateAssignment } from './distribution.service.ts'
import { DutyAssignmentCreate, DutyAssignmentOut, DutyAssignmentPatch, DutyMatrixOut, MatrixQuery } from './distribution.schemas.ts'

/** Who distributes duties (regulation 4.3, 4.8: the head of the Directorate, within it; admins too). */
const DISTRIBUTORS = ['directorate_head', 'admin'] as const

/** The distribution of duties among positions («Розподіл обовʼязків») and interchangeability. */
export default async function distributionRoutes(app: App) {
  app.get(
    '/duties/matrix',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['duties'],
        summary: 'Positions × duties of a unit and its sub-units (by default the Directorate), with substitutes and problems: unassigned catalogue duties, no substitute, vacant substitute, positions without duties',
        querystring: MatrixQuery,
        response: { 200: DutyMatrixOut, ...errors(400, 401, 404) },
      },
    },
    async (req) => dutyMatrix(app.prisma, requireAuth(req), req.query),
  )

  app.post(
    '/duties/assignments',
    {
      config: { access: DISTRIBUTORS },
      schema: {
        tags: ['duties'],
        summary: 'Put a duty on a position: a catalogue duty (dutyId; its text from the catalogue) or free text (text), optionally with the substitute position',
        body: DutyAssignmentCreate,
        response: { 201: DutyAssignmentOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await assignDuty(app.prisma, requireAuth(req), actorOf(req), req.body)),
  )

  app.patch(
    '/duties/assignments/:id',
    {
      config: { access: DISTRIBUTORS },
      schema: {
        tags: ['duties'],
        summary: 'Change a duty in free text, or set or clear (null) its substitute position',
        params: IdParams,
        body: DutyAssignmentPatch,
        response: { 200: DutyAssignmentOut, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => updateAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body),
  )

  app.delete(
    '/duties/assignments/:id',
    {
      config: { access: DISTRIBUTORS },
      schema: {
        tags: ['duties'],
        summary: 'Take a duty off a position (kept on record with the time of removal)',
        params: IdParams,
        response: { 200: DutyAssignmentOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => removeAssignment(app.prisma, requireAuth(req), actorOf(req), req.params.id),
  )
}
