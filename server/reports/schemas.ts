import { Type, type Static } from 'typebox'
import { DateTime, Uuid } from '../schemas.ts'
import { STAGE_KINDS } from '../approvals/schemas.ts'
import { DOCUMENT_KINDS } from '../documents/schemas.ts'

// Reports on control of execution (regulation 6.4: staff answer for missed deadlines, so every
// deadline, extension and miss is reportable per unit and per person) and on approval stages.
// The workspace imports these types (client/src/api/types.ts); keep this file free of runtime
// dependencies beyond typebox and the shared schemas.

/** A calendar date 'YYYY-MM-DD' (Kyiv). Whether the date exists is checked by the route. */
export const IsoDate = (description = 'calendar date YYYY-MM-DD, Kyiv time') => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description })

export const GROUP_BY = ['unit', 'person'] as const
export type GroupBy = (typeof GROUP_BY)[number]

const Period = {
  from: IsoDate('first day of the period (Kyiv), inclusive'),
  to: IsoDate('the day after the period (Kyiv), exclusive: [from, to)'),
}

export const DisciplineQuery = Type.Object(
  {
    ...Period,
    unitId: Type.Optional(Type.String({ format: 'uuid', description: 'a unit and every unit under it; without it: everything the viewer may see' })),
    groupBy: Type.Optional(Type.Enum(GROUP_BY, { default: 'unit' })),
    rollup: Type.Optional(Type.Boolean({ default: false, description: 'unit rows include the figures of their sub-units (totals still count each assignment once)' })),
  },
  { additionalProperties: false },
)
export type DisciplineQuery = Static<typeof DisciplineQuery>

/**
 * The figures of one row. assigned = issued in the period and not cancelled
 * = doneOnTime + doneLate + overdue + open; cancelled ones are counted apart.
 */
export const Figures = Type.Object({
  assigned: Type.Integer({ description: 'issued in the period, cancelled ones excluded' }),
  doneOnTime: Type.Integer({ description: 'status done' }),
  doneLate: Type.Integer({ description: 'status done_late' }),
  overdue: Type.Integer({ description: 'status overdue, or still open with the deadline passed' }),
  open: Type.Integer({ description: 'still open, deadline not passed yet' }),
  extended: Type.Integer({ description: 'with at least one granted extension (cancelled ones excluded)' }),
  cancelled: Type.Integer({ description: 'cancelled; not part of assigned' }),
  onTimeRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'doneOnTime / (doneOnTime + doneLate + overdue); null when none has an outcome yet' }),
})
export type Figures = Static<typeof Figures>

export const DisciplineRow = Type.Object({
  unitId: Uuid,
  unitName: Type.String(),
  unitCode: Type.String(),
  parentId: Type.Union([Uuid, Type.Null()]),
  /** Depth under the report's top unit(s): 0 for a top unit. */
  depth: Type.Integer(),
  /** Person rows only: the executor; unit rows have null. */
  executorId: Type.Union([Uuid, Type.Null()]),
  executorName: Type.Union([Type.String(), Type.Null()]),
  ...Figures.properties,
})
export type DisciplineRow = Static<typeof DisciplineRow>

export const DisciplineOut = Type.Object({
  from: Type.String(),
  to: Type.String(),
  /** The period as instants: Kyiv midnight of `from` and of `to`. */
  fromAt: DateTime,
  toAt: DateTime,
  groupBy: Type.Enum(GROUP_BY),
  rollup: Type.Boolean(),
  unitId: Type.Union([Uuid, Type.Null()]),
  /** The name of the filtered unit, or null for the whole scope. */
  unitName: Type.Union([Type.String(), Type.Null()]),
  generatedAt: DateTime,
  /**
   * Unit rows: every unit of the tree in tree order (also those without assignments);
   * person rows: one per executor and the unit they were in when issued, in unit order.
   */
  rows: Type.Array(DisciplineRow),
  /** Each assignment counted once. */
  totals: Figures,
})
export type DisciplineOut = Static<typeof DisciplineOut>

export const ScopeUnit = Type.Object({ id: Uuid, name: Type.String(), code: Type.String(), parentId: Type.Union([Uuid, Type.Null()]), depth: Type.Integer() })
export const ReportScopeOut = Type.Object({
  /** Whether the viewer sees the whole organisation (otherwise their unit trees only). */
  all: Type.Boolean(),
  units: Type.Array(ScopeUnit),
})
export type ReportScopeOut = Static<typeof ReportScopeOut>

export const ApprovalsQuery = Type.Object(
  {
    ...Period,
    unitId: Type.Optional(Type.String({ format: 'uuid', description: "documents authored in this unit or any unit under it; without it: everything the viewer may see" })),
    kind: Type.Optional(Type.Enum(STAGE_KINDS, { description: 'stage kind' })),
    documentKind: Type.Optional(Type.Enum(DOCUMENT_KINDS)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'how many of the slowest stage instances' })),
  },
  { additionalProperties: false },
)
export type ApprovalsQuery = Static<typeof ApprovalsQuery>

export const StageDurationRow = Type.Object({
  name: Type.String(),
  kind: Type.Enum(STAGE_KINDS),
  /** Stages finished (done or returned) in the period. */
  finished: Type.Integer(),
  avgHours: Type.Number(),
  medianHours: Type.Number(),
  /** Finished after their due time. */
  late: Type.Integer(),
  lateShare: Type.Number({ minimum: 0, maximum: 1 }),
})
export type StageDurationRow = Static<typeof StageDurationRow>

export const SlowStage = Type.Object({
  stageId: Uuid,
  documentId: Uuid,
  /** Null when the document is restricted and the viewer may not see it. */
  documentTitle: Type.Union([Type.String(), Type.Null()]),
  stageName: Type.String(),
  kind: Type.Enum(STAGE_KINDS),
  state: Type.Enum(['done', 'returned']),
  /** Who acted on the stage (visas given while it was active), or its participants' positions. */
  who: Type.Array(Type.String()),
  activatedAt: DateTime,
  finishedAt: DateTime,
  dueAt: Type.Union([DateTime, Type.Null()]),
  hours: Type.Number(),
  late: Type.Boolean(),
})
export type SlowStage = Static<typeof SlowStage>

export const ApprovalsOut = Type.Object({
  from: Type.String(),
  to: Type.String(),
  generatedAt: DateTime,
  stages: Type.Array(StageDurationRow),
  totals: Type.Object({ finished: Type.Integer(), avgHours: Type.Union([Type.Number(), Type.Null()]), medianHours: Type.Union([Type.Number(), Type.Null()]), late: Type.Integer() }),
  slowest: Type.Array(SlowStage),
})
export type ApprovalsOut = Static<typeof ApprovalsOut>
