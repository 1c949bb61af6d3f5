import type { Static } from 'typebox'
import type { Db } from '../db/client.ts'
import { DocumentKindT } from '../documents/schemas.ts'
import type { InboxOut, StageKindT } from './schemas.ts'

export { InboxItem, InboxOut } from './schemas.ts'

interface Row {
  task: 'approve' | 'review' | 'returned'
  document_id: string
  title: string
  document_kind: Static<typeof DocumentKindT>
  approval_id: string
  stage_name: string
  stage_kind: Static<typeof StageKindT> | null
  due_at: Date | null
  since: Date
  on_behalf_of: string | null
}

/**
 * "Сьогодні": what awaits this person now. Tasks come through the positions they hold and
 * the positions of people they stand in for, read from the participants whose task is open
 * (approval_participant.open, kept by persistTransition) through the (position, open) index:
 * the work grows with this person's own tasks, not with everyone's. Drafts returned for
 * revision are found from their authors (this person, and whom they stand in for).
 */
export async function inbox(db: Db, userId: string, now = new Date()): Promise<InboxOut> {
  const rows = await db.$queryRaw<Row[]>`
    WITH mine AS MATERIALIZED (
      SELECT ph.position_id, NULL::text AS on_behalf_of
        FROM position_holder ph
       WHERE ph.user_id = ${userId}::uuid AND ph.since <= ${now} AND (ph.until IS NULL OR ph.until > ${now})
      UNION ALL
      SELECT ph.position_id, hu.full_name
        FROM substitution s
        JOIN position_holder ph ON ph.user_id = s.user_id AND ph.since <= ${now} AND (ph.until IS NULL OR ph.until > ${now})
        JOIN app_user hu ON hu.id = s.user_id
       WHERE s.substitute_id = ${userId}::uuid AND s.cancelled_at IS NULL AND s.starts_at <= ${now} AND s.ends_at > ${now}
    )
    SELECT DISTINCT ON (st.id)
           CASE WHEN st.kind = 'expert_review' THEN 'review' ELSE 'approve' END AS task,
           d.id AS document_id, d.title, d.kind AS document_kind, a.id AS approval_id,
           st.name AS stage_name, st.kind AS stage_kind, st.due_at, st.activated_at AS since, mine.on_behalf_of
      FROM mine
      JOIN approval_participant ap ON ap.position_id = mine.position_id AND ap.open
      JOIN approval_stage st ON st.id = ap.stage_id
      JOIN approval a ON a.id = st.approval_id
      JOIN document d ON d.id = a.document_id
    UNION ALL
    SELECT 'returned', d.id, d.title, d.kind, a.id, st.name, st.kind, NULL, st.finished_at, NULL
      FROM (SELECT ${userId}::uuid AS user_id
            UNION
            SELECT s.user_id FROM substitution s
             WHERE s.substitute_id = ${userId}::uuid AND s.cancelled_at IS NULL AND s.starts_at <= ${now} AND s.ends_at > ${now}) au
      -- A returned route's document is a draft again (persistTransition), so the author's drafts are the place to look.
      JOIN document d ON d.created_by_id = au.user_id AND d.status = 'draft'
      JOIN approval a ON a.document_id = d.id AND a.state = 'returned'
      JOIN approval_stage st ON st.approval_id = a.id AND st.state = 'returned'`
  const items = rows
    .map((r) => ({
      task: r.task,
      documentId: r.document_id,
      title: r.title,
      documentKind: r.document_kind,
      approvalId: r.approval_id,
      stageName: r.stage_name,
      stageKind: r.stage_kind,
      dueAt: r.due_at?.toISOString() ?? null,
      overdue: r.due_at !== null && r.due_at < now,
      since: (r.since ?? now).toISOString(),
      onBehalfOf: r.on_behalf_of,
    }))
    // Overdue first, then by deadline, then the oldest task.
    .sort((x, y) => Number(y.overdue) - Number(x.overdue) || (x.dueAt ?? '9').localeCompare(y.dueAt ?? '9') || x.since.localeCompare(y.since))
  return {
    counts: {
      toApprove: items.filter((i) => i.task === 'approve').length,
      toReview: items.filter((i) => i.task === 'review').length,
      returned: items.filter((i) => i.task === 'returned').length,
      overdue: items.filter((i) => i.overdue).length,
    },
    items,
  }
}
