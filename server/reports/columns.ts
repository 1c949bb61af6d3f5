import type { DisciplineOut, DisciplineRow, Figures, SlowStage, StageDurationRow } from './schemas.ts'
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

// ---------------------------------------------------------------------------------------------
// Approval stages, as the PDF and XLSX lay them out after the discipline table.

export const STAGES_TITLE = 'Тривалість етапів погодження'
export const STAGES_NOTE = 'Етапи, завершені (погоджені або повернуті) протягом періоду; тривалість — від початку етапу до рішення, у годинах.'
export const STAGES_EMPTY = 'За цей період жоден етап погодження не завершився.'
export const SLOWEST_TITLE = 'Найдовші етапи'
export const RESTRICTED_TITLE = 'Документ з обмеженим доступом'

/** The stage kinds' names (as the workspace shows them). */
export const STAGE_KIND_LABELS: Record<StageDurationRow['kind'], string> = {
  visa: 'Віза',
  expert_review: 'Експертиза управління цифровізації',
  legal_review: 'Правова експертиза',
  signing: 'Підписання',
  approval: 'Затвердження',
  acknowledgment: 'Ознайомлення',
}

export const STAGE_COLUMNS = ['Етап', 'Вид', 'Завершено', 'Середня тривалість, год', 'Медіана, год', 'З порушенням строку', 'Частка з порушенням, %'] as const
export const SLOWEST_COLUMNS = ['Документ', 'Етап', 'Хто розглядав', 'Початок', 'Завершення', 'Годин', 'Строк'] as const

/** Hours with one decimal at most and a decimal comma ("28,8", "72"). */
export const hoursText = (h: number): string => String(Math.round(h * 10) / 10).replace('.', ',')

/** A share 0..1 as a percentage with one decimal and a decimal comma ("33,3"). */
export const shareText = (x: number): string => (Math.round(x * 1000) / 10).toFixed(1).replace('.', ',')

const kyivDateTime = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
/** "05.03.2025 19:00" in Kyiv time. */
export const kyivDateTimeText = (iso: string): string => kyivDateTime.format(new Date(iso)).replace(',', '')

/** Whether the stage kept its deadline, in words. */
export const dueText = (s: SlowStage): string => (s.dueAt === null ? 'без строку' : s.late ? 'порушено' : 'дотримано')

/** A slowest stage's cells in SLOWEST_COLUMNS order (hours as text). */
export function slowestCells(s: SlowStage): string[] {
  return [
    s.documentTitle ?? RESTRICTED_TITLE,
    s.state === 'returned' ? `${s.stageName} (повернуто)` : s.stageName,
    s.who.join(', ') || '—',
    kyivDateTimeText(s.activatedAt),
    kyivDateTimeText(s.finishedAt),
    hoursText(s.hours),
    dueText(s),
  ]
}
