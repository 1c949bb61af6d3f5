// Response and request shapes come from the server's TypeBox schemas, as types only:
// nothing from server/ is bundled into the workspace.
export type { DocumentOut, DocumentPage, DocumentDetail, VersionOut, DocumentCreate, DocumentPatch, DocumentListQuery } from '../../../server/documents/schemas.ts'
export type { SessionOut, UnitOut, PositionOut, UserOut } from '../../../server/people/schemas.ts'
export type { AuditEventOut } from '../../../server/audit/schemas.ts'
export type { Problem } from '../../../server/schemas.ts'

import type { Static } from 'typebox'
import type { AuditVerificationOut as AuditVerificationSchema } from '../../../server/audit/schemas.ts'
import type { AssignHolderBody, PositionCreate, PositionPatch, UnitCreate, UserCreate, UserPatch } from '../../../server/people/schemas.ts'

export type AuditVerification = Static<typeof AuditVerificationSchema>
export type UnitCreateBody = Static<typeof UnitCreate>
export type PositionCreateBody = Static<typeof PositionCreate>
export type PositionPatchBody = Static<typeof PositionPatch>
export type AssignHolder = Static<typeof AssignHolderBody>
export type UserCreateBody = Static<typeof UserCreate>
export type UserPatchBody = Static<typeof UserPatch>
