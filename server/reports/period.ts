import { TZDate } from '@date-fns/tz'
import { AppError } from '../errors.ts'
import { addCalendarDays, isValidIsoDate, MAX_DATE, MIN_DATE, TIME_ZONE } from '../calendar/working-days.ts'

/** The longest period a report covers: five calendar years. */
export const MAX_PERIOD_YEARS = 5

export interface Period {
  /** First day, inclusive ('YYYY-MM-DD', Kyiv). */
  from: string
  /** The day after the last one, exclusive. */
  to: string
  /** Kyiv midnight at the start of `from` and of `to`: the half-open interval [fromAt, toAt). */
  fromAt: Date
  toAt: Date
  /** The last day of the period, for people ("з 01.01.2026 по 31.12.2026"). */
  lastDay: string
}

/** Kyiv midnight of a calendar date, as an instant (DST-aware: 22:00 or 21:00 UTC the day before). */
export function kyivMidnight(isoDate: string): Date {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number]
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, 0, TIME_ZONE).getTime())
}

/**
 * Checks a report period [from, to): both real dates within the calendar's range, `to` after
 * `from`, and at most five years long. Problems name what is wrong, in the API's codes.
 */
export function parsePeriod(from: string, to: string): Period {
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!isValidIsoDate(value) || value < MIN_DATE || value > MAX_DATE) {
      throw new AppError('CALENDAR_DATE_INVALID', `${name}: ${value}`)
    }
  }
  if (to <= from) throw new AppError('REPORT_PERIOD_INVALID', `from ${from} is not before to ${to}`)
  const [y, m, d] = from.split('-')
  // Five years after `from`: 29 February moves to 1 March, as Date.UTC rolls it.
  const limit = new Date(Date.UTC(Number(y) + MAX_PERIOD_YEARS, Number(m) - 1, Number(d))).toISOString().slice(0, 10)
  if (to > limit) throw new AppError('REPORT_PERIOD_TOO_LONG', `from ${from} to ${to} is longer than ${MAX_PERIOD_YEARS} years`)
  return { from, to, fromAt: kyivMidnight(from), toAt: kyivMidnight(to), lastDay: addCalendarDays(to, -1) }
}
