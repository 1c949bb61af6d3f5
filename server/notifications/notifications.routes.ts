import type { App } from '../app.ts'
import { requireAuth } from '../plugins/auth.ts'
import { errors, IdParams } from '../schemas.ts'
import { listNotifications, markAllRead, markRead } from './notifications.service.ts'
import { NotificationList, NotificationListQuery, NotificationOut, ReadAllOut } from './schemas.ts'

/** The person's own in-app notifications: list, mark one read, mark all read. */
export default async function notificationRoutes(app: App) {
  app.get(
    '/notifications',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['notifications'], summary: 'My notifications, newest first, with the unread count', querystring: NotificationListQuery, response: { 200: NotificationList, ...errors(400, 401, 404) } },
    },
    async (req) => listNotifications(app.prisma, requireAuth(req).userId, req.query),
  )
  app.post(
    '/notifications/read-all',
    { config: { access: 'authenticated' }, schema: { tags: ['notifications'], summary: 'Mark all my notifications read', response: { 200: ReadAllOut, ...errors(401, 403) } } },
    async (req) => markAllRead(app.prisma, { userId: requireAuth(req).userId, ip: req.ip ?? null }),
  )
  app.post(
    '/notifications/:id/read',
    { config: { access: 'authenticated' }, schema: { tags: ['notifications'], summary: 'Mark one of my notifications read', params: IdParams, response: { 200: NotificationOut, ...errors(400, 401, 403, 404) } } },
    async (req) => markRead(app.prisma, { userId: requireAuth(req).userId, ip: req.ip ?? null }, req.params.id),
  )
}
