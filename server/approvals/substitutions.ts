import type { SubstitutionCreate, SubstitutionOut } from './schemas.ts'
import type { Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import { notify } from '../notifications/notify.ts'
import type { Auth } from '../people/sessions.ts'

export { SubstitutionCreate, SubstitutionOut } from './schemas.ts'

const include = { user: { select: { id: true, fullName: true } }, substitute: { select: { id: true, fullName: true } } } as const
type Row = Awaited<ReturnType<typeof listSubstitutions>>[number]

export function presentSubstitution(s: Row, now = new Date()): SubstitutionOut {
  return {
    id: s.id,
    user: s.user,
    substitute: s.substitute,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    reason: s.reason,
    active: !s.cancelledAt && s.startsAt <= now && s.endsAt > now,
    cancelledAt: s.cancelledAt?.toISOString() ?? null,
    createdAt: s.createdAt.toISOString(),
  }
}

/** Substitutions where the person is absent or stands in; admins see everyone's. */
export const listSubstitutions = (db: Db, auth: Auth, all: boolean) =>
  db.substitution.findMany({
    where: all && auth.roles.includes('admin') ? {} : { OR: [{ userId: auth.userId }, { substituteId: auth.userId }] },
    include,
    orderBy: { startsAt: 'desc' },
    take: 200,
  })

/** A person names who stands in for them over a period (regulation 4.8); their tasks go to the substitute then. */
export async function createSubstitution(db: Db, auth: Auth, actor: Actor, input: SubstitutionCreate) {
  const userId = input.userId ?? auth.userId
  if (userId !== auth.userId && !auth.roles.includes('admin')) throw new AppError('FORBIDDEN', 'заміщення встановлює сам працівник або адміністратор')
  if (userId === input.substituteId) throw new AppError('VALIDATION_FAILED', 'особа не може заміщувати сама себе')
  const startsAt = new Date(input.startsAt)
  const endsAt = new Date(input.endsAt)
  if (!(endsAt > startsAt)) throw new AppError('VALIDATION_FAILED', 'кінець заміщення має бути пізніше за початок')
  if (endsAt.getTime() - startsAt.getTime() > 366 * 86400_000) throw new AppError('VALIDATION_FAILED', 'заміщення довше за рік не встановлюють')
  return db.$transaction(async (tx) => {
    const [user, substitute] = await Promise.all([tx.user.findUnique({ where: { id: userId } }), tx.user.findUnique({ where: { id: input.substituteId } })])
    if (!user || !substitute || !substitute.active) throw new AppError('USER_NOT_FOUND')
    const s = await tx.substitution.create({ data: { userId, substituteId: input.substituteId, startsAt, endsAt, reason: input.reason?.trim() ?? '', createdById: auth.userId }, include })
    await notify(tx, [
      {
        userId: input.substituteId,
        kind: 'substitution',
        title: `Ви заміщуєте: ${user.fullName}`,
        body: `З ${startsAt.toLocaleString('uk-UA', { timeZone: 'Europe/Kyiv' })} до ${endsAt.toLocaleString('uk-UA', { timeZone: 'Europe/Kyiv' })}. Завдання на погодження надходитимуть вам.`,
        link: '/today',
        dedupeKey: `substitution:${s.id}`,
        email: true,
      },
    ])
    await audit(tx, actor, { action: 'substitution.created', targetType: 'substitution', targetId: s.id, after: presentSubstitution(s) })
    return s
  })
}

/** Ends a substitution now (or cancels one not yet begun). */
export async function cancelSubstitution(db: Db, auth: Auth, actor: Actor, id: string) {
  return db.$transaction(async (tx) => {
    const s = await tx.substitution.findUnique({ where: { id }, include })
    if (!s || (s.userId !== auth.userId && s.substituteId !== auth.userId && !auth.roles.includes('admin'))) throw new AppError('SUBSTITUTION_NOT_FOUND')
    if (s.cancelledAt) throw new AppError('CONFLICT', 'заміщення вже скасовано')
    const after = await tx.substitution.update({ where: { id }, data: { cancelledAt: new Date() }, include })
    await audit(tx, actor, { action: 'substitution.cancelled', targetType: 'substitution', targetId: id, before: presentSubstitution(s), after: presentSubstitution(after) })
    return after
  })
}
