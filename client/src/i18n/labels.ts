import type {
  ApprovalState, CalendarDayOut, ConclusionResult, Decision, DocumentOut, NotificationOut, SessionOut, StageKind, StageRule, StageState, Topic, UnitOut,
} from '../api/types.ts'
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

// Approvals (server/approvals/schemas.ts, server/documents/schemas.ts, server/calendar/schemas.ts).
const topics = { digitalization: 1, it_services: 1, information_security: 1, information_policy: 1, open_data: 1 } satisfies Record<Topic, 1>
const stageKinds = { visa: 1, expert_review: 1, legal_review: 1, signing: 1, approval: 1, acknowledgment: 1 } satisfies Record<StageKind, 1>
const stageStates = { pending: 1, active: 1, done: 1, returned: 1, skipped: 1 } satisfies Record<StageState, 1>
const stageRules = { all: 1, any: 1 } satisfies Record<StageRule, 1>
const decisions = { approve: 1, approve_with_remarks: 1, return: 1 } satisfies Record<Decision, 1>
const results = { positive: 1, positive_with_remarks: 1, negative: 1 } satisfies Record<ConclusionResult, 1>
const approvalStates = { running: 1, returned: 1, completed: 1, withdrawn: 1 } satisfies Record<ApprovalState, 1>
const dayKinds = { day_off: 1, working: 1 } satisfies Record<CalendarDayOut['kind'], 1>
const notificationKinds = { task_assigned: 1, stage_reminder: 1, stage_overdue: 1, escalation: 1, returned: 1, completed: 1, substitution: 1, info: 1 } satisfies Record<NotificationOut['kind'], 1>

export const TOPICS = Object.keys(topics) as Topic[]
export const STAGE_KINDS = Object.keys(stageKinds) as StageKind[]
export const STAGE_STATES = Object.keys(stageStates) as StageState[]
export const STAGE_RULES = Object.keys(stageRules) as StageRule[]
export const DECISIONS = Object.keys(decisions) as Decision[]
export const CONCLUSION_RESULTS = Object.keys(results) as ConclusionResult[]
export const APPROVAL_STATES = Object.keys(approvalStates) as ApprovalState[]
export const DAY_KINDS = Object.keys(dayKinds) as CalendarDayOut['kind'][]
export const NOTIFICATION_KINDS = Object.keys(notificationKinds) as NotificationOut['kind'][]

export const topicLabel = (x: Topic): string => t(`topic.${x}`)
export const stageKindLabel = (x: StageKind): string => t(`stageKind.${x}`)
export const stageStateLabel = (x: StageState): string => t(`stageState.${x}`)
export const stageRuleLabel = (x: StageRule): string => t(`stageRule.${x}`)
export const decisionLabel = (x: Decision): string => t(`decision.${x}`)
export const resultLabel = (x: ConclusionResult): string => t(`result.${x}`)
export const approvalStateLabel = (x: ApprovalState): string => t(`approvalState.${x}`)
export const dayKindLabel = (x: CalendarDayOut['kind']): string => t(`dayKind.${x}`)
export const notificationKindLabel = (x: NotificationOut['kind']): string => t(`notificationKind.${x}`)

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
