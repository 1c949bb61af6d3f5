import { request } from './http.ts'
import type {
  ApprovalOut, AssignHolder, AuditEventOut, AuditVerification, CalendarDayBody, CalendarDayOut, CalendarYearOut, ConclusionBody, DecisionBody, DocumentCreate,
  DocumentDetail, DocumentListQuery, DocumentPage, DocumentPatch, InboxOut, NotificationList, NotificationOut, PositionCreateBody, PositionOut, PositionPatchBody,
  PreviewOut, ReadAllOut, SessionOut, StartBody, SubstitutionCreate, SubstitutionOut, TemplateCreate, TemplateOut, UnitCreateBody, UnitOut, UserCreateBody,
  UserOut, UserPatchBody, VersionDiffOut, WithdrawBody,
} from './types.ts'

type Signal = AbortSignal | undefined

export const authApi = {
  session: (signal?: Signal) => request<SessionOut | null>('GET', '/auth/session', { signal, quiet401: true }),
  login: (login: string, password: string) => request<SessionOut>('POST', '/auth/login', { body: { login, password }, quiet401: true }),
  logout: () => request<{ ok: true }>('POST', '/auth/logout', { quiet401: true }),
}

export const documentsApi = {
  list: (q: DocumentListQuery, signal?: Signal) => request<DocumentPage>('GET', '/documents', { query: { ...q }, signal }),
  get: (id: string, signal?: Signal) => request<DocumentDetail>('GET', `/documents/${encodeURIComponent(id)}`, { signal }),
  create: (body: DocumentCreate) => request<DocumentDetail>('POST', '/documents', { body }),
  update: (id: string, body: DocumentPatch) => request<DocumentDetail>('PATCH', `/documents/${encodeURIComponent(id)}`, { body }),
  history: (id: string, signal?: Signal) => request<AuditEventOut[]>('GET', `/documents/${encodeURIComponent(id)}/history`, { signal }),
  diff: (id: string, from: number, to: number, signal?: Signal) => request<VersionDiffOut>('GET', `/documents/${encodeURIComponent(id)}/diff`, { query: { from, to }, signal }),
}

/** Where a version's bytes are; `inline` asks for Content-Disposition: inline (PDF only). */
export const versionContentUrl = (documentId: string, number: number, inline = false): string =>
  `/api/documents/${encodeURIComponent(documentId)}/versions/${number}/content${inline ? '?inline=true' : ''}`

export const orgApi = {
  units: (signal?: Signal) => request<UnitOut[]>('GET', '/units', { signal }),
  positions: (unitId?: string, signal?: Signal) => request<PositionOut[]>('GET', '/positions', { query: { unitId }, signal }),
  users: (q: { q?: string; active?: boolean } = {}, signal?: Signal) => request<UserOut[]>('GET', '/users', { query: q, signal }),
}

export const adminApi = {
  createUnit: (body: UnitCreateBody) => request<UnitOut>('POST', '/admin/units', { body }),
  createPosition: (body: PositionCreateBody) => request<PositionOut>('POST', '/admin/positions', { body }),
  updatePosition: (id: string, body: PositionPatchBody) => request<PositionOut>('PATCH', `/admin/positions/${encodeURIComponent(id)}`, { body }),
  appoint: (positionId: string, body: AssignHolder) => request<PositionOut>('POST', `/admin/positions/${encodeURIComponent(positionId)}/holder`, { body }),
  createUser: (body: UserCreateBody) => request<UserOut>('POST', '/admin/users', { body }),
  updateUser: (id: string, body: UserPatchBody) => request<UserOut>('PATCH', `/admin/users/${encodeURIComponent(id)}`, { body }),
  audit: (q: { beforeSeq?: number; limit?: number } = {}, signal?: Signal) => request<AuditEventOut[]>('GET', '/admin/audit', { query: q, signal }),
  verifyAudit: () => request<AuditVerification>('GET', '/admin/audit/verify'),
}

const enc = encodeURIComponent

/** «Сьогодні»: the signed-in person's tasks. */
export const inboxApi = {
  /** Counts of all tasks, and the first `limit` tasks (of one card's kind when `filter` is given). */
  get: (q: { filter?: 'approve' | 'review' | 'returned' | 'overdue'; limit?: number } = {}, signal?: Signal) => request<InboxOut>('GET', '/inbox', { query: { ...q }, signal }),
}

export const approvalsApi = {
  /** The document's latest approval route, or null when it was never sent. */
  ofDocument: (documentId: string, signal?: Signal) => request<ApprovalOut | null>('GET', `/documents/${enc(documentId)}/approval`, { signal }),
  preview: (documentId: string, signal?: Signal) => request<PreviewOut>('GET', `/documents/${enc(documentId)}/approval/preview`, { signal }),
  start: (documentId: string, body: StartBody) => request<ApprovalOut>('POST', `/documents/${enc(documentId)}/approval`, { body }),
  decide: (approvalId: string, body: DecisionBody) => request<ApprovalOut>('POST', `/approvals/${enc(approvalId)}/decisions`, { body }),
  conclude: (approvalId: string, body: ConclusionBody) => request<ApprovalOut>('POST', `/approvals/${enc(approvalId)}/conclusion`, { body }),
  resubmit: (approvalId: string) => request<ApprovalOut>('POST', `/approvals/${enc(approvalId)}/resubmit`),
  withdraw: (approvalId: string, body: WithdrawBody) => request<ApprovalOut>('POST', `/approvals/${enc(approvalId)}/withdraw`, { body }),
}

/** The approval sheet (аркуш погодження) of a route, as a PDF download. */
export const approvalSheetUrl = (approvalId: string): string => `/api/approvals/${enc(approvalId)}/sheet.pdf`
/** An expert conclusion's PDF. */
export const conclusionPdfUrl = (conclusionId: string): string => `/api/conclusions/${enc(conclusionId)}/pdf`

export const notificationsApi = {
  list: (q: { unread?: boolean; limit?: number; before?: string } = {}, signal?: Signal) => request<NotificationList>('GET', '/notifications', { query: q, signal }),
  read: (id: string) => request<NotificationOut>('POST', `/notifications/${enc(id)}/read`),
  readAll: () => request<ReadAllOut>('POST', '/notifications/read-all'),
}

export const substitutionsApi = {
  list: (signal?: Signal) => request<SubstitutionOut[]>('GET', '/substitutions', { signal }),
  create: (body: SubstitutionCreate) => request<SubstitutionOut>('POST', '/substitutions', { body }),
  cancel: (id: string) => request<SubstitutionOut>('POST', `/substitutions/${enc(id)}/cancel`),
}

export const templatesApi = {
  /** The current version of each kind, or every version with `all`. */
  list: (all = false, signal?: Signal) => request<TemplateOut[]>('GET', '/route-templates', { query: { all }, signal }),
  create: (body: TemplateCreate) => request<TemplateOut>('POST', '/admin/route-templates', { body }),
}

export const calendarApi = {
  year: (year: number, signal?: Signal) => request<CalendarYearOut>('GET', '/calendar', { query: { year }, signal }),
  set: (date: string, body: CalendarDayBody) => request<CalendarDayOut>('PUT', `/admin/calendar/${enc(date)}`, { body }),
  remove: (date: string) => request<{ ok: true }>('DELETE', `/admin/calendar/${enc(date)}`),
}

// ---- Registration (journals, the nomenclature of files, registration cards) ----
import type { JournalCreate, JournalOut, JournalPatch, NomenclatureCreate, NomenclatureFileOut, NomenclaturePatch, RegistrationCard, RegistrationListQuery, RegistrationPage, RegistrationPatch } from './types.ts'

export const registrationApi = {
  journals: (signal?: Signal) => request<JournalOut[]>('GET', '/journals', { signal }),
  createJournal: (body: JournalCreate) => request<JournalOut>('POST', '/admin/journals', { body }),
  updateJournal: (id: string, body: JournalPatch) => request<JournalOut>('PATCH', `/admin/journals/${enc(id)}`, { body }),
  registrations: (journalId: string, q: RegistrationListQuery, signal?: Signal) => request<RegistrationPage>('GET', `/journals/${enc(journalId)}/registrations`, { query: { ...q }, signal }),
  nomenclature: (year: number, signal?: Signal) => request<NomenclatureFileOut[]>('GET', '/nomenclature', { query: { year }, signal }),
  createFile: (body: NomenclatureCreate) => request<NomenclatureFileOut>('POST', '/nomenclature', { body }),
  updateFile: (id: string, body: NomenclaturePatch) => request<NomenclatureFileOut>('PATCH', `/nomenclature/${enc(id)}`, { body }),
  /** The document's registration card, or null while it is not registered. */
  card: (documentId: string, signal?: Signal) => request<RegistrationCard | null>('GET', `/documents/${enc(documentId)}/registration`, { signal }),
  updateCard: (documentId: string, body: RegistrationPatch) => request<RegistrationCard>('PATCH', `/documents/${enc(documentId)}/registration`, { body }),
}

// ---- Job descriptions and the duty catalogue (server/duties/) ----
import type { DutyOut, JobDescriptionOut, JobSections, MyJobDescriptionOut, PositionJobDescriptionsOut } from './types.ts'

export const jobDescriptionsApi = {
  /** Duties from the regulation; `clause` "3" takes all of section 3. */
  catalog: (q: { unitId?: string; clause?: string } = {}, signal?: Signal) => request<DutyOut[]>('GET', '/duties/catalog', { query: q, signal }),
  ofPosition: (positionId: string, signal?: Signal) => request<PositionJobDescriptionsOut>('GET', `/positions/${enc(positionId)}/job-descriptions`, { signal }),
  /** Drafts the next version, prefilled from the previous one (or the unit's defaults) unless sections are given. */
  draft: (positionId: string, sections?: JobSections) => request<JobDescriptionOut>('POST', `/positions/${enc(positionId)}/job-descriptions`, { body: sections ? { sections } : {} }),
  get: (id: string, signal?: Signal) => request<JobDescriptionOut>('GET', `/job-descriptions/${enc(id)}`, { signal }),
  save: (id: string, sections: JobSections) => request<JobDescriptionOut>('PUT', `/job-descriptions/${enc(id)}`, { body: { sections } }),
  send: (id: string) => request<JobDescriptionOut>('POST', `/job-descriptions/${enc(id)}/send`),
  acknowledge: (id: string) => request<JobDescriptionOut>('POST', `/job-descriptions/${enc(id)}/acknowledge`),
  mine: (signal?: Signal) => request<MyJobDescriptionOut[]>('GET', '/my/job-descriptions', { signal }),
}

// ---- Distribution of duties, «Розподіл обовʼязків» (server/duties/distribution.routes.ts) ----
import type { DutyAssignmentCreate, DutyAssignmentOut, DutyAssignmentPatch, DutyMatrixOut } from './types.ts'

export const dutiesApi = {
  /** Positions × duties of a unit with its sub-units; by default the Directorate. */
  matrix: (unitId?: string, signal?: Signal) => request<DutyMatrixOut>('GET', '/duties/matrix', { query: { unitId }, signal }),
  assign: (body: DutyAssignmentCreate) => request<DutyAssignmentOut>('POST', '/duties/assignments', { body }),
  /** Changes a free-text duty, or sets or clears (null) its substitute. */
  update: (id: string, body: DutyAssignmentPatch) => request<DutyAssignmentOut>('PATCH', `/duties/assignments/${enc(id)}`, { body }),
  remove: (id: string) => request<DutyAssignmentOut>('DELETE', `/duties/assignments/${enc(id)}`),
}
