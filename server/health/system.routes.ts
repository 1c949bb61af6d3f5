import { Type } from 'typebox'
import type { App } from '../app.ts'
import { PROBLEMS } from '../errors.ts'

const Check = Type.Object({ status: Type.Enum(['ok', 'fail']), detail: Type.Optional(Type.String()) })
const Health = Type.Object({ status: Type.Enum(['ok', 'fail']), checks: Type.Object({ database: Check, storage: Check }) })

async function probe(fn: () => Promise<unknown>) {
  try {
    await fn()
    return { status: 'ok' as const }
  } catch (err) {
    return { status: 'fail' as const, detail: (err as Error).message.slice(0, 200) }
  }
}

/** Health for load balancers, and the list of error codes. */
export default async function systemRoutes(app: App) {
  app.get(
    '/health',
    { config: { access: 'public' }, schema: { tags: ['system'], summary: 'PostgreSQL and object store reachability', response: { 200: Health, 503: Health } } },
    async (_req, reply) => {
      const [database, storage] = await Promise.all([probe(() => app.pool.query('SELECT 1')), probe(() => app.store.check())])
      const ok = database.status === 'ok' && storage.status === 'ok'
      return reply.code(ok ? 200 : 503).header('cache-control', 'no-store').send({ status: ok ? 'ok' : 'fail', checks: { database, storage } })
    },
  )
  app.get(
    '/problems',
    {
      config: { access: 'public' },
      schema: {
        tags: ['system'],
        summary: 'Every stable error code with its HTTP status and title',
        response: { 200: Type.Array(Type.Object({ code: Type.String(), status: Type.Integer(), title: Type.String() })) },
      },
    },
    async () => Object.entries(PROBLEMS).map(([code, p]) => ({ code, status: p.status, title: p.title })),
  )
}
