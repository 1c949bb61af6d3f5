import { randomUUID } from 'node:crypto'
import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { Prisma } from '../generated/prisma/client.ts'
import { audit, type Actor, type AuditEntry } from '../audit/record.ts'
import { notify, publish, type NotificationInput } from '../notifications/notify.ts'
import type { Auth } from '../people/sessions.ts'
import { getVisibleDocument } from '../documents/documents.service.ts'
import { assertActive, assertCanSee, assertMayDelegateTo, assertMayIssueTo, capacitiesOf, headAbove, onBehalfFor, standingInFor, unitOfExecutor, type Acting } from './access.ts'
import { dateColumn, onWorkingDay, resolveDeadline, scheduleDeadlineJobs, workingDueDate, type TermSources } from './deadlines.ts'
import { cascade, CLOSED, transition, type Capacity, type Command, type Effect, type Snapshot, type Status } from './machine.ts'
import { resolveReportFiles } from './files.ts'
import type { AcceptBody, CancelBody, DelegateBody, ExtensionBody, ExtensionDecisionBody, FileOut, IssueBody, ReportBody, ReturnBody } from './schemas.ts'

/** What the services need from the application besides the database. */
export interface AssignmentDeps {
  prisma: Db
  reminderDays: readonly number[]
}

export const assignmentLink = (id: string) => `/assignments/${id}`

const lockedInclude = {
  coExecutors: { select: { userId: true } },
  extensions: { where: { status: 'pending' as const } },
} satisfies Prisma.AssignmentInclude
type Row = Prisma.AssignmentGetPayload<{ include: typeof lockedInclude }>
export interface Locked extends Row {
  coExecutorIds: string[]
  openChildren: number
}

/** One line of the instruction's text, for titles. */
export const shortText = (text: string, max = 100) => {
  const line = text.trim().split(/\r?\n/, 1)[0]!.trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}
const longDate = (d: Date) => d.toLocaleDateString('uk-UA', { timeZone: 'Europe/Kyiv', day: 'numeric', month: 'long', year: 'numeric' })

/** Locks the assignment row for the rest of the transaction and loads what a transition needs. */
export async function lockAssignment(tx: Tx, id: string): Promise<Locked> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM assignment WHERE id = ${id}::uuid FOR UPDATE`
  if (rows.length === 0) throw new AppError('ASSIGNMENT_NOT_FOUND')
  const a = await tx.assignment.findUniqueOrThrow({ where: { id }, include: lockedInclude })
  const openChildren = await tx.assignment.count({ where: { parentId: id, status: { notIn: [...CLOSED] } } })
  return { ...a, coExecutorIds: a.coExecutors.map((c) => c.userId), openChildren }
}

export const snapshotOf = (a: Locked): Snapshot => ({
  status: a.status,
  dueAt: a.dueAt.getTime(),
  startedAt: a.startedAt?.getTime() ?? null,
  openChildren: a.openChildren,
  pendingExtension: a.extensions.length > 0,
})

/** Everyone an assignment concerns (for live updates). */
const everyone = (a: { issuedById: string; executorId: string; controllerId: string; coExecutorIds: readonly string[] }) => [...new Set([a.issuedById, a.executorId, a.controllerId, ...a.coExecutorIds])]

interface Session {
  a: Locked
  acting: Acting
  standsInFor: string[]
  now: Date
}

/**
 * Opens an action: locks the row, works out the person's capacities (their own and those of
 * people they stand in for), and checks the version they saw. Someone without any capacity
 * who cannot even see the assignment is told it does not exist.
 */
async function begin(tx: Tx, auth: Auth, id: string, rowVersion: number | undefined): Promise<Session> {
  const now = new Date()
  const a = await lockAssignment(tx, id)
  const standsInFor = await standingInFor(tx, auth.userId, now)
  const acting = capacitiesOf(a, auth.userId, standsInFor)
  if (acting.as.length === 0) await assertCanSee(tx, auth, a, standsInFor)
  if (rowVersion !== undefined && rowVersion !== a.rowVersion) throw new AppError('ASSIGNMENT_STALE', `ви бачили версію ${rowVersion}, чинна — ${a.rowVersion}`, { rowVersion: a.rowVersion })
  return { a, acting, standsInFor, now }
}

function decide(s: Session, cmd: Command) {
  const out = transition(snapshotOf(s.a), cmd, { as: s.acting.as, now: s.now.getTime() })
  if (!out.ok) throw new AppError(out.reason)
  return out
}

/** Who the person acts for in a command that needs one of these capacities (for the record). */
const behalf = (s: Session, auth: Auth, needed: Capacity[]) => onBehalfFor(s.a, auth.userId, s.standsInFor, needed)

/** Writes the machine's next snapshot to the row and bumps its version. */
async function writeRow(tx: Tx, s: Session, next: Snapshot, extra: Prisma.AssignmentUpdateInput = {}) {
  return tx.assignment.update({
    where: { id: s.a.id },
    data: {
      status: next.status,
      startedAt: next.startedAt === null ? null : new Date(next.startedAt),
      dueAt: new Date(next.dueAt),
      rowVersion: { increment: 1 },
      ...extra,
    },
  })
}

/** A pending extension request that closing the assignment made moot is closed too, on record. */
async function dropPendingExtensions(tx: Tx, s: Session, auth: Auth, why: string, entries: AuditEntry[]) {
  for (const e of s.a.extensions) {
    await tx.extension.update({ where: { id: e.id }, data: { status: 'refused', decidedById: auth.userId, decidedAt: s.now, comment: why } })
    entries.push({ action: 'extension.refused', targetType: 'assignment', targetId: s.a.id, after: { extensionId: e.id, automatic: true, comment: why } })
  }
}

async function finish(tx: Tx, actor: Actor, s: Session, notes: NotificationInput[], entries: AuditEntry[], alsoTell: string[] = []) {
  if (notes.length) await notify(tx, notes)
  await publish(tx, { userIds: [...new Set([...everyone(s.a), ...alsoTell, ...notes.map((n) => n.userId)])], type: 'assignment' })
  // Each event on the assignment itself records the state it found (the `after` says what it made of it).
  const before = { status: s.a.status, dueAt: s.a.dueAt.toISOString(), rowVersion: s.a.rowVersion }
  for (const e of entries) await audit(tx, actor, e.targetId === s.a.id && e.before === undefined ? { ...e, before } : e)
}

const startedEntry = (s: Session, onBehalfOf: string | null): AuditEntry => ({ action: 'assignment.started', targetType: 'assignment', targetId: s.a.id, after: { status: 'in_work', onBehalfOf } })
const has = (effects: Effect[], type: Effect['type']) => effects.some((e) => e.type === type)

// ---- Issuing ----------------------------------------------------------------------------

function checkPeople(executorId: string, controllerId: string, coExecutorIds: string[]) {
  if (executorId === controllerId) throw new AppError('CONTROLLER_IS_EXECUTOR')
  if (coExecutorIds.includes(executorId)) throw new AppError('VALIDATION_FAILED', 'відповідальний виконавець не може бути водночас співвиконавцем')
}

async function termSources(db: Db | Tx, documentId: string | null): Promise<TermSources | null> {
  if (!documentId) return null
  const r = await db.registration.findUnique({ where: { documentId }, select: { registeredAt: true, receivedAt: true } })
  return { registeredAt: r?.registeredAt ?? null, receivedAt: r?.receivedAt ?? null }
}

function issuedNotes(a: { id: string; text: string; executorId: string; controllerId: string; issuedById: string; dueAt: Date }, coExecutorIds: string[], issuerName: string, parent: boolean): NotificationInput[] {
  const body = `Від: ${issuerName}. Строк виконання — до ${longDate(a.dueAt)} включно.`
  const notes: NotificationInput[] = [a.executorId, ...coExecutorIds].map((userId) => ({
    userId,
    kind: 'task_assigned',
    title: `${parent ? 'Передано на виконання' : 'Доручення'}${userId === a.executorId ? '' : ' (співвиконавець)'}: ${shortText(a.text)}`,
    body,
    link: assignmentLink(a.id),
    dedupeKey: `assignment_issued:${a.id}:${userId}`,
    email: true,
  }))
  if (a.controllerId !== a.issuedById && a.controllerId !== a.executorId) {
    notes.push({ userId: a.controllerId, kind: 'info', title: `На контролі у вас: ${shortText(a.text)}`, body, link: assignmentLink(a.id), dedupeKey: `assignment_control:${a.id}:${a.controllerId}` })
  }
  return notes
}

/** A top-level assignment: a resolution on a document, or a standalone instruction. */
export async function issueAssignment(deps: AssignmentDeps, auth: Auth, actor: Actor, body: IssueBody): Promise<string> {
  const db = deps.prisma
  const controllerId = body.controllerId ?? auth.userId
  const coExecutorIds = [...new Set(body.coExecutorIds ?? [])]
  checkPeople(body.executorId, controllerId, coExecutorIds)
  await assertActive(db, [body.executorId, controllerId, ...coExecutorIds])
  await assertMayIssueTo(db, auth, [body.executorId, ...coExecutorIds])
  const document = body.documentId ? await getVisibleDocument(db, auth, body.documentId) : null
  const sources = await termSources(db, document?.id ?? null)
  // A resolution is written on a registered document (regulation section 6); a draft gets none.
  if (document && !sources?.registeredAt) throw new AppError('NOT_REGISTERED', 'резолюцію накладають лише на зареєстрований документ')
  const id = randomUUID()
  return db.$transaction(async (tx) => {
    const unitId = await unitOfExecutor(tx, body.executorId)
    const deadline = await resolveDeadline(tx, body.deadline, sources)
    const a = await tx.assignment.create({
      data: {
        id,
        rootId: id,
        documentId: document?.id ?? null,
        text: body.text.trim(),
        issuedById: auth.userId,
        executorId: body.executorId,
        unitId,
        controllerId,
        startsOn: dateColumn(deadline.startsOn),
        termDays: deadline.termDays,
        dueAt: deadline.dueAt,
        originalDueAt: deadline.dueAt,
      },
    })
    if (coExecutorIds.length) await tx.assignmentCoExecutor.createMany({ data: coExecutorIds.map((userId) => ({ assignmentId: id, userId })) })
    await scheduleDeadlineJobs(tx, a, deps.reminderDays)
    await notify(tx, issuedNotes(a, coExecutorIds, auth.fullName, false))
    await publish(tx, { userIds: everyone({ ...a, coExecutorIds }), type: 'assignment' })
    await audit(tx, actor, {
      action: 'assignment.issued',
      targetType: 'assignment',
      targetId: id,
      after: { text: a.text, documentId: a.documentId, executorId: a.executorId, coExecutorIds, controllerId, unitId, startsOn: deadline.startsOn, termDays: deadline.termDays, dueAt: a.dueAt.toISOString(), deadline: body.deadline },
    })
    return id
  })
}

/** The responsible executor hands a part of the work to a subordinate: a sub-assignment they control. */
export async function delegateAssignment(deps: AssignmentDeps, auth: Auth, actor: Actor, parentId: string, body: DelegateBody): Promise<string> {
  const db = deps.prisma
  const id = randomUUID()
  return db.$transaction(async (tx) => {
    const s = await begin(tx, auth, parentId, body.rowVersion)
    const parent = s.a
    // Who may delegate at all, before looking at the new deadline.
    decide(s, { type: 'delegate', childDueAt: parent.dueAt.getTime() })
    const coExecutorIds = [...new Set(body.coExecutorIds ?? [])]
    // The child's controller is the executor themself, also when a substitute hands it out for them.
    checkPeople(body.executorId, parent.executorId, coExecutorIds)
    await assertActive(tx, [body.executorId, ...coExecutorIds])
    await assertMayDelegateTo(tx, parent.executorId, [body.executorId, ...coExecutorIds])
    const deadline = await resolveDeadline(tx, body.deadline, await termSources(tx, parent.documentId), s.now)
    const out = decide(s, { type: 'delegate', childDueAt: deadline.dueAt.getTime() })
    const onBehalfOf = behalf(s, auth, ['executor'])
    const unitId = await unitOfExecutor(tx, body.executorId)
    const child = await tx.assignment.create({
      data: {
        id,
        parentId: parent.id,
        rootId: parent.rootId,
        documentId: parent.documentId,
        text: body.text.trim(),
        issuedById: auth.userId,
        executorId: body.executorId,
        unitId,
        controllerId: parent.executorId,
        startsOn: dateColumn(deadline.startsOn),
        termDays: deadline.termDays,
        dueAt: deadline.dueAt,
        originalDueAt: deadline.dueAt,
      },
    })
    if (coExecutorIds.length) await tx.assignmentCoExecutor.createMany({ data: coExecutorIds.map((userId) => ({ assignmentId: id, userId })) })
    await writeRow(tx, s, out.next)
    await scheduleDeadlineJobs(tx, child, deps.reminderDays)
    const entries: AuditEntry[] = []
    if (has(out.effects, 'started')) entries.push(startedEntry(s, onBehalfOf))
    entries.push({
      action: 'assignment.issued',
      targetType: 'assignment',
      targetId: id,
      after: { parentId: parent.id, rootId: parent.rootId, text: child.text, executorId: child.executorId, coExecutorIds, controllerId: child.controllerId, unitId, startsOn: deadline.startsOn, termDays: deadline.termDays, dueAt: child.dueAt.toISOString(), deadline: body.deadline, onBehalfOf },
    })
    await finish(tx, actor, s, issuedNotes(child, coExecutorIds, auth.fullName, true), entries, [body.executorId, ...coExecutorIds])
    return id
  })
}

// ---- Execution and control --------------------------------------------------------------

/** The executor takes the assignment into work. */
export async function startAssignment(db: Db, auth: Auth, actor: Actor, id: string, rowVersion?: number) {
  await db.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, rowVersion)
    const out = decide(s, { type: 'start' })
    await writeRow(tx, s, out.next)
    await finish(tx, actor, s, [], [startedEntry(s, behalf(s, auth, ['executor']))])
  })
}

/**
 * A report: the responsible executor's puts the assignment on check (and into work, if it
 * was not yet); a co-executor's records their part. Files were uploaded beforehand.
 */
export async function reportAssignment(db: Db, auth: Auth, actor: Actor, id: string, body: ReportBody, checkStored: (files: FileOut[]) => Promise<void>) {
  const text = body.text.trim()
  await db.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, body.rowVersion)
    const out = decide(s, { type: 'report' })
    // Files by reference, once the person may report at all (an outsider learns nothing of the uploads):
    // they must have been uploaded to this assignment by this person, and still be in the store.
    const files = await resolveReportFiles(tx, id, auth.userId, body.files ?? [])
    await checkStored(files)
    const reported = out.effects.find((e) => e.type === 'reported')
    const asExecutor = reported?.type === 'reported' && reported.as === 'executor'
    const onBehalfOf = behalf(s, auth, [asExecutor ? 'executor' : 'co_executor'])
    const report = await tx.assignmentReport.create({ data: { assignmentId: id, authorId: auth.userId, kind: asExecutor ? 'report' : 'co_report', text, files: files as unknown as Prisma.InputJsonValue } })
    const row = await writeRow(tx, s, out.next, asExecutor ? { reportedAt: s.now } : {})
    const entries: AuditEntry[] = []
    if (has(out.effects, 'started')) entries.push(startedEntry(s, onBehalfOf))
    entries.push({ action: 'assignment.reported', targetType: 'assignment', targetId: id, after: { reportId: report.id, as: asExecutor ? 'executor' : 'co_executor', status: row.status, text, files, onBehalfOf } })
    const who = asExecutor ? [s.a.controllerId] : [s.a.executorId, s.a.controllerId]
    const notes: NotificationInput[] = who
      .filter((u) => u !== auth.userId)
      .map((userId) => ({
        userId,
        kind: asExecutor ? 'task_assigned' : 'info',
        title: `${asExecutor ? 'Звіт на перевірку' : 'Звіт співвиконавця'}: ${shortText(s.a.text)}`,
        body: `${auth.fullName}: ${shortText(text, 300)}`,
        link: assignmentLink(id),
        dedupeKey: `assignment_report:${report.id}:${userId}`,
      }))
    await finish(tx, actor, s, notes, entries)
  })
}

/** The controller accepts the report: done, or done late after the deadline (знято з контролю). */
export async function acceptAssignment(db: Db, auth: Auth, actor: Actor, id: string, body: AcceptBody) {
  const comment = body.comment?.trim() ?? ''
  await db.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, body.rowVersion)
    const out = decide(s, { type: 'accept' })
    const onBehalfOf = behalf(s, auth, ['controller'])
    const report = await tx.assignmentReport.create({ data: { assignmentId: id, authorId: auth.userId, kind: 'accepted', text: comment } })
    const row = await writeRow(tx, s, out.next, { closedAt: s.now })
    const entries: AuditEntry[] = []
    await dropPendingExtensions(tx, s, auth, 'Доручення знято з контролю', entries)
    entries.unshift({ action: 'assignment.accepted', targetType: 'assignment', targetId: id, after: { reportId: report.id, status: row.status, late: row.status === 'done_late', dueAt: row.dueAt.toISOString(), comment, onBehalfOf } })
    const notes: NotificationInput[] = [s.a.executorId, ...s.a.coExecutorIds].map((userId) => ({
      userId,
      kind: 'completed',
      title: `Виконання прийнято${row.status === 'done_late' ? ' (із порушенням строку)' : ''}: ${shortText(s.a.text)}`,
      body: comment,
      link: assignmentLink(id),
      dedupeKey: `assignment_accepted:${id}:${userId}`,
    }))
    await finish(tx, actor, s, notes, entries)
  })
}

/** The controller returns the report for more work, saying why. */
export async function returnAssignment(db: Db, auth: Auth, actor: Actor, id: string, body: ReturnBody) {
  const comment = body.comment.trim()
  if (!comment) throw new AppError('COMMENT_REQUIRED')
  await db.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, body.rowVersion)
    const out = decide(s, { type: 'return' })
    const onBehalfOf = behalf(s, auth, ['controller'])
    const report = await tx.assignmentReport.create({ data: { assignmentId: id, authorId: auth.userId, kind: 'returned', text: comment } })
    const row = await writeRow(tx, s, out.next)
    const entries: AuditEntry[] = [{ action: 'assignment.returned', targetType: 'assignment', targetId: id, after: { reportId: report.id, status: row.status, comment, onBehalfOf } }]
    const notes: NotificationInput[] = [
      { userId: s.a.executorId, kind: 'returned', title: `Повернуто на доопрацювання: ${shortText(s.a.text)}`, body: comment, link: assignmentLink(id), dedupeKey: `assignment_returned:${report.id}`, email: true },
    ]
    if (has(out.effects, 'became_overdue')) {
      // Returned after its deadline: overdue now, and the head hears of it as the deadline job
      // would have told them (same key, so never twice).
      const dueAt = row.dueAt.toISOString()
      entries.push({ action: 'assignment.overdue', targetType: 'assignment', targetId: id, after: { dueAt, via: 'returned_after_deadline' } })
      // The one returning it knows already.
      const heads = (await headAbove(tx, s.a.unitId, s.a.executorId)).filter((h) => h.id !== auth.userId)
      const executor = await tx.user.findUnique({ where: { id: s.a.executorId }, select: { fullName: true } })
      for (const h of heads) {
        notes.push({
          userId: h.id,
          kind: 'escalation',
          title: `Ескалація: прострочено доручення — ${shortText(s.a.text)}`,
          body: `${executor?.fullName ?? 'Виконавець'} не виконав(ла) доручення у строк (до ${row.dueAt.toLocaleDateString('uk-UA', { timeZone: 'Europe/Kyiv' })}): звіт повернуто на доопрацювання.`,
          link: assignmentLink(id),
          dedupeKey: `assignment_escalation:${id}:${dueAt}:${h.id}`,
          email: true,
        })
      }
      if (heads.length) entries.push({ action: 'assignment.escalated', targetType: 'assignment', targetId: id, after: { dueAt, to: heads.map((h) => h.id), executorId: s.a.executorId, unitId: s.a.unitId, via: 'returned_after_deadline' } })
    }
    await finish(tx, actor, s, notes, entries)
  })
}

/** The issuer or the controller cancels the assignment, with a reason; open sub-assignments go with it. */
export async function cancelAssignment(db: Db, auth: Auth, actor: Actor, id: string, body: CancelBody) {
  const reason = body.reason.trim()
  if (!reason) throw new AppError('COMMENT_REQUIRED', 'вкажіть причину скасування')
  await db.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, body.rowVersion)
    const out = decide(s, { type: 'cancel' })
    const onBehalfOf = behalf(s, auth, ['issuer', 'controller'])
    await tx.assignmentReport.create({ data: { assignmentId: id, authorId: auth.userId, kind: 'cancelled', text: reason } })
    await writeRow(tx, s, out.next, { cancelledAt: s.now })
    const entries: AuditEntry[] = []
    await dropPendingExtensions(tx, s, auth, 'Доручення скасовано', entries)
    entries.unshift({ action: 'assignment.cancelled', targetType: 'assignment', targetId: id, after: { reason, status: 'cancelled', onBehalfOf } })
    const told = new Set([s.a.executorId, ...s.a.coExecutorIds])
    const notes: NotificationInput[] = [...told].map((userId) => ({ userId, kind: 'info', title: `Доручення скасовано: ${shortText(s.a.text)}`, body: reason, link: assignmentLink(id), dedupeKey: `assignment_cancelled:${id}:${userId}` }))

    // The cascade: open parts below, parents before children (locks taken top-down).
    const tree = await tx.assignment.findMany({ where: { rootId: s.a.rootId }, select: { id: true, parentId: true, status: true, issuedAt: true }, orderBy: { issuedAt: 'asc' } })
    const below = cascade(tree.map((n) => ({ id: n.id, parentId: n.parentId, status: n.status as Status })), id)
    for (const childId of below) {
      const c = await lockAssignment(tx, childId)
      if (CLOSED.includes(c.status)) continue
      const why = `Скасовано разом з дорученням вищого рівня: ${reason}`
      await tx.assignmentReport.create({ data: { assignmentId: childId, authorId: auth.userId, kind: 'cancelled', text: why } })
      await tx.assignment.update({ where: { id: childId }, data: { status: 'cancelled', cancelledAt: s.now, rowVersion: { increment: 1 } } })
      entries.push({ action: 'assignment.cancelled', targetType: 'assignment', targetId: childId, before: { status: c.status, dueAt: c.dueAt.toISOString(), rowVersion: c.rowVersion }, after: { reason: why, status: 'cancelled', cascadeFrom: id } })
      for (const e of c.extensions) {
        await tx.extension.update({ where: { id: e.id }, data: { status: 'refused', decidedById: auth.userId, decidedAt: s.now, comment: 'Доручення скасовано' } })
        entries.push({ action: 'extension.refused', targetType: 'assignment', targetId: childId, after: { extensionId: e.id, automatic: true, comment: 'Доручення скасовано' } })
      }
      for (const userId of [c.executorId, ...c.coExecutorIds]) {
        notes.push({ userId, kind: 'info', title: `Доручення скасовано: ${shortText(c.text)}`, body: why, link: assignmentLink(childId), dedupeKey: `assignment_cancelled:${childId}:${userId}` })
      }
    }
    await finish(tx, actor, s, notes, entries)
  })
}

// ---- Extensions -------------------------------------------------------------------------

/**
 * More time: the executor asks (the controller decides later); the controller may also move
 * the deadline on their own, which is recorded as an extension granted at once.
 */
export async function requestExtension(deps: AssignmentDeps, auth: Auth, actor: Actor, id: string, body: ExtensionBody): Promise<string> {
  const reason = body.reason.trim()
  if (!reason) throw new AppError('COMMENT_REQUIRED', 'вкажіть причину продовження строку')
  return deps.prisma.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, body.rowVersion)
    // Who asks decides what it is, before the date is looked at.
    const byController = !s.acting.as.includes('executor') && s.acting.as.includes('controller')
    if (!byController) decide(s, { type: 'request_extension', dueAt: Number.MAX_SAFE_INTEGER })
    else decide(s, { type: 'extend', dueAt: Number.MAX_SAFE_INTEGER })
    const requested = await workingDueDate(tx, body.dueDate)
    const notes: NotificationInput[] = []
    const entries: AuditEntry[] = []
    if (!byController) {
      const out = decide(s, { type: 'request_extension', dueAt: requested.getTime() })
      const onBehalfOf = behalf(s, auth, ['executor'])
      const ext = await tx.extension.create({ data: { assignmentId: id, requestedById: auth.userId, reason, previousDueAt: s.a.dueAt, requestedDueAt: requested } })
      await writeRow(tx, s, out.next)
      entries.push({ action: 'extension.requested', targetType: 'assignment', targetId: id, after: { extensionId: ext.id, reason, previousDueAt: s.a.dueAt.toISOString(), requestedDueAt: requested.toISOString(), onBehalfOf } })
      notes.push({ userId: s.a.controllerId, kind: 'info', title: `Запит на продовження строку: ${shortText(s.a.text)}`, body: `${auth.fullName} просить продовжити строк до ${longDate(requested)}: ${shortText(reason, 300)}`, link: assignmentLink(id), dedupeKey: `extension_requested:${ext.id}` })
      await finish(tx, actor, s, notes, entries)
      return ext.id
    }
    const out = decide(s, { type: 'extend', dueAt: requested.getTime() })
    const onBehalfOf = behalf(s, auth, ['controller'])
    const ext = await tx.extension.create({
      data: { assignmentId: id, requestedById: auth.userId, reason, previousDueAt: s.a.dueAt, requestedDueAt: requested, status: 'granted', decidedById: auth.userId, decidedAt: s.now, comment: reason },
    })
    await moveDeadline(tx, deps, s, out.next, ext.id, reason, onBehalfOf, notes, entries)
    await finish(tx, actor, s, notes, entries)
    return ext.id
  })
}

async function moveDeadline(tx: Tx, deps: AssignmentDeps, s: Session, next: Snapshot, extensionId: string, comment: string, onBehalfOf: string | null, notes: NotificationInput[], entries: AuditEntry[]) {
  const row = await writeRow(tx, s, next)
  await scheduleDeadlineJobs(tx, row, deps.reminderDays, s.now)
  entries.push({ action: 'extension.granted', targetType: 'assignment', targetId: s.a.id, after: { extensionId, previousDueAt: s.a.dueAt.toISOString(), dueAt: row.dueAt.toISOString(), status: row.status, comment, onBehalfOf } })
  for (const userId of [s.a.executorId, ...s.a.coExecutorIds]) {
    notes.push({ userId, kind: 'info', title: `Строк продовжено до ${longDate(row.dueAt)}: ${shortText(s.a.text)}`, body: comment, link: assignmentLink(s.a.id), dedupeKey: `extension_granted:${extensionId}:${userId}`, email: true })
  }
}

/** The controller decides an extension request: grant (the requested date, or another later one) or refuse. */
export async function decideExtension(deps: AssignmentDeps, auth: Auth, actor: Actor, id: string, extId: string, decision: 'grant' | 'refuse', body: ExtensionDecisionBody) {
  const comment = body.comment?.trim() ?? ''
  await deps.prisma.$transaction(async (tx) => {
    const s = await begin(tx, auth, id, body.rowVersion)
    const ext = await tx.extension.findFirst({ where: { id: extId, assignmentId: id } })
    if (!ext) throw new AppError('EXTENSION_NOT_FOUND')
    // A closed assignment, or someone other than the controller, is refused as such whatever the request's state.
    const pre = transition(snapshotOf(s.a), { type: 'refuse_extension' }, { as: s.acting.as, now: s.now.getTime() })
    if (!pre.ok && pre.reason !== 'EXTENSION_NOT_PENDING') throw new AppError(pre.reason)
    if (ext.status !== 'pending') throw new AppError('EXTENSION_NOT_PENDING')
    const notes: NotificationInput[] = []
    const entries: AuditEntry[] = []
    if (decision === 'refuse') {
      const out = decide(s, { type: 'refuse_extension' })
      const onBehalfOf = behalf(s, auth, ['controller'])
      await tx.extension.update({ where: { id: extId }, data: { status: 'refused', decidedById: auth.userId, decidedAt: s.now, comment } })
      await writeRow(tx, s, out.next)
      entries.push({ action: 'extension.refused', targetType: 'assignment', targetId: id, after: { extensionId: extId, comment, dueAt: s.a.dueAt.toISOString(), onBehalfOf } })
      notes.push({ userId: s.a.executorId, kind: 'info', title: `У продовженні строку відмовлено: ${shortText(s.a.text)}`, body: comment || `Строк — до ${longDate(s.a.dueAt)}.`, link: assignmentLink(id), dedupeKey: `extension_refused:${extId}`, email: true })
    } else {
      // The date stays on a working day by the calendar-day rule, even if the calendar changed since the request.
      const dueAt = body.dueDate ? await workingDueDate(tx, body.dueDate) : await onWorkingDay(tx, ext.requestedDueAt)
      const out = decide(s, { type: 'grant_extension', dueAt: dueAt.getTime() })
      const onBehalfOf = behalf(s, auth, ['controller'])
      await tx.extension.update({ where: { id: extId }, data: { status: 'granted', decidedById: auth.userId, decidedAt: s.now, comment } })
      await moveDeadline(tx, deps, s, out.next, extId, comment, onBehalfOf, notes, entries)
    }
    await finish(tx, actor, s, notes, entries)
  })
}

export type { FileOut }
