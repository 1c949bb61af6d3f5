import ExcelJS from 'exceljs'
import type { DisciplineOut } from './schemas.ts'
import { exactRate, FIGURE_COLUMNS, keyCells, keyColumns, periodWords, RATE_LABEL, REPORT_TITLE, scopeWords, TOTAL_LABEL } from './columns.ts'
import { formatDate } from '../pdf/text.ts'

/** The sheet's name (Excel allows at most 31 characters and no []:*?/\). */
export const SHEET_NAME = 'Виконавська дисципліна'

const kyivTime = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit' })

/**
 * The discipline report as an Excel workbook: a title and the period above the table, a bold
 * header row that stays in view, whole-number and percentage formats, sub-units indented,
 * a bold totals row, and the page set up for printing on A4 landscape.
 */
export async function disciplineXlsx(r: DisciplineOut, meta: { generatedBy: string; organisation: string }): Promise<Buffer> {
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

  const data = await wb.xlsx.writeBuffer()
  return Buffer.from(data as ArrayBuffer)
}
