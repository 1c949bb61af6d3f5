import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { Prisma, type Role, type UnitKind } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import { activeHolding } from './sessions.ts'
import { hashPassword } from './passwords.ts'

const isUnique = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002'

type UnitRow = Prisma.UnitGetPayload<object>
export const presentUnit = (u: UnitRow) => ({
  id: u.id,
  parentId: u.parentId,
  code: u.code,
  name: u.name,
  shortName: u.shortName,
  kind: u.kind,
  sortOrder: u.sortOrder,
  archived: u.archivedAt !== null,
})

// Functions, not constants: "current" holdings are relative to the moment of each query.
const positionInclude = () =>
  ({
    unit: true,
    holders: { where: activeHolding(), include: { user: true }, orderBy: { since: 'desc' as const }, take: 1 },
  }) satisfies Prisma.PositionInclude
type PositionRow = Prisma.PositionGetPayload<{ include: ReturnType<typeof positionInclude> }>
export const presentPosition = (p: PositionRow) => {
  const h = p.holders[0]
  return {
    id: p.id,
    unitId: p.unitId,
    unitName: p.unit.name,
    title: p.title,
    isHead: p.isHead,
    roles: p.roles,
    sortOrder: p.sortOrder,
    archived: p.archivedAt !== null,
    holder: h ? { id: h.id, userId: h.userId, fullName: h.user.fullName, since: h.since.toISOString(), until: h.until?.toISOString() ?? null } : null,
  }
}

const userInclude = () =>
  ({
    holdings: { where: activeHolding(), include: { position: { include: { unit: true } } }, orderBy: { since: 'asc' as const } },
  }) satisfies Prisma.UserInclude
type UserRow = Prisma.UserGetPayload<{ include: ReturnType<typeof userInclude> }>
export const presentUser = (u: UserRow) => ({
  id: u.id,
  login: u.login,
  fullName: u.fullName,
  email: u.email,
  active: u.active,
  positions: u.holdings.map((h) => ({
    positionId: h.positionId,
    holderId: h.id,
    title: h.position.title,
    unitId: h.position.unitId,
    unitName: h.position.unit.name,
    roles: h.position.roles,
    since: h.since.toISOString(),
  })),
})

export const listUnits = (db: Db) => db.unit.findMany({ orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }] })

/** Refuses a parent that is the unit itself or one of its descendants. */
async function assertNoCycle(tx: Tx, unitId: string, parentId: string | null) {
  let cursor = parentId
  for (let depth = 0; cursor; depth++) {
    if (cursor === unitId || depth > 100) throw new AppError('UNIT_CYCLE')
    const parent: { parentId: string | null } | null = await tx.unit.findUnique({ where: { id: cursor }, select: { parentId: true } })
    if (!parent) throw new AppError('UNIT_NOT_FOUND', 'батьківський підрозділ не існує')
    cursor = parent.parentId
  }
}

export async function createUnit(db: Db, actor: Actor, input: { parentId: string | null; code: string; name: string; shortName?: string | null; kind: UnitKind; sortOrder?: number }) {
  return db.$transaction(async (tx) => {
    if (input.parentId && !(await tx.unit.findUnique({ where: { id: input.parentId } }))) throw new AppError('UNIT_NOT_FOUND', 'батьківський підрозділ не існує')
    try {
      const unit = await tx.unit.create({ data: { ...input, name: input.name.trim(), shortName: input.shortName?.trim() ?? null } })
      await audit(tx, actor, { action: 'unit.created', targetType: 'unit', targetId: unit.id, after: presentUnit(unit) })
      return unit
    } catch (e) {
      if (isUnique(e)) throw new AppError('UNIT_CODE_TAKEN')
      throw e
    }
  })
}

export async function updateUnit(db: Db, actor: Actor, id: string, patch: { parentId?: string | null; code?: string; name?: string; shortName?: string | null; kind?: UnitKind; sortOrder?: number; archived?: boolean }) {
  return db.$transaction(async (tx) => {
    const before = await tx.unit.findUnique({ where: { id } })
    if (!before) throw new AppError('UNIT_NOT_FOUND')
    if (patch.parentId !== undefined) await assertNoCycle(tx, id, patch.parentId)
    const { archived, ...rest } = patch
    try {
      const unit = await tx.unit.update({
        where: { id },
        data: { ...rest, ...(archived === undefined ? {} : { archivedAt: archived ? (before.archivedAt ?? new Date()) : null }) },
      })
      await audit(tx, actor, { action: 'unit.updated', targetType: 'unit', targetId: id, before: presentUnit(before), after: presentUnit(unit) })
      return unit
    } catch (e) {
      if (isUnique(e)) throw new AppError('UNIT_CODE_TAKEN')
      throw e
    }
  })
}

export const listPositions = (db: Db, filter: { unitId?: string }) =>
  db.position.findMany({ where: { unitId: filter.unitId }, include: positionInclude(), orderBy: [{ unitId: 'asc' }, { sortOrder: 'asc' }, { title: 'asc' }] })

export const getPosition = async (db: Db | Tx, id: string) => {
  const p = await db.position.findUnique({ where: { id }, include: positionInclude() })
  if (!p) throw new AppError('POSITION_NOT_FOUND')
  return p
}

/** The system must keep at least one active person holding a position with the admin role. */
async function assertAdminRemains(tx: Tx) {
  const n = await tx.positionHolder.count({
    where: { ...activeHolding(), user: { active: true }, position: { archivedAt: null, roles: { has: 'admin' } } },
  })
  if (n === 0) throw new AppError('LAST_ADMIN')
}

export async function createPosition(db: Db, actor: Actor, input: { unitId: string; title: string; isHead?: boolean; roles: Role[]; sortOrder?: number }) {
  return db.$transaction(async (tx) => {
    if (!(await tx.unit.findUnique({ where: { id: input.unitId } }))) throw new AppError('UNIT_NOT_FOUND')
    const created = await tx.position.create({ data: { ...input, title: input.title.trim() } })
    const p = await getPosition(tx, created.id)
    await audit(tx, actor, { action: 'position.created', targetType: 'position', targetId: p.id, after: presentPosition(p) })
    return p
  })
}

export async function updatePosition(db: Db, actor: Actor, id: string, patch: { unitId?: string; title?: string; isHead?: boolean; roles?: Role[]; sortOrder?: number; archived?: boolean }) {
  return db.$transaction(async (tx) => {
    const before = await getPosition(tx, id)
    if (patch.unitId && !(await tx.unit.findUnique({ where: { id: patch.unitId } }))) throw new AppError('UNIT_NOT_FOUND')
    const { archived, ...rest } = patch
    await tx.position.update({
      where: { id },
      data: { ...rest, ...(archived === undefined ? {} : { archivedAt: archived ? (before.archivedAt ?? new Date()) : null }) },
    })
    await assertAdminRemains(tx)
    const after = await getPosition(tx, id)
    await audit(tx, actor, { action: 'position.updated', targetType: 'position', targetId: id, before: presentPosition(before), after: presentPosition(after) })
    return after
  })
}

/** Puts a person in a position, ending whoever held it until now. */
export async function assignHolder(db: Db, actor: Actor, positionId: string, userId: string, since = new Date()) {
  return db.$transaction(async (tx) => {
    // Lock the position so two admins assigning at once cannot both succeed.
    await tx.$queryRaw`SELECT id FROM position WHERE id = ${positionId}::uuid FOR UPDATE`
    const position = await getPosition(tx, positionId)
    if (position.archivedAt) throw new AppError('CONFLICT', 'посаду архівовано')
    const user = await tx.user.findUnique({ where: { id: userId } })
    if (!user) throw new AppError('USER_NOT_FOUND')
    if (position.holders[0]?.userId === userId) throw new AppError('CONFLICT', 'ця особа вже обіймає посаду')
    const previous = position.holders[0]
    if (previous) await tx.positionHolder.update({ where: { id: previous.id }, data: { until: since } })
    const holder = await tx.positionHolder.create({ data: { positionId, userId, since } })
    await assertAdminRemains(tx)
    if (previous) await audit(tx, actor, { action: 'holder.ended', targetType: 'position_holder', targetId: previous.id, before: { positionId, userId: previous.userId } })
    await audit(tx, actor, { action: 'holder.assigned', targetType: 'position_holder', targetId: holder.id, after: { positionId, userId, since: since.toISOString() } })
    return getPosition(tx, positionId)
  })
}

/** Ends a holding now (the person leaves the position). */
export async function endHolding(db: Db, actor: Actor, holderId: string) {
  return db.$transaction(async (tx) => {
    const h = await tx.positionHolder.findUnique({ where: { id: holderId } })
    if (!h || (h.until && h.until <= new Date())) throw new AppError('NOT_FOUND', 'чинного призначення не знайдено')
    await tx.positionHolder.update({ where: { id: holderId }, data: { until: new Date() } })
    await assertAdminRemains(tx)
    await audit(tx, actor, { action: 'holder.ended', targetType: 'position_holder', targetId: holderId, before: { positionId: h.positionId, userId: h.userId } })
  })
}

export const listUsers = (db: Db, filter: { q?: string; active?: boolean }) =>
  db.user.findMany({
    where: { active: filter.active, ...(filter.q ? { OR: [{ fullName: { contains: filter.q, mode: 'insensitive' } }, { login: { contains: filter.q.toLowerCase() } }] } : {}) },
    include: userInclude(),
    orderBy: { fullName: 'asc' },
    take: 500,
  })

export const getUser = async (db: Db | Tx, id: string) => {
  const u = await db.user.findUnique({ where: { id }, include: userInclude() })
  if (!u) throw new AppError('USER_NOT_FOUND')
  return u
}

export async function createUser(db: Db, actor: Actor, input: { login: string; fullName: string; email?: string | null; password: string }) {
  const passwordHash = await hashPassword(input.password)
  return db.$transaction(async (tx) => {
    try {
      const u = await tx.user.create({ data: { login: input.login, fullName: input.fullName.trim(), email: input.email ?? null, passwordHash } })
      const full = await getUser(tx, u.id)
      await audit(tx, actor, { action: 'user.created', targetType: 'user', targetId: u.id, after: presentUser(full) })
      return full
    } catch (e) {
      if (isUnique(e)) throw new AppError('LOGIN_TAKEN')
      throw e
    }
  })
}

export async function updateUser(db: Db, actor: Actor, id: string, patch: { fullName?: string; email?: string | null; active?: boolean; password?: string }) {
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined
  return db.$transaction(async (tx) => {
    const before = await getUser(tx, id)
    const { password: _password, ...rest } = patch
    await tx.user.update({ where: { id }, data: { ...rest, ...(passwordHash ? { passwordHash } : {}) } })
    // A deactivated person or a reset password ends every open session.
    if (patch.active === false || passwordHash) await tx.session.deleteMany({ where: { userId: id } })
    if (patch.active === false) await assertAdminRemains(tx)
    const after = await getUser(tx, id)
    await audit(tx, actor, { action: 'user.updated', targetType: 'user', targetId: id, before: presentUser(before), after: presentUser(after) })
    if (passwordHash) await audit(tx, actor, { action: 'user.password_reset', targetType: 'user', targetId: id })
    return after
  })
}
