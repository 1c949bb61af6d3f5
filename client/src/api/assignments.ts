// Instructions (доручення), resolutions and control of execution (server/assignments/). Every
// action answers with the whole tree as the person may see it, so the page just shows the answer.
import { ApiError, apiUrl, csrfToken, noticeUnauthenticated, problemFrom, request } from './http.ts'
import type {
  AcceptBody,
  ActionBody,
  AssignmentCounts,
  AssignmentList,
  AssignmentListItem,
  AssignmentNodeOut,
  AssignmentStatus,
  AssignmentTreeOut,
  CancelBody,
  DeadlineIn,
  DelegateBody,
  ExtensionBody,
  ExtensionDecisionBody,
  ExtensionOut,
  FileOut,
  IssueBody,
  ListQuery,
  ReportBody,
  ReportOut,
  ReturnBody,
} from '../../../server/assignments/schemas.ts'

export type {
  AcceptBody, AssignmentCounts, AssignmentList, AssignmentListItem, AssignmentNodeOut, AssignmentStatus, AssignmentTreeOut, CancelBody, DeadlineIn, DelegateBody, ExtensionBody, ExtensionDecisionBody, ExtensionOut,
  FileOut, IssueBody, ListQuery, ReportBody, ReportOut, ReturnBody,
}
export type ListRole = NonNullable<ListQuery['role']>
export type Allowed = AssignmentNodeOut['can']
export type MyRole = AssignmentNodeOut['myRoles'][number]
export type ReportKind = ReportOut['kind']
export type ExtensionStatus = ExtensionOut['status']
export type Person = AssignmentNodeOut['executor']

// The value lists mirror the server's enums; `satisfies` makes the compiler flag a missing or extra one.
const statuses = { new: 1, in_work: 1, on_check: 1, done: 1, done_late: 1, overdue: 1, cancelled: 1 } satisfies Record<AssignmentStatus, 1>
export const ASSIGNMENT_STATUSES = Object.keys(statuses) as AssignmentStatus[]
export const CLOSED_STATUSES: readonly AssignmentStatus[] = ['done', 'done_late', 'cancelled']
export const isClosedStatus = (s: AssignmentStatus): boolean => CLOSED_STATUSES.includes(s)

type Signal = AbortSignal | undefined
const enc = encodeURIComponent
const path = (id: string, tail = '') => `/assignments/${enc(id)}${tail}`

export const assignmentsApi = {
  /** «Мої доручення» by my part in them, soonest deadline first, with the inbox counts. */
  list: (q: ListQuery, signal?: Signal) => request<AssignmentList>('GET', '/assignments', { query: { ...q }, signal }),
  counts: (signal?: Signal) => request<AssignmentCounts>('GET', '/assignments/counts', { signal }),
  /** The whole tree the assignment belongs to, from its root, as far as I may see it. */
  tree: (id: string, signal?: Signal) => request<AssignmentTreeOut>('GET', path(id), { signal }),
  issue: (body: IssueBody) => request<AssignmentTreeOut>('POST', '/assignments', { body }),
  delegate: (id: string, body: DelegateBody) => request<AssignmentTreeOut>('POST', path(id, '/delegate'), { body }),
  start: (id: string, body: ActionBody = {}) => request<AssignmentTreeOut>('POST', path(id, '/start'), { body }),
  report: (id: string, body: ReportBody) => request<AssignmentTreeOut>('POST', path(id, '/report'), { body }),
  accept: (id: string, body: AcceptBody) => request<AssignmentTreeOut>('POST', path(id, '/accept'), { body }),
  return: (id: string, body: ReturnBody) => request<AssignmentTreeOut>('POST', path(id, '/return'), { body }),
  cancel: (id: string, body: CancelBody) => request<AssignmentTreeOut>('POST', path(id, '/cancel'), { body }),
  /** From the executor: a request; from the controller: the deadline moves at once. */
  extend: (id: string, body: ExtensionBody) => request<AssignmentTreeOut>('POST', path(id, '/extensions'), { body }),
  decideExtension: (id: string, extId: string, decision: 'grant' | 'refuse', body: ExtensionDecisionBody) =>
    request<AssignmentTreeOut>('POST', path(id, `/extensions/${enc(extId)}/${decision}`), { body }),
}

/**
 * The deadline N calendar days from an instant by the instructions' rule (a last day that is
 * not worked moves to the previous working day), from the shared calendar: for previews.
 * With 0 days it tells whether a date is worked (the answer is that date) or not (an earlier one).
 */
export const calendarDeadline = (from: string, calendarDays: number, signal?: Signal) =>
  request<{ dueAt: string }>('GET', '/calendar/deadline', { query: { from, calendarDays }, signal })

/** A report file's download address. */
export const reportFileUrl = (assignmentId: string, sha256: string): string => apiUrl(path(assignmentId, `/files/${enc(sha256)}`))

/** The file types a report may carry, by extension (the server checks the bytes). */
export const REPORT_FILE_EXTENSIONS = ['.pdf', '.docx', '.odt', '.png', '.jpg', '.jpeg'] as const
export const REPORT_FILE_ACCEPT = [
  ...REPORT_FILE_EXTENSIONS,
  'application/pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.oasis.opendocument.text',
  'image/png',
  'image/jpeg',
].join(',')
export const hasReportFileExtension = (name: string): boolean => REPORT_FILE_EXTENSIONS.some((ext) => name.toLowerCase().endsWith(ext))

export interface FileUploadHandle {
  /** Resolves with the stored file; rejects with ApiError, or a DOMException "AbortError" after abort(). */
  done: Promise<FileOut>
  abort(): void
}

/**
 * Uploads one report file (the raw bytes are the body); the report then names it by sha256.
 * XMLHttpRequest because it reports upload progress and can be aborted.
 */
export function uploadReportFile(assignmentId: string, file: File, onProgress: (loaded: number, total: number) => void): FileUploadHandle {
  const xhr = new XMLHttpRequest()
  const done = new Promise<FileOut>((resolve, reject) => {
    xhr.open('POST', apiUrl(path(assignmentId, '/files'), { name: file.name }))
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream')
    xhr.setRequestHeader('accept', 'application/json')
    const token = csrfToken()
    if (token) xhr.setRequestHeader('x-csrf-token', token)
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size)
    xhr.onload = () => {
      if (xhr.status === 201 || xhr.status === 200) {
        try {
          resolve(JSON.parse(xhr.responseText) as FileOut)
        } catch {
          reject(new ApiError(xhr.status, {}))
        }
        return
      }
      const err = problemFrom(xhr.status, xhr.getResponseHeader('content-type'), xhr.responseText)
      noticeUnauthenticated(err)
      reject(err)
    }
    xhr.onerror = () => reject(new ApiError(0, { code: 'NETWORK' }))
    xhr.ontimeout = () => reject(new ApiError(0, { code: 'NETWORK' }))
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'))
    xhr.send(file)
  })
  return { done, abort: () => xhr.abort() }
}
