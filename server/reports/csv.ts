import type { DisciplineOut } from './schemas.ts'
import { FIGURE_COLUMNS, keyCells, keyColumns, percent, RATE_LABEL, TOTAL_LABEL } from './columns.ts'

/** The separator Excel expects in a Ukrainian locale (where the comma is the decimal mark). */
export const CSV_SEPARATOR = ';'
const BOM = '\uFEFF'

/** One RFC 4180 field: quoted when it holds the separator, a quote, CR or LF; quotes doubled. */
export function csvField(value: string | number): string {
  const s = String(value)
  return /[";\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

// A cell starting with = + - @ (or a tab / CR, or spaces before one of those, which some programs
// skip) would be run as a formula by spreadsheet programs; names come from people, so such text
// gets a leading apostrophe (OWASP's CSV-injection advice).
/** Text for a CSV cell that no spreadsheet program takes for a formula. */
export const neutralise = (s: string): string => (/^[\t\r]|^\s*[=+\-@]/.test(s) ? `'${s}` : s)

const line = (cells: (string | number)[]) => cells.map(csvField).join(CSV_SEPARATOR) + '\r\n'

/**
 * The discipline report as CSV: UTF-8 with a BOM (so Excel reads Cyrillic), ';' between fields,
 * CRLF line ends, a header row, one row per unit or person, and the totals row last.
 */
export function disciplineCsv(r: DisciplineOut): string {
  const keys = keyColumns(r)
  let out = BOM + line([...keys, ...FIGURE_COLUMNS.map((c) => c.label), RATE_LABEL])
  for (const row of r.rows) {
    out += line([...keyCells(r, row).map(neutralise), ...FIGURE_COLUMNS.map((c) => row[c.key]), percent(row)])
  }
  out += line([TOTAL_LABEL, ...keys.slice(1).map(() => ''), ...FIGURE_COLUMNS.map((c) => r.totals[c.key]), percent(r.totals)])
  return out
}
