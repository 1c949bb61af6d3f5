import type { DocumentOut, UnitOut, SessionOut } from '../api/types.ts'
import { hasKey, t } from './index.ts'

export type DocumentKind = DocumentOut['kind']
export type DocumentStatus = DocumentOut['status']
export type AccessMark = DocumentOut['accessMark']
export type Role = SessionOut['roles'][number]
export type UnitKind = UnitOut['kind']

// The value lists mirror the server's enums (server/documents/schemas.ts, server/people/schemas.ts).
// `satisfies` with the Record below makes the compiler flag a missing or extra value.
const kinds = { council_decision_draft: 1, executive_decision_draft: 1, mayor_order: 1, instruction: 1, job_description: 1, regulation: 1, letter: 1, appeal: 1, expert_conclusion: 1 } satisfies Record<DocumentKind, 1>
const statuses = { draft: 1, in_approval: 1, approved: 1, signed: 1, registered: 1, withdrawn: 1, archived: 1 } satisfies Record<DocumentStatus, 1>
const marks = { public: 1, internal: 1, personal_data: 1 } satisfies Record<AccessMark, 1>
const roles = { staff: 1, unit_head: 1, directorate_head: 1, expert_reviewer: 1, legal_reviewer: 1, deputy_mayor: 1, mayor: 1, clerk: 1, admin: 1 } satisfies Record<Role, 1>
const unitKinds = { council: 1, leadership: 1, directorate: 1, department: 1, sector: 1, office: 1 } satisfies Record<UnitKind, 1>

export const DOCUMENT_KINDS = Object.keys(kinds) as DocumentKind[]
export const DOCUMENT_STATUSES = Object.keys(statuses) as DocumentStatus[]
export const ACCESS_MARKS = Object.keys(marks) as AccessMark[]
export const ROLES = Object.keys(roles) as Role[]
export const UNIT_KINDS = Object.keys(unitKinds) as UnitKind[]

export const kindLabel = (k: DocumentKind): string => t(`kind.${k}`)
export const statusLabel = (s: DocumentStatus): string => t(`status.${s}`)
export const accessLabel = (a: AccessMark): string => t(`access.${a}`)
export const roleLabel = (r: Role): string => t(`role.${r}`)
export const unitKindLabel = (k: UnitKind): string => t(`unitKind.${k}`)

/** Audit actions come as free strings from the server; unknown ones are shown as they are. */
export function actionLabel(action: string): string {
  const key = `action.${action}`
  return hasKey(key) ? t(key) : action
}

export const isDocumentKind = (v: string | null): v is DocumentKind => v !== null && v in kinds
export const isDocumentStatus = (v: string | null): v is DocumentStatus => v !== null && v in statuses
