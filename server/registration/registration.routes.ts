import { Type } from 'typebox'
import type { App } from '../app.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import { createJournal, createNomenclatureFile, listJournals, listNomenclature, presentJournal, updateJournal, updateNomenclatureFile } from './journals.service.ts'
import { cardOf, listRegistrations, updateCard } from './registration.service.ts'
import {
  JournalCreate, JournalOut, JournalPatch, MaybeRegistrationCard, NomenclatureCreate, NomenclatureFileOut, NomenclaturePatch, NomenclatureQuery,
  RegistrationCard, RegistrationListQuery, RegistrationPage, RegistrationPatch,
} from './schemas.ts'

/** Records keeping: the clerk's (діловод) journals, the nomenclature of files and registration cards. */
const RECORDS = ['clerk', 'admin'] as const

/** Registration journals, the nomenclature of files and registration cards. */
export default async function registrationRoutes(app: App) {
  app.get(
    '/journals',
    { config: { access: 'authenticated' }, schema: { tags: ['registration'], summary: 'Registration journals (active first)', response: { 200: Type.Array(JournalOut), ...errors(401) } } },
    async () => (await listJournals(app.prisma)).map(presentJournal),
  )
  app.post(
    '/admin/journals',
    {
      config: { access: RECORDS },
      schema: { tags: ['registration'], summary: 'Create a journal (index pattern parts: {seq} required, {year}, {unit}, {file})', body: JournalCreate, response: { 201: JournalOut, ...errors(400, 401, 403, 409) } },
    },
    async (req, reply) => reply.code(201).send(presentJournal(await createJournal(app.prisma, actorOf(req), req.body))),
  )
  app.patch(
    '/admin/journals/:id',
    {
      config: { access: RECORDS },
      schema: { tags: ['registration'], summary: 'Change a journal; numbers already given keep their index', params: IdParams, body: JournalPatch, response: { 200: JournalOut, ...errors(400, 401, 403, 404, 409) } },
    },
    async (req) => presentJournal(await updateJournal(app.prisma, actorOf(req), req.params.id, req.body)),
  )
  app.get(
    '/journals/:id/registrations',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['registration'],
        summary: "A journal's registrations for a year (the current one by default), newest first; restricted documents only for those who may see them",
        params: IdParams,
        querystring: RegistrationListQuery,
        response: { 200: RegistrationPage, ...errors(400, 401, 404) },
      },
    },
    async (req) => listRegistrations(app.prisma, requireAuth(req), req.params.id, req.query),
  )

  app.get(
    '/nomenclature',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['registration'], summary: 'The nomenclature of files for a year (the current one by default)', querystring: NomenclatureQuery, response: { 200: Type.Array(NomenclatureFileOut), ...errors(400, 401) } },
    },
    async (req) => listNomenclature(app.prisma, req.query.year),
  )
  app.post(
    '/nomenclature',
    { config: { access: RECORDS }, schema: { tags: ['registration'], summary: 'Add a file to the nomenclature of a year', body: NomenclatureCreate, response: { 201: NomenclatureFileOut, ...errors(400, 401, 403, 404, 409) } } },
    async (req, reply) => reply.code(201).send(await createNomenclatureFile(app.prisma, actorOf(req), req.body)),
  )
  app.patch(
    '/nomenclature/:id',
    {
      config: { access: RECORDS },
      schema: { tags: ['registration'], summary: 'Change a file of the nomenclature (its year and index only while it holds no documents)', params: IdParams, body: NomenclaturePatch, response: { 200: NomenclatureFileOut, ...errors(400, 401, 403, 404, 409) } },
    },
    async (req) => updateNomenclatureFile(app.prisma, actorOf(req), req.params.id, req.body),
  )

  app.get(
    '/documents/:id/registration',
    { config: { access: 'authenticated' }, schema: { tags: ['registration'], summary: "The document's registration card, or null", params: IdParams, response: { 200: MaybeRegistrationCard, ...errors(401, 404) } } },
    async (req) => cardOf(app.prisma, requireAuth(req), req.params.id),
  )
  app.patch(
    '/documents/:id/registration',
    {
      config: { access: RECORDS },
      schema: {
        tags: ['registration'],
        summary: 'Correct the card (correspondent, date received, resolution, attachments, file); index, number and date never change',
        params: IdParams,
        body: RegistrationPatch,
        response: { 200: RegistrationCard, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => updateCard(app.prisma, requireAuth(req), actorOf(req), req.params.id, req.body),
  )
}
