import { Type, type Static } from 'typebox'
import { DateTime, Line, Page, PageQuery, Text, Uuid } from '../schemas.ts'

export const DOCUMENT_KINDS = [
  'council_decision_draft',
  'executive_decision_draft',
  'mayor_order',
  'instruction',
  'job_description',
  'regulation',
  'letter',
  'appeal',
  'expert_conclusion',
] as const
export const ACCESS_MARKS = ['public', 'internal', 'personal_data'] as const
/** The Directorate's competence topics (regulation 4.3.1); any of them makes its expert review required. */
export const DIRECTORATE_TOPICS = ['digitalization', 'it_services', 'information_security', 'information_policy', 'open_data'] as const
export const DOCUMENT_STATUSES = ['draft', 'in_approval', 'approved', 'signed', 'registered', 'withdrawn', 'archived'] as const

/** Media types a version may have; checked against the bytes, never the file name. */
export const VERSION_MEDIA_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  odt: 'application/vnd.oasis.opendocument.text',
} as const

export const DocumentKindT = Type.Enum(DOCUMENT_KINDS)
export const AccessMarkT = Type.Enum(ACCESS_MARKS)
export const DocumentStatusT = Type.Enum(DOCUMENT_STATUSES)
export const TopicT = Type.Enum(DIRECTORATE_TOPICS)
const Topics = Type.Array(TopicT, { uniqueItems: true, maxItems: DIRECTORATE_TOPICS.length })

export const VersionOut = Type.Object({
  id: Uuid,
  documentId: Uuid,
  number: Type.Integer(),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.Integer(),
  mediaType: Type.String(),
  fileName: Type.String(),
  comment: Type.String(),
  createdBy: Type.Object({ id: Uuid, fullName: Type.String() }),
  createdAt: DateTime,
})
export type VersionOut = Static<typeof VersionOut>

export const LatestVersion = Type.Object({ number: Type.Integer(), fileName: Type.String(), size: Type.Integer(), mediaType: Type.String(), sha256: Type.String(), createdAt: DateTime })

export const DocumentOut = Type.Object({
  id: Uuid,
  kind: DocumentKindT,
  title: Type.String(),
  summary: Type.String(),
  authorUnit: Type.Object({ id: Uuid, name: Type.String() }),
  accessMark: AccessMarkT,
  status: DocumentStatusT,
  topics: Topics,
  createdBy: Type.Object({ id: Uuid, fullName: Type.String() }),
  createdAt: DateTime,
  updatedAt: DateTime,
  versionCount: Type.Integer(),
  latestVersion: Type.Union([LatestVersion, Type.Null()]),
})
export type DocumentOut = Static<typeof DocumentOut>

export const DocumentDetail = Type.Object({
  ...DocumentOut.properties,
  versions: Type.Array(VersionOut),
  canEdit: Type.Boolean(),
})
export type DocumentDetail = Static<typeof DocumentDetail>

export const DocumentCreate = Type.Object(
  {
    kind: DocumentKindT,
    title: Line(500),
    summary: Type.Optional(Text(4000)),
    authorUnitId: Uuid,
    accessMark: Type.Optional(AccessMarkT),
    topics: Type.Optional(Topics),
  },
  { additionalProperties: false },
)
export type DocumentCreate = Static<typeof DocumentCreate>

export const DocumentPatch = Type.Partial(Type.Object({ title: Line(500), summary: Text(4000), accessMark: AccessMarkT, topics: Topics }), { additionalProperties: false, minProperties: 1 })
export type DocumentPatch = Static<typeof DocumentPatch>

export const DOCUMENT_SORTS = ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt', 'title', '-title'] as const
export const DocumentListQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200 })),
    kind: Type.Optional(DocumentKindT),
    status: Type.Optional(DocumentStatusT),
    accessMark: Type.Optional(AccessMarkT),
    authorUnitId: Type.Optional(Uuid),
    mine: Type.Optional(Type.Boolean()),
    createdFrom: Type.Optional(Type.String({ format: 'date' })),
    createdTo: Type.Optional(Type.String({ format: 'date' })),
    sort: Type.Optional(Type.Enum(DOCUMENT_SORTS, { default: '-createdAt' })),
    ...PageQuery,
  },
  { additionalProperties: false },
)
export type DocumentListQuery = Static<typeof DocumentListQuery>

export const DocumentPage = Page(DocumentOut)
export type DocumentPage = Static<typeof DocumentPage>

export const VersionParams = Type.Object({ id: Uuid, number: Type.Integer({ minimum: 1 }) })
export const UploadQuery = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255, description: 'Original file name (no folders)' }),
    comment: Type.Optional(Text(1000)),
  },
  { additionalProperties: false },
)
export const DownloadQuery = Type.Object({ inline: Type.Optional(Type.Boolean()) }, { additionalProperties: false })
