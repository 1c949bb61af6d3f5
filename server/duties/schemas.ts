import { Type, type Static } from 'typebox'
import { DateTime, Line, Uuid } from '../schemas.ts'

/** Job description statuses (JobDescription.status in the schema). */
export const JOB_DESCRIPTION_STATUSES = ['draft', 'in_approval', 'approved', 'superseded', 'withdrawn'] as const
export const JobDescriptionStatusT = Type.Enum(JOB_DESCRIPTION_STATUSES)
export type JobDescriptionStatus = (typeof JOB_DESCRIPTION_STATUSES)[number]

/** Limits of a job description's content (also shown by the editor). */
export const JD_LIMITS = {
  itemLength: 2000,
  tasks: 80,
  listItems: 40,
  general: 10_000,
  qualification: 5000,
} as const

/**
 * Multi-line text of a section (paragraphs separated by line breaks). Markup is refused rather
 * than stored, as in one-line fields: '<' and '>' only ever arrive as an injection attempt.
 */
const Paragraphs = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f<>]*$' })

/** One item of a list section: one paragraph, no markup. */
const Item = Line(JD_LIMITS.itemLength)

/** A task or duty: free text, or a catalogue item (its id) with its text as it stands in the instruction. */
export const TaskItem = Type.Object(
  {
    text: Item,
    dutyId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type TaskItem = Static<typeof TaskItem>

/**
 * The sections of a job description, in the order of ДСТУ 4163-style job descriptions:
 * 1 general provisions, 2 tasks and duties, 3 rights, 4 responsibility, 5 must know,
 * 6 qualification requirements. `general` and `qualification` are paragraphs (one numbered
 * item per line), the rest lists.
 */
export const JobSections = Type.Object(
  {
    general: Paragraphs(JD_LIMITS.general),
    tasks: Type.Array(TaskItem, { maxItems: JD_LIMITS.tasks }),
    rights: Type.Array(Item, { maxItems: JD_LIMITS.listItems }),
    responsibility: Type.Array(Item, { maxItems: JD_LIMITS.listItems }),
    mustKnow: Type.Array(Item, { maxItems: JD_LIMITS.listItems }),
    qualification: Paragraphs(JD_LIMITS.qualification),
  },
  { additionalProperties: false },
)
export type JobSections = Static<typeof JobSections>

export const DutyOut = Type.Object({
  id: Uuid,
  text: Type.String(),
  sourceClause: Type.String({ description: 'Clause of the regulation, e.g. "4.3.1"' }),
  unitId: Type.Union([Uuid, Type.Null()]),
  sortOrder: Type.Integer(),
})
export type DutyOut = Static<typeof DutyOut>

export const CatalogQuery = Type.Object(
  {
    unitId: Type.Optional(Uuid),
    clause: Type.Optional(Type.String({ maxLength: 20, pattern: '^[0-9.]+$', description: 'A clause or its prefix: "4.3.1", "3"' })),
  },
  { additionalProperties: false },
)
export type CatalogQuery = Static<typeof CatalogQuery>

export const JobDescriptionCreate = Type.Object({ sections: Type.Optional(JobSections) }, { additionalProperties: false })
export type JobDescriptionCreate = Static<typeof JobDescriptionCreate>

export const JobDescriptionUpdate = Type.Object({ sections: JobSections }, { additionalProperties: false })
export type JobDescriptionUpdate = Static<typeof JobDescriptionUpdate>

const Person = Type.Object({ id: Uuid, fullName: Type.String() })

export const AcknowledgmentOut = Type.Object({
  user: Person,
  /** The name as it was when the person acknowledged. */
  fullName: Type.String(),
  at: DateTime,
  /** SHA-256 of the signed version acknowledged. */
  versionSha256: Type.String(),
})
export type AcknowledgmentOut = Static<typeof AcknowledgmentOut>

export const JdPositionOut = Type.Object({
  id: Uuid,
  title: Type.String(),
  unitId: Uuid,
  unitName: Type.String(),
  holders: Type.Array(Person, { description: 'Who holds the position now' }),
})
export type JdPositionOut = Static<typeof JdPositionOut>

export const JobDescriptionOut = Type.Object({
  id: Uuid,
  version: Type.Integer({ description: 'Редакція: 1, 2, … per position' }),
  position: JdPositionOut,
  documentId: Uuid,
  documentStatus: Type.String(),
  status: JobDescriptionStatusT,
  /** The latest route was returned for revision: edit and send again. */
  returned: Type.Boolean(),
  approvalId: Type.Union([Uuid, Type.Null()]),
  sections: JobSections,
  approvedAt: Type.Union([DateTime, Type.Null()]),
  inForceFrom: Type.Union([DateTime, Type.Null()]),
  inForceUntil: Type.Union([DateTime, Type.Null()]),
  inForce: Type.Boolean(),
  latestVersion: Type.Union([Type.Object({ number: Type.Integer(), sha256: Type.String(), fileName: Type.String(), createdAt: DateTime }), Type.Null()]),
  createdBy: Person,
  createdAt: DateTime,
  acknowledgments: Type.Array(AcknowledgmentOut),
  can: Type.Object({ edit: Type.Boolean(), send: Type.Boolean(), acknowledge: Type.Boolean() }),
})
export type JobDescriptionOut = Static<typeof JobDescriptionOut>

export const PositionJobDescriptionsOut = Type.Object({
  position: JdPositionOut,
  /** Whether the signed-in person may draft a new version for this position. */
  canDraft: Type.Boolean(),
  /** Newest first. Drafts the person may not see are left out. */
  items: Type.Array(JobDescriptionOut),
})
export type PositionJobDescriptionsOut = Static<typeof PositionJobDescriptionsOut>

export const MyJobDescriptionOut = Type.Object({
  position: Type.Object({ id: Uuid, title: Type.String(), unitName: Type.String() }),
  /** The job description in force for the position, or null when none is approved yet. */
  jobDescription: Type.Union([JobDescriptionOut, Type.Null()]),
  acknowledgedAt: Type.Union([DateTime, Type.Null()]),
})
export type MyJobDescriptionOut = Static<typeof MyJobDescriptionOut>
