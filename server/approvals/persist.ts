import type { Prisma } from '../generated/prisma/client.ts'
import { asSql, empty, join, raw, sql, type Conn } from '../db/sql.ts'
import type { DocumentStatus } from '../generated/prisma/client.ts'
import { auditInsert, type Actor, type AuditEntry } from '../audit/record.ts'
import { addJobs, type JobSpec } from '../jobs/queue.ts'
import { notify, publish, type NotificationInput } from '../notifications/notify.ts'
import { calendarFor } from '../calendar/calendar.service.ts'
import { addWorkingDays, reminderAt } from '../calendar/working-days.ts'
import type { ApprovalSnapshot, Effect } from './machine.ts'
import type { LoadedApproval } from './load.ts'
import { peopleToNotify } from './people.ts'

const DOCUMENT_STATUS: Record<ApprovalSnapshot['state'], DocumentStatus> = {
  running: 'in_approval',
  returned: 'draft',
  completed: 'approved',
  withdrawn: 'withdrawn',
}

// Made once: building an Intl formatter costs more than a whole statement round trip.
const DUE_FORMAT = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', dateStyle: 'long' })

export const documentLink = (documentId: string) => `/documents/${documentId}`

/** Participants whose task is open after a transition: on the active stage of a running route, not yet decided this round. */
export function openParticipants(next: ApprovalSnapshot): Set<string> {
  const open = new Set<string>()
  if (next.state !== 'running') return open
  for (const st of next.stages) if (st.state === 'active') for (const p of st.participants) if (p.decision === null) open.add(p.id)
  return open
}

export interface Persisted {
  /** The approval as written: states, deadlines and open flags of this transition (visas as loaded; the caller adds a new one). */
  after: LoadedApproval
}

export interface PersistOptions {
  /** The transition's time; by default the database's, read with the approval. */
  now?: Date
  /**
   * The caller's own rows, written by the same statement as the transition: data-modifying
   * statements (INSERT/UPDATE/DELETE) that touch none of the transition's rows and read
   * nothing it writes (every part of one statement sees the same snapshot).
   */
  with?: Prisma.Sql[]
  /** The caller's audit events, recorded right after the transition's own (stage activations). */
  audit?: AuditEntry[]
}

/**
 * Writes a transition: stage states and deadlines, participants' open flags (the inbox),
 * the approval's state, the document's status, reminder jobs for a newly active stage and the
 * audit events (its own, then the caller's), with the caller's rows, in one statement; then
 * the notifications and the live event (notify(), a second statement). All in the caller's
 * transaction, so that none of it exists unless the transition commits. Who hears about it
 * comes from the people read with the approval (LoadedApproval.people), and deadlines from the
 * calendar read with it when lockApproval() read it.
 */
export async function persistTransition(conn: Conn, a: LoadedApproval, next: ApprovalSnapshot, effects: Effect[], actor: Actor, opts: PersistOptions = {}): Promise<Persisted> {
  const tx = asSql(conn)
  // The database's clock as the approval was read (see LoadedApproval.people.at).
  const now = opts.now ?? a.people.at
  // Read with the approval by lockApproval(); start() reads it here.
  const calendar = effects.some((e) => e.type === 'stage_activated') ? (a.calendar ?? (await calendarFor(tx, now))) : null
  const activated = new Map<number, Date>()
  const stages: LoadedApproval['stages'] = []
  // keep: a finished stage keeps its activation and deadline as they are.
  const stageRows: { id: string; state: string; keep: boolean; activated_at: Date | null; due_at: Date | null; finished_at: Date | null }[] = []
  const jobs: JobSpec[] = []
  const open = openParticipants(next)
  for (const st of a.stages) {
    const to = next.stages.find((x) => x.index === st.index)!.state
    const activates = effects.some((e) => e.type === 'stage_activated' && e.index === st.index)
    const participants = st.participants.map((p) => (p.open === open.has(p.id) ? p : { ...p, open: open.has(p.id) }))
    if (to === st.state && !activates) {
      stages.push({ ...st, participants })
      continue
    }
    let row: Pick<typeof st, 'state' | 'activatedAt' | 'dueAt' | 'finishedAt'>
    if (to === 'active') {
      const dueAt = addWorkingDays(now, st.deadlineDays, calendar!)
      activated.set(st.index, dueAt)
      row = { state: to, activatedAt: now, dueAt, finishedAt: null }
      // One reminder and one overdue check per stage and round; a later round gets its own.
      jobs.push(
        { task: 'stage_reminder', payload: { stageId: st.id, round: next.round }, runAt: reminderAt(dueAt, calendar!), jobKey: `stage_reminder:${st.id}:${next.round}` },
        { task: 'stage_overdue', payload: { stageId: st.id, round: next.round }, runAt: dueAt, jobKey: `stage_overdue:${st.id}:${next.round}` },
      )
    } else if (to === 'pending' || to === 'skipped') {
      row = { state: to, activatedAt: null, dueAt: null, finishedAt: null }
    } else {
      row = { state: to, activatedAt: st.activatedAt, dueAt: st.dueAt, finishedAt: now }
    }
    const keep = row.state === 'done' || row.state === 'returned'
    stageRows.push({ id: st.id, state: row.state, keep, activated_at: keep ? null : row.activatedAt, due_at: keep ? null : row.dueAt, finished_at: row.finishedAt })
    stages.push({ ...st, ...row, participants })
  }
  // Participants whose task opened or closed (the inbox's flags).
  const flips = a.stages.flatMap((st) => st.participants.filter((p) => p.open !== open.has(p.id)).map((p) => p.id))
  const finished = next.state === 'completed' || next.state === 'withdrawn'
  const finishedAt = finished ? now : null
  // The document's status follows the route; a visa inside a running route leaves it as it is.
  const status = DOCUMENT_STATUS[next.state]
  const documentChanges = a.document.status !== status

  const audits: AuditEntry[] = []
  for (const e of effects) {
    if (e.type === 'stage_activated') {
      const st = a.stages.find((x) => x.index === e.index)!
      audits.push({ action: 'approval.stage_activated', targetType: 'document', targetId: a.documentId, after: { approvalId: a.id, stage: st.name, index: st.index, round: next.round, dueAt: activated.get(e.index)!.toISOString() } })
    }
  }
  audits.push(...(opts.audit ?? []))

  // The transition's rows in one statement (each round trip costs more than the writes):
  // the stages that changed, the participants' flags, the document when its status moves,
  // the approval, the caller's rows, the audit events and the reminder jobs. Data-modifying
  // WITH parts always run to completion; the jobs' function runs because the result reads it.
  const parts = [...(opts.with ?? []), ...(audits.length ? [auditInsert(actor, audits)] : [])]
  await tx.exec(sql`
    WITH stages AS (
      UPDATE approval_stage s
         SET state = v.state::"StageState", finished_at = v.finished_at,
             activated_at = CASE WHEN v.keep THEN s.activated_at ELSE v.activated_at END,
             due_at = CASE WHEN v.keep THEN s.due_at ELSE v.due_at END
        FROM json_to_recordset(${JSON.stringify(stageRows)}::json) AS v(id uuid, state text, keep boolean, activated_at timestamptz, due_at timestamptz, finished_at timestamptz)
       WHERE s.id = v.id
    ), flags AS (
      UPDATE approval_participant SET open = (id = ANY(${[...open]}::uuid[])) WHERE id = ANY(${flips}::uuid[])
    ), doc AS (
      UPDATE document SET status = ${status}::"DocumentStatus", updated_at = ${now} WHERE id = ${a.documentId}::uuid AND ${documentChanges}
    ), route AS (
      UPDATE approval SET state = ${next.state}::"ApprovalState", round = ${next.round}, row_version = row_version + 1, finished_at = ${finishedAt}
       WHERE id = ${a.id}::uuid
    )${parts.length ? sql`, ${join(parts.map((q, i) => sql`${raw(`w${i}`)} AS (${q})`))}` : empty}
    SELECT ${jobs.length ? addJobs(jobs) : sql`0`} AS jobs`)
  const after: LoadedApproval = { ...a, state: next.state, round: next.round, rowVersion: a.rowVersion + 1, finishedAt, document: { ...a.document, status }, stages }

  // Who hears about it.
  const notes: NotificationInput[] = []
  const link = documentLink(a.documentId)
  const title = a.document.title
  const author = a.people.authorSide
  for (const e of effects) {
    if (e.type === 'stage_activated') {
      const st = a.stages.find((x) => x.index === e.index)!
      const positions = st.participants.map((p) => p.positionId)
      const people = peopleToNotify(positions.map((id) => a.people.actors.get(id)!))
      const due = activated.get(e.index)!
      for (const p of people) {
        notes.push({
          userId: p.id,
          kind: 'task_assigned',
          title: `${st.kind === 'expert_review' ? 'На експертизу' : 'На погодження'}: ${title}`,
          body: `Етап «${st.name}». Строк — до ${DUE_FORMAT.format(due)}`,
          link,
          dedupeKey: `task:${st.id}:${next.round}:${p.id}`,
          email: true,
        })
      }
    }
    if (e.type === 'stage_returned') {
      for (const p of author) notes.push({ userId: p, kind: 'returned', title: `Повернуто на доопрацювання: ${title}`, body: 'Перегляньте зауваження, завантажте нову версію та надішліть повторно.', link, dedupeKey: `returned:${a.id}:${next.round}:${p}`, email: true })
    }
    if (e.type === 'completed') {
      for (const p of author) notes.push({ userId: p, kind: 'completed', title: `Погодження завершено: ${title}`, link, dedupeKey: `completed:${a.id}:${p}`, email: true })
    }
  }
  const everyone = new Set([...author, ...notes.map((n) => n.userId), ...(actor.userId ? [actor.userId] : [])])
  const event = { userIds: [...everyone], type: 'approval', documentId: a.documentId }
  if (notes.length) await notify(tx, notes, [event])
  else await publish(tx, event)

  return { after }
}
