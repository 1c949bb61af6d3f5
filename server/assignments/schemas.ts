import { Type, type Static } from 'typebox'
import { DateTime, Uuid } from '../schemas.ts'

/**
 * Instructions (доручення), resolutions and control of execution (regulation section 6):
 * request and response shapes. The workspace imports the types from here; keep this file
 * free of server-only imports.
 */

export const ASSIGNMENT_STATUSES = ['new', 'in_work', 'on_check', 'done', 'done_late', 'overdue', 'cancelled'] as const
export const EXTENSION_STATUSES = ['pending', 'granted', 'refused'] as const
/**
 * AssignmentReport.kind: `report` is the responsible executor's report (it puts the
 * assignment on check), `co_report` a co-executor's report on their part (no change of
 * state), `accepted` / `returned` the controller's answer to the responsible report,
 * `cancelled` the reason given when it was cancelled (by its issuer or controller, or with its parent).
 */
export const REPORT_KINDS = ['report', 'co_report', 'accepted', 'returned', 'cancelled'] as const
export const LIST_ROLES = ['executor', 'controller', 'issuer', 'all'] as const
export const MY_ROLES = ['executor', 'co_executor', 'controller', 'issuer', 'unit_head', 'admin'] as const

export const AssignmentStatusT = Type.Enum(ASSIGNMENT_STATUSES)
export const IsoDateT = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar date YYYY-MM-DD (Kyiv)' })
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' })
const Person = Type.Object({ id: Uuid, fullName: Type.String() })

/**
 * The deadline, in one of two forms:
 * - `termDays` calendar days counted from the document's signing (its registration date),
 *   its receipt (the card's receivedAt, else the registration date), a given date, or today
 *   when `from` is absent; a last day that is not worked moves to the previous working day;
 * - `dueDate`, a working day: the end of that Kyiv day.
 */
export const DeadlineIn = Type.Union([
  Type.Object(
    {
      termDays: Type.Integer({ minimum: 1, maximum: 366 }),
      from: Type.Optional(Type.Union([Type.Literal('signing'), Type.Literal('receipt'), IsoDateT])),
    },
    { additionalProperties: false },
  ),
  Type.Object({ dueDate: IsoDateT }, { additionalProperties: false }),
])
export type DeadlineIn = Static<typeof DeadlineIn>

/**
 * Multi-line prose (tabs and line breaks allowed, other control characters not) without
 * markup: a '<' that opens a tag, comment or declaration ('<b', '</', '<!', '<?') only ever
 * arrives as an injection attempt, so it is refused rather than stored; '<' and '>' as
 * signs («швидкість > 100 Мбіт/с») stay allowed.
 */
const PROSE = '(?![\\s\\S]*<[A-Za-z!?/])[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$'
/** Required, not blank. */
const AssignmentText = Type.String({ minLength: 1, maxLength: 10_000, pattern: `^(?=[\\s\\S]*\\S)${PROSE}` })
const Reason = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: `^(?=[\\s\\S]*\\S)${PROSE}` })
/** A comment or reason the service requires: blank is answered 400 COMMENT_REQUIRED, as in approvals. */
const Comment = (max: number) => Type.String({ maxLength: max, pattern: `^${PROSE}` })
const CoExecutors = Type.Array(Uuid, { maxItems: 20, uniqueItems: true })
/** Optional optimistic check: the rowVersion the person saw; a changed assignment answers 409 ASSIGNMENT_STALE. */
const RowVersion = Type.Optional(Type.Integer({ minimum: 0, description: 'The rowVersion you saw; 409 ASSIGNMENT_STALE when it has changed since' }))

export const IssueBody = Type.Object(
  {
    text: AssignmentText,
    executorId: Uuid,
    coExecutorIds: Type.Optional(CoExecutors),
    controllerId: Type.Optional(Uuid),
    documentId: Type.Optional(Uuid),
    deadline: DeadlineIn,
  },
  { additionalProperties: false },
)
export type IssueBody = Static<typeof IssueBody>

export const DelegateBody = Type.Object(
  { text: AssignmentText, executorId: Uuid, coExecutorIds: Type.Optional(CoExecutors), deadline: DeadlineIn, rowVersion: RowVersion },
  { additionalProperties: false },
)
export type DelegateBody = Static<typeof DelegateBody>

export const ActionBody = Type.Object({ rowVersion: RowVersion }, { additionalProperties: false })
export type ActionBody = Static<typeof ActionBody>

export const ReportBody = Type.Object(
  {
    text: Reason(10_000),
    /** Files uploaded first with POST /assignments/:id/files, by their sha256. */
    files: Type.Optional(Type.Array(Sha256, { maxItems: 10, uniqueItems: true })),
    rowVersion: RowVersion,
  },
  { additionalProperties: false },
)
export type ReportBody = Static<typeof ReportBody>

export const AcceptBody = Type.Object({ comment: Type.Optional(Comment(4000)), rowVersion: RowVersion }, { additionalProperties: false })
export type AcceptBody = Static<typeof AcceptBody>
export const ReturnBody = Type.Object({ comment: Comment(4000), rowVersion: RowVersion }, { additionalProperties: false })
export type ReturnBody = Static<typeof ReturnBody>
export const CancelBody = Type.Object({ reason: Comment(2000), rowVersion: RowVersion }, { additionalProperties: false })
export type CancelBody = Static<typeof CancelBody>

/** From the executor: a request. From the controller: an extension granted at once. */
export const ExtensionBody = Type.Object({ reason: Comment(2000), dueDate: IsoDateT, rowVersion: RowVersion }, { additionalProperties: false })
export type ExtensionBody = Static<typeof ExtensionBody>
export const ExtensionDecisionBody = Type.Object(
  {
    comment: Type.Optional(Comment(2000)),
    /** Grant only: a date other than the requested one (still later than the current deadline). */
    dueDate: Type.Optional(IsoDateT),
    rowVersion: RowVersion,
  },
  { additionalProperties: false },
)
export type ExtensionDecisionBody = Static<typeof ExtensionDecisionBody>

export const ExtensionParams = Type.Object({ id: Uuid, extId: Uuid })
export const FileParams = Type.Object({ id: Uuid, sha256: Sha256 })
export const FileUploadQuery = Type.Object({ name: Type.String({ minLength: 1, maxLength: 255 }) }, { additionalProperties: false })

export const ListQuery = Type.Object(
  {
    role: Type.Optional(Type.Enum(LIST_ROLES, { default: 'all' })),
    status: Type.Optional(AssignmentStatusT),
    overdue: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
  },
  { additionalProperties: false },
)
export type ListQuery = Static<typeof ListQuery>

export const FileOut = Type.Object({ sha256: Sha256, fileName: Type.String(), size: Type.Integer(), mediaType: Type.String() })
export type FileOut = Static<typeof FileOut>

export const ReportOut = Type.Object({
  id: Uuid,
  kind: Type.Enum(REPORT_KINDS),
  text: Type.String(),
  files: Type.Array(FileOut),
  author: Person,
  createdAt: DateTime,
})
export type ReportOut = Static<typeof ReportOut>

export const ExtensionOut = Type.Object({
  id: Uuid,
  status: Type.Enum(EXTENSION_STATUSES),
  reason: Type.String(),
  previousDueAt: DateTime,
  requestedDueAt: DateTime,
  /** The deadline it set, when granted (the controller may grant a date other than the requested one). */
  grantedDueAt: Type.Union([DateTime, Type.Null()]),
  requestedBy: Person,
  decidedBy: Type.Union([Person, Type.Null()]),
  decidedAt: Type.Union([DateTime, Type.Null()]),
  comment: Type.String(),
  createdAt: DateTime,
})
export type ExtensionOut = Static<typeof ExtensionOut>

export const AllowedOut = Type.Object({
  start: Type.Boolean(),
  report: Type.Boolean(),
  reportPart: Type.Boolean({ description: 'Report as a co-executor (a part; the state does not change)' }),
  accept: Type.Boolean(),
  return: Type.Boolean(),
  cancel: Type.Boolean(),
  delegate: Type.Boolean(),
  requestExtension: Type.Boolean(),
  extend: Type.Boolean({ description: 'The controller moves the deadline without a request' }),
  decideExtension: Type.Boolean(),
})

const DocumentRef = Type.Object({ id: Uuid, title: Type.String(), registrationIndex: Type.Union([Type.String(), Type.Null()]) })

/** The fields of an assignment every view shows. */
const AssignmentFields = {
  id: Uuid,
  parentId: Type.Union([Uuid, Type.Null()]),
  rootId: Uuid,
  text: Type.String(),
  status: AssignmentStatusT,
  /** Not closed and past its deadline (whether or not the deadline job has run yet), or status overdue. */
  overdue: Type.Boolean(),
  document: Type.Union([DocumentRef, Type.Null()]),
  issuedBy: Person,
  executor: Person,
  coExecutors: Type.Array(Person),
  controller: Person,
  unit: Type.Object({ id: Uuid, name: Type.String() }),
  startsOn: IsoDateT,
  termDays: Type.Union([Type.Integer(), Type.Null()]),
  dueAt: DateTime,
  originalDueAt: DateTime,
  /** At least one extension was granted. */
  extended: Type.Boolean(),
  issuedAt: DateTime,
  startedAt: Type.Union([DateTime, Type.Null()]),
  reportedAt: Type.Union([DateTime, Type.Null()]),
  closedAt: Type.Union([DateTime, Type.Null()]),
  cancelledAt: Type.Union([DateTime, Type.Null()]),
  rowVersion: Type.Integer(),
  myRoles: Type.Array(Type.Enum(MY_ROLES)),
}

export const AssignmentNodeOut = Type.Object({
  ...AssignmentFields,
  depth: Type.Integer(),
  reports: Type.Array(ReportOut),
  extensions: Type.Array(ExtensionOut),
  can: AllowedOut,
})
export type AssignmentNodeOut = Static<typeof AssignmentNodeOut>

/** A whole tree from its root, as far as the person may see it: nodes in pre-order, each with its parentId and depth. */
export const AssignmentTreeOut = Type.Object({
  rootId: Uuid,
  /** The node that was asked for. */
  focusId: Uuid,
  nodes: Type.Array(AssignmentNodeOut),
})
export type AssignmentTreeOut = Static<typeof AssignmentTreeOut>

export const AssignmentListItem = Type.Object({ ...AssignmentFields, childCount: Type.Integer() })
export type AssignmentListItem = Static<typeof AssignmentListItem>

/** «Мої доручення». */
export const AssignmentCounts = Type.Object({
  toDo: Type.Integer({ description: 'Open assignments where I am the executor or a co-executor (new, in work, overdue)' }),
  onCheck: Type.Integer({ description: 'Reports waiting for my check as controller' }),
  overdue: Type.Integer({ description: 'Overdue assignments where I am the executor or a co-executor' }),
  overdueControlled: Type.Integer({ description: 'Overdue assignments I control' }),
})
export type AssignmentCounts = Static<typeof AssignmentCounts>

export const AssignmentList = Type.Object({
  items: Type.Array(AssignmentListItem),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  counts: AssignmentCounts,
})
export type AssignmentList = Static<typeof AssignmentList>

// ---- Report semantics (for the reports helper) ------------------------------------------

/**
 * How control-of-execution reports (per unit: Assignment.unitId, the executor's unit at
 * issue; per person: Assignment.executorId) classify an assignment. One assignment may be
 * both "extended" and any one of the others.
 */
export const REPORT_SEMANTICS = {
  doneOnTime: "closed with status 'done' (accepted by the controller no later than dueAt)",
  doneLate: "closed with status 'done_late' (accepted after dueAt)",
  overdue: "status 'overdue', or not closed (status not in done, done_late, cancelled) and dueAt < now",
  extended: "at least one Extension with status 'granted' (originalDueAt keeps the first deadline; each granted extension keeps previousDueAt)",
  cancelled: "status 'cancelled': counted in none of the above",
  overdueSql: "(a.status = 'overdue' OR (a.status NOT IN ('done','done_late','cancelled') AND a.due_at < now()))",
  extendedSql: "EXISTS (SELECT 1 FROM extension e WHERE e.assignment_id = a.id AND e.status = 'granted')",
} as const

export type AssignmentStatus = (typeof ASSIGNMENT_STATUSES)[number]

/** The same rules as a function, for one assignment at a moment. */
export function classifyAssignment(a: { status: AssignmentStatus; dueAt: Date; grantedExtensions: number }, now: Date = new Date()) {
  const closed = a.status === 'done' || a.status === 'done_late' || a.status === 'cancelled'
  return {
    doneOnTime: a.status === 'done',
    doneLate: a.status === 'done_late',
    overdue: a.status === 'overdue' || (!closed && a.dueAt.getTime() < now.getTime()),
    extended: a.grantedExtensions > 0,
    cancelled: a.status === 'cancelled',
  }
}
