import { createHash } from 'node:crypto'
import { PDFDocument, PDFHexString, rgb, type PDFPage } from 'pdf-lib'
import { embedFonts, type FontFace, type Fonts } from './fonts.ts'
import { wrapText, type Measure } from './text.ts'

/** Points per millimetre. */
export const MM = 72 / 25.4

// ДСТУ 4163:2020: A4, margins left 30 mm, right 10 mm, top and bottom 20 mm.
const PAGE = { width: 595.28, height: 841.89 }
const MARGIN = { left: 30 * MM, right: 10 * MM, top: 20 * MM, bottom: 20 * MM }
// DejaVu's descender is 0.236 em; the baseline sits that far (rounded up) above a line box's bottom.
const DESCENT = 0.24
// Line height as a multiple of the font size: "single" spacing for DejaVu Sans is ~1.16 em,
// the standard allows 1 to 1.5; 1.25 reads well at 12 pt and keeps tables compact.
export const LEADING = 1.25
export const BODY_SIZE = 12

const BLACK = rgb(0, 0, 0)

export interface PdfMeta {
  title: string
  subject: string
  keywords?: string[]
  /** The document's own date: CreationDate and ModDate, never the clock, so renders repeat exactly. */
  date: Date
  /** Anything that identifies the content (the renderer's input as JSON): seeds the font tags and /ID. */
  seed: string
  /** A4 turned sideways (wide tables such as reports); the margins stay as ДСТУ 4163 sets them. */
  landscape?: boolean
}

export interface TextStyle {
  face?: FontFace
  size?: number
  align?: 'left' | 'center' | 'right' | 'justify'
  /** Offset of the whole block from the left margin, in points. */
  indent?: number
  /** Extra offset of the first line (the paragraph indent), in points. */
  firstIndent?: number
  /** Width of the block; defaults to the rest of the line after `indent`. */
  width?: number
  /** Drawn at the block's left edge on the first line; text lines start `labelWidth` further right. */
  label?: string
  labelWidth?: number
  spaceAfter?: number
  /** Points that must fit after the last line on the same page (e.g. the signature block below). */
  keepWithNext?: number
}

/**
 * A page-flowing writer over pdf-lib: keeps a cursor, starts new pages when text runs out of room,
 * and numbers pages from the second one at the top centre when finished.
 */
export class PdfBuilder {
  readonly left = MARGIN.left
  readonly width: number
  readonly bottom = MARGIN.bottom
  readonly top: number
  /** The page size in points: A4 portrait, or landscape when asked. */
  readonly size: { width: number; height: number }
  page!: PDFPage
  /** Top of the next line box, in points from the page's bottom edge. */
  y = 0
  private readonly advance = new Map<string, number>()

  private constructor(
    readonly doc: PDFDocument,
    readonly fonts: Fonts,
    landscape = false,
  ) {
    this.size = landscape ? { width: PAGE.height, height: PAGE.width } : PAGE
    this.width = this.size.width - MARGIN.left - MARGIN.right
    this.top = this.size.height - MARGIN.top
    this.newPage()
  }

  /** Starts a document with fonts embedded and metadata taken from `meta` only. */
  static async create(meta: PdfMeta): Promise<PdfBuilder> {
    // updateMetadata: false stops pdf-lib stamping the current time and its own name.
    const doc = await PDFDocument.create({ updateMetadata: false })
    doc.setTitle(meta.title, { showInWindowTitleBar: true })
    doc.setAuthor('Hromada EDMS')
    doc.setSubject(meta.subject)
    if (meta.keywords?.length) doc.setKeywords(meta.keywords)
    doc.setCreator('Hromada EDMS')
    doc.setProducer('Hromada EDMS (pdf-lib)')
    doc.setLanguage('uk')
    doc.setCreationDate(meta.date)
    doc.setModificationDate(meta.date)
    // A stable file identifier: signing appends incremental updates that keep the first /ID.
    const id = createHash('sha256').update(meta.seed).digest('hex').slice(0, 32)
    doc.context.trailerInfo.ID = doc.context.obj([PDFHexString.of(id), PDFHexString.of(id)])
    return new PdfBuilder(doc, await embedFonts(doc, meta.seed), meta.landscape ?? false)
  }

  /**
   * Width of `text` in points. pdf-lib's own measure runs fontkit's full layout (~1 ms a call)
   * yet only sums advance widths, so summing cached per-character advances gives the same
   * number far faster; wrapping a 40-row table measures thousands of strings.
   */
  measure(text: string, face: FontFace = 'regular', size = BODY_SIZE): number {
    let units = 0
    for (const ch of text) {
      const key = face === 'bold' ? `b${ch}` : `r${ch}`
      let w = this.advance.get(key)
      if (w === undefined) {
        w = this.fonts[face].widthOfTextAtSize(ch, 1000)
        this.advance.set(key, w)
      }
      units += w
    }
    return (units * size) / 1000
  }

  /** `measure` bound to one face and size, as the wrapper wants it. */
  measurer(face: FontFace = 'regular', size = BODY_SIZE): Measure {
    return (text) => this.measure(text, face, size)
  }

  /** Adds an A4 page and puts the cursor at its top margin. */
  newPage(): void {
    this.page = this.doc.addPage([this.size.width, this.size.height])
    this.y = this.top
  }

  /** Room left on the current page, in points. */
  room(): number {
    return this.y - this.bottom
  }

  /** Starts a new page unless `height` points still fit; returns whether it did. */
  ensure(height: number): boolean {
    if (height <= this.room() || this.y === this.top) return false
    this.newPage()
    return true
  }

  /** Moves the cursor down (never below the bottom margin; the next line then starts a page). */
  space(points: number): void {
    this.y = Math.max(this.bottom, this.y - points)
  }

  /** Draws one line of text whose line box starts at the cursor's top `y`; does not move the cursor. */
  drawText(text: string, x: number, y: number, face: FontFace = 'regular', size = BODY_SIZE): void {
    if (!text) return
    // U+00A0 only guards against line breaks; drawn as a plain space so search and copy find "с. 3".
    this.page.drawText(text.replace(/\u00a0/g, ' '), { x, y: y - size * LEADING + size * DESCENT, size, font: this.fonts[face], color: BLACK })
  }

  /** A line of text justified to `width` by spacing its words (Tw does not apply to two-byte CID fonts). */
  drawJustified(text: string, x: number, y: number, width: number, face: FontFace, size: number): void {
    const words = text.split(' ')
    const total = words.reduce((sum, w) => sum + this.measure(w, face, size), 0)
    const gap = words.length > 1 ? (width - total) / (words.length - 1) : 0
    // Very wide gaps (a line with two long words) look worse than a ragged edge.
    if (words.length < 2 || gap > this.measure(' ', face, size) * 3) return this.drawText(text, x, y, face, size)
    let cx = x
    for (const w of words) {
      this.drawText(w, cx, y, face, size)
      cx += this.measure(w, face, size) + gap
    }
  }

  /** Height `paragraph(text, style)` would take, for keeping short blocks on one page. */
  heightOf(text: string, style: TextStyle = {}): number {
    const face = style.face ?? 'regular'
    const size = style.size ?? BODY_SIZE
    const labelW = style.label ? (style.labelWidth ?? this.measure(style.label + ' ', face, size)) : 0
    const blockW = (style.width ?? this.width - (style.indent ?? 0)) - labelW
    const first = style.firstIndent ?? 0
    const lines = text.split('\n').reduce((n, para) => n + wrapText(para, this.measurer(face, size), (i) => blockW - (i === 0 ? first : 0)).length, 0)
    return lines * size * LEADING + (style.spaceAfter ?? 0)
  }

  /** Lays out text from the cursor, flowing onto new pages; each "\n" starts a new paragraph. */
  paragraph(text: string, style: TextStyle = {}): void {
    const face = style.face ?? 'regular'
    const size = style.size ?? BODY_SIZE
    const indent = style.indent ?? 0
    const labelW = style.label ? (style.labelWidth ?? this.measure(style.label + ' ', face, size)) : 0
    const blockW = (style.width ?? this.width - indent) - labelW
    const first = style.firstIndent ?? 0
    const lineH = size * LEADING
    const paras = text.split('\n')
    paras.forEach((para, p) => {
      const lines = wrapText(para, this.measurer(face, size), (i) => blockW - (i === 0 ? first : 0))
      const tail = Math.max(0, lines.length - 2)
      const keep = p === paras.length - 1 ? (style.keepWithNext ?? 0) + (style.spaceAfter ?? 0) : 0
      lines.forEach((line, i) => {
        // A paragraph's last two lines stay together (no page starts with a lone last line), and
        // with whatever must follow them, so a signature never stands on a page without text.
        this.ensure(i === tail ? (lines.length - tail) * lineH + keep : lineH)
        const x0 = this.left + indent + labelW + (i === 0 ? first : 0)
        const w = blockW - (i === 0 ? first : 0)
        if (p === 0 && i === 0 && style.label) this.drawText(style.label, this.left + indent, this.y, face, size)
        const lw = this.measure(line, face, size)
        if (style.align === 'center') this.drawText(line, x0 + (w - lw) / 2, this.y, face, size)
        else if (style.align === 'right') this.drawText(line, x0 + w - lw, this.y, face, size)
        // The last line of a paragraph stays ragged, as in any justified text.
        else if (style.align === 'justify' && i < lines.length - 1) this.drawJustified(line, x0, this.y, w, face, size)
        else this.drawText(line, x0, this.y, face, size)
        this.y -= lineH
      })
    })
    if (style.spaceAfter) this.space(style.spaceAfter)
  }

  /** A horizontal rule across the text width at the cursor. */
  rule(thickness = 0.75, gapAfter = 6): void {
    this.page.drawLine({ start: { x: this.left, y: this.y }, end: { x: this.left + this.width, y: this.y }, thickness, color: BLACK })
    this.space(gapAfter)
  }

  /** Numbers pages 2..n at the top centre (page 1 carries the heading instead), then serialises. */
  async finish(): Promise<Uint8Array> {
    const pages = this.doc.getPages()
    pages.forEach((page, i) => {
      if (i === 0) return
      const label = String(i + 1)
      const size = BODY_SIZE
      const w = this.measure(label, 'regular', size)
      // Baseline 14 mm from the top edge: the digits stay 10 mm clear of the edge, as the standard asks.
      page.drawText(label, { x: this.left + (this.width - w) / 2, y: this.size.height - 14 * MM, size, font: this.fonts.regular, color: BLACK })
    })
    return this.doc.save()
  }
}
