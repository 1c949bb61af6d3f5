import { PdfBuilder } from '../pdf/layout.ts'
import { drawDocType, drawOrgHeader } from '../pdf/requisites.ts'
import { drawTable, type Column, type TableRow } from '../pdf/table.ts'
import { cleanText, formatDate } from '../pdf/text.ts'
import type { DisciplineOut } from './schemas.ts'
import { FIGURE_COLUMNS, keyCells, keyColumns, percent, periodWords, RATE_LABEL, scopeWords, TOTAL_LABEL } from './columns.ts'

export interface DisciplinePdfMeta {
  organisation: string
  /** Who generated it: full name, and position when they hold one. */
  generatedBy: { fullName: string; positionTitle: string | null }
}

const TABLE_SIZE = 8
const PAD = 2.5
const kyivTime = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/**
 * The printable discipline report: A4 landscape, the organisation's header, the report's
 * name and period, the table with its totals row, a note on how the figures are counted,
 * and when and by whom it was generated. Everything comes from the input, so the same
 * report renders to the same bytes.
 */
export async function disciplinePdf(r: DisciplineOut, meta: DisciplinePdfMeta): Promise<Uint8Array> {
  const generatedAt = new Date(r.generatedAt)
  const period = periodWords(r)
  const b = await PdfBuilder.create({
    title: `Звіт про стан виконавської дисципліни ${period}`,
    subject: `${scopeWords(r)}; ${r.groupBy === 'person' ? 'за виконавцями' : 'за підрозділами'}`,
    keywords: ['виконавська дисципліна', 'контроль виконання', 'доручення'],
    date: generatedAt,
    seed: JSON.stringify({ r, meta }),
    landscape: true,
  })

  drawOrgHeader(b, meta.organisation)
  drawDocType(b, 'ЗВІТ', `про стан виконавської дисципліни ${period}`)
  b.paragraph(`${scopeWords(r)}. Групування: ${r.groupBy === 'person' ? 'за виконавцями' : 'за підрозділами'}.` + (r.rollup ? ' Показники підрозділів наведено разом із підпорядкованими; «Разом» враховує кожне доручення один раз.' : ''), {
    size: 10,
    spaceAfter: 8,
  })

  const fit = (...samples: string[]) => Math.ceil(Math.max(...samples.map((t) => b.measure(t, 'bold', TABLE_SIZE)))) + 2 * PAD + 1
  const numberWidth = (label: string) => Math.max(fit('000000'), Math.min(fit(...label.split(' ')), 70))
  const keys = keyColumns(r)
  const columns: Column[] = [
    ...(r.groupBy === 'person'
      ? [{ header: keys[0]!, weight: 40 }, { header: keys[1]!, weight: 60 }]
      : [{ header: keys[0]!, width: fit('00-00-00'), align: 'center' as const }, { header: keys[1]!, weight: 100 }]),
    ...FIGURE_COLUMNS.map((c) => ({ header: c.label, width: numberWidth(c.label), align: 'right' as const })),
    { header: RATE_LABEL, width: numberWidth(RATE_LABEL), align: 'right' },
  ]
  const indent = (depth: number) => '\u00a0\u00a0\u00a0'.repeat(Math.min(depth, 6))
  const rows: TableRow[] = r.rows.map((row) => {
    const [a, name] = keyCells(r, row)
    return {
      cells: [cleanText(a!), r.groupBy === 'unit' ? indent(row.depth) + cleanText(name!) : cleanText(name!), ...FIGURE_COLUMNS.map((c) => String(row[c.key])), percent(row) || '—'],
    }
  })
  if (rows.length === 0) rows.push({ section: 'Доручень за цей період немає' })
  rows.push({ cells: [TOTAL_LABEL, '', ...FIGURE_COLUMNS.map((c) => String(r.totals[c.key])), percent(r.totals) || '—'], bold: true })
  drawTable(b, columns, rows, { size: TABLE_SIZE, padding: PAD })

  b.space(10)
  const note =
    'Враховано доручення, видані протягом періоду (за київським часом). «Доручень видано» — без скасованих; ' +
    '«Прострочено» — зі статусом «прострочено» або ще не виконані, строк яких минув на момент формування звіту; ' +
    '«Продовжено строк» — доручення, строк яких продовжувався хоча б раз; «Виконано вчасно, %» — частка виконаних вчасно серед ' +
    'виконаних і прострочених. Підрозділ доручення — підрозділ виконавця на день видачі.'
  const who = meta.generatedBy.positionTitle ? `${meta.generatedBy.fullName} (${meta.generatedBy.positionTitle})` : meta.generatedBy.fullName
  const footer = `Сформовано ${formatDate(generatedAt)} о ${kyivTime.format(generatedAt)} (за київським часом) в системі Hromada EDMS. Сформував(ла): ${cleanText(who)}.`
  b.ensure(b.heightOf(note, { size: 8 }) + b.heightOf(footer, { size: 9 }) + 6)
  b.paragraph(note, { size: 8, align: 'justify', spaceAfter: 6 })
  b.paragraph(footer, { size: 9 })
  return b.finish()
}
