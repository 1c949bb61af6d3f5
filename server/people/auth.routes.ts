import { Type } from 'typebox'
import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf, requireAuth } from '../plugins/auth.ts'
import { errors, Ok } from '../schemas.ts'
import { audit } from '../audit/record.ts'
import { hashPassword, verifyPassword } from './passwords.ts'
import { LoginBody, PasswordChangeBody, SessionOut } from './schemas.ts'
import { createSession, deleteSession, lookupSession, SESSION_COOKIE, type Auth } from './sessions.ts'

const presentSession = (a: Auth, uploadMaxBytes: number) => ({
  user: { id: a.userId, login: a.login, fullName: a.fullName },
  roles: a.roles,
  positions: a.positions,
  csrfToken: a.csrfToken,
  expiresAt: a.expiresAt.toISOString(),
  limits: { uploadMaxBytes },
})

/** Login, logout, the current session and password change. */
export default async function authRoutes(app: App) {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: app.config.cookieSecure }

  app.post(
    '/login',
    {
      config: {
        access: 'public',
        rateLimit: { max: app.config.loginRateLimit.max, timeWindow: app.config.loginRateLimit.windowMinutes * 60_000, keyGenerator: (req) => `login:${req.ip}` },
      },
      schema: { tags: ['auth'], summary: 'Sign in', body: LoginBody, response: { 200: SessionOut, ...errors(400, 401, 429) } },
    },
    async (req, reply) => {
      const login = req.body.login.trim().toLowerCase()
      const user = await app.prisma.user.findUnique({ where: { login } })
      const ok = await verifyPassword(user?.passwordHash ?? null, req.body.password)
      if (!user || !ok || !user.active) {
        req.log.warn({ login }, 'failed login')
        throw new AppError('INVALID_CREDENTIALS')
      }
      const { token, session } = await app.prisma.$transaction(async (tx) => {
        const created = await createSession(tx, user.id, app.config.sessionTtlHours, { ip: req.ip, userAgent: req.headers['user-agent'] ?? null })
        await audit(tx, { userId: user.id, ip: req.ip }, { action: 'auth.login', targetType: 'session', targetId: created.session.id.slice(0, 16) })
        return created
      })
      const auth = await lookupSession(app.sql, token, app.config.sessionTtlHours)
      if (!auth) throw new AppError('INTERNAL')
      reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, expires: session.expiresAt })
      return presentSession(auth, app.config.uploadMaxBytes)
    },
  )

  app.get(
    '/session',
    {
      config: { access: 'public' },
      schema: { tags: ['auth'], summary: 'The current session with its CSRF token, or null when not signed in', response: { 200: Type.Union([SessionOut, Type.Null()]) } },
    },
    async (req) => (req.auth ? presentSession(req.auth, app.config.uploadMaxBytes) : null),
  )

  app.post(
    '/logout',
    { config: { access: 'authenticated' }, schema: { tags: ['auth'], summary: 'Sign out', response: { 200: Ok, ...errors(401, 403) } } },
    async (req, reply) => {
      const auth = requireAuth(req)
      await app.prisma.$transaction(async (tx) => {
        await deleteSession(tx, auth.sessionId)
        await audit(tx, actorOf(req), { action: 'auth.logout', targetType: 'session', targetId: auth.sessionId.slice(0, 16) })
      })
      reply.clearCookie(SESSION_COOKIE, cookieOptions)
      return { ok: true as const }
    },
  )

  app.post(
    '/password',
    {
      config: { access: 'authenticated', rateLimit: { max: app.config.loginRateLimit.max, timeWindow: app.config.loginRateLimit.windowMinutes * 60_000, keyGenerator: (req) => `password:${req.ip}` } },
      schema: { tags: ['auth'], summary: 'Change my password (ends my other sessions)', body: PasswordChangeBody, response: { 200: Ok, ...errors(400, 401, 403, 429) } },
    },
    async (req) => {
      const auth = requireAuth(req)
      const user = await app.prisma.user.findUniqueOrThrow({ where: { id: auth.userId } })
      if (!(await verifyPassword(user.passwordHash, req.body.currentPassword))) throw new AppError('INVALID_CREDENTIALS', 'поточний пароль неправильний')
      const passwordHash = await hashPassword(req.body.newPassword)
      await app.prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: user.id }, data: { passwordHash } })
        await tx.session.deleteMany({ where: { userId: user.id, id: { not: auth.sessionId } } })
        await audit(tx, actorOf(req), { action: 'auth.password_changed', targetType: 'user', targetId: user.id })
      })
      return { ok: true as const }
    },
  )
}
