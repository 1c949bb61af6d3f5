import type { DisciplineOut, DisciplineRow, Figures } from './schemas.ts'
import { formatDate } from '../pdf/text.ts'
import { kyivMidnight } from './period.ts'

// The discipline report's table as every export lays it out: the same columns, labels and
// order in CSV, XLSX and PDF, so the three files say the same thing.

export type FigureKey = Exclude<keyof Figures, 'onTimeRate'>

export const FIGURE_COLUMNS: { key: FigureKey; label: string }[] = [
  { key: 'assigned', label: 'Доручень видано' },
  { key: 'doneOnTime', label: 'Виконано вчасно' },
  { key: 'doneLate', label: 'Виконано із запізненням' },
  { key: 'overdue', label: 'Прострочено' },
  { key: 'open', label: 'На виконанні' },
  { key: 'extended', label: 'Продовжено строк' },
  { key: 'cancelled', label: 'Скасовано' },
]
export const RATE_LABEL = 'Виконано вчасно, %'
export const TOTAL_LABEL = 'Разом'

/** The leading (text) columns of a grouping. */
export const keyColumns = (r: DisciplineOut): string[] => (r.groupBy === 'person' ? ['Виконавець', 'Підрозділ'] : ['Код', 'Підрозділ'])

export const keyCells = (r: DisciplineOut, row: DisciplineRow): string[] =>
  r.groupBy === 'person' ? [row.executorName ?? '', row.unitName] : [row.unitCode, row.unitName]

/** The exact on-time share (from the counts, not the rounded rate); null before any outcome. */
export function exactRate(f: Figures): number | null {
  const decided = f.doneOnTime + f.doneLate + f.overdue
  return decided === 0 ? null : f.doneOnTime / decided
}

/**
 * The on-time share as a percentage with one decimal and a decimal comma ("54,5"), rounded
 * once from the counts (rounding the four-decimal rate again could turn 54.545 into 54.6);
 * empty when nothing has an outcome yet.
 */
export function percent(f: Figures): string {
  const decided = f.doneOnTime + f.doneLate + f.overdue
  if (decided === 0) return ''
  return (Math.round((f.doneOnTime * 1000) / decided) / 10).toFixed(1).replace('.', ',')
}

export const REPORT_TITLE = 'Звіт про стан виконавської дисципліни'

/** "з 01.01.2026 по 31.12.2026": the last day is the day before the exclusive `to`. */
export function periodWords(r: { from: string; to: string }): string {
  const last = new Date(kyivMidnight(r.to).getTime() - 12 * 3600_000)
  return `з ${formatDate(kyivMidnight(r.from))} по ${formatDate(last)}`
}

/** The file name (without extension) for downloads: «Виконавська дисципліна 2026-01-01 — 2026-12-31 (за виконавцями)». */
export function exportName(r: DisciplineOut, lastDay: string): string {
  const by = r.groupBy === 'person' ? ' (за виконавцями)' : ''
  return `Виконавська дисципліна ${r.from} — ${lastDay}${by}`
}

/** Scope line: the unit the report is filtered to, or the whole organisation / the viewer's units. */
export const scopeWords = (r: DisciplineOut): string => (r.unitName ? `Підрозділ: ${r.unitName} (разом із підпорядкованими)` : 'Усі доступні підрозділи')
