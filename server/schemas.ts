import { Type, type Static, type TSchema } from 'typebox'

/** RFC 9457 problem details, as every error is answered. */
export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable error code (see GET /api/problems)' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', additionalProperties: true },
)
export type Problem = Static<typeof Problem>

export const Uuid = Type.String({ format: 'uuid' })
export const IdParams = Type.Object({ id: Uuid })
export const DateTime = Type.String({ format: 'date-time' })

/**
 * A single-line, non-blank text field (titles, names). Markup is refused rather than
 * stored: '<' and '>' have no place in a title and only ever arrive as an injection attempt.
 */
export const Line = (maxLength: number, opts: { minLength?: number } = {}) =>
  Type.String({ minLength: opts.minLength ?? 1, maxLength, pattern: '^(?=.*\\S)[^\\u0000-\\u001f\\u007f<>]*$' })

/** Multi-line free text (tabs and newlines allowed, other control characters are not). */
export const Text = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' })

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 })),
}

/** A page of items with the total count that matches the filters. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() })

/** Standard error responses for route schemas. */
export const errors = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Problem]))

export const Ok = Type.Object({ ok: Type.Literal(true) })
