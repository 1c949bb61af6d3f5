import { request } from './http.ts'
import type {
  AssignHolder, AuditEventOut, AuditVerification, DocumentCreate, DocumentDetail, DocumentListQuery, DocumentPage, DocumentPatch,
  PositionCreateBody, PositionOut, PositionPatchBody, SessionOut, UnitCreateBody, UnitOut, UserCreateBody, UserOut, UserPatchBody,
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
