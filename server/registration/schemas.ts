import { Type, type Static } from 'typebox'
import { AccessMarkT, DocumentKindT } from '../documents/schemas.ts'
import { DateTime, Line, Page, PageQuery, Text, Uuid } from '../schemas.ts'

/** The parts an index pattern may use; `{seq}` is required. */
export const INDEX_PARTS = ['seq', 'year', 'unit', 'file'] as const
export type IndexPart = (typeof INDEX_PARTS)[number]

/**
 * An index pattern: literal characters (no spaces, no markup) and parts in braces. Its shape is
 * checked here; that it names only known parts and contains {seq} is checked by
 * `checkIndexPattern` (a stable INVALID_INDEX_PATTERN rather than a regex message).
 */
export const IndexPattern = Type.String({ minLength: 5, maxLength: 60, pattern: '^[^\\u0000-\\u001f\\u007f<>\\s]+$', description: 'e.g. "{seq}", "{seq}-р", "{seq}/{file}", "{seq}/{unit}"' })

/** A nomenclature file index: the unit's code and the file's number, e.g. "02-13" or "02-01-05". */
export const FileIndex = Type.String({ minLength: 5, maxLength: 12, pattern: '^\\d{2}(-\\d{2,3}){1,2}$', description: 'e.g. "02-13"' })

/** A year the registers may be kept for. */
export const Year = Type.Integer({ minimum: 2000, maximum: 2100 })

export const JournalOut = Type.Object({
  id: Uuid,
  name: Type.String(),
  kinds: Type.Array(DocumentKindT),
  indexPattern: Type.String(),
  defaultFile: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  createdAt: DateTime,
})
export type JournalOut = Static<typeof JournalOut>

export const JournalCreate = Type.Object(
  {
    name: Line(200),
    kinds: Type.Array(DocumentKindT, { uniqueItems: true, minItems: 1, maxItems: 9 }),
    indexPattern: IndexPattern,
    defaultFile: Type.Union([FileIndex, Type.Null()]),
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type JournalCreate = Static<typeof JournalCreate>
export const JournalPatch = Type.Partial(Type.Object({ ...JournalCreate.properties, active: Type.Boolean() }), { additionalProperties: false, minProperties: 1 })
export type JournalPatch = Static<typeof JournalPatch>

export const NomenclatureFileOut = Type.Object({
  id: Uuid,
  year: Type.Integer(),
  index: Type.String(),
  title: Type.String(),
  unit: Type.Union([Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }), Type.Null()]),
  retention: Type.String(),
  retentionYears: Type.Union([Type.Integer(), Type.Null()]),
  article: Type.String(),
  /** Documents registered into the file; a file in use keeps its year and index. */
  registrations: Type.Integer(),
})
export type NomenclatureFileOut = Static<typeof NomenclatureFileOut>

export const NomenclatureCreate = Type.Object(
  {
    year: Year,
    index: FileIndex,
    title: Line(500),
    unitId: Type.Union([Uuid, Type.Null()]),
    retention: Line(120),
    retentionYears: Type.Union([Type.Integer({ minimum: 1, maximum: 150 }), Type.Null()]),
    article: Type.Optional(Type.String({ maxLength: 40, pattern: '^[^\\u0000-\\u001f\\u007f<>]*$' })),
  },
  { additionalProperties: false },
)
export type NomenclatureCreate = Static<typeof NomenclatureCreate>
export const NomenclaturePatch = Type.Partial(NomenclatureCreate, { additionalProperties: false, minProperties: 1 })
export type NomenclaturePatch = Static<typeof NomenclaturePatch>
export const NomenclatureQuery = Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false })

/** The registration card (реєстраційна картка): the registration and the document's own requisites. */
export const RegistrationCard = Type.Object({
  id: Uuid,
  documentId: Uuid,
  journal: Type.Object({ id: Uuid, name: Type.String() }),
  year: Type.Integer(),
  seq: Type.Integer(),
  index: Type.String(),
  registeredAt: DateTime,
  registeredBy: Type.Object({ id: Uuid, fullName: Type.String() }),
  file: Type.Object({ id: Uuid, index: Type.String(), title: Type.String(), retention: Type.String() }),
  kind: DocumentKindT,
  title: Type.String(),
  summary: Type.String(),
  accessMark: AccessMarkT,
  authorUnit: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
  correspondent: Type.String(),
  receivedAt: Type.Union([DateTime, Type.Null()]),
  resolution: Type.String(),
  attachments: Type.String(),
})
export type RegistrationCard = Static<typeof RegistrationCard>

/** The card fields a clerk may correct; index, number, date and journal never change. */
export const RegistrationPatch = Type.Partial(
  Type.Object({
    correspondent: Type.String({ maxLength: 500, pattern: '^[^\\u0000-\\u001f\\u007f<>]*$' }),
    receivedAt: Type.Union([DateTime, Type.Null()]),
    resolution: Text(4000),
    attachments: Type.String({ maxLength: 1000, pattern: '^[^\\u0000-\\u001f\\u007f<>]*$' }),
    fileId: Uuid,
  }),
  { additionalProperties: false, minProperties: 1 },
)
export type RegistrationPatch = Static<typeof RegistrationPatch>

export const RegistrationListQuery = Type.Object(
  { year: Type.Optional(Year), q: Type.Optional(Type.String({ maxLength: 200 })), ...PageQuery },
  { additionalProperties: false },
)
export type RegistrationListQuery = Static<typeof RegistrationListQuery>
export const RegistrationPage = Page(RegistrationCard)
export type RegistrationPage = Static<typeof RegistrationPage>

/** The card of a document, or null while it is not registered. */
export const MaybeRegistrationCard = Type.Union([RegistrationCard, Type.Null()])
export type MaybeRegistrationCard = Static<typeof MaybeRegistrationCard>
