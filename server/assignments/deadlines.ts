import type { Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { enqueue } from '../jobs/queue.ts'
import { calendarFor, loadCalendar } from '../calendar/calendar.service.ts'
import {
  addCalendarDays,
  calendarDeadline,
  endOfDay,
  isValidIsoDate,
  isWorkingDay,
  kyivDate,
  MAX_DATE,
  MIN_DATE,
  previousWorkingDay,
  startOfWorkday,
  type CalendarExceptions,
} from '../calendar/working-days.ts'
import type { DeadlineIn } from './schemas.ts'

/** How far back a calendar is loaded to find the working day before a date. */
const LOOKBEHIND = 40

export interface ResolvedDeadline {
  /** The Kyiv date the term counts from (the issue date for a given due date). */
  startsOn: string
  termDays: number | null
  dueAt: Date
}

/** What a term may count from, taken from the document's registration card. */
export interface TermSources {
  registeredAt: Date | null
  receivedAt: Date | null
}

/** `date` columns travel as UTC midnight. */
export const dateColumn = (isoDate: string) => new Date(`${isoDate}T00:00:00.000Z`)
export const fromDateColumn = (d: Date) => d.toISOString().slice(0, 10)

function checkDate(isoDate: string, what: string) {
  if (!isValidIsoDate(isoDate) || isoDate < MIN_DATE || isoDate > MAX_DATE) throw new AppError('CALENDAR_DATE_INVALID', `${what}: дата ${isoDate} не існує або поза межами ${MIN_DATE} – ${MAX_DATE}`)
}

const humanDate = (isoDate: string) => endOfDay(isoDate).toLocaleDateString('uk-UA', { timeZone: 'Europe/Kyiv', day: 'numeric', month: 'long', year: 'numeric' })

/**
 * A date typed by a person as a deadline: it must be a working day (400 otherwise, naming
 * the previous working day); the deadline is the end of that Kyiv day.
 */
export async function workingDueDate(tx: Tx, isoDate: string, what = 'dueDate'): Promise<Date> {
  checkDate(isoDate, what)
  const ex = await loadCalendar(tx, addCalendarDays(isoDate, -LOOKBEHIND), isoDate)
  if (!isWorkingDay(isoDate, ex)) {
    const suggested = previousWorkingDay(isoDate, ex)
    throw new AppError('DUE_DATE_NOT_WORKING_DAY', `${humanDate(isoDate)} — неробочий день; найближчий попередній робочий день — ${humanDate(suggested)} (${suggested})`, { suggestedDueDate: suggested })
  }
  return endOfDay(isoDate)
}

/** Keeps a deadline on a working day by the calendar-day rule (a day off moves it to the previous working day). */
export async function onWorkingDay(tx: Tx, dueAt: Date): Promise<Date> {
  const ex = await calendarFor(tx, dueAt, 0)
  return calendarDeadline(dueAt, 0, ex)
}

/**
 * The deadline of a new assignment: calendar days from signing, receipt, a date or today
 * (moved back to the previous working day when the last day is not worked), or a given
 * working day. Deadlines already past are refused.
 */
export async function resolveDeadline(tx: Tx, input: DeadlineIn, sources: TermSources | null, now = new Date()): Promise<ResolvedDeadline> {
  let out: ResolvedDeadline
  if ('dueDate' in input) {
    out = { startsOn: kyivDate(now), termDays: null, dueAt: await workingDueDate(tx, input.dueDate) }
  } else {
    let from: Date
    if (input.from === undefined) from = now
    else if (input.from === 'signing') {
      if (!sources?.registeredAt) throw new AppError('DEADLINE_START_UNKNOWN', sources ? 'документ ще не зареєстровано (не підписано)' : 'строк від дати підписання рахують лише для доручення за документом')
      from = sources.registeredAt
    } else if (input.from === 'receipt') {
      // An incoming document is registered on the day it arrives; the card's date of receipt, when filled, is more exact.
      const at = sources?.receivedAt ?? sources?.registeredAt
      if (!at) throw new AppError('DEADLINE_START_UNKNOWN', sources ? 'документ не зареєстровано і дату надходження не внесено' : 'строк від дати надходження рахують лише для доручення за документом')
      from = at
    } else {
      checkDate(input.from, 'from')
      from = startOfWorkday(input.from)
    }
    const ex = await calendarFor(tx, from, input.termDays + 1)
    out = { startsOn: kyivDate(from), termDays: input.termDays, dueAt: calendarDeadline(from, input.termDays, ex) }
  }
  if (out.dueAt.getTime() < now.getTime()) {
    throw new AppError('DEADLINE_IN_PAST', `строк — ${out.dueAt.toLocaleDateString('uk-UA', { timeZone: 'Europe/Kyiv' })}, він уже минув; вкажіть інший`)
  }
  return out
}

/** The working day `n` working days before the date (0: the date itself, or the working day before it). */
function workingDaysBefore(isoDate: string, n: number, ex: CalendarExceptions): string {
  let d = isWorkingDay(isoDate, ex) ? isoDate : previousWorkingDay(isoDate, ex)
  for (let i = 0; i < n; i++) d = previousWorkingDay(d, ex)
  return d
}

/** The moments reminders go out for a deadline: 09:00 Kyiv on the working day `offset` working days before the due day. */
export function reminderMoments(dueAt: Date, offsets: readonly number[], ex: CalendarExceptions): { offset: number; runAt: Date }[] {
  const day = kyivDate(dueAt)
  const seen = new Set<number>()
  const out: { offset: number; runAt: Date }[] = []
  for (const offset of [...offsets].sort((a, b) => b - a)) {
    const runAt = startOfWorkday(workingDaysBefore(day, offset, ex))
    if (seen.has(runAt.getTime())) continue
    seen.add(runAt.getTime())
    out.push({ offset, runAt })
  }
  return out
}

export const reminderJobKey = (assignmentId: string, offset: number, dueAt: Date) => `assignment_reminder:${assignmentId}:${offset}:${dueAt.toISOString()}`
export const overdueJobKey = (assignmentId: string, dueAt: Date) => `assignment_overdue:${assignmentId}:${dueAt.toISOString()}`

export interface ReminderPayload {
  assignmentId: string
  offset: number
  /** The deadline the job was made for: a job for a deadline since moved does nothing. */
  dueAt: string
}
export interface OverduePayload {
  assignmentId: string
  dueAt: string
}

/**
 * Inside the transaction that sets or moves a deadline: one reminder job per configured
 * offset still ahead, and one overdue job at the deadline. Keys carry the deadline, so a
 * moved deadline gets fresh jobs and the old ones find nothing to do.
 */
export async function scheduleDeadlineJobs(tx: Tx, a: { id: string; dueAt: Date }, reminderDays: readonly number[], now = new Date()) {
  const day = kyivDate(a.dueAt)
  const span = Math.max(0, ...reminderDays) * 3 + LOOKBEHIND
  const ex = await loadCalendar(tx, addCalendarDays(day, -span), day)
  for (const { offset, runAt } of reminderMoments(a.dueAt, reminderDays, ex)) {
    if (runAt.getTime() <= now.getTime()) continue
    const payload: ReminderPayload = { assignmentId: a.id, offset, dueAt: a.dueAt.toISOString() }
    await enqueue(tx, 'assignment_reminder', { ...payload }, { runAt, jobKey: reminderJobKey(a.id, offset, a.dueAt) })
  }
  const payload: OverduePayload = { assignmentId: a.id, dueAt: a.dueAt.toISOString() }
  await enqueue(tx, 'assignment_overdue', { ...payload }, { runAt: a.dueAt, jobKey: overdueJobKey(a.id, a.dueAt) })
}
