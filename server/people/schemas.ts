import { Type, type Static } from 'typebox'
import { DateTime, Line, Uuid } from '../schemas.ts'

export const ROLES = ['staff', 'unit_head', 'directorate_head', 'expert_reviewer', 'legal_reviewer', 'deputy_mayor', 'mayor', 'clerk', 'admin'] as const
export const UNIT_KINDS = ['council', 'leadership', 'directorate', 'department', 'sector', 'office'] as const

export const RoleT = Type.Enum(ROLES)
export const UnitKindT = Type.Enum(UNIT_KINDS)

export const Login = Type.String({ minLength: 2, maxLength: 64, pattern: '^[a-z0-9][a-z0-9._-]*$', description: 'lower-case Latin letters, digits, dot, dash, underscore' })
export const Password = Type.String({ minLength: 8, maxLength: 256 })

export const SessionPosition = Type.Object({
  id: Uuid,
  title: Type.String(),
  unitId: Uuid,
  unitName: Type.String(),
  isHead: Type.Boolean(),
  roles: Type.Array(RoleT),
})
export const SessionOut = Type.Object({
  user: Type.Object({ id: Uuid, login: Type.String(), fullName: Type.String() }),
  roles: Type.Array(RoleT),
  positions: Type.Array(SessionPosition),
  csrfToken: Type.String(),
  expiresAt: DateTime,
  /** Limits the workspace checks before sending anything. */
  limits: Type.Object({ uploadMaxBytes: Type.Integer() }),
})
export type SessionOut = Static<typeof SessionOut>

export const LoginBody = Type.Object({ login: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false })
export const PasswordChangeBody = Type.Object({ currentPassword: Type.String({ minLength: 1, maxLength: 256 }), newPassword: Password }, { additionalProperties: false })

export const UnitOut = Type.Object({
  id: Uuid,
  parentId: Type.Union([Uuid, Type.Null()]),
  code: Type.String(),
  name: Type.String(),
  shortName: Type.Union([Type.String(), Type.Null()]),
  kind: UnitKindT,
  sortOrder: Type.Integer(),
  archived: Type.Boolean(),
})
export type UnitOut = Static<typeof UnitOut>
export const UnitCode = Type.String({ minLength: 1, maxLength: 20, pattern: '^[0-9A-Za-zА-ЩЬЮЯҐЄІЇа-щьюяґєії.-]+$' })
export const UnitCreate = Type.Object(
  { parentId: Type.Union([Uuid, Type.Null()]), code: UnitCode, name: Line(300), shortName: Type.Optional(Type.Union([Line(120), Type.Null()])), kind: UnitKindT, sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })) },
  { additionalProperties: false },
)
export const UnitPatch = Type.Partial(Type.Object({ ...UnitCreate.properties, archived: Type.Boolean() }), { additionalProperties: false, minProperties: 1 })

export const HolderOut = Type.Object({ id: Uuid, userId: Uuid, fullName: Type.String(), since: DateTime, until: Type.Union([DateTime, Type.Null()]) })
export const PositionOut = Type.Object({
  id: Uuid,
  unitId: Uuid,
  unitName: Type.String(),
  title: Type.String(),
  isHead: Type.Boolean(),
  roles: Type.Array(RoleT),
  sortOrder: Type.Integer(),
  archived: Type.Boolean(),
  holder: Type.Union([HolderOut, Type.Null()]),
})
export type PositionOut = Static<typeof PositionOut>
export const PositionCreate = Type.Object(
  { unitId: Uuid, title: Line(300), isHead: Type.Optional(Type.Boolean()), roles: Type.Array(RoleT, { uniqueItems: true, maxItems: ROLES.length }), sortOrder: Type.Optional(Type.Integer({ minimum: 0, maximum: 10000 })) },
  { additionalProperties: false },
)
export const PositionPatch = Type.Partial(Type.Object({ ...PositionCreate.properties, archived: Type.Boolean() }), { additionalProperties: false, minProperties: 1 })

export const UserPositionOut = Type.Object({ positionId: Uuid, holderId: Uuid, title: Type.String(), unitId: Uuid, unitName: Type.String(), roles: Type.Array(RoleT), since: DateTime })
export const UserOut = Type.Object({
  id: Uuid,
  login: Type.String(),
  fullName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  positions: Type.Array(UserPositionOut),
})
export type UserOut = Static<typeof UserOut>
const Email = Type.String({ format: 'email', maxLength: 254 })
export const UserCreate = Type.Object(
  { login: Login, fullName: Line(200), email: Type.Optional(Type.Union([Email, Type.Null()])), password: Password },
  { additionalProperties: false },
)
export const UserPatch = Type.Partial(
  Type.Object({ fullName: Line(200), email: Type.Union([Email, Type.Null()]), active: Type.Boolean(), password: Password }),
  { additionalProperties: false, minProperties: 1 },
)
export const AssignHolderBody = Type.Object({ userId: Uuid, since: Type.Optional(DateTime) }, { additionalProperties: false })
