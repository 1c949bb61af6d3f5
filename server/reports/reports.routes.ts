import { Type } from 'typebox'
import type { FastifyReply } from 'fastify'
import type { App } from '../app.ts'
import { requireAuth } from '../plugins/auth.ts'
import { errors } from '../schemas.ts'
import type { Auth } from '../people/sessions.ts'
import { contentDisposition } from '../documents/file-name.ts'
import { ApprovalsOut, ApprovalsQuery, DisciplineOut, DisciplineQuery, ReportScopeOut } from './schemas.ts'
import { parsePeriod } from './period.ts'
import { REPORT_ROLES, reportScope } from './scope.ts'
import { disciplineReport } from './discipline.ts'
import { approvalsReport } from './approvals.ts'
import { disciplineCsv } from './csv.ts'
import { disciplineXlsx } from './xlsx.ts'
import { disciplinePdf } from './pdf.ts'
import { exportName } from './columns.ts'

const Binary = Type.Unsafe<Buffer>({ type: 'string', format: 'binary' })
const access = REPORT_ROLES

// The units a viewer may report on, in tree order (for the workspace's unit filter).
const SCOPE_SQL = `
WITH RECURSIVE walk(id, parent_id, depth, path) AS (
  SELECT u.id, u.parent_id, 0, ARRAY[u.sort_order] FROM unit u
   WHERE CASE WHEN $1::uuid[] IS NULL THEN u.parent_id IS NULL ELSE u.id = ANY($1::uuid[]) END
  UNION ALL
  SELECT c.id, c.parent_id, w.depth + 1, w.path || c.sort_order FROM unit c JOIN walk w ON c.parent_id = w.id WHERE w.depth < 32
)
SELECT t.id, u.name, u.code, t.parent_id, t.depth
  FROM (SELECT DISTINCT ON (id) * FROM walk ORDER BY id, depth DESC) t
  JOIN unit u ON u.id = t.id
 WHERE u.archived_at IS NULL
 ORDER BY t.path, u.name`

/**
 * Reports on control of execution and on approval stages (regulation 6.4). Every route is
 * for heads of units and the leadership, records keeping and administration; a unit head's
 * figures are limited to their unit tree inside the SQL itself.
 */
export default async function reportRoutes(app: App) {
  async function discipline(auth: Auth, q: DisciplineQuery) {
    const period = parsePeriod(q.from, q.to)
    const report = await disciplineReport(app.pool, {
      period,
      now: new Date(),
      unitId: q.unitId ?? null,
      scope: reportScope(auth),
      groupBy: q.groupBy ?? 'unit',
      rollup: q.rollup ?? false,
    })
    return { period, report }
  }

  /** The approval stages of the same period and units, for the files (the ten slowest). */
  const stagesFor = (auth: Auth, q: DisciplineQuery) =>
    approvalsReport(app.pool, auth, { period: parsePeriod(q.from, q.to), scope: reportScope(auth), unitId: q.unitId ?? null, kind: null, documentKind: null, limit: 10, now: new Date() })

  async function exportMeta(auth: Auth) {
    const council = await app.prisma.unit.findFirst({ where: { parentId: null, archivedAt: null }, orderBy: { sortOrder: 'asc' }, select: { name: true } })
    return { organisation: council?.name ?? 'Міська рада', fullName: auth.fullName, positionTitle: auth.positions[0]?.title ?? null }
  }

  const download = (reply: FastifyReply, type: string, name: string, body: Buffer | Uint8Array) =>
    reply.type(type).header('content-disposition', contentDisposition('attachment', name)).header('cache-control', 'no-store').send(Buffer.from(body))

  app.get(
    '/reports/scope',
    {
      config: { access },
      schema: { tags: ['reports'], summary: 'The units the signed-in person may report on, in tree order', response: { 200: ReportScopeOut, ...errors(401, 403) } },
    },
    async (req) => {
      const scope = reportScope(requireAuth(req))
      const { rows } = await app.pool.query<{ id: string; name: string; code: string; parent_id: string | null; depth: number }>(SCOPE_SQL, [scope.roots])
      return { all: scope.roots === null, units: rows.map((r) => ({ id: r.id, name: r.name, code: r.code, parentId: r.parent_id, depth: r.depth })) }
    },
  )

  app.get(
    '/reports/discipline',
    {
      config: { access },
      schema: {
        tags: ['reports'],
        summary: 'Execution discipline: assignments issued in [from, to) per unit (with sub-units) or per person, with totals',
        querystring: DisciplineQuery,
        response: { 200: DisciplineOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => (await discipline(requireAuth(req), req.query)).report,
  )

  app.get(
    '/reports/discipline.csv',
    {
      config: { access },
      schema: { tags: ['reports'], summary: 'The discipline report as CSV (UTF-8 with BOM, ";" separated, for Excel in a Ukrainian locale)', querystring: DisciplineQuery, response: { 200: Binary, ...errors(400, 401, 403, 404) } },
    },
    async (req, reply) => {
      const { period, report } = await discipline(requireAuth(req), req.query)
      return download(reply, 'text/csv; charset=utf-8', `${exportName(report, period.lastDay)}.csv`, Buffer.from(disciplineCsv(report), 'utf8'))
    },
  )

  app.get(
    '/reports/discipline.xlsx',
    {
      config: { access },
      schema: { tags: ['reports'], summary: 'The discipline report as an Excel workbook, with the approval stages of the same period on a second sheet', querystring: DisciplineQuery, response: { 200: Binary, ...errors(400, 401, 403, 404) } },
    },
    async (req, reply) => {
      const auth = requireAuth(req)
      const { period, report } = await discipline(auth, req.query)
      const [meta, stages] = await Promise.all([exportMeta(auth), stagesFor(auth, req.query)])
      const xlsx = await disciplineXlsx(report, { organisation: meta.organisation, generatedBy: meta.fullName, stages })
      return download(reply, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', `${exportName(report, period.lastDay)}.xlsx`, xlsx)
    },
  )

  app.get(
    '/reports/discipline.pdf',
    {
      config: { access },
      schema: { tags: ['reports'], summary: 'The discipline report as a printable PDF (A4 landscape), followed by the approval stages of the same period', querystring: DisciplineQuery, response: { 200: Binary, ...errors(400, 401, 403, 404) } },
    },
    async (req, reply) => {
      const auth = requireAuth(req)
      const { period, report } = await discipline(auth, req.query)
      const [meta, stages] = await Promise.all([exportMeta(auth), stagesFor(auth, req.query)])
      const pdf = await disciplinePdf(report, { organisation: meta.organisation, generatedBy: { fullName: meta.fullName, positionTitle: meta.positionTitle }, stages })
      return download(reply, 'application/pdf', `${exportName(report, period.lastDay)}.pdf`, pdf)
    },
  )

  app.get(
    '/reports/approvals',
    {
      config: { access },
      schema: {
        tags: ['reports'],
        summary: 'Approval stage durations: stages finished in [from, to) per stage name and kind, and the slowest instances',
        querystring: ApprovalsQuery,
        response: { 200: ApprovalsOut, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const auth = requireAuth(req)
      const q = req.query
      return approvalsReport(app.pool, auth, {
        period: parsePeriod(q.from, q.to),
        scope: reportScope(auth),
        unitId: q.unitId ?? null,
        kind: q.kind ?? null,
        documentKind: q.documentKind ?? null,
        limit: q.limit ?? 10,
        now: new Date(),
      })
    },
  )
}
