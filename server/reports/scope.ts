import type { Role } from '../generated/prisma/client.ts'
import type { Auth } from '../people/sessions.ts'

/** Who may open the reports (the route's access list). */
export const REPORT_ROLES = ['unit_head', 'directorate_head', 'deputy_mayor', 'mayor', 'clerk', 'admin'] as const satisfies readonly Role[]

/** Roles that see the whole organisation: the leadership, records keeping, administration. */
const SEE_ALL: readonly Role[] = ['deputy_mayor', 'mayor', 'clerk', 'admin']
/** Roles whose view is their own unit tree: the unit(s) they head and every unit under them. */
const HEADS: readonly Role[] = ['unit_head', 'directorate_head']

/**
 * What a person may report on. `roots` null: everything; otherwise the units they head,
 * whose subtrees the SQL expands (the scope is enforced in the query itself).
 */
export interface ReportScope {
  roots: string[] | null
}

export function reportScope(auth: Auth): ReportScope {
  if (SEE_ALL.some((r) => auth.roles.includes(r))) return { roots: null }
  const roots = [...new Set(auth.positions.filter((p) => p.roles.some((r) => HEADS.includes(r))).map((p) => p.unitId))]
  return { roots }
}

/** Whether the person may see every document's title (as the document policy's SEE_ALL). */
export const seesAllTitles = (auth: Auth) => auth.roles.includes('admin') || auth.roles.includes('clerk')
