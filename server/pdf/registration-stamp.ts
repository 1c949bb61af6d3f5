import { createHash } from 'node:crypto'
import fontkit from '@pdf-lib/fontkit'
import { degrees, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, rgb, type PDFFont, type PDFObject, type PDFPage } from 'pdf-lib'
import { fontBytes, subsetTag } from './fonts.ts'
import { MM } from './layout.ts'
import { cleanText, formatDate } from './text.ts'

/** Why a PDF cannot take the registration stamp. */
export type StampFailure = 'NOT_PDF' | 'ENCRYPTED' | 'ALREADY_SIGNED' | 'NO_PAGES'

export class StampError extends Error {
  constructor(
    readonly reason: StampFailure,
    message: string,
  ) {
    super(message)
    this.name = 'StampError'
  }
}

export interface StampInput {
  /** The registration index, e.g. "123/02-13". */
  index: string
  /** The registration date; printed as the Kyiv calendar date. */
  date: Date
  /** A small line above the requisites, e.g. the organisation's name. */
  organisation?: string
}

const MAIN_SIZE = 10
const ORG_SIZE = 7.5
const LEADING = 1.25
const PAD = 4
const ASCENT = 0.93
const DESCENT = 0.24
// The stamp lives in the top margin (ДСТУ 4163:2020: 20 mm), flush with the right margin (10 mm).
const RIGHT_GAP = 10 * MM
const TOP_GAP = 6 * MM
const INK = rgb(0, 0, 0)
const FRAME = rgb(0.35, 0.35, 0.35)
const WHITE = rgb(1, 1, 1)

/** Whether any signature field of the form already holds a signature (a rewrite would break it). */
function hasSignature(doc: PDFDocument): boolean {
  const form = doc.catalog.lookupMaybe(PDFName.of('AcroForm'), PDFDict)
  const fields = form?.lookupMaybe(PDFName.of('Fields'), PDFArray)
  if (!fields) return false
  const seen = new Set<PDFObject>()
  const visit = (obj: PDFObject | undefined, inheritedSig: boolean): boolean => {
    const field = obj instanceof PDFDict ? obj : obj ? doc.context.lookup(obj) : undefined
    if (!(field instanceof PDFDict) || seen.has(field)) return false
    seen.add(field)
    const ft = field.lookup(PDFName.of('FT'))
    const isSig = ft instanceof PDFName ? ft === PDFName.of('Sig') : inheritedSig
    if (isSig && field.get(PDFName.of('V'))) return true
    const kids = field.lookupMaybe(PDFName.of('Kids'), PDFArray)
    return kids ? kids.asArray().some((k) => visit(k, isSig)) : false
  }
  return fields.asArray().some((f) => visit(f, false))
}

/** Maps a point given from the page's visual bottom-left (as it is shown, after /Rotate) to user space. */
function viewToUser(page: PDFPage): { width: number; height: number; rotate: number; at: (u: number, v: number) => { x: number; y: number } } {
  const box = page.getCropBox()
  const rotate = (((page.getRotation().angle % 360) + 360) % 360) as number
  const { x: cx, y: cy, width: w, height: h } = box
  switch (rotate) {
    case 90:
      return { width: h, height: w, rotate, at: (u, v) => ({ x: cx + w - v, y: cy + u }) }
    case 180:
      return { width: w, height: h, rotate, at: (u, v) => ({ x: cx + w - u, y: cy + h - v }) }
    case 270:
      return { width: h, height: w, rotate, at: (u, v) => ({ x: cx + v, y: cy + h - u }) }
    default:
      return { width: w, height: h, rotate: 0, at: (u, v) => ({ x: cx + u, y: cy + v }) }
  }
}

/**
 * Draws the registration requisites — «від 28.11.2026 № 123/02-13» (ДСТУ 4163:2020: date and
 * registration index), optionally under the organisation's name — in a small white-backed,
 * thinly framed box in the top margin of the first page, flush with the right margin, where
 * neither the blank's header nor page numbers are. The page's own content is wrapped in q/Q,
 * so its graphics state cannot shift the stamp.
 *
 * The result is a full rewrite with a classic cross-reference table (no object streams), ready
 * for incremental signature updates. It depends on the input only: no clock, metadata kept,
 * the font subset tag and the second /ID derived from the input and the stamp. Encrypted PDFs
 * and PDFs that already carry a signature (which a rewrite would invalidate) are refused.
 */
export async function stampRegistration(pdf: Uint8Array, input: StampInput): Promise<Uint8Array> {
  const index = cleanText(input.index).trim()
  if (!index) throw new Error('stampRegistration: empty index')
  if (!(input.date instanceof Date) || Number.isNaN(input.date.getTime())) throw new Error('stampRegistration: invalid date')

  let doc: PDFDocument
  try {
    doc = await PDFDocument.load(pdf, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false })
  } catch (err) {
    throw new StampError('NOT_PDF', `файл не вдалося прочитати як PDF: ${(err as Error).message}`)
  }
  if (doc.isEncrypted) throw new StampError('ENCRYPTED', 'PDF зашифровано: реєстраційні реквізити можна нанести лише на незашифрований файл')
  if (hasSignature(doc)) throw new StampError('ALREADY_SIGNED', 'PDF уже містить електронний підпис: нанесення реквізитів зробило б його недійсним')
  const page = doc.getPages()[0]
  if (!page) throw new StampError('NO_PAGES', 'PDF не містить жодної сторінки')

  const main = `від ${formatDate(input.date)} № ${index}`
  const org = input.organisation ? cleanText(input.organisation).trim().replace(/\s+/g, ' ') : ''
  const digest = createHash('sha256').update(pdf).update('\u0000').update(JSON.stringify({ main, org })).digest('hex')

  doc.registerFontkit(fontkit)
  const font: PDFFont = await doc.embedFont((await fontBytes()).regular, { subset: true, customName: `${subsetTag(digest, 'regular')}+DejaVuSans` })

  const view = viewToUser(page)
  const lines = [...(org ? [{ text: org, size: ORG_SIZE }] : []), { text: main, size: MAIN_SIZE }]
  const textW = Math.max(...lines.map((l) => font.widthOfTextAtSize(l.text, l.size)))
  const boxW = textW + 2 * PAD
  // Lines at LEADING; the last one needs only its ascender and descender (DejaVu: 0.93 + 0.24 em).
  const boxH = 2 * PAD + lines.slice(0, -1).reduce((s, l) => s + l.size * LEADING, 0) + MAIN_SIZE * (ASCENT + DESCENT)
  const u0 = Math.max(2 * MM, view.width - RIGHT_GAP - boxW)
  const v0 = Math.max(2 * MM, view.height - TOP_GAP - boxH)
  const rotate = degrees(view.rotate)

  const corner = view.at(u0, v0)
  page.drawRectangle({ x: corner.x, y: corner.y, width: boxW, height: boxH, rotate, color: WHITE, borderColor: FRAME, borderWidth: 0.5 })
  let top = v0 + boxH - PAD
  for (const l of lines) {
    const baseline = top - l.size * ASCENT
    const w = font.widthOfTextAtSize(l.text, l.size)
    const p = view.at(u0 + boxW - PAD - w, baseline)
    page.drawText(l.text, { x: p.x, y: p.y, size: l.size, font, color: INK, rotate })
    top -= l.size * LEADING
  }

  // The first /ID stays (it names the file across revisions); the second marks this revision.
  const ids = doc.context.trailerInfo.ID
  const first = ids instanceof PDFArray && ids.size() > 0 ? ids.get(0) : PDFHexString.of(createHash('sha256').update(pdf).digest('hex').slice(0, 32))
  doc.context.trailerInfo.ID = doc.context.obj([first, PDFHexString.of(digest.slice(0, 32))])

  return doc.save({ useObjectStreams: false, addDefaultPage: false, updateFieldAppearances: false })
}
