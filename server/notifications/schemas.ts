import { Type, type Static } from 'typebox'
import { DateTime, Uuid } from '../schemas.ts'

/** What a notification is about; the workspace picks an icon and wording by it. */
export const NOTIFICATION_KINDS = ['task_assigned', 'stage_reminder', 'stage_overdue', 'escalation', 'returned', 'completed', 'substitution', 'info'] as const

export const NotificationKindT = Type.Enum(NOTIFICATION_KINDS)

export const NotificationOut = Type.Object({
  id: Uuid,
  kind: NotificationKindT,
  title: Type.String(),
  body: Type.String(),
  link: Type.Union([Type.String({ description: 'Path inside the workspace, e.g. /documents/<id>' }), Type.Null()]),
  createdAt: DateTime,
  readAt: Type.Union([DateTime, Type.Null()]),
})
export type NotificationOut = Static<typeof NotificationOut>

export const NotificationListQuery = Type.Object(
  {
    unread: Type.Optional(Type.Boolean({ description: 'Only notifications not yet read' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 30 })),
    before: Type.Optional(Type.String({ format: 'uuid', description: 'Id of the last notification already shown: the page continues after it (older ones)' })),
  },
  { additionalProperties: false },
)
export type NotificationListQuery = Static<typeof NotificationListQuery>

export const NotificationList = Type.Object({
  items: Type.Array(NotificationOut, { description: 'Newest first' }),
  unread: Type.Integer({ description: 'How many of the person’s notifications are unread in all (not only on this page)' }),
})
export type NotificationList = Static<typeof NotificationList>

export const ReadAllOut = Type.Object({
  updated: Type.Integer({ description: 'How many notifications this call marked as read' }),
  unread: Type.Integer(),
})
export type ReadAllOut = Static<typeof ReadAllOut>

/** The events GET /api/events sends, by `event:` name; each `data:` is JSON. */
export const LiveEventData = Type.Object({
  type: Type.String({ description: 'Same as the event name: ready, resync, notification, or a domain event such as approval (an approval route of documentId changed)' }),
  documentId: Type.Optional(Type.String()),
})
export type LiveEventData = Static<typeof LiveEventData>
