import { rgb } from 'pdf-lib'
import { LEADING, type PdfBuilder } from './layout.ts'
import { wrapText } from './text.ts'

export interface Column {
  header: string
  /** Fixed width in points, for columns whose content has a known form (dates, digests). */
  width?: number
  /** Share of the width left after fixed columns, in proportion to the other weights. */
  weight?: number
  align?: 'left' | 'center' | 'right'
}

/** A data row (bold and shaded: e.g. a totals row), or a full-width caption row (e.g. "Коло погодження 2") that groups the rows after it. */
export type TableRow = { cells: string[]; bold?: boolean } | { section: string }

export interface TableStyle {
  size?: number
  padding?: number
}

const BORDER = rgb(0, 0, 0)
const HEADER_FILL = rgb(0.88, 0.88, 0.88)
const SECTION_FILL = rgb(0.95, 0.95, 0.95)

interface Laid {
  lines: string[][]
  bold: boolean
  fill: ReturnType<typeof rgb> | null
  span: boolean
}

/**
 * Draws a ruled table from the cursor. The header row repeats at the top of every page the
 * table reaches; cells wrap; a row taller than the room left is continued on the next page
 * rather than pushed whole, so one long remark cannot leave a page half empty or overflow it.
 */
export function drawTable(b: PdfBuilder, columns: Column[], rows: TableRow[], style: TableStyle = {}): void {
  const size = style.size ?? 9
  const pad = style.padding ?? 3
  const lineH = size * LEADING
  const fixed = columns.reduce((s, c) => s + (c.width ?? 0), 0)
  const weights = columns.reduce((s, c) => s + (c.width === undefined ? (c.weight ?? 1) : 0), 0)
  const widths = columns.map((c) => c.width ?? ((b.width - fixed) * (c.weight ?? 1)) / weights)
  const lay = (cells: string[], bold: boolean): string[][] =>
    cells.map((text, i) => wrapText(text, b.measurer(bold ? 'bold' : 'regular', size), () => widths[i]! - 2 * pad))

  const header: Laid = { lines: lay(columns.map((c) => c.header), true), bold: true, fill: HEADER_FILL, span: false }
  const headerH = height(header.lines.map((l) => l.length), lineH, pad)

  const drawRow = (row: Laid, from: number, count: number) => {
    const h = count * lineH + 2 * pad
    const cellCount = row.span ? 1 : columns.length
    let x = b.left
    for (let c = 0; c < cellCount; c++) {
      const w = row.span ? b.width : widths[c]!
      if (row.fill) b.page.drawRectangle({ x, y: b.y - h, width: w, height: h, color: row.fill })
      b.page.drawRectangle({ x, y: b.y - h, width: w, height: h, borderColor: BORDER, borderWidth: 0.5 })
      // A row with fewer cells than columns leaves the rest empty instead of failing.
      const cellLines = (row.lines[c] ?? []).slice(from, from + count)
      cellLines.forEach((line, i) => {
        const face = row.bold ? 'bold' : 'regular'
        const lw = b.measure(line, face, size)
        const align = row.span ? 'left' : columns[c]?.align
        const tx = align === 'center' ? x + (w - lw) / 2 : align === 'right' ? x + w - pad - lw : x + pad
        b.drawText(line, tx, b.y - pad - i * lineH, face, size)
      })
      x += w
    }
    b.y -= h
  }

  const pageBreak = () => {
    b.newPage()
    drawRow(header, 0, Math.max(...header.lines.map((l) => l.length)))
  }

  // The header needs at least one data line under it, or it would sit alone at a page's foot.
  if (headerH + lineH + 2 * pad > b.room()) b.newPage()
  drawRow(header, 0, Math.max(...header.lines.map((l) => l.length)))

  rows.forEach((row, r) => {
    if ('section' in row) {
      const laid: Laid = { lines: [wrapText(row.section, b.measurer('bold', size), () => b.width - 2 * pad)], bold: true, fill: SECTION_FILL, span: true }
      const h = height([laid.lines[0]!.length], lineH, pad)
      // A caption belongs to the rows after it: move it on if the next row's first line would not follow.
      const next = rows[r + 1]
      if (h + (next ? lineH + 2 * pad : 0) > b.room()) pageBreak()
      drawRow(laid, 0, laid.lines[0]!.length)
      return
    }
    const laid: Laid = { lines: lay(row.cells, row.bold ?? false), bold: row.bold ?? false, fill: row.bold ? SECTION_FILL : null, span: false }
    const tall = Math.max(1, ...laid.lines.map((l) => l.length))
    let done = 0
    let fresh = false
    while (done < tall) {
      const fits = Math.floor((b.room() - 2 * pad) / lineH)
      const left = tall - done
      // Split a row only with at least two lines on each side; shorter remainders move whole.
      const part = fits >= left ? left : Math.min(fits, left - 2)
      if (part >= 2 || part === left || (fresh && part >= 1)) {
        drawRow(laid, done, part)
        done += part
        fresh = false
        if (done < tall) {
          pageBreak()
          fresh = true
        }
      } else {
        pageBreak()
        fresh = true
      }
    }
  })
}

function height(lineCounts: number[], lineH: number, pad: number): number {
  return Math.max(1, ...lineCounts) * lineH + 2 * pad
}
