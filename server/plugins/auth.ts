import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError } from '../errors.ts'
import type { Role } from '../generated/prisma/client.ts'
import type { Actor } from '../audit/record.ts'
import { lookupSession, SESSION_COOKIE, type Auth } from '../people/sessions.ts'

/**
 * Who may call a route. Every /api route declares one in `config.access`; a route without
 * it fails at start-up (default deny). A role list admits anyone holding one of the roles.
 */
export type Access = 'public' | 'authenticated' | readonly Role[]

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
  }
  interface FastifyRequest {
    auth: Auth | null
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The signed-in person, or a 401. For use in handlers of non-public routes. */
export function requireAuth(req: FastifyRequest): Auth {
  if (!req.auth) throw new AppError('UNAUTHENTICATED')
  return req.auth
}

/** Whether the signed-in person holds any of the roles. */
export const hasRole = (auth: Auth | null, ...roles: Role[]) => !!auth && roles.some((r) => auth.roles.includes(r))

/** The actor for audit events. */
export const actorOf = (req: FastifyRequest): Actor => ({ userId: req.auth?.userId ?? null, ip: req.ip ?? null })

function sameToken(a: string, b: string) {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Sessions, CSRF and route-level authorization, all decided in onRequest before any body is read. */
export default fp(
  async function authPlugin(app: FastifyInstance) {
    app.decorateRequest('auth', null)

    app.addHook('onRoute', (route) => {
      if (!route.url.startsWith('/api/') || route.url.startsWith('/api/docs')) return
      if (route.config?.access === undefined) throw new Error(`Route ${route.method} ${route.url} declares no config.access`)
    })

    app.addHook('onRequest', async (req) => {
      const access = req.routeOptions.config?.access
      if (!req.url.startsWith('/api/') || req.url.startsWith('/api/docs')) return
      if (access === undefined) {
        // Unknown /api routes land here (404 handler); nothing to authorize.
        if (req.routeOptions.url === undefined) return
        throw new AppError('FORBIDDEN', 'route has no access policy')
      }
      const unsafe = !SAFE_METHODS.has(req.method)
      if (unsafe) {
        // Cross-site requests are refused outright; SameSite=Strict cookies are the second line.
        const origin = req.headers.origin
        if (origin && origin !== 'null') {
          let host: string | null = null
          try {
            host = new URL(origin).host
          } catch {
            host = null
          }
          if (host !== req.headers.host) throw new AppError('CSRF_FAILED', 'cross-origin request refused')
        }
      }
      const token = req.cookies[SESSION_COOKIE]
      // Every API request looks its session up: on plain pg, not Prisma (server/db/sql.ts).
      if (token) req.auth = await lookupSession(app.sql, token, app.config.sessionTtlHours)
      if (access === 'public') return
      if (!req.auth) throw new AppError(token ? 'SESSION_EXPIRED' : 'UNAUTHENTICATED')
      if (unsafe) {
        const sent = req.headers['x-csrf-token']
        if (typeof sent !== 'string' || !sameToken(sent, req.auth.csrfToken)) throw new AppError('CSRF_FAILED')
      }
      if (access !== 'authenticated' && !access.some((r) => req.auth!.roles.includes(r))) {
        throw new AppError('FORBIDDEN', `needs one of the roles: ${access.join(', ')}`)
      }
    })
  },
  { name: 'auth', dependencies: ['problem'] },
)
