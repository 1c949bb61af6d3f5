import { ApiError } from '../../api/http.ts'
import { isClosedStatus, type AssignmentStatus, type ExtensionStatus, type ListRole, type MyRole, type ReportKind } from '../../api/assignments.ts'
import { hasKey, t, type MessageKey } from '../../i18n/index.ts'
import { errorMessage } from '../../lib/errors.ts'
import { isoToKyivLocal, kyivToday } from '../../lib/kyiv.ts'

export const statusKey = (s: AssignmentStatus): MessageKey => `asg.status.${s}`
export const roleKey = (r: MyRole): MessageKey => `asg.myRole.${r}`
export const reportKindKey = (k: ReportKind): MessageKey => `asg.history.${k}`
export const extensionStatusKey = (s: ExtensionStatus): MessageKey => `asg.ext.status.${s}`
export const listRoleKey = (r: ListRole): MessageKey => `asg.tab.${r}`

/** The first line of an instruction's text, shortened, for titles and links. */
export function shortText(text: string, max = 90): string {
  const line = text.trim().split(/\r?\n/, 1)[0]!.trim()
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** The Kyiv calendar date of an instant, "YYYY-MM-DD". */
export const kyivDateOf = (iso: string): string => isoToKyivLocal(iso).slice(0, 10)

const DAY = 86_400_000
const dayNumber = (isoDate: string) => Math.round(Date.parse(`${isoDate}T00:00:00Z`) / DAY)

/**
 * Whole Kyiv calendar days from today to the deadline's day: positive ahead, 0 on the day,
 * negative when past.
 */
export const daysUntil = (dueAt: string, today = kyivToday()): number => dayNumber(kyivDateOf(dueAt)) - dayNumber(today)

/** "YYYY-MM-DD" plus n calendar days. */
export function addDays(isoDate: string, n: number): string {
  return new Date((dayNumber(isoDate) + n) * DAY).toISOString().slice(0, 10)
}

export const isOpen = (s: AssignmentStatus): boolean => !isClosedStatus(s)

/** Codes answered when what the person looked at has changed meanwhile: the page reloads. */
const STALE_CODES = new Set(['ASSIGNMENT_STALE', 'ASSIGNMENT_CLOSED', 'ASSIGNMENT_NOT_ON_CHECK', 'ASSIGNMENT_ON_CHECK', 'ASSIGNMENT_ALREADY_STARTED', 'EXTENSION_NOT_PENDING', 'EXTENSION_PENDING'])
export const isStale = (err: unknown): boolean => err instanceof ApiError && STALE_CODES.has(err.code)

/** Codes whose server detail says something the title does not (a date, a name). */
const DETAILED = new Set(['DUE_DATE_NOT_WORKING_DAY', 'DEADLINE_IN_PAST', 'DEADLINE_START_UNKNOWN', 'EXECUTOR_OUT_OF_SCOPE', 'EXECUTOR_UNAVAILABLE', 'REPORT_FILE_UNKNOWN', 'UNSUPPORTED_FILE_TYPE', 'INCOMPLETE_UPLOAD', 'CALENDAR_DATE_INVALID'])

/** A message for people: our own text for the control-of-execution codes, with the server's detail where it helps. */
export function asgError(err: unknown): string {
  if (!(err instanceof ApiError)) return errorMessage(err)
  const key = `asg.err.${err.code}`
  const base = hasKey(key) ? t(key) : errorMessage(err)
  if (DETAILED.has(err.code) && err.detail && err.detail !== err.title) return `${base} ${t('asg.err.detail', { detail: err.detail })}`
  return base
}

/** The date the server suggests instead of a non-working one, if it did. */
export function suggestedDueDate(err: unknown): string | null {
  if (err instanceof ApiError && err.code === 'DUE_DATE_NOT_WORKING_DAY' && typeof err.problem.suggestedDueDate === 'string') return err.problem.suggestedDueDate
  return null
}

/** A '<' opening a tag, comment or declaration: the API refuses markup in texts ('<' and '>' as signs are fine). */
export const hasMarkup = (s: string): boolean => /<[A-Za-z!?/]/.test(s)
