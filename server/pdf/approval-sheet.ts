import { PdfBuilder, type TextStyle } from './layout.ts'
import { drawDocType, drawOrgHeader } from './requisites.ts'
import { drawTable, type Column, type TableRow } from './table.ts'
import { cleanText, draftOf, formatDate, formatName, normaliseSha256, quoteTitle } from './text.ts'

export interface ApprovalSheetInput {
  organisation: string
  documentTitle: string
  documentKindLabel: string
  author: { fullName: string; unitName: string }
  visas: {
    stageName: string
    positionTitle: string
    fullName: string
    onBehalfOfName?: string | null
    decision: 'approve' | 'approve_with_remarks' | 'return'
    comment: string
    at: Date
    versionNumber: number
    versionSha256: string
    round: number
  }[]
  generatedAt: Date
}

type Visa = ApprovalSheetInput['visas'][number]

/** A visa's decision as the sheet words it. */
export const DECISION_WORDS: Record<Visa['decision'], string> = {
  approve: 'Погоджено',
  approve_with_remarks: 'Погоджено із зауваженнями',
  return: 'Повернуто на доопрацювання',
}

// DejaVu Sans is large for its size (8 pt reads like 9 pt Times); seven columns need it this small.
const TABLE_SIZE = 8
const CELL_PADDING = 2.5

/**
 * Date, version and decision columns are sized to their content ("28.11.2026", 12 hex digits,
 * the longest word of a decision) so they never wrap mid-word; the rest share what is left.
 */
function columns(b: PdfBuilder, names: string[]): Column[] {
  const fit = (...samples: string[]) => Math.ceil(Math.max(...samples.map((t) => b.measure(t, 'regular', TABLE_SIZE)))) + 2 * CELL_PADDING + 1
  const decisionWords = Object.values(DECISION_WORDS).flatMap((w) => w.split(' '))
  // A name reads best on one line; the column grows to the longest one, within reason.
  const header = b.measure("Ім'я ПРІЗВИЩЕ", 'bold', TABLE_SIZE) + 2 * CELL_PADDING + 1
  const nameWidth = Math.min(Math.max(fit(...names), header, 70), b.width * 0.22)
  return [
    { header: '№', width: fit('000'), align: 'center' },
    { header: 'Посада', weight: 33 },
    { header: "Ім'я ПРІЗВИЩЕ", width: nameWidth },
    { header: 'Рішення', width: fit(...decisionWords) },
    { header: 'Зауваження', weight: 37 },
    { header: 'Дата', width: fit('00.00.0000'), align: 'center' },
    // Decimal digits are the widest hex characters in DejaVu Sans.
    { header: 'Версія', width: fit('0'.repeat(12)), align: 'center' },
  ]
}

function visaCells(v: Visa, i: number): string[] {
  const stage = cleanText(v.stageName).trim()
  const name = formatName(v.fullName)
  const absent = v.onBehalfOfName ? formatName(v.onBehalfOfName) : ''
  return [
    String(i + 1),
    cleanText(v.positionTitle).trim() + (stage ? `\n(${stage})` : ''),
    absent ? `${name}\nза відсутності: ${absent}` : name,
    DECISION_WORDS[v.decision],
    cleanText(v.comment).trim() || '—',
    formatDate(v.at),
    `№\u00a0${v.versionNumber}\n${normaliseSha256(v.versionSha256).slice(0, 12)}`,
  ]
}

/**
 * The approval sheet (аркуш погодження) of a draft: every visa of every round in order, each
 * tied to the version it was given on, with the full digests of those versions at the end.
 */
export async function renderApprovalSheet(input: ApprovalSheetInput): Promise<Uint8Array> {
  const draft = `${draftOf(input.documentKindLabel)} ${quoteTitle(input.documentTitle)}`
  // Stable sort by round only: within a round the caller's order (stage order, then time) stands.
  const visas = input.visas.map((v, i) => ({ v, i })).sort((a, c) => a.v.round - c.v.round || a.i - c.i).map((x) => x.v)
  const versions = new Map<string, { number: number; sha: string }>()
  for (const v of visas) {
    const sha = normaliseSha256(v.versionSha256)
    versions.set(`${v.versionNumber}:${sha}`, { number: v.versionNumber, sha })
  }
  const versionList = [...versions.values()].sort((a, c) => a.number - c.number || a.sha.localeCompare(c.sha))

  const b = await PdfBuilder.create({
    title: `Аркуш погодження ${draft}`,
    subject: `Візи: ${visas.length}; версії: ${versionList.map((v) => `№ ${v.number} (SHA-256 ${v.sha})`).join(', ') || 'немає'}`,
    keywords: ['аркуш погодження', 'візи', ...versionList.map((v) => `sha256:${v.sha}`)],
    date: input.generatedAt,
    seed: JSON.stringify(input),
  })

  drawOrgHeader(b, input.organisation)
  drawDocType(b, 'АРКУШ ПОГОДЖЕННЯ')
  b.paragraph(`до ${draft}`, { face: 'bold', align: 'center', spaceAfter: 12 })
  b.paragraph(`Розробник проєкту: ${cleanText(input.author.unitName).trim()}`)
  b.paragraph(`Виконавець: ${formatName(input.author.fullName)}`, { spaceAfter: 10 })

  const rows: TableRow[] = []
  let round: number | null = null
  visas.forEach((v, i) => {
    // Earlier rounds stay on the sheet: a caption per round shows which visas a revision superseded.
    if (v.round !== round) {
      round = v.round
      rows.push({ section: `Коло погодження №\u00a0${v.round}` })
    }
    rows.push({ cells: visaCells(v, i) })
  })
  if (rows.length === 0) rows.push({ section: 'Віз немає' })
  drawTable(b, columns(b, visas.map((v) => formatName(v.fullName))), rows, { size: TABLE_SIZE, padding: CELL_PADDING })

  // The closing note and the digest list form one block: it moves to a new page whole, so the
  // note never ends up separated from the full digests it announces.
  const note: [string, TextStyle][] = [
    [
      `Аркуш сформовано ${formatDate(input.generatedAt)} в системі Hromada EDMS. У графі «Версія» зазначено номер версії ` +
        'проєкту та перші 12 символів контрольної суми SHA-256 її файла; повні контрольні суми наведено нижче.',
      { size: 10, align: 'justify', spaceAfter: 6 },
    ],
  ]
  if (versionList.length > 0) {
    note.push(['Версії проєкту, яких стосуються візи:', { size: 10, face: 'bold', spaceAfter: 2 }])
    // The label hangs left of the digest so that all 64 hex digits stay on one line.
    const labelWidth = b.measure(`Версія № ${versionList.at(-1)!.number}: `, 'regular', 9)
    for (const v of versionList) note.push([`SHA-256 ${v.sha}`, { size: 9, label: `Версія №\u00a0${v.number}:`, labelWidth }])
  }
  b.space(10)
  b.ensure(note.reduce((h, [text, style]) => h + b.heightOf(text, style), 0))
  for (const [text, style] of note) b.paragraph(text, style)
  return b.finish()
}
