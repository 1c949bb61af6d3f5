import ExcelJS from 'exceljs'
import type { ApprovalsOut, DisciplineOut } from './schemas.ts'
import {
  exactRate, FIGURE_COLUMNS, keyCells, keyColumns, periodWords, RATE_LABEL, REPORT_TITLE, scopeWords, SLOWEST_COLUMNS, SLOWEST_TITLE, slowestCells, STAGE_COLUMNS,
  STAGE_KIND_LABELS, STAGES_EMPTY, STAGES_NOTE, STAGES_TITLE, TOTAL_LABEL,
} from './columns.ts'
import { formatDate } from '../pdf/text.ts'

/** The sheets' names (Excel allows at most 31 characters and no []:*?/\). */
export const SHEET_NAME = 'Виконавська дисципліна'
export const STAGES_SHEET_NAME = 'Етапи погодження'

const kyivTime = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit' })

/**
 * The discipline report as an Excel workbook: a title and the period above the table, a bold
 * header row that stays in view, whole-number and percentage formats, sub-units indented,
 * a bold totals row, and the page set up for printing on A4 landscape.
 */
export async function disciplineXlsx(r: DisciplineOut, meta: { generatedBy: string; organisation: string; stages?: ApprovalsOut }): Promise<Buffer> {
  const generatedAt = new Date(r.generatedAt)
  const wb = new ExcelJS.Workbook()
  wb.creator = 'Hromada EDMS'
  wb.lastModifiedBy = meta.generatedBy
  wb.created = generatedAt
  wb.modified = generatedAt
  wb.title = REPORT_TITLE

  const keys = keyColumns(r)
  const header = [...keys, ...FIGURE_COLUMNS.map((c) => c.label), RATE_LABEL]
  const ws = wb.addWorksheet(SHEET_NAME, {
    pageSetup: { paperSize: 9 as ExcelJS.PaperSize, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '5:5' },
    views: [{ state: 'frozen', ySplit: 5, xSplit: 0 }],
  })
  ws.columns = header.map((_, i) => ({
    width: i < keys.length ? (r.groupBy === 'person' && i === 0 ? 36 : i === 0 ? 10 : 60) : i === header.length - 1 ? 14 : 13,
  }))

  ws.getCell('A1').value = meta.organisation
  ws.getCell('A1').font = { bold: true }
  ws.getCell('A2').value = REPORT_TITLE
  ws.getCell('A2').font = { bold: true, size: 14 }
  ws.getCell('A3').value = `${periodWords(r)}. ${scopeWords(r)}${r.rollup ? '; показники підрозділів — разом із підпорядкованими' : ''}`
  ws.getCell('A4').value = `Сформовано ${formatDate(generatedAt)} о ${kyivTime.format(generatedAt)} (Київ), сформував(ла): ${meta.generatedBy}`
  ws.getCell('A4').font = { italic: true, size: 9 }

  const headerRow = ws.getRow(5)
  headerRow.values = header
  headerRow.font = { bold: true }
  headerRow.alignment = { wrapText: true, vertical: 'middle' }
  headerRow.height = 32
  headerRow.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE0E0E0' } }
    cell.border = { bottom: { style: 'thin' } }
  })

  // The share is stored exact; the cell's format shows it as a percentage.
  const figures = (row: DisciplineOut['totals']) => [...FIGURE_COLUMNS.map((c) => row[c.key]), exactRate(row)]
  for (const row of r.rows) {
    const added = ws.addRow([...keyCells(r, row), ...figures(row)])
    // Sub-units are indented under their unit, as the tree reads on screen.
    if (r.groupBy === 'unit' && row.depth > 0) added.getCell(2).alignment = { indent: Math.min(row.depth, 10) }
  }
  const total = ws.addRow([TOTAL_LABEL, ...keys.slice(1).map(() => ''), ...figures(r.totals)])
  total.font = { bold: true }
  total.eachCell((cell) => (cell.border = { top: { style: 'thin' } }))

  const first = keys.length + 1
  for (let c = first; c < first + FIGURE_COLUMNS.length; c++) ws.getColumn(c).numFmt = '0'
  ws.getColumn(first + FIGURE_COLUMNS.length).numFmt = '0.0%'
  // The number formats apply to whole columns; the title rows above hold text only.

  if (meta.stages) stagesSheet(wb, r, meta.stages)

  const data = await wb.xlsx.writeBuffer()
  return Buffer.from(data as ArrayBuffer)
}

/**
 * The approval stages of the same period on a sheet of their own: durations per stage with a
 * totals row (hours as numbers, the late share as a percentage), then the slowest stages.
 */
function stagesSheet(wb: ExcelJS.Workbook, r: DisciplineOut, a: ApprovalsOut): void {
  const ws = wb.addWorksheet(STAGES_SHEET_NAME, { pageSetup: { paperSize: 9 as ExcelJS.PaperSize, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } })
  ws.columns = [{ width: 50 }, { width: 34 }, { width: 30 }, { width: 18 }, { width: 18 }, { width: 16 }, { width: 16 }]
  ws.getCell('A1').value = STAGES_TITLE
  ws.getCell('A1').font = { bold: true, size: 14 }
  ws.getCell('A2').value = `${periodWords(r)}. ${scopeWords(r)}`
  ws.getCell('A3').value = STAGES_NOTE
  ws.getCell('A3').font = { italic: true, size: 9 }
  const header = (row: ExcelJS.Row) => {
    row.font = { bold: true }
    row.alignment = { wrapText: true, vertical: 'middle' }
    row.eachCell((cell) => {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE0E0E0' } }
      cell.border = { bottom: { style: 'thin' } }
    })
  }
  if (a.stages.length === 0) {
    ws.getCell('A5').value = STAGES_EMPTY
    return
  }
  const head = ws.getRow(5)
  head.values = [...STAGE_COLUMNS]
  header(head)
  for (const s of a.stages) {
    const row = ws.addRow([s.name, STAGE_KIND_LABELS[s.kind], s.finished, s.avgHours, s.medianHours, s.late, s.lateShare])
    formatStageRow(row)
  }
  const t = a.totals
  const total = ws.addRow([TOTAL_LABEL, '', t.finished, t.avgHours, t.medianHours, t.late, t.finished ? t.late / t.finished : null])
  formatStageRow(total)
  total.font = { bold: true }
  total.eachCell((cell) => (cell.border = { top: { style: 'thin' } }))

  if (a.slowest.length === 0) return
  ws.addRow([])
  const title = ws.addRow([SLOWEST_TITLE])
  title.font = { bold: true }
  header(ws.addRow([...SLOWEST_COLUMNS]))
  for (const s of a.slowest) {
    const cells: (string | number)[] = slowestCells(s)
    cells[5] = s.hours
    const row = ws.addRow(cells)
    row.getCell(6).numFmt = '0.0'
    row.getCell(1).alignment = { wrapText: true }
  }
}

function formatStageRow(row: ExcelJS.Row): void {
  row.getCell(3).numFmt = '0'
  row.getCell(4).numFmt = '0.0'
  row.getCell(5).numFmt = '0.0'
  row.getCell(6).numFmt = '0'
  row.getCell(7).numFmt = '0.0%'
}
