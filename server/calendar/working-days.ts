import { TZDate } from '@date-fns/tz'

export const TIME_ZONE = 'Europe/Kyiv'
export type DayKind = 'day_off' | 'working'
/** Exceptions to Mon–Fri: ISO date 'YYYY-MM-DD' → kind. */
export type CalendarExceptions = ReadonlyMap<string, DayKind>

/** The calendar range the organisation may configure (and that dates are validated against). */
export const MIN_DATE = '2000-01-01'
export const MAX_DATE = '2100-12-31'

// A calendar in which no working day occurs within this many days is a misconfiguration;
// searching further would only hide it (or never end).
const MAX_GAP_DAYS = 3 * 366

const DAY_MS = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

// Calendar dates are labels, not instants: arithmetic on them runs in UTC, where every day
// has 24 hours. The time zone enters only when an instant becomes a date or back.
function parts(isoDate: string): [number, number, number] {
  const m = ISO_DATE.exec(isoDate)
  if (!m || !isValidIsoDate(isoDate)) throw new RangeError(`not a calendar date: ${JSON.stringify(isoDate)}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}

const utcMs = (isoDate: string) => {
  const [y, m, d] = parts(isoDate)
  return Date.UTC(y, m - 1, d)
}

const fromUtcMs = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** Whether the string is a real calendar date in 'YYYY-MM-DD' form (no 30 February). */
export function isValidIsoDate(isoDate: string): boolean {
  const m = ISO_DATE.exec(isoDate)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const probe = new Date(Date.UTC(y, mo - 1, d))
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d
}

/** The date `days` calendar days after (or before, when negative) the given date. */
export function addCalendarDays(isoDate: string, days: number): string {
  return fromUtcMs(utcMs(isoDate) + days * DAY_MS)
}

/** Day of week of a calendar date: 0 = Sunday … 6 = Saturday. */
export function weekday(isoDate: string): number {
  return new Date(utcMs(isoDate)).getUTCDay()
}

/** Whether the date is a Saturday or a Sunday. */
export const isWeekend = (isoDate: string) => {
  const w = weekday(isoDate)
  return w === 0 || w === 6
}

function assertInstant(instant: Date, what: string) {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) throw new RangeError(`${what} is not a valid instant`)
}

function assertCount(days: number, min: number, what: string) {
  if (!Number.isSafeInteger(days) || days < min) throw new RangeError(`${what} must be an integer >= ${min}, got ${days}`)
}

/** The Kyiv calendar date of an instant. */
export function kyivDate(instant: Date): string {
  assertInstant(instant, 'kyivDate: argument')
  const k = new TZDate(instant.getTime(), TIME_ZONE)
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(k.getFullYear(), 4)}-${pad(k.getMonth() + 1)}-${pad(k.getDate())}`
}

function kyivInstant(isoDate: string, h: number, mi: number, s: number, ms: number): Date {
  const [y, m, d] = parts(isoDate)
  return new Date(new TZDate(y, m - 1, d, h, mi, s, ms, TIME_ZONE).getTime())
}

/** Mon–Fri unless configured as a day off; Saturday and Sunday only when configured as working. */
export function isWorkingDay(isoDate: string, ex: CalendarExceptions): boolean {
  const kind = ex.get(isoDate)
  if (kind === 'day_off') return false
  if (kind === 'working') return true
  return !isWeekend(isoDate)
}

/** 23:59:59.999 Kyiv time of that date, as an instant. */
export function endOfDay(isoDate: string): Date {
  return kyivInstant(isoDate, 23, 59, 59, 999)
}

/** 09:00 Kyiv time of that date (the moment reminders are sent). */
export function startOfWorkday(isoDate: string): Date {
  return kyivInstant(isoDate, 9, 0, 0, 0)
}

function step(isoDate: string, dir: 1 | -1, ex: CalendarExceptions): string {
  let d = isoDate
  for (let i = 0; i < MAX_GAP_DAYS; i++) {
    d = addCalendarDays(d, dir)
    if (isWorkingDay(d, ex)) return d
  }
  throw new Error(`working-day calendar: no working day within ${MAX_GAP_DAYS} days ${dir > 0 ? 'after' : 'before'} ${isoDate}; check the configured days off`)
}

/** The nearest working day strictly before the date. */
export function previousWorkingDay(isoDate: string, ex: CalendarExceptions): string {
  return step(isoDate, -1, ex)
}

/** The nearest working day strictly after the date. */
export function nextWorkingDay(isoDate: string, ex: CalendarExceptions): string {
  return step(isoDate, 1, ex)
}

/** The working day itself, or the nearest one before it. */
const workingDayOnOrBefore = (isoDate: string, ex: CalendarExceptions) => (isWorkingDay(isoDate, ex) ? isoDate : previousWorkingDay(isoDate, ex))

/** Deadline of a stage activated at `from` with `days` working days: the end of the `days`-th working day after from's Kyiv date. */
export function addWorkingDays(from: Date, days: number, ex: CalendarExceptions): Date {
  assertCount(days, 1, 'addWorkingDays: days')
  let d = kyivDate(from)
  for (let i = 0; i < days; i++) d = nextWorkingDay(d, ex)
  return endOfDay(d)
}

/**
 * Deadline counted in calendar days: the end of the day `days` days after from's Kyiv date,
 * moved back to the previous working day when that day is not worked (the rule for
 * instructions). With a short term this may land before `from` itself: that is the rule.
 */
export function calendarDeadline(from: Date, days: number, ex: CalendarExceptions): Date {
  assertCount(days, 0, 'calendarDeadline: days')
  return endOfDay(workingDayOnOrBefore(addCalendarDays(kyivDate(from), days), ex))
}

/** Working days in (kyivDate(a), kyivDate(b)]; 0 when b is not after a. */
export function workingDaysBetween(a: Date, b: Date, ex: CalendarExceptions): number {
  assertInstant(a, 'workingDaysBetween: a')
  assertInstant(b, 'workingDaysBetween: b')
  if (b.getTime() <= a.getTime()) return 0
  const end = utcMs(kyivDate(b))
  let n = 0
  for (let ms = utcMs(kyivDate(a)) + DAY_MS; ms <= end; ms += DAY_MS) {
    if (isWorkingDay(fromUtcMs(ms), ex)) n++
  }
  return n
}

/** 09:00 Kyiv of the last working day on or before the due date: when to remind about it. */
export function reminderAt(dueAt: Date, ex: CalendarExceptions): Date {
  return startOfWorkday(workingDayOnOrBefore(kyivDate(dueAt), ex))
}
