import { Type, type Static } from 'typebox'
import { DateTime, Line, Uuid } from '../schemas.ts'
import { UnitKindT } from '../people/schemas.ts'
import { JD_LIMITS } from './schemas.ts'

/**
 * The distribution of duties among the Directorate's staff (regulation 4.3: the head distributes
 * duties; 4.8: ensures their interchangeability, so each duty has a designated substitute).
 */

/** Problems of one assignment: no substitute, a vacant substitute position, the position substituting itself. */
export const ASSIGNMENT_FLAGS = ['no_substitute', 'substitute_vacant', 'substitute_self'] as const
export const AssignmentFlagT = Type.Enum(ASSIGNMENT_FLAGS)
export type AssignmentFlag = (typeof ASSIGNMENT_FLAGS)[number]

/** Problems of one position: nothing assigned to it. */
export const POSITION_FLAGS = ['no_duties'] as const
export const PositionFlagT = Type.Enum(POSITION_FLAGS)
export type PositionFlag = (typeof POSITION_FLAGS)[number]

const Person = Type.Object({ id: Uuid, fullName: Type.String() })

/** The text of a duty as it stands in a job description: one paragraph, no markup. */
const DutyText = Line(JD_LIMITS.itemLength)

export const MatrixQuery = Type.Object(
  {
    /** The unit (with its sub-units); by default the Directorate of the person asking, else the first directorate. */
    unitId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type MatrixQuery = Static<typeof MatrixQuery>

export const MatrixUnitOut = Type.Object({
  id: Uuid,
  parentId: Type.Union([Uuid, Type.Null()]),
  name: Type.String(),
  kind: UnitKindT,
  /** Clauses of the regulation whose catalogue duties belong to the unit, e.g. ["3", "4.3"] or ["4.3.1"]. */
  clauses: Type.Array(Type.String()),
  /** Whether the person asking may distribute duties among the unit's positions. */
  canEdit: Type.Boolean(),
})
export type MatrixUnitOut = Static<typeof MatrixUnitOut>

/** A position as a substitute (or a candidate for one). */
export const SubstituteOut = Type.Object({
  positionId: Uuid,
  title: Type.String(),
  unitId: Uuid,
  unitName: Type.String(),
  holders: Type.Array(Person),
  /** Nobody holds the position now (or it was archived). */
  vacant: Type.Boolean(),
})
export type SubstituteOut = Static<typeof SubstituteOut>

export const CandidateOut = Type.Object({
  ...SubstituteOut.properties,
  /** The structure (directorate, else the unit) the position belongs to: substitutes come from the same one. */
  structureId: Uuid,
})
export type CandidateOut = Static<typeof CandidateOut>

export const MatrixPositionOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  unitId: Uuid,
  unitName: Type.String(),
  isHead: Type.Boolean(),
  structureId: Uuid,
  holders: Type.Array(Person, { description: 'Who holds the position now' }),
  vacant: Type.Boolean(),
  flags: Type.Array(PositionFlagT),
  canEdit: Type.Boolean(),
})
export type MatrixPositionOut = Static<typeof MatrixPositionOut>

export const DutyAssignmentOut = Type.Object({
  id: Uuid,
  positionId: Uuid,
  /** The catalogue item, or null for a duty in free text. */
  dutyId: Type.Union([Uuid, Type.Null()]),
  text: Type.String(),
  /** The clause of the regulation the catalogue duty comes from, e.g. "4.3.1". */
  sourceClause: Type.Union([Type.String(), Type.Null()]),
  substitute: Type.Union([SubstituteOut, Type.Null()]),
  flags: Type.Array(AssignmentFlagT),
  createdBy: Person,
  createdAt: DateTime,
  removedAt: Type.Union([DateTime, Type.Null()]),
})
export type DutyAssignmentOut = Static<typeof DutyAssignmentOut>

export const MatrixDutyOut = Type.Object({
  id: Uuid,
  text: Type.String(),
  sourceClause: Type.String(),
  unitId: Type.Union([Uuid, Type.Null()]),
  sortOrder: Type.Integer(),
  /** Positions (not archived) the duty is assigned to now. */
  assignedTo: Type.Array(Uuid),
})
export type MatrixDutyOut = Static<typeof MatrixDutyOut>

export const DutyMatrixOut = Type.Object({
  root: Type.Object({ id: Uuid, name: Type.String() }),
  /** The unit and its sub-units, in tree order. */
  units: Type.Array(MatrixUnitOut),
  /** Positions of those units (not archived), unit by unit, heads first. */
  positions: Type.Array(MatrixPositionOut),
  /** Current assignments of those positions, in the order they were made. */
  assignments: Type.Array(DutyAssignmentOut),
  /** Catalogue duties of the units' clauses with nobody assigned («не розподілено»). */
  unassigned: Type.Array(MatrixDutyOut),
  /** The catalogue duties of the units' structures (what may be assigned), with who has them. */
  catalogue: Type.Array(MatrixDutyOut),
  /** Positions that may be chosen as substitutes (the same structure as the position). */
  candidates: Type.Array(CandidateOut),
  summary: Type.Object({
    positions: Type.Integer(),
    assignments: Type.Integer(),
    unassigned: Type.Integer(),
    noSubstitute: Type.Integer(),
    substituteVacant: Type.Integer(),
    substituteSelf: Type.Integer(),
    positionsWithoutDuties: Type.Integer(),
  }),
})
export type DutyMatrixOut = Static<typeof DutyMatrixOut>

export const DutyAssignmentCreate = Type.Object(
  {
    positionId: Uuid,
    /** A catalogue duty: its text is taken from the catalogue. Give either dutyId or text. */
    dutyId: Type.Optional(Uuid),
    /** A duty in free text (one paragraph, no markup). Give either dutyId or text. */
    text: Type.Optional(DutyText),
    substitutePositionId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'The position that stands in for this duty (4.8)' })),
  },
  { additionalProperties: false },
)
export type DutyAssignmentCreate = Static<typeof DutyAssignmentCreate>

export const DutyAssignmentPatch = Type.Object(
  {
    /** Only for duties in free text. */
    text: Type.Optional(DutyText),
    substitutePositionId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'null clears the substitute' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type DutyAssignmentPatch = Static<typeof DutyAssignmentPatch>
