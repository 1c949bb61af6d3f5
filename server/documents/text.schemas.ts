import { Type, type Static } from 'typebox'
import { Uuid } from '../schemas.ts'
import { VersionParams } from './schemas.ts'

/** Path of one version's text: the document and the version number (as for its content). */
export const VersionTextParams = VersionParams
export type VersionTextParams = Static<typeof VersionTextParams>

const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' })
const TextError = Type.Union([Type.String(), Type.Null()], { description: 'Why the text could not be read (shown to people), or null' })

export const VersionTextOut = Type.Object({
  number: Type.Integer(),
  sha256: Sha256,
  text: Type.String({ description: "Plain text; PDF pages are separated by '\\f' (form feed)" }),
  error: TextError,
})
export type VersionTextOut = Static<typeof VersionTextOut>

export const DiffParams = Type.Object({ id: Uuid })
export const DiffQuery = Type.Object(
  {
    from: Type.Integer({ minimum: 1, description: 'The older version number' }),
    to: Type.Integer({ minimum: 1, description: 'The newer version number' }),
  },
  { additionalProperties: false },
)
export type DiffQuery = Static<typeof DiffQuery>

export const DiffHunkOut = Type.Object({
  kind: Type.Union([Type.Literal('same'), Type.Literal('added'), Type.Literal('removed')]),
  text: Type.String({ description: "Whole lines end with '\\n'; in changed lines, words and the blanks between them" }),
  oldPage: Type.Optional(Type.Integer({ minimum: 1, description: 'Page in the old version (texts with page breaks only)' })),
  newPage: Type.Optional(Type.Integer({ minimum: 1, description: 'Page in the new version (texts with page breaks only)' })),
  collapsed: Type.Optional(Type.Integer({ minimum: 1, description: "Unchanged lines hidden here; the text is then '…'" })),
})
export type DiffHunkOut = Static<typeof DiffHunkOut>

const VersionRef = Type.Object({ number: Type.Integer(), sha256: Sha256 })

export const VersionDiffOut = Type.Object({
  from: VersionRef,
  to: VersionRef,
  hunks: Type.Array(DiffHunkOut),
  stats: Type.Object({ added: Type.Integer(), removed: Type.Integer(), same: Type.Integer() }, { description: 'Counted in words' }),
  truncated: Type.Boolean({ description: 'The diff was cut at its size limit' }),
  error: TextError,
})
export type VersionDiffOut = Static<typeof VersionDiffOut>
