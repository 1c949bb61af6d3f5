import { localeTag, t } from './index.ts'

/**
 * The council works on Kyiv time: deadlines are counted in Kyiv working days, and dates are
 * shown in Kyiv time whatever the computer's own time zone is.
 */
export const TIME_ZONE = 'Europe/Kyiv'

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()
function dtf(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = localeTag() + JSON.stringify(options)
  let f = dateTimeFormats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(localeTag(), { timeZone: TIME_ZONE, ...options })
    dateTimeFormats.set(key, f)
  }
  return f
}

/** "28.11.2025, 14:05" */
export function formatDateTime(iso: string | Date): string {
  return dtf({ day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso))
}

/** "28.11.2025" */
export function formatDate(iso: string | Date): string {
  return dtf({ day: '2-digit', month: '2-digit', year: 'numeric' }).format(new Date(iso))
}

/** "14:05:32" */
export function formatTime(iso: string | Date): string {
  return dtf({ hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso))
}

/** "пн" — the short weekday of a calendar date "YYYY-MM-DD" (a date, not an instant). */
export function formatWeekday(isoDate: string): string {
  return new Intl.DateTimeFormat(localeTag(), { weekday: 'short', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`))
}

/** "28.11.2025" for a calendar date "YYYY-MM-DD". */
export function formatIsoDate(isoDate: string): string {
  return new Intl.DateTimeFormat(localeTag(), { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`))
}

/** A machine-readable value for <time datetime>. */
export const isoAttr = (iso: string | Date): string => new Date(iso).toISOString()

export function formatNumber(n: number, maxFractionDigits = 0): string {
  return new Intl.NumberFormat(localeTag(), { maximumFractionDigits: maxFractionDigits }).format(n)
}

const UNITS = ['size.B', 'size.KB', 'size.MB', 'size.GB'] as const

/** Binary sizes in the local format: "512 Б", "14 КБ", "1,2 МБ". */
export function formatSize(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1
  return `${formatNumber(value, digits)}\u00a0${t(UNITS[unit]!)}`
}

/** The first and last characters of a long hash, for tables. */
export const shortHash = (hash: string, keep = 8): string => (hash.length > keep * 2 ? `${hash.slice(0, keep)}…${hash.slice(-4)}` : hash)
