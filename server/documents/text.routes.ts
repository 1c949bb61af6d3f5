import type { App } from '../app.ts'
import { requireAuth } from '../plugins/auth.ts'
import { errors } from '../schemas.ts'
import { DiffParams, DiffQuery, VersionDiffOut, VersionTextOut, VersionTextParams } from './text.schemas.ts'
import { getVersionDiff, getVersionText } from './text.service.ts'

/** The text of a version, and the diff between two versions that approvers read. */
export default async function textRoutes(app: App) {
  app.get(
    '/:id/versions/:number/text',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['documents'],
        summary: "A version's plain text (extracted once, then stored)",
        description: "PDF pages are separated by a form feed ('\\f'). A file whose text cannot be read answers 200 with empty text and an `error`.",
        params: VersionTextParams,
        response: { 200: VersionTextOut, ...errors(400, 401, 404) },
      },
    },
    async (req) => getVersionText(app.prisma, app.store, requireAuth(req), req.params.id, req.params.number),
  )

  app.get(
    '/:id/diff',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['documents'],
        summary: 'What changed between two versions (words within changed lines; unchanged runs collapsed)',
        params: DiffParams,
        querystring: DiffQuery,
        response: { 200: VersionDiffOut, ...errors(400, 401, 404) },
      },
    },
    async (req) => getVersionDiff(app.prisma, app.store, requireAuth(req), req.params.id, req.query.from, req.query.to),
  )
}
