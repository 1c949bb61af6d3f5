import { AppError } from '../errors.ts'
import type { Prisma, ApprovalParticipant, ApprovalStage, ApprovalState, DocumentKind, DocumentStatus, Visa } from '../generated/prisma/client.ts'
import { asSql, empty, sql, type Conn } from '../db/sql.ts'
import { calendarSpan } from '../calendar/calendar.service.ts'
import type { DayKind } from '../calendar/working-days.ts'
import type { ApprovalSnapshot } from './machine.ts'
import { actorsFromRows, actorsSql, type ActorRow, type PositionActors } from './people.ts'

/** An approval with everything a transition and its presentation need, read in one statement. */
export interface LoadedApproval {
  id: string
  documentId: string
  templateId: string
  state: ApprovalState
  round: number
  rowVersion: number
  startedById: string
  startedAt: Date
  finishedAt: Date | null
  template: { id: string; name: string; version: number; restartFromFirst: boolean }
  startedBy: { id: string; fullName: string }
  document: {
    id: string
    kind: DocumentKind
    title: string
    status: DocumentStatus
    createdById: string
    authorUnitId: string
    authorUnitName: string
    /** The newest version only (what approvers read and visas bind to), or none. */
    versions: { id: string; number: number; sha256: string; fileName: string; mediaType: string }[]
  }
  stages: (ApprovalStage & { participants: (ApprovalParticipant & { visas: Visa[] })[] })[]
  /**
   * The working-day calendar's exceptions around this moment (calendarFor), when read for a
   * transition (lockApproval); null otherwise.
   */
  calendar: Map<string, DayKind> | null
  /** Read with it, as of `at`: who acts for the route's positions and for the author. */
  people: {
    /**
     * The database's clock when it was read: the transaction's start (now()). A transition
     * takes its time from here (visas, activations, deadlines), so every server instance
     * stamps by one clock.
     */
    at: Date
    /** Holders and substitutes of every position on the route (people.ts actorsOf). */
    actors: Map<string, PositionActors>
    /** The author and the author's current substitutes: who may resubmit or withdraw. */
    authorSide: string[]
  }
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] }

const date = (s: string) => new Date(s)
const dateOrNull = (s: string | null) => (s === null ? null : new Date(s))

/**
 * The approval, its template, document (with the author's unit and newest version), starter,
 * stages in order, their participants in id order and every visa, and who acts for the
 * positions and for the author at the database's now(). One statement: JSON built by PostgreSQL, dates turned
 * back into Dates here.
 */
const LOAD = (where: Prisma.Sql, opts: { lock?: boolean; calendar?: boolean } = {}) => sql`
  SELECT json_build_object(
    'id', a.id, 'documentId', a.document_id, 'templateId', a.template_id, 'state', a.state, 'round', a.round,
    'rowVersion', a.row_version, 'startedById', a.started_by_id, 'startedAt', a.started_at, 'finishedAt', a.finished_at,
    'template', json_build_object('id', t.id, 'name', t.name, 'version', t.version, 'restartFromFirst', t.restart_from_first),
    'startedBy', json_build_object('id', u.id, 'fullName', u.full_name),
    'document', json_build_object(
      'id', d.id, 'kind', d.kind, 'title', d.title, 'status', d.status, 'createdById', d.created_by_id,
      'authorUnitId', d.author_unit_id, 'authorUnitName', un.name,
      'versions', (SELECT coalesce(json_agg(json_build_object('id', v.id, 'number', v.number, 'sha256', v.sha256, 'fileName', v.file_name, 'mediaType', v.media_type)), '[]')
                     FROM (SELECT * FROM version WHERE document_id = d.id ORDER BY number DESC LIMIT 1) v)),
    'stages', (SELECT coalesce(json_agg(json_build_object(
        'id', s.id, 'approvalId', s.approval_id, 'index', s.index, 'name', s.name, 'kind', s.kind, 'rule', s.rule,
        'deadlineDays', s.deadline_days, 'state', s.state, 'activatedAt', s.activated_at, 'dueAt', s.due_at, 'finishedAt', s.finished_at,
        'participants', (SELECT coalesce(json_agg(json_build_object(
            'id', p.id, 'stageId', p.stage_id, 'positionId', p.position_id, 'mandatory', p.mandatory, 'addedById', p.added_by_id, 'open', p.open,
            'visas', (SELECT coalesce(json_agg(json_build_object(
                'id', x.id, 'approvalId', x.approval_id, 'stageId', x.stage_id, 'participantId', x.participant_id, 'round', x.round,
                'decision', x.decision, 'comment', x.comment, 'userId', x.user_id, 'onBehalfOfId', x.on_behalf_of_id,
                'positionTitle', x.position_title, 'fullName', x.full_name, 'onBehalfOfName', x.on_behalf_of_name,
                'versionId', x.version_id, 'versionNumber', x.version_number, 'versionSha256', x.version_sha256, 'at', x.at) ORDER BY x.at, x.id), '[]')
              FROM visa x WHERE x.participant_id = p.id)) ORDER BY p.id), '[]')
          FROM approval_participant p WHERE p.stage_id = s.id)) ORDER BY s.index), '[]')
      FROM approval_stage s WHERE s.approval_id = a.id),
    'at', now(),
    'actors', (SELECT coalesce(json_agg(r), '[]') FROM (${actorsSql(sql`now()`, sql`ARRAY(
        SELECT p.position_id FROM approval_participant p JOIN approval_stage s ON s.id = p.stage_id WHERE s.approval_id = a.id)`)}) r),
    'authorSubstitutes', (SELECT coalesce(json_agg(x.substitute_id ORDER BY x.created_at, x.id), '[]')
       FROM substitution x WHERE x.user_id = d.created_by_id AND x.cancelled_at IS NULL AND x.starts_at <= now() AND x.ends_at > now()),
    'calendar', ${opts.calendar ? calendarPart(new Date()) : sql`NULL`}${
      // The approval's row version in the statement's snapshot; under FOR UPDATE, a.row_version
      // is the newest committed one (see lockApproval).
      opts.lock ? sql`, 'seenRowVersion', (SELECT x.row_version FROM approval x WHERE x.id = a.id)` : empty
    }
  ) AS a
  FROM approval a
  JOIN route_template t ON t.id = a.template_id
  JOIN app_user u ON u.id = a.started_by_id
  JOIN document d ON d.id = a.document_id
  JOIN unit un ON un.id = d.author_unit_id
  ${where}${opts.lock ? sql` FOR UPDATE OF a` : empty}`

// The span is a month back and more than a year ahead: this process's clock is close enough to pick it.
const calendarPart = (around: Date) => {
  const [from, to] = calendarSpan(around)
  return sql`(SELECT coalesce(json_agg(json_build_array(c.date::text, c.kind)), '[]') FROM calendar_day c WHERE c.date BETWEEN ${from}::date AND ${to}::date)`
}

type Raw = Json<Omit<LoadedApproval, 'stages' | 'people'>> & {
  stages: (Json<ApprovalStage> & { participants: (ApprovalParticipant & { visas: Json<Visa>[] })[] })[]
  actors: ActorRow[]
  authorSubstitutes: string[]
  calendar: [string, DayKind][] | null
  /** Only when locking. */
  seenRowVersion?: number
  at: string
}

function revive({ actors, authorSubstitutes, calendar, seenRowVersion: _, at, ...r }: Raw): LoadedApproval {
  return {
    ...r,
    calendar: calendar ? new Map(calendar) : null,
    people: { at: date(at), actors: actorsFromRows(actors), authorSide: [r.document.createdById, ...authorSubstitutes] },
    startedAt: date(r.startedAt),
    finishedAt: dateOrNull(r.finishedAt),
    stages: r.stages.map((s) => ({
      ...s,
      activatedAt: dateOrNull(s.activatedAt),
      dueAt: dateOrNull(s.dueAt),
      finishedAt: dateOrNull(s.finishedAt),
      participants: s.participants.map((p) => ({ ...p, visas: p.visas.map((v) => ({ ...v, at: date(v.at) })) })),
    })),
  }
}

/** One approval by id, or null. */
export async function readApproval(db: Conn, id: string): Promise<LoadedApproval | null> {
  const rows = await asSql(db).query<{ a: Raw }>(LOAD(sql`WHERE a.id = ${id}::uuid`))
  return rows[0] ? revive(rows[0].a) : null
}

/** The document's latest approval, if it ever went on one. */
export async function latestApproval(db: Conn, documentId: string): Promise<LoadedApproval | null> {
  const rows = await asSql(db).query<{ a: Raw }>(LOAD(sql`WHERE a.document_id = ${documentId}::uuid ORDER BY a.started_at DESC, a.id DESC LIMIT 1`))
  return rows[0] ? revive(rows[0].a) : null
}

/**
 * Locks the approval row for the rest of the transaction and loads everything a transition
 * needs, the calendar included, with one statement (FOR UPDATE OF the approval). If another
 * transaction changed the approval after this statement's snapshot was taken, the lock waits
 * for it and yields the row as it committed, while the rest of the statement still reads the
 * snapshot's older stages and visas; every transition bumps the row version, so the two
 * versions differ exactly then, and the approval is read again, now under the lock, seeing
 * what the other transaction committed.
 */
export async function lockApproval(tx: Conn, id: string): Promise<LoadedApproval> {
  const db = asSql(tx)
  const rows = await db.query<{ a: Raw }>(LOAD(sql`WHERE a.id = ${id}::uuid`, { lock: true, calendar: true }))
  if (!rows[0]) throw new AppError('APPROVAL_NOT_FOUND')
  if (rows[0].a.rowVersion === rows[0].a.seenRowVersion) return revive(rows[0].a)
  const again = await db.query<{ a: Raw }>(LOAD(sql`WHERE a.id = ${id}::uuid`, { calendar: true }))
  return revive(again[0]!.a)
}

/** The machine's view of a loaded approval: decisions of the current round only. */
export function snapshotOf(a: LoadedApproval): ApprovalSnapshot {
  return {
    state: a.state,
    round: a.round,
    restartFromFirst: a.template.restartFromFirst,
    stages: a.stages.map((st) => ({
      index: st.index,
      kind: st.kind,
      rule: st.rule,
      state: st.state,
      participants: st.participants.map((p) => ({ id: p.id, decision: p.visas.find((v) => v.round === a.round)?.decision ?? null })),
    })),
  }
}

/** The document's newest version as loaded with the approval (what approvers read and visas bind to). */
export function currentVersion(a: LoadedApproval) {
  const v = a.document.versions[0]
  if (!v) throw new AppError('NO_VERSION')
  return v
}
