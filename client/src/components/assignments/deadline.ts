import type { DeadlineIn } from '../../api/assignments.ts'
import { t } from '../../i18n/index.ts'

/** What the deadline field holds while it is being filled in. */
export interface DeadlineState {
  /** A date, or N calendar days from a start. */
  mode: 'date' | 'days'
  dueDate: string
  termDays: number | null
  from: 'today' | 'signing' | 'receipt' | 'date'
  fromDate: string
}

export const MAX_TERM_DAYS = 366

export const initialDeadline = (termDays = 10): DeadlineState => ({ mode: 'days', dueDate: '', termDays, from: 'today', fromDate: '' })

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** The request's deadline, or the message for the field at fault. */
export function toDeadline(s: DeadlineState): { ok: DeadlineIn } | { field: 'dueDate' | 'termDays' | 'fromDate'; message: string } {
  if (s.mode === 'date') {
    if (!ISO_DATE.test(s.dueDate)) return { field: 'dueDate', message: t('asg.deadline.err.date') }
    return { ok: { dueDate: s.dueDate } }
  }
  const n = s.termDays
  if (n === null || !Number.isInteger(n) || n < 1 || n > MAX_TERM_DAYS) return { field: 'termDays', message: t('asg.deadline.err.days', { max: MAX_TERM_DAYS }) }
  if (s.from === 'today') return { ok: { termDays: n } }
  if (s.from === 'date') {
    if (!ISO_DATE.test(s.fromDate)) return { field: 'fromDate', message: t('asg.deadline.err.fromDate') }
    return { ok: { termDays: n, from: s.fromDate } }
  }
  return { ok: { termDays: n, from: s.from } }
}
