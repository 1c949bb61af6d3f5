import { rgb } from 'pdf-lib'
import { BODY_SIZE, LEADING, MM, PdfBuilder, type TextStyle } from './layout.ts'
import { drawDocType, drawOrgHeader, drawSignature, signatureHeight } from './requisites.ts'
import { cleanText, formatName } from './text.ts'

export interface JobDescriptionPdfInput {
  /** "Дрогобицька міська рада" */
  organisation: string
  /** The body the instruction is issued in, e.g. "Виконавчий комітет Дрогобицької міської ради". */
  issuer?: string
  positionTitle: string
  unitName: string
  sections: {
    general: string
    tasks: { text: string }[]
    rights: string[]
    responsibility: string[]
    mustKnow: string[]
    qualification: string
  }
  /** Who approves («ЗАТВЕРДЖУЮ»): the deputy mayor for executive bodies. */
  approver: { positionTitle: string; fullName: string | null }
  /** Filled once approved; before that the date line of the stamp is left blank for the signature. */
  approvedAt?: Date | null
  /** Who drafted it and signs under the text (the head of the Directorate, 4.3). */
  drafter?: { positionTitle: string; fullName: string } | null
  /** Redaction number, printed in the metadata. */
  version?: number
  /** The document's own date: CreationDate and ModDate (never the clock). */
  date: Date
}

export const SECTION_TITLES = ['Загальні положення', 'Завдання та обовʼязки', 'Права', 'Відповідальність', 'Повинен знати', 'Кваліфікаційні вимоги'] as const

const MONTHS = ['січня', 'лютого', 'березня', 'квітня', 'травня', 'червня', 'липня', 'серпня', 'вересня', 'жовтня', 'листопада', 'грудня']
const kyivParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Kyiv', day: 'numeric', month: 'numeric', year: 'numeric' })

/** «28» листопада 2026 р. — the date of an approval stamp, in Kyiv. */
export function stampDate(d: Date): string {
  const p = Object.fromEntries(kyivParts.formatToParts(d).map((x) => [x.type, x.value]))
  return `«${String(p.day).padStart(2, '0')}» ${MONTHS[Number(p.month) - 1]} ${p.year} р.`
}

export const BLANK_DATE = '«___» ____________ 20__ р.'

/** Paragraphs of a text section: one numbered item per non-empty line. */
export const paragraphsOf = (text: string): string[] =>
  cleanText(text)
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)

/** One numbered item as a sentence: single spaces, a final full stop unless it ends otherwise. */
function itemText(text: string): string {
  const t = cleanText(text).replace(/\s+/g, ' ').trim().replace(/[;,]$/, '')
  return /[.!?…:]$/.test(t) ? t : `${t}.`
}

/**
 * A job description (посадова інструкція) on A4 per ДСТУ 4163:2020: the approval stamp
 * («ЗАТВЕРДЖУЮ») top right, the organisation, the document type, position and unit, numbered
 * sections 1–6 with numbered items, the drafter's signature, and the acknowledgment block.
 * The same input gives the same bytes. Saved without object streams, so the signing code can
 * append incremental updates.
 */
export async function renderJobDescription(input: JobDescriptionPdfInput): Promise<Uint8Array> {
  const position = cleanText(input.positionTitle).trim()
  const unit = cleanText(input.unitName).trim()
  const b = await PdfBuilder.create({
    title: `Посадова інструкція: ${position}`,
    subject: `${unit}${input.version ? `; редакція ${input.version}` : ''}`,
    keywords: ['посадова інструкція', position],
    date: input.date,
    seed: JSON.stringify(input),
  })

  drawApprovalStamp(b, input)
  b.space(18)
  drawOrgHeader(b, input.organisation, input.issuer)
  drawDocType(b, 'ПОСАДОВА ІНСТРУКЦІЯ')
  b.paragraph(position, { face: 'bold', align: 'center' })
  b.paragraph(unit, { align: 'center', spaceAfter: 16 })

  const s = input.sections
  const lists: string[][] = [paragraphsOf(s.general), s.tasks.map((t) => t.text), s.rights, s.responsibility, s.mustKnow, paragraphsOf(s.qualification)]
  const lineH = BODY_SIZE * LEADING
  const sig = input.drafter ? { positionTitle: cleanText(input.drafter.positionTitle).trim(), name: formatName(input.drafter.fullName) } : null
  // The signature and the acknowledgment block never stand on a page without text above them.
  const tail = (sig ? signatureHeight(b, sig) : 0) + ACK_HEIGHT
  lists.forEach((items, i) => {
    const n = i + 1
    const last = i === lists.length - 1
    const clean = items.map(itemText).filter((x) => x !== '.')
    const labelWidth = b.measure(`${n}.${clean.length}. `) + 2
    const styleOf = (j: number): TextStyle => {
      const end = j === clean.length - 1
      return { label: `${n}.${j + 1}.`, labelWidth, align: 'justify', spaceAfter: end ? 8 : 2, ...(last && end ? { keepWithNext: tail } : {}) }
    }
    const empty: TextStyle = { indent: 10 * MM, spaceAfter: 8, ...(last ? { keepWithNext: tail } : {}) }
    // A heading never ends a page: it keeps room for its first item (two lines of a longer one),
    // and for whatever that item must keep with it when it is the last.
    const first = clean.length === 0 ? b.heightOf('—', empty) : Math.min(b.heightOf(clean[0]!, styleOf(0)), 2 * lineH)
    const firstIsLast = last && clean.length <= 1
    b.paragraph(`${n}. ${SECTION_TITLES[i]!.toLocaleUpperCase('uk')}`, { face: 'bold', spaceAfter: 4, keepWithNext: first + (firstIsLast ? tail : 0) })
    if (clean.length === 0) b.paragraph('—', empty)
    else clean.forEach((text, j) => b.paragraph(text, styleOf(j)))
  })

  if (sig) drawSignature(b, sig)
  drawAcknowledgment(b)
  return finish(b)
}

function drawApprovalStamp(b: PdfBuilder, input: JobDescriptionPdfInput): void {
  const indent = b.width * 0.5
  const width = b.width - indent
  const style = { indent, width }
  b.paragraph('ЗАТВЕРДЖУЮ', { ...style, face: 'bold', spaceAfter: 2 })
  b.paragraph(cleanText(input.approver.positionTitle).trim(), style)
  b.space(BODY_SIZE)
  const x = b.left + indent
  const name = input.approver.fullName ? formatName(input.approver.fullName) : '____________________'
  const line = '______________'
  b.drawText(line, x, b.y)
  b.drawText(name, x + b.measure(line) + b.measure('  '), b.y)
  b.y -= BODY_SIZE * LEADING
  b.space(4)
  b.drawText(input.approvedAt ? stampDate(input.approvedAt) : BLANK_DATE, x, b.y)
  b.y -= BODY_SIZE * LEADING
}

/** «З інструкцією ознайомлений(а):» with blanks for the signature, the name and the date. */
const ACK_SMALL = 8
const ACK_HEIGHT = 24 + BODY_SIZE * LEADING + 14 + BODY_SIZE * LEADING + ACK_SMALL * LEADING

function drawAcknowledgment(b: PdfBuilder): void {
  const lineH = BODY_SIZE * LEADING
  const small = ACK_SMALL
  b.ensure(ACK_HEIGHT)
  b.space(24)
  b.paragraph('З інструкцією ознайомлений(а):', { spaceAfter: 14 })
  const sign = '______________'
  const name = '______________________________'
  const xName = b.left + b.measure(sign) + 12
  const xDate = b.left + b.width - b.measure(BLANK_DATE)
  b.drawText(sign, b.left, b.y)
  b.drawText(name, xName, b.y)
  b.drawText(BLANK_DATE, xDate, b.y)
  b.y -= lineH
  const caption = (text: string, x: number, w: number) => b.drawText(text, x + (w - b.measure(text, 'regular', small)) / 2, b.y, 'regular', small)
  caption('(підпис)', b.left, b.measure(sign))
  caption('(імʼя, прізвище)', xName, b.measure(name))
  caption('(дата)', xDate, b.measure(BLANK_DATE))
  b.y -= small * LEADING
}

/**
 * Numbers pages 2..n at the top centre, as PdfBuilder.finish does, then saves without object
 * streams: incremental signature updates need a classic cross-reference table.
 */
async function finish(b: PdfBuilder): Promise<Uint8Array> {
  b.doc.getPages().forEach((page, i) => {
    if (i === 0) return
    const label = String(i + 1)
    const w = b.measure(label)
    page.drawText(label, { x: b.left + (b.width - w) / 2, y: page.getHeight() - 14 * MM, size: BODY_SIZE, font: b.fonts.regular, color: rgb(0, 0, 0) })
  })
  return b.doc.save({ useObjectStreams: false })
}
