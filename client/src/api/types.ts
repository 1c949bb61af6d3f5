// Response and request shapes come from the server's TypeBox schemas, as types only:
// nothing from server/ is bundled into the workspace.
export type { DocumentOut, DocumentPage, DocumentDetail, VersionOut, DocumentCreate, DocumentPatch, DocumentListQuery } from '../../../server/documents/schemas.ts'
export type { SessionOut, UnitOut, PositionOut, UserOut } from '../../../server/people/schemas.ts'
export type { AuditEventOut } from '../../../server/audit/schemas.ts'
export type { Problem } from '../../../server/schemas.ts'
export type {
  ApprovalOut, PreviewOut, StartBody, DecisionBody, ConclusionBody, TemplateOut, TemplateCreate, StageTemplate, ParticipantSpec, InboxOut, SubstitutionOut, SubstitutionCreate,
} from '../../../server/approvals/schemas.ts'
export type { VersionDiffOut, DiffHunkOut } from '../../../server/documents/text.schemas.ts'
export type { CalendarDayOut, CalendarYearOut, CalendarDayBody } from '../../../server/calendar/schemas.ts'
export type { NotificationOut, NotificationList, ReadAllOut, LiveEventData } from '../../../server/notifications/schemas.ts'

import type { Static } from 'typebox'
import type { AuditVerificationOut as AuditVerificationSchema } from '../../../server/audit/schemas.ts'
import type { AssignHolderBody, PositionCreate, PositionPatch, UnitCreate, UserCreate, UserPatch } from '../../../server/people/schemas.ts'
import type { WithdrawBody as WithdrawBodySchema } from '../../../server/approvals/schemas.ts'
import type { ApprovalOut, InboxOut } from '../../../server/approvals/schemas.ts'
import type { DocumentOut } from '../../../server/documents/schemas.ts'

export type AuditVerification = Static<typeof AuditVerificationSchema>
export type UnitCreateBody = Static<typeof UnitCreate>
export type PositionCreateBody = Static<typeof PositionCreate>
export type PositionPatchBody = Static<typeof PositionPatch>
export type AssignHolder = Static<typeof AssignHolderBody>
export type UserCreateBody = Static<typeof UserCreate>
export type UserPatchBody = Static<typeof UserPatch>
export type WithdrawBody = Static<typeof WithdrawBodySchema>

export type Topic = DocumentOut['topics'][number]
export type InboxItem = InboxOut['items'][number]
export type StageOut = ApprovalOut['stages'][number]
export type ParticipantOut = StageOut['participants'][number]
export type VisaOut = ApprovalOut['visas'][number]
export type ConclusionOut = ApprovalOut['conclusions'][number]
export type DecideOption = ApprovalOut['can']['decide'][number]
export type Decision = VisaOut['decision']
export type ConclusionResult = ConclusionOut['result']
export type StageKind = StageOut['kind']
export type StageRule = StageOut['rule']
export type StageState = StageOut['state']
export type ApprovalState = ApprovalOut['state']

// Registration: journals, the nomenclature of files, registration cards (server/registration/schemas.ts).
export type {
  JournalOut, JournalCreate, JournalPatch, NomenclatureFileOut, NomenclatureCreate, NomenclaturePatch, RegistrationCard, RegistrationPatch, RegistrationPage, RegistrationListQuery,
} from '../../../server/registration/schemas.ts'

// Job descriptions and the duty catalogue (server/duties/schemas.ts).
export type {
  DutyOut, JobDescriptionOut, JobDescriptionStatus, JobSections, TaskItem, AcknowledgmentOut, PositionJobDescriptionsOut, MyJobDescriptionOut,
} from '../../../server/duties/schemas.ts'

// Signature verification and trust anchors (server/signing/verify.schemas.ts).
export type { VerificationReportOut, SignatureReportOut, TrustAnchorOut, TrustAnchorCreate as TrustAnchorCreateBody } from '../../../server/signing/verify.schemas.ts'

// Signing: certificates, the signing action, a document's signatures (server/signing/schemas.ts).
export type { CertificateOut, CertificateUpload, SignBody, SignatureOut } from '../../../server/signing/schemas.ts'

// Distribution of duties among positions, «Розподіл обовʼязків» (server/duties/distribution.schemas.ts).
export type {
  DutyMatrixOut, DutyAssignmentOut, DutyAssignmentCreate, DutyAssignmentPatch, MatrixUnitOut, MatrixPositionOut, MatrixDutyOut, CandidateOut, SubstituteOut, AssignmentFlag, PositionFlag,
} from '../../../server/duties/distribution.schemas.ts'
