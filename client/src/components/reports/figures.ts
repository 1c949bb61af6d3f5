// The discipline report's figures as the page shows them: column order and labels, the
// on-time share (rounded once from the counts, as the exports do), and the chart series.
import type { DisciplineRow, Figures } from '../../api/reports.ts'
import { localeTag, t, type MessageKey } from '../../i18n/index.ts'

export type FigureKey = Exclude<keyof Figures, 'onTimeRate'>

export const FIGURE_COLUMNS: { key: FigureKey; label: MessageKey }[] = [
  { key: 'assigned', label: 'rep.col.assigned' },
  { key: 'doneOnTime', label: 'rep.col.doneOnTime' },
  { key: 'doneLate', label: 'rep.col.doneLate' },
  { key: 'overdue', label: 'rep.col.overdue' },
  { key: 'open', label: 'rep.col.open' },
  { key: 'extended', label: 'rep.col.extended' },
  { key: 'cancelled', label: 'rep.col.cancelled' },
]

/** One bar series of a chart. */
export interface Series {
  label: string
  data: number[]
  color: string
}

// Dark enough for 3:1 against white; the legend, the tooltips and the table name each one.
export const COLORS = { doneOnTime: '#1b5e20', doneLate: '#a85d00', overdue: '#a4161a', open: '#0b3d91', avg: '#0b3d91', median: '#6a4c93' } as const

const intFormat = () => new Intl.NumberFormat(localeTag(), { maximumFractionDigits: 0 })
const oneDecimal = () => new Intl.NumberFormat(localeTag(), { minimumFractionDigits: 1, maximumFractionDigits: 1 })

export const formatCount = (n: number): string => intFormat().format(n)

/** The on-time share in per cent with one decimal ("54,5"), or null before any outcome. */
export function percentOf(f: Figures): string | null {
  const decided = f.doneOnTime + f.doneLate + f.overdue
  if (decided === 0) return null
  return oneDecimal().format(Math.round((f.doneOnTime * 1000) / decided) / 10)
}

/** Hours with up to one decimal ("15", "28,8"). */
export const formatHours = (h: number): string => new Intl.NumberFormat(localeTag(), { maximumFractionDigits: 1 }).format(h)

/** A share 0..1 as per cent with one decimal. */
export const formatShare = (x: number): string => oneDecimal().format(Math.round(x * 1000) / 10)

/** The outcome series of a discipline chart (cancelled ones are not part of "assigned"). */
export function outcomeSeries(rows: Figures[]): Series[] {
  return [
    { label: t('rep.col.doneOnTime'), data: rows.map((r) => r.doneOnTime), color: COLORS.doneOnTime },
    { label: t('rep.col.doneLate'), data: rows.map((r) => r.doneLate), color: COLORS.doneLate },
    { label: t('rep.col.overdue'), data: rows.map((r) => r.overdue), color: COLORS.overdue },
    { label: t('rep.col.open'), data: rows.map((r) => r.open), color: COLORS.open },
  ]
}

/** The words for one bar of a discipline chart (its text alternative). */
export const outcomeAlt = (label: string, f: Figures): string =>
  t('rep.chart.alt', { label, assigned: f.assigned, onTime: f.doneOnTime, late: f.doneLate, overdue: f.overdue, open: f.open })

/** How many people the person chart shows (all of them are in the table). */
export const TOP_PEOPLE = 15

/** The people with the most assignments, most first (ties by name), for the chart. */
export function topPeople(rows: DisciplineRow[], n = TOP_PEOPLE): DisciplineRow[] {
  return rows
    .filter((r) => r.assigned > 0)
    .sort((a, b) => b.assigned - a.assigned || (a.executorName ?? '').localeCompare(b.executorName ?? '', 'uk'))
    .slice(0, n)
}

/**
 * The name a person's row goes by: their full name, and the unit too when the same person
 * has rows in two units (they moved during the period), so that every row's name is unique.
 */
export function personRowNames(rows: DisciplineRow[]): string[] {
  const count = new Map<string, number>()
  for (const r of rows) count.set(r.executorId ?? '', (count.get(r.executorId ?? '') ?? 0) + 1)
  return rows.map((r) => ((count.get(r.executorId ?? '') ?? 0) > 1 ? `${r.executorName ?? ''} (${r.unitName})` : (r.executorName ?? '')))
}
