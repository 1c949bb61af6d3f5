import { BODY_SIZE, LEADING, type PdfBuilder } from './layout.ts'
import { cleanText, formatDate, wrapText } from './text.ts'

// Requisites of ДСТУ 4163:2020 shared by every generated document: the blank's header,
// the document type name, date / place / index, the heading to the text, and the signature.

/** The organisation (and, when given, the issuing unit) in capitals, centred, closed by a rule. */
export function drawOrgHeader(b: PdfBuilder, organisation: string, unit?: string): void {
  b.paragraph(cleanText(organisation).toLocaleUpperCase('uk'), { face: 'bold', size: 13, align: 'center' })
  if (unit) {
    b.space(2)
    b.paragraph(cleanText(unit).toLocaleUpperCase('uk'), { face: 'bold', size: BODY_SIZE, align: 'center' })
  }
  b.space(4)
  b.rule(1.5, 1.5)
  b.rule(0.5, 14)
}

/** The document type name ("ВИСНОВОК", "АРКУШ ПОГОДЖЕННЯ") and an optional centred subtitle. */
export function drawDocType(b: PdfBuilder, typeName: string, subtitle?: string): void {
  b.paragraph(typeName, { face: 'bold', size: 14, align: 'center' })
  if (subtitle) b.paragraph(subtitle, { align: 'center' })
  b.space(10)
}

/**
 * Date on the left, place in the middle, registration index on the right, on one line.
 * Without an index a blank "№ ______" is printed: the index is assigned at registration.
 */
export function drawDatePlaceIndex(b: PdfBuilder, date: Date, place: string, index?: string | null): void {
  const y = b.y
  const indexText = `№ ${index ? cleanText(index) : '______________'}`
  b.drawText(formatDate(date), b.left, y)
  b.drawText(place, b.left + (b.width - b.measure(place)) / 2, y)
  b.drawText(indexText, b.left + b.width - b.measure(indexText), y)
  b.y -= BODY_SIZE * LEADING
  b.space(14)
}

/** The heading to the text ("до проєкту рішення «…»"), bold, in the left part of the line, as in council acts. */
export function drawHeading(b: PdfBuilder, heading: string, widthShare = 0.65): void {
  b.paragraph(heading, { face: 'bold', width: b.width * widthShare })
  b.space(12)
}

export interface SignatureInput {
  positionTitle: string
  /** Already in "Ім'я ПРІЗВИЩЕ" form. */
  name: string
}

// Room above the block for a handwritten signature on a printout.
const SIGNATURE_GAP = 24

const signatureLines = (b: PdfBuilder, sig: SignatureInput) => wrapText(sig.positionTitle, b.measurer(), () => b.width * 0.48)

/**
 * Position title on the left (wrapped to under half the width), blank room for the personal
 * signature in the middle, and the name flush right on the level of the title's last line,
 * as the standard places it. The whole block moves to the next page rather than split.
 */
export function drawSignature(b: PdfBuilder, sig: SignatureInput): void {
  const lines = signatureLines(b, sig)
  b.ensure(signatureHeight(b, sig))
  b.space(SIGNATURE_GAP)
  lines.forEach((line, i) => {
    b.drawText(line, b.left, b.y)
    if (i === lines.length - 1) b.drawText(sig.name, b.left + b.width - b.measure(sig.name), b.y)
    b.y -= BODY_SIZE * LEADING
  })
}

/** Height of the signature block, for keeping the text's last lines on its page. */
export function signatureHeight(b: PdfBuilder, sig: SignatureInput): number {
  return SIGNATURE_GAP + signatureLines(b, sig).length * BODY_SIZE * LEADING
}
