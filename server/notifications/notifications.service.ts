import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Notification, Prisma } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import { publish } from './notify.ts'
import type { NotificationKind } from './notify.ts'
import type { NotificationList, NotificationListQuery, NotificationOut, ReadAllOut } from './schemas.ts'

/** The API view of a notification row. */
export const presentNotification = (n: Notification): NotificationOut => ({
  id: n.id,
  kind: n.kind as NotificationKind,
  title: n.title,
  body: n.body,
  link: n.link,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
})

const unreadCount = (db: Db | Prisma.TransactionClient, userId: string) => db.notification.count({ where: { userId, readAt: null } })

/** A page of the person's own notifications, newest first, with their total unread count. */
export async function listNotifications(db: Db, userId: string, q: NotificationListQuery): Promise<NotificationList> {
  let after: Prisma.NotificationWhereInput = {}
  if (q.before) {
    const cursor = await db.notification.findFirst({ where: { id: q.before, userId }, select: { id: true, createdAt: true } })
    if (!cursor) throw new AppError('NOTIFICATION_NOT_FOUND', `no notification ${q.before} of yours to continue after`)
    // Notifications made in one transaction share created_at; the id breaks the tie so no page skips one.
    after = { OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }] }
  }
  const [rows, unread] = await Promise.all([
    db.notification.findMany({
      where: { userId, ...(q.unread ? { readAt: null } : {}), ...after },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit ?? 30,
    }),
    unreadCount(db, userId),
  ])
  return { items: rows.map(presentNotification), unread }
}

/** Marks one of the person's notifications read (audited once; repeating it changes nothing). */
export async function markRead(db: Db, actor: Actor & { userId: string }, id: string): Promise<NotificationOut> {
  return db.$transaction(async (tx) => {
    // Someone else's notification is indistinguishable from a missing one.
    const { count } = await tx.notification.updateMany({ where: { id, userId: actor.userId, readAt: null }, data: { readAt: new Date() } })
    const n = await tx.notification.findFirst({ where: { id, userId: actor.userId } })
    if (!n) throw new AppError('NOTIFICATION_NOT_FOUND')
    if (count > 0) {
      // The person's other open tabs update their unread badge.
      await publish(tx, { userIds: [actor.userId], type: 'notification.read' })
      await audit(tx, actor, { action: 'notification.read', targetType: 'notification', targetId: id })
    }
    return presentNotification(n)
  })
}

/** Marks all of the person's unread notifications read, as one audit event. */
export async function markAllRead(db: Db, actor: Actor & { userId: string }): Promise<ReadAllOut> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { userId: actor.userId, readAt: null }, data: { readAt: new Date() } })
    const unread = await unreadCount(tx, actor.userId)
    if (count > 0) {
      await publish(tx, { userIds: [actor.userId], type: 'notification.read' })
      await audit(tx, actor, { action: 'notification.read', targetType: 'notification', targetId: null, after: { all: true, count } })
    }
    return { updated: count, unread }
  })
}
