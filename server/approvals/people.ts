import type { Db, Tx } from '../db/client.ts'
import type { Prisma } from '../generated/prisma/client.ts'
import { asSql, sql, type Conn } from '../db/sql.ts'
import type { ParticipantSpec } from './schemas.ts'

export interface PersonRef {
  id: string
  fullName: string
  email: string | null
}

/** A position as a stage sees it: who holds it now, and who stands in for the holder. */
export interface PositionActors {
  positionId: string
  title: string
  unitId: string
  unitName: string
  holder: PersonRef | null
  substitute: PersonRef | null
}

export interface ActorRow {
  position_id: string
  title: string
  unit_id: string
  unit_name: string
  holder_id: string | null
  holder_name: string | null
  holder_email: string | null
  substitute_id: string | null
  substitute_name: string | null
  substitute_email: string | null
}

/**
 * The statement behind actorsOf(): one ActorRow per position in `positions` (an SQL uuid[]
 * expression), at the instant `at` (a time, or an SQL expression such as now()). The approval
 * read (load.ts) embeds it.
 */
export const actorsSql = (at: Date | Prisma.Sql, positions: Prisma.Sql) => sql`
    SELECT p.id AS position_id, p.title, p.unit_id, un.name AS unit_name,
           u.id AS holder_id, u.full_name AS holder_name, u.email AS holder_email,
           su.id AS substitute_id, su.full_name AS substitute_name, su.email AS substitute_email
      FROM position p
      JOIN unit un ON un.id = p.unit_id
      LEFT JOIN LATERAL (
        SELECT ph.user_id FROM position_holder ph JOIN app_user hu ON hu.id = ph.user_id AND hu.active
         WHERE ph.position_id = p.id AND ph.since <= ${at} AND (ph.until IS NULL OR ph.until > ${at})
         ORDER BY ph.since DESC LIMIT 1) h ON true
      LEFT JOIN app_user u ON u.id = h.user_id
      LEFT JOIN LATERAL (
        SELECT s.substitute_id FROM substitution s JOIN app_user x ON x.id = s.substitute_id AND x.active
         WHERE s.user_id = h.user_id AND s.cancelled_at IS NULL AND s.starts_at <= ${at} AND s.ends_at > ${at}
         ORDER BY s.created_at DESC LIMIT 1) sub ON true
      LEFT JOIN app_user su ON su.id = sub.substitute_id
     WHERE p.id = ANY(${positions})`

export const actorsFromRows = (rows: ActorRow[]): Map<string, PositionActors> =>
  new Map(
    rows.map((r) => [
      r.position_id,
      {
        positionId: r.position_id,
        title: r.title,
        unitId: r.unit_id,
        unitName: r.unit_name,
        holder: r.holder_id ? { id: r.holder_id, fullName: r.holder_name!, email: r.holder_email } : null,
        substitute: r.substitute_id ? { id: r.substitute_id, fullName: r.substitute_name!, email: r.substitute_email } : null,
      },
    ]),
  )

/**
 * The current holder of each position and the holder's substitute for this moment
 * (regulation 4.8: tasks go to the substitute during an absence).
 */
export async function actorsOf(db: Conn, positionIds: string[], at = new Date()): Promise<Map<string, PositionActors>> {
  if (positionIds.length === 0) return new Map()
  return actorsFromRows(await asSql(db).query<ActorRow>(actorsSql(at, sql`${positionIds}::uuid[]`)))
}

/** Everyone who should hear about a stage's work: holders and, during absences, their substitutes. */
export const peopleToNotify = (actors: Iterable<PositionActors>): PersonRef[] => {
  const seen = new Map<string, PersonRef>()
  for (const a of actors) {
    if (a.holder) seen.set(a.holder.id, a.holder)
    if (a.substitute) seen.set(a.substitute.id, a.substitute)
  }
  return [...seen.values()]
}

/** How a person may act for a position: as its holder, or as the holder's substitute. */
export function actingAs(a: PositionActors, userId: string): { onBehalfOf: PersonRef | null } | null {
  if (a.holder?.id === userId) return { onBehalfOf: null }
  if (a.substitute?.id === userId && a.holder) return { onBehalfOf: a.holder }
  return null
}

/** The head position of a unit, or of the nearest unit above it that has one. */
async function headPosition(db: Db | Tx, unitId: string, excludeHolderId: string | null): Promise<string | null> {
  let cursor: string | null = unitId
  for (let depth = 0; cursor && depth < 20; depth++) {
    const unit: { parentId: string | null; positions: { id: string; holders: { userId: string }[] }[] } | null = await db.unit.findUnique({
      where: { id: cursor },
      select: {
        parentId: true,
        positions: { where: { isHead: true, archivedAt: null }, select: { id: true, holders: { where: { until: null }, select: { userId: true } } } },
      },
    })
    if (!unit) return null
    // The author's own head position does not visa the author's draft: go one level up.
    const head = unit.positions.find((p) => !p.holders.some((h) => h.userId === excludeHolderId))
    if (head) return head.id
    cursor = unit.parentId
  }
  return null
}

/** The positions a stage's participant specs name, for a document by this author. */
export async function resolveSpecs(db: Db | Tx, specs: ParticipantSpec[], doc: { authorUnitId: string; createdById: string }): Promise<string[]> {
  const out = new Set<string>()
  for (const spec of specs) {
    if (spec.type === 'position') {
      const p = await db.position.findFirst({ where: { id: spec.positionId, archivedAt: null }, select: { id: true } })
      if (p) out.add(p.id)
    } else if (spec.type === 'author_unit_head') {
      const id = await headPosition(db, doc.authorUnitId, doc.createdById)
      if (id) out.add(id)
    } else {
      const ps = await db.position.findMany({ where: { roles: { has: spec.role }, archivedAt: null, ...(spec.unitId ? { unitId: spec.unitId } : {}) }, select: { id: true }, orderBy: { sortOrder: 'asc' } })
      for (const p of ps) out.add(p.id)
    }
  }
  return [...out]
}
