import type { Auth } from '../people/sessions.ts'

interface DocLike {
  accessMark: string
  createdById: string
  authorUnitId: string
  status: string
}

/** Roles that see every document whatever its access mark (records keeping and administration). */
const SEE_ALL = ['admin', 'clerk'] as const

export const seesAll = (auth: Auth) => SEE_ALL.some((r) => auth.roles.includes(r))
export const unitIdsOf = (auth: Auth) => [...new Set(auth.positions.map((p) => p.unitId))]

/** Public documents are open to all staff; restricted ones to their author, author unit, clerks and admins. */
export function canViewDocument(auth: Auth, doc: DocLike): boolean {
  return doc.accessMark === 'public' || seesAll(auth) || doc.createdById === auth.userId || unitIdsOf(auth).includes(doc.authorUnitId)
}

/** Drafts are edited (metadata, new versions) by their author, their author unit's staff, or an admin. */
export function canEditDocument(auth: Auth, doc: DocLike): boolean {
  if (doc.status !== 'draft') return false
  return auth.roles.includes('admin') || doc.createdById === auth.userId || unitIdsOf(auth).includes(doc.authorUnitId)
}

/** A person may author documents on behalf of the units they hold positions in (admins: any unit). */
export const canAuthorForUnit = (auth: Auth, unitId: string) => auth.roles.includes('admin') || unitIdsOf(auth).includes(unitId)
