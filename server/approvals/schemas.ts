import { Type, type Static } from 'typebox'
import { DateTime, Line, Text, Uuid } from '../schemas.ts'
import { RoleT } from '../people/schemas.ts'
import { DocumentKindT } from '../documents/schemas.ts'

export const STAGE_KINDS = ['visa', 'expert_review', 'legal_review', 'signing', 'approval', 'acknowledgment'] as const
export const STAGE_STATES = ['pending', 'active', 'done', 'returned', 'skipped'] as const
export const APPROVAL_STATES = ['running', 'returned', 'completed', 'withdrawn'] as const
export const DECISIONS = ['approve', 'approve_with_remarks', 'return'] as const
export const CONCLUSION_RESULTS = ['positive', 'positive_with_remarks', 'negative'] as const

export const StageKindT = Type.Enum(STAGE_KINDS)
export const StageRuleT = Type.Enum(['all', 'any'])
export const DecisionT = Type.Enum(DECISIONS)

/** Who takes part in a stage, resolved to positions when the route starts. */
export const ParticipantSpec = Type.Union([
  Type.Object({ type: Type.Literal('author_unit_head') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('position'), positionId: Uuid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('role'), role: RoleT, unitId: Type.Optional(Uuid) }, { additionalProperties: false }),
])
export type ParticipantSpec = Static<typeof ParticipantSpec>

export const StageTemplate = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
    name: Line(300),
    kind: StageKindT,
    rule: StageRuleT,
    deadlineDays: Type.Integer({ minimum: 1, maximum: 60, description: 'working days' }),
    participants: Type.Array(ParticipantSpec, { minItems: 1, maxItems: 20 }),
    /** Included only when the Directorate's expert review is required for the document. */
    condition: Type.Optional(Type.Literal('expert_review_required')),
  },
  { additionalProperties: false },
)
export type StageTemplate = Static<typeof StageTemplate>

export const TemplateCreate = Type.Object(
  {
    kind: DocumentKindT,
    name: Line(300),
    restartFromFirst: Type.Boolean(),
    expertReviewAlways: Type.Boolean(),
    stages: Type.Array(StageTemplate, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false },
)
export type TemplateCreate = Static<typeof TemplateCreate>

export const TemplateOut = Type.Object({
  id: Uuid,
  kind: DocumentKindT,
  name: Type.String(),
  version: Type.Integer(),
  current: Type.Boolean(),
  restartFromFirst: Type.Boolean(),
  expertReviewAlways: Type.Boolean(),
  stages: Type.Array(StageTemplate),
  createdAt: DateTime,
})
export type TemplateOut = Static<typeof TemplateOut>

const Person = Type.Object({ id: Uuid, fullName: Type.String() })

export const ParticipantOut = Type.Object({
  id: Uuid,
  positionId: Uuid,
  positionTitle: Type.String(),
  unitName: Type.String(),
  mandatory: Type.Boolean(),
  /** The people who may act for this position now: its holder, and a substitute during an absence. */
  holder: Type.Union([Person, Type.Null()]),
  substitute: Type.Union([Person, Type.Null()]),
  decided: Type.Union([DecisionT, Type.Null()]),
})

export const VisaOut = Type.Object({
  id: Uuid,
  participantId: Uuid,
  stageIndex: Type.Integer(),
  stageName: Type.String(),
  round: Type.Integer(),
  decision: DecisionT,
  comment: Type.String(),
  positionTitle: Type.String(),
  fullName: Type.String(),
  onBehalfOfName: Type.Union([Type.String(), Type.Null()]),
  versionNumber: Type.Integer(),
  versionSha256: Type.String(),
  at: DateTime,
  conclusionId: Type.Union([Uuid, Type.Null()]),
})
export type VisaOut = Static<typeof VisaOut>

export const StageOut = Type.Object({
  id: Uuid,
  index: Type.Integer(),
  name: Type.String(),
  kind: StageKindT,
  rule: StageRuleT,
  state: Type.Enum(STAGE_STATES),
  deadlineDays: Type.Integer(),
  activatedAt: Type.Union([DateTime, Type.Null()]),
  dueAt: Type.Union([DateTime, Type.Null()]),
  overdue: Type.Boolean(),
  finishedAt: Type.Union([DateTime, Type.Null()]),
  participants: Type.Array(ParticipantOut),
})

export const ConclusionOut = Type.Object({
  id: Uuid,
  result: Type.Enum(CONCLUSION_RESULTS),
  remarks: Type.Array(Type.Object({ n: Type.Integer(), text: Type.String(), page: Type.Optional(Type.Integer()) })),
  summary: Type.String(),
  versionSha256: Type.String(),
  pdfSha256: Type.String(),
  author: Person,
  createdAt: DateTime,
})

export const ApprovalOut = Type.Object({
  id: Uuid,
  documentId: Uuid,
  state: Type.Enum(APPROVAL_STATES),
  round: Type.Integer(),
  template: Type.Object({ id: Uuid, name: Type.String(), version: Type.Integer(), restartFromFirst: Type.Boolean() }),
  startedBy: Person,
  startedAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
  stages: Type.Array(StageOut),
  visas: Type.Array(VisaOut),
  conclusions: Type.Array(ConclusionOut),
  /** What the signed-in person may do now. */
  can: Type.Object({
    decide: Type.Array(Type.Object({ participantId: Uuid, stageIndex: Type.Integer(), kind: StageKindT, onBehalfOf: Type.Union([Type.String(), Type.Null()]) })),
    resubmit: Type.Boolean(),
    withdraw: Type.Boolean(),
  }),
})
export type ApprovalOut = Static<typeof ApprovalOut>

export const PreviewOut = Type.Object({
  template: TemplateOut,
  expertReviewRequired: Type.Boolean(),
  stages: Type.Array(
    Type.Object({
      key: Type.String(),
      name: Type.String(),
      kind: StageKindT,
      rule: StageRuleT,
      deadlineDays: Type.Integer(),
      skipped: Type.Boolean(),
      /** Why a stage will not run: the expert review is needed only for drafts touching the Directorate's competence. */
      skipReason: Type.Union([Type.Literal('expert_review_not_required'), Type.Null()]),
      participants: Type.Array(Type.Object({ positionId: Uuid, positionTitle: Type.String(), unitName: Type.String(), holder: Type.Union([Person, Type.Null()]) })),
    }),
  ),
})
export type PreviewOut = Static<typeof PreviewOut>

export const StartBody = Type.Object(
  {
    /** Participants the author adds to template stages (mandatory ones cannot be removed). */
    extraParticipants: Type.Optional(Type.Array(Type.Object({ stageKey: Type.String({ maxLength: 40 }), positionId: Uuid }, { additionalProperties: false }), { maxItems: 30 })),
  },
  { additionalProperties: false },
)
export type StartBody = Static<typeof StartBody>

export const DecisionBody = Type.Object(
  {
    decision: DecisionT,
    comment: Type.Optional(Text(4000)),
    /** The version the approver read; a newer one makes the decision stale (409). */
    versionSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** Needed only when the person may act for several participants of the stage. */
    participantId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type DecisionBody = Static<typeof DecisionBody>

export const ConclusionBody = Type.Object(
  {
    result: Type.Enum(CONCLUSION_RESULTS),
    summary: Type.Optional(Text(4000)),
    remarks: Type.Array(Type.Object({ text: Text(2000), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }, { additionalProperties: false }), { maxItems: 100 }),
    versionSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    participantId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type ConclusionBody = Static<typeof ConclusionBody>

export const WithdrawBody = Type.Object({ reason: Type.Optional(Text(2000)) }, { additionalProperties: false })

/** One task in «Сьогодні» (GET /api/inbox). */
export const InboxItem = Type.Object({
  /** approve: a visa is awaited; review: the Directorate's expert review; returned: my draft came back. */
  task: Type.Enum(['approve', 'review', 'returned']),
  documentId: Uuid,
  title: Type.String(),
  documentKind: DocumentKindT,
  approvalId: Uuid,
  stageName: Type.String(),
  stageKind: Type.Union([StageKindT, Type.Null()]),
  dueAt: Type.Union([DateTime, Type.Null()]),
  overdue: Type.Boolean(),
  since: DateTime,
  /** Set when the task is mine as a substitute. */
  onBehalfOf: Type.Union([Type.String(), Type.Null()]),
})
export const InboxFilterT = Type.Enum(['approve', 'review', 'returned', 'overdue'])
export const InboxQuery = Type.Object(
  {
    /** Only tasks of one card: approve, review, returned, or overdue. */
    filter: Type.Optional(InboxFilterT),
    /** How many tasks to list (the counts always cover all); 50 unless asked. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
)
export const InboxOut = Type.Object({
  /** Over all of the person's tasks, whatever the filter. */
  counts: Type.Object({ toApprove: Type.Integer(), toReview: Type.Integer(), returned: Type.Integer(), overdue: Type.Integer() }),
  filter: Type.Union([InboxFilterT, Type.Null()]),
  /** Tasks matching the filter; `items` holds the first `limit` of them, overdue first, then by deadline. */
  total: Type.Integer(),
  items: Type.Array(InboxItem),
})
export type InboxOut = Static<typeof InboxOut>

export const SubstitutionOut = Type.Object({
  id: Uuid,
  user: Type.Object({ id: Uuid, fullName: Type.String() }),
  substitute: Type.Object({ id: Uuid, fullName: Type.String() }),
  startsAt: DateTime,
  endsAt: DateTime,
  reason: Type.String(),
  active: Type.Boolean(),
  cancelledAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
})
export type SubstitutionOut = Static<typeof SubstitutionOut>

export const SubstitutionCreate = Type.Object(
  {
    /** Whose absence; defaults to the signed-in person (admins may set it for anyone). */
    userId: Type.Optional(Uuid),
    substituteId: Uuid,
    startsAt: DateTime,
    endsAt: DateTime,
    reason: Type.Optional(Line(300)),
  },
  { additionalProperties: false },
)
export type SubstitutionCreate = Static<typeof SubstitutionCreate>
