import { existsSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import cookie from '@fastify/cookie'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import type pg from 'pg'
import { pgSql, type Sql } from './db/sql.ts'
import type { Config } from './config.ts'
import type { Db } from './db/client.ts'
import type { ObjectStore } from '../storage/index.ts'
import problemPlugin, { sendProblem } from './plugins/problem.ts'
import authPlugin from './plugins/auth.ts'
import eventsPlugin from './plugins/events.ts'
import notificationRoutes from './notifications/notifications.routes.ts'
import openapiPlugin from './plugins/openapi.ts'
import { pgRateLimitStore } from './plugins/rate-limit-store.ts'
import { validatorCompiler } from './plugins/validation.ts'
import authRoutes from './people/auth.routes.ts'
import peopleRoutes from './people/people.routes.ts'
import documentRoutes from './documents/documents.routes.ts'
import versionRoutes from './documents/versions.routes.ts'
import textRoutes from './documents/text.routes.ts'
import auditRoutes from './audit/audit.routes.ts'
import systemRoutes from './health/system.routes.ts'
import calendarRoutes from './calendar/calendar.routes.ts'
import approvalRoutes from './approvals/approvals.routes.ts'
import approvalSettingsRoutes from './approvals/settings.routes.ts'
import signingRoutes from './signing/signing.routes.ts'
import verifyRoutes from './signing/verify.routes.ts'
import registrationRoutes from './registration/registration.routes.ts'
import dutiesRoutes from './duties/duties.routes.ts'
import distributionRoutes from './duties/distribution.routes.ts'
import assignmentRoutes from './assignments/assignments.routes.ts'
import reportRoutes from './reports/reports.routes.ts'

/** The Fastify instance with TypeBox type inference, as every route module receives it. */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    prisma: Db
    pool: pg.Pool
    /** Plain-pg statements on the same pool, for the hottest paths (server/db/sql.ts). */
    sql: Sql
    store: ObjectStore
  }
}

export interface AppDeps {
  config: Config
  prisma: Db
  pool: pg.Pool
  store: ObjectStore
  /** Pino options or an existing logger; tests pass `false`-like silence through config.logLevel. */
  logger?: FastifyServerOptions['logger'] | FastifyBaseLogger
  /** Folder with the built workspace (client/dist); skipped when missing. */
  clientDir?: string
}

export const CLIENT_DIST = join(import.meta.dirname, '..', 'client', 'dist')

/** Log redaction: credentials, cookies and tokens never reach the logs. */
export const REDACT = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.passwordHash',
  '*.csrfToken',
]

/** Builds the whole application: infrastructure plugins first, then the domains. */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps
  const loggerOpt = deps.logger ?? {
    level: config.logLevel,
    redact: REDACT,
    ...(config.logFormat === 'pretty' ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,reqId', singleLine: true } } } : {}),
  }
  const app = Fastify({
    ...(typeof (loggerOpt as FastifyBaseLogger).child === 'function' ? { loggerInstance: loggerOpt as FastifyBaseLogger } : { logger: loggerOpt as FastifyServerOptions['logger'] }),
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    requestIdHeader: false,
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>()

  // One line per request (Fastify's default is two); workspace assets only at debug level.
  app.addHook('onResponse', async (req, reply) => {
    const line = { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime), user: req.auth?.login }
    if (req.url.startsWith('/api/') || reply.statusCode >= 400) req.log.info(line, 'request')
    else req.log.debug(line, 'request')
  })

  app.setValidatorCompiler(validatorCompiler)
  app.decorate('config', config)
  app.decorate('prisma', deps.prisma)
  app.decorate('pool', deps.pool)
  app.decorate('sql', pgSql(deps.pool))
  app.decorate('store', deps.store)

  await app.register(problemPlugin)
  await app.register(cookie)
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        workerSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        upgradeInsecureRequests: config.cookieSecure ? [] : null,
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: config.cookieSecure,
  })
  await app.register(rateLimit, { global: false, store: pgRateLimitStore(deps.prisma) })
  await app.register(openapiPlugin)
  await app.register(authPlugin)
  await app.register(eventsPlugin)

  await app.register(systemRoutes, { prefix: '/api' })
  await app.register(authRoutes, { prefix: '/api/auth' })
  await app.register(peopleRoutes, { prefix: '/api' })
  await app.register(documentRoutes, { prefix: '/api/documents' })
  await app.register(versionRoutes, { prefix: '/api/documents' })
  await app.register(textRoutes, { prefix: '/api/documents' })
  await app.register(auditRoutes, { prefix: '/api' })
  await app.register(notificationRoutes, { prefix: '/api' })
  await app.register(calendarRoutes, { prefix: '/api' })
  await app.register(approvalRoutes, { prefix: '/api' })
  await app.register(approvalSettingsRoutes, { prefix: '/api' })
  await app.register(signingRoutes, { prefix: '/api' })
  await app.register(verifyRoutes, { prefix: '/api' })
  await app.register(registrationRoutes, { prefix: '/api' })
  await app.register(dutiesRoutes, { prefix: '/api' })
  await app.register(distributionRoutes, { prefix: '/api' })
  await app.register(assignmentRoutes, { prefix: '/api' })
  await app.register(reportRoutes, { prefix: '/api' })

  const clientDir = deps.clientDir ?? CLIENT_DIST
  const hasClient = existsSync(join(clientDir, 'index.html'))
  if (hasClient) {
    await app.register(fastifyStatic, { root: clientDir, wildcard: false, index: false, maxAge: '1h', immutable: false })
  }
  app.setNotFoundHandler((req, reply) => {
    // The workspace is a single-page app: unknown non-API paths get its shell.
    if (hasClient && (req.method === 'GET' || req.method === 'HEAD') && !req.url.startsWith('/api')) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html')
    }
    return sendProblem(reply, 'NOT_FOUND', `${req.method} ${req.url.split('?')[0]}`)
  })
  return app
}
