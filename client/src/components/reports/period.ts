// Report periods as the page shows them (a month, a quarter, a year or any dates) and as the
// API takes them: [from, to) in Kyiv calendar dates, `to` being the day after the last one.

export type PeriodKind = 'month' | 'quarter' | 'year' | 'custom'
export const PERIOD_KINDS: readonly PeriodKind[] = ['month', 'quarter', 'year', 'custom']

export interface PeriodChoice {
  kind: PeriodKind
  /** 'YYYY-MM' (month). */
  month: string
  /** Quarter's or year's year. */
  year: number
  /** 1..4 */
  quarter: number
  /** 'YYYY-MM-DD', both inclusive (custom). */
  first: string
  last: string
}

export interface ApiPeriod {
  from: string
  to: string
}

/** What the page's URL and form hold: the period, the unit ('' for everything visible), roll-up. */
export interface ReportParams extends ApiPeriod {
  unitId: string
  rollup: boolean
}

const pad = (n: number) => String(n).padStart(2, '0')
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The calendar date `days` after an ISO date (UTC arithmetic on dates has no DST). */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/** Whether 'YYYY-MM-DD' is a real date. */
export function isDate(iso: string): boolean {
  const m = DATE.exec(iso)
  if (!m) return false
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  return d.toISOString().slice(0, 10) === iso
}

const monthStart = (y: number, m: number) => `${y}-${pad(m)}-01`
/** First day of the month after (y, m), m being 1..12 (13 rolls over). */
const nextMonthStart = (y: number, m: number) => (m === 12 ? monthStart(y + 1, 1) : monthStart(y, m + 1))

export type PeriodError = 'month' | 'year' | 'dates' | 'order'

/** The API period of a choice, or what is missing or wrong. */
export function toApiPeriod(c: PeriodChoice): ApiPeriod | { error: PeriodError } {
  switch (c.kind) {
    case 'month': {
      const m = /^(\d{4})-(\d{2})$/.exec(c.month)
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[1]) < 2000 || Number(m[1]) > 2100) return { error: 'month' }
      return { from: monthStart(Number(m[1]), Number(m[2])), to: nextMonthStart(Number(m[1]), Number(m[2])) }
    }
    case 'quarter':
    case 'year': {
      if (!Number.isInteger(c.year) || c.year < 2000 || c.year > 2100) return { error: 'year' }
      if (c.kind === 'year') return { from: monthStart(c.year, 1), to: monthStart(c.year + 1, 1) }
      const q = Math.min(4, Math.max(1, Math.floor(c.quarter)))
      return { from: monthStart(c.year, q * 3 - 2), to: nextMonthStart(c.year, q * 3) }
    }
    case 'custom': {
      if (!isDate(c.first) || !isDate(c.last)) return { error: 'dates' }
      if (c.last < c.first) return { error: 'order' }
      return { from: c.first, to: addDays(c.last, 1) }
    }
  }
}

/** The choice that shows an API period best: a whole month, quarter or year, else the dates. */
export function choiceOf(p: ApiPeriod, today: string): PeriodChoice {
  const base: PeriodChoice = { kind: 'custom', month: today.slice(0, 7), year: Number(today.slice(0, 4)), quarter: Math.floor((Number(today.slice(5, 7)) - 1) / 3) + 1, first: p.from, last: addDays(p.to, -1) }
  const m = DATE.exec(p.from)
  if (!m || m[3] !== '01') return base
  const y = Number(m[1])
  const mo = Number(m[2])
  if (p.to === nextMonthStart(y, mo)) return { ...base, kind: 'month', month: `${y}-${pad(mo)}` }
  if (mo % 3 === 1 && p.to === nextMonthStart(y, mo + 2)) return { ...base, kind: 'quarter', year: y, quarter: (mo + 2) / 3 }
  if (mo === 1 && p.to === monthStart(y + 1, 1)) return { ...base, kind: 'year', year: y }
  return base
}

/** The default period: the current month (Kyiv). */
export function currentMonth(today: string): ApiPeriod {
  const y = Number(today.slice(0, 4))
  const m = Number(today.slice(5, 7))
  return { from: monthStart(y, m), to: nextMonthStart(y, m) }
}

/** Whether a URL's from/to make a period the API takes (real dates, from before to). */
export function validApiPeriod(from: string | null, to: string | null): ApiPeriod | null {
  if (!from || !to || !isDate(from) || !isDate(to) || to <= from) return null
  return { from, to }
}
