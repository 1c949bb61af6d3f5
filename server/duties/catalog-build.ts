/**
 * Builds the duty catalogue's seed data from the text of the Directorate's regulation
 * (Положення про управління, converted from PDF to text). Run at build time, not by the
 * product: the running server reads only the generated `catalog-data.ts`.
 *
 *   npx tsx server/duties/catalog-build.ts [/work/shared/seed/polozhennia-upravlinnia.txt]
 *
 * What is taken: section 3 (functions of the Directorate, one item per clause "3.N"), and the
 * dash lists of 4.3 (head of the Directorate), 4.3.1 (IT department), 4.3.3 (information policy
 * department) and 4.3.4 (public relations sector). Each item's text is cleaned of the
 * conversion's artefacts: line breaks inside sentences, page-break blank lines, words split at a
 * line-end hyphen, a missing space after a comma; a handful of the source's typos are corrected
 * by an explicit list, each of which must match exactly once (so a changed text fails loudly).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface CatalogSeedItem {
  /** The clause the item comes from: "3.7", "4.3", "4.3.1", … */
  clause: string
  /** Code of the seeded unit whose tasks these are (server/seed/org.ts). */
  unitCode: string
  text: string
}

/** Which unit each list of the regulation describes (by its seeded code). */
export const CLAUSE_UNITS: Record<string, string> = {
  '3': '02',
  '4.3': '02',
  '4.3.1': '02-01',
  '4.3.3': '02-02',
  '4.3.4': '02-03',
}

/** Typos of the source text, corrected in the catalogue: [wrong, right]. */
export const CORRECTIONS: [string, string][] = [
  ['планово-поперджувальних', 'планово-попереджувальних'],
  ['з громадським об’єднаннями', 'з громадськими об’єднаннями'],
  ['листи, заяви скарги', 'листи, заяви, скарги'],
  ['на основі забраної інформації', 'на основі зібраної інформації'],
  ['фейковій чи дизінформації', 'фейковій інформації чи дезінформації'],
]

/** Joins the lines of one item into one clean sentence. */
export function cleanItem(lines: string[]): string {
  let text = ''
  for (const raw of lines) {
    const line = raw.replace(/\s+/g, ' ').trim()
    if (!line) continue // a page break in the converted text
    if (!text) text = line
    // A line ending in a hyphen right after a letter continues the same (compound) word:
    // "нормативно-" + "правовими", "контакт-" + "центрів", "ІТ-" + "середовища".
    else if (/\p{L}-$/u.test(text)) text += line
    else text += ' ' + line
  }
  text = text
    .replace(/,(?=[^\s\d])/g, ', ') // "інформації,отриманої" → "інформації, отриманої"
    .replace(/\s+([,.;:])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[;,]$/, '')
  if (!/[.!?…]$/.test(text)) text += '.'
  return text.charAt(0).toLocaleUpperCase('uk') + text.slice(1)
}

const lineIndex = (lines: string[], re: RegExp, from = 0): number => {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!.trim())) return i
  throw new Error(`the regulation has no line matching ${re}`)
}

/** The dash items ("- …") of lines [from, to); text before the first dash (the list's caption) is skipped. */
function dashItems(lines: string[], from: number, to: number): string[][] {
  const items: string[][] = []
  for (let i = from; i < to; i++) {
    const line = lines[i]!.trim()
    if (line.startsWith('- ') || line === '-') items.push([line.replace(/^-\s*/, '')])
    else if (items.length > 0) items.at(-1)!.push(line)
  }
  return items
}

/** Parses the regulation's text into catalogue items, in the regulation's order. */
export function parseRegulation(source: string): CatalogSeedItem[] {
  const lines = source.replace(/\r\n?/g, '\n').replace(/\f/g, '\n').split('\n')
  const out: CatalogSeedItem[] = []

  // Section 3: numbered clauses "3.N." up to section 4.
  const s3 = lineIndex(lines, /^3\.\s*\S/)
  const s4 = lineIndex(lines, /^4\.\s*Структура/, s3)
  let current: { clause: string; lines: string[] } | null = null
  const flush = () => {
    if (current) out.push({ clause: current.clause, unitCode: CLAUSE_UNITS['3']!, text: cleanItem(current.lines) })
    current = null
  }
  for (let i = s3 + 1; i < s4; i++) {
    const line = lines[i]!.trim()
    const m = /^(3\.\d+)\.?\s*(.*)$/.exec(line)
    if (m) {
      flush()
      current = { clause: m[1]!, lines: [m[2]!] }
    } else if (current) current.lines.push(line)
  }
  flush()

  // The lists of 4.3, 4.3.1, 4.3.3 and 4.3.4, each up to the next clause.
  const lists: [string, RegExp, RegExp][] = [
    ['4.3', /^4\.3\.\s/, /^4\.3\.1\./],
    ['4.3.1', /^4\.3\.1\./, /^4\.3\.[2-9]\./],
    ['4.3.3', /^4\.3\.3\./, /^4\.3\.4\./],
    ['4.3.4', /^4\.3\.4\./, /^4\.4\./],
  ]
  for (const [clause, start, end] of lists) {
    const from = lineIndex(lines, start, s4)
    const to = lineIndex(lines, end, from + 1)
    for (const item of dashItems(lines, from + 1, to)) out.push({ clause, unitCode: CLAUSE_UNITS[clause]!, text: cleanItem(item) })
  }

  for (const [wrong, right] of CORRECTIONS) {
    const hits = out.filter((x) => x.text.includes(wrong))
    if (hits.length !== 1) throw new Error(`correction «${wrong}» matches ${hits.length} items, expected exactly one`)
    hits[0]!.text = hits[0]!.text.replace(wrong, right)
  }
  return out
}

/** The TypeScript module the server imports. */
export function renderDataModule(items: CatalogSeedItem[]): string {
  const rows = items.map((x) => `  { clause: ${JSON.stringify(x.clause)}, unitCode: ${JSON.stringify(x.unitCode)}, text: ${JSON.stringify(x.text)} },`)
  return [
    '// Generated by server/duties/catalog-build.ts from the Directorate\'s regulation',
    '// (sections 3, 4.3, 4.3.1, 4.3.3, 4.3.4). Do not edit by hand: fix the builder and rerun it.',
    "import type { CatalogSeedItem } from './catalog-build.ts'",
    '',
    'export const DUTY_CATALOG: readonly CatalogSeedItem[] = [',
    ...rows,
    ']',
    '',
  ].join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const src = process.argv[2] ?? '/work/shared/seed/polozhennia-upravlinnia.txt'
  const items = parseRegulation(readFileSync(src, 'utf8'))
  const target = fileURLToPath(new URL('./catalog-data.ts', import.meta.url))
  writeFileSync(target, renderDataModule(items))
  const byClause = new Map<string, number>()
  for (const x of items) byClause.set(x.clause.startsWith('3.') ? '3' : x.clause, (byClause.get(x.clause.startsWith('3.') ? '3' : x.clause) ?? 0) + 1)
  process.stdout.write(`${items.length} items → ${target}\n${[...byClause].map(([c, n]) => `  ${c}: ${n}`).join('\n')}\n`)
}
