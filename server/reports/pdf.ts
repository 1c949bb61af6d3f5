import { PdfBuilder } from '../pdf/layout.ts'
import { drawDocType, drawOrgHeader } from '../pdf/requisites.ts'
import { drawTable, type Column, type TableRow } from '../pdf/table.ts'
import { cleanText, formatDate } from '../pdf/text.ts'
import type { ApprovalsOut, DisciplineOut } from './schemas.ts'
import {
  FIGURE_COLUMNS, hoursText, keyCells, keyColumns, percent, periodWords, RATE_LABEL, scopeWords, shareText, SLOWEST_COLUMNS, SLOWEST_TITLE, slowestCells,
  STAGE_COLUMNS, STAGE_KIND_LABELS, STAGES_EMPTY, STAGES_NOTE, STAGES_TITLE, TOTAL_LABEL,
} from './columns.ts'

export interface DisciplinePdfMeta {
  organisation: string
  /** Who generated it: full name, and position when they hold one. */
  generatedBy: { fullName: string; positionTitle: string | null }
  /** Approval stages of the same period and units, printed after the discipline table. */
  stages?: ApprovalsOut
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
  const stagesNote = 'Розділ «Тривалість етапів погодження» враховує документи, підготовлені у тих самих підрозділах.'
  const note =
    'Враховано доручення, видані протягом періоду (за київським часом). «Доручень видано» — без скасованих; ' +
    '«Прострочено» — зі статусом «прострочено» або ще не виконані, строк яких минув на момент формування звіту; ' +
    '«Продовжено строк» — доручення, строк яких продовжувався хоча б раз; «Виконано вчасно, %» — частка виконаних вчасно серед ' +
    'виконаних і прострочених. Підрозділ доручення — підрозділ виконавця на день видачі.'
  const who = meta.generatedBy.positionTitle ? `${meta.generatedBy.fullName} (${meta.generatedBy.positionTitle})` : meta.generatedBy.fullName
  const footer = `Сформовано ${formatDate(generatedAt)} о ${kyivTime.format(generatedAt)} (за київським часом) в системі Hromada EDMS. Сформував(ла): ${cleanText(who)}.`
  b.ensure(b.heightOf(note, { size: 8 }) + 6)
  b.paragraph(note + (meta.stages ? ` ${stagesNote}` : ''), { size: 8, align: 'justify', spaceAfter: 6 })
  if (meta.stages) drawStages(b, meta.stages)
  b.ensure(b.heightOf(footer, { size: 9 }) + 6)
  b.space(6)
  b.paragraph(footer, { size: 9 })
  return b.finish()
}

/** The approval-stage section: durations per stage with totals, then the slowest stages. */
function drawStages(b: PdfBuilder, a: ApprovalsOut): void {
  const fit = (...samples: string[]) => Math.ceil(Math.max(...samples.map((t) => b.measure(t, 'bold', TABLE_SIZE)))) + 2 * PAD + 1
  const numberWidth = (label: string) => Math.max(fit('000000'), Math.min(fit(...label.split(' ')), 80))
  b.space(8)
  // The heading stays with at least the table's header and a row.
  b.paragraph(STAGES_TITLE, { face: 'bold', size: 11, spaceAfter: 2, keepWithNext: 60 })
  b.paragraph(STAGES_NOTE, { size: 9, spaceAfter: 6 })
  if (a.stages.length === 0) {
    b.paragraph(STAGES_EMPTY, { size: 10, spaceAfter: 6 })
    return
  }
  const [name, kind, ...numbers] = STAGE_COLUMNS
  const columns: Column[] = [{ header: name, weight: 60 }, { header: kind, weight: 40 }, ...numbers.map((h) => ({ header: h, width: numberWidth(h), align: 'right' as const }))]
  const rows: TableRow[] = a.stages.map((s) => ({
    cells: [cleanText(s.name), STAGE_KIND_LABELS[s.kind], String(s.finished), hoursText(s.avgHours), hoursText(s.medianHours), String(s.late), shareText(s.lateShare)],
  }))
  const t = a.totals
  rows.push({
    cells: [TOTAL_LABEL, '', String(t.finished), t.avgHours === null ? '—' : hoursText(t.avgHours), t.medianHours === null ? '—' : hoursText(t.medianHours), String(t.late), t.finished ? shareText(t.late / t.finished) : '—'],
    bold: true,
  })
  drawTable(b, columns, rows, { size: TABLE_SIZE, padding: PAD })

  if (a.slowest.length === 0) return
  b.space(10)
  b.paragraph(SLOWEST_TITLE, { face: 'bold', size: 10, spaceAfter: 4, keepWithNext: 50 })
  const when = fit('00.00.0000 00:00')
  const [doc, stage, who, from, to, hours, due] = SLOWEST_COLUMNS
  const slowColumns: Column[] = [
    { header: doc, weight: 45 },
    { header: stage, weight: 25 },
    { header: who, weight: 30 },
    { header: from, width: when },
    { header: to, width: when },
    { header: hours, width: numberWidth(hours), align: 'right' },
    { header: due, width: fit('без строку') },
  ]
  drawTable(b, slowColumns, a.slowest.map((s) => ({ cells: slowestCells(s).map(cleanText) })), { size: TABLE_SIZE, padding: PAD })
}
