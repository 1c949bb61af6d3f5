import type { Static } from 'typebox'
import type { Db } from '../db/client.ts'
import { DocumentKindT } from '../documents/schemas.ts'
import type { InboxOut, StageKindT } from './schemas.ts'

export { InboxItem, InboxOut } from './schemas.ts'

interface Row {
  n_approve: number
  n_review: number
  n_returned: number
  n_overdue: number
  n_matching: number
  task: 'approve' | 'review' | 'returned' | null
  document_id: string
  title: string
  document_kind: Static<typeof DocumentKindT>
  approval_id: string
  stage_name: string
  stage_kind: Static<typeof StageKindT> | null
  due_at: Date | null
  overdue: boolean
  since: Date | null
  on_behalf_of: string | null
}

export type InboxFilter = 'approve' | 'review' | 'returned' | 'overdue'

/** How many items a page of the inbox holds unless asked otherwise. */
export const INBOX_PAGE = 50

/**
 * "Сьогодні": what awaits this person now, with counts. Tasks come through the positions they
 * hold and the positions of people they stand in for, read from the participants whose task
 * is open (approval_participant.open, kept by persistTransition) through the (position, open)
 * index: the work grows with this person's own tasks, not with everyone's. Drafts returned for
 * revision are found from their authors (this person, and whom they stand in for).
 * One statement: the counts over all tasks, and the first `limit` tasks of the filter in
 * order (overdue first, then by deadline, then the oldest), joined to their documents only
 * then: a deputy mayor with seven hundred tasks gets the counts and one screen of them.
 */
export async function inbox(db: Db, userId: string, opts: { filter?: InboxFilter | null; limit?: number; now?: Date } = {}): Promise<InboxOut> {
  const now = opts.now ?? new Date()
  const filter = opts.filter ?? null
  const limit = opts.limit ?? INBOX_PAGE
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
    ),
    authors AS MATERIALIZED (
      SELECT ${userId}::uuid AS user_id
      UNION
      SELECT s.user_id FROM substitution s
       WHERE s.substitute_id = ${userId}::uuid AND s.cancelled_at IS NULL AND s.starts_at <= ${now} AND s.ends_at > ${now}
    ),
    tasks AS MATERIALIZED (
      SELECT DISTINCT ON (st.id)
             CASE WHEN st.kind = 'expert_review' THEN 'review' ELSE 'approve' END AS task,
             st.id AS stage_id, st.approval_id, st.name AS stage_name, st.kind AS stage_kind, st.due_at,
             st.due_at < ${now} AS overdue, st.activated_at AS since, mine.on_behalf_of
        FROM mine
        JOIN approval_participant ap ON ap.position_id = mine.position_id AND ap.open
        JOIN approval_stage st ON st.id = ap.stage_id
      UNION ALL
      -- A returned route's document is a draft again (persistTransition): look among the authors' drafts.
      SELECT 'returned', st.id, a.id, st.name, st.kind, NULL, false, st.finished_at, NULL
        FROM authors au
        JOIN document d ON d.created_by_id = au.user_id AND d.status = 'draft'
        JOIN approval a ON a.document_id = d.id AND a.state = 'returned'
        JOIN approval_stage st ON st.approval_id = a.id AND st.state = 'returned'
    ),
    chosen AS (
      SELECT * FROM tasks t WHERE ${filter}::text IS NULL OR t.task = ${filter}::text OR (${filter}::text = 'overdue' AND t.overdue)
    ),
    totals AS (
      SELECT count(*) FILTER (WHERE task = 'approve')::int AS n_approve,
             count(*) FILTER (WHERE task = 'review')::int AS n_review,
             count(*) FILTER (WHERE task = 'returned')::int AS n_returned,
             count(*) FILTER (WHERE overdue)::int AS n_overdue,
             (SELECT count(*) FROM chosen)::int AS n_matching
        FROM tasks
    )
    SELECT totals.*, p.*
      FROM totals
      LEFT JOIN (
        SELECT c.task, d.id AS document_id, d.title, d.kind AS document_kind, c.approval_id, c.stage_name, c.stage_kind,
               c.due_at, coalesce(c.overdue, false) AS overdue, c.since, c.on_behalf_of, c.stage_id
          FROM (SELECT * FROM chosen ORDER BY overdue DESC NULLS LAST, due_at ASC NULLS LAST, since ASC, stage_id LIMIT ${limit}) c
          JOIN approval a ON a.id = c.approval_id
          JOIN document d ON d.id = a.document_id
      ) p ON true
     ORDER BY p.overdue DESC NULLS LAST, p.due_at ASC NULLS LAST, p.since ASC, p.stage_id`
  const head = rows[0]!
  return {
    counts: { toApprove: head.n_approve, toReview: head.n_review, returned: head.n_returned, overdue: head.n_overdue },
    filter,
    total: head.n_matching,
    items: rows
      .filter((r) => r.task !== null)
      .map((r) => ({
        task: r.task!,
        documentId: r.document_id,
        title: r.title,
        documentKind: r.document_kind,
        approvalId: r.approval_id,
        stageName: r.stage_name,
        stageKind: r.stage_kind,
        dueAt: r.due_at?.toISOString() ?? null,
        overdue: r.overdue,
        since: (r.since ?? now).toISOString(),
        onBehalfOf: r.on_behalf_of,
      })),
  }
}
