import { makeZip } from './factories.ts'

/**
 * Fixtures for text extraction: multi-page PDFs with Ukrainian text, DOCX and ODT bodies
 * written as XML, and ZIP archives with deflated entries (for zip-bomb tests).
 */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * A PDF with one page per array element and one text line per string, built by hand. Letters
 * outside ASCII get codes 128+ in the font's /Differences under `uniXXXX` glyph names, which
 * both pdf.js and poppler map back to Unicode; explicit widths keep the glyphs apart.
 */
export function pagedPdf(pages: string[][]): Buffer {
  const codes = new Map<string, number>()
  const enc = (s: string) =>
    [...s]
      .map((ch) => {
        if (ch === '(' || ch === ')' || ch === '\\') return '\\' + ch
        if (ch.charCodeAt(0) < 128) return ch
        if (!codes.has(ch)) codes.set(ch, 128 + codes.size)
        if (codes.size > 128) throw new Error('pagedPdf: at most 128 distinct non-ASCII characters')
        return '\\' + codes.get(ch)!.toString(8)
      })
      .join('')
  const streams = pages.map((lines) => `BT /F1 14 Tf 18 TL 72 720 Td ${lines.map((l) => `(${enc(l)}) Tj T*`).join(' ')} ET`)
  const diffs = [...codes].map(([ch, c]) => `${c} /uni${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pages.map((_, i) => `${4 + 2 * i} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding /BaseEncoding /WinAnsiEncoding /Differences [${diffs}] >> /FirstChar 32 /LastChar 255 /Widths [${Array(224).fill(600).join(' ')}] >>`,
  ]
  streams.forEach((s, i) => {
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + 2 * i} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`)
    objs.push(`<< /Length ${Buffer.byteLength(s, 'latin1')} >>\nstream\n${s}\nendstream`)
  })
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'

/** word/document.xml around a raw `<w:body>` inner XML. */
export const docxXml = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>${body}</w:body></w:document>`

/** A DOCX whose body is the given raw XML. */
export const docxRaw = (body: string) =>
  makeZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: 'word/document.xml', data: docxXml(body) },
  ])

/** A DOCX with one plain paragraph per string. */
export const docxParagraphs = (paragraphs: string[]) => docxRaw(paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${esc(p)}</w:t></w:r></w:p>`).join(''))

/** An ODT whose office:text is the given raw XML. */
export const odtRaw = (body: string) =>
  makeZip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
    {
      name: 'content.xml',
      data: `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><office:body><office:text>${body}</office:text></office:body></office:document-content>`,
    },
  ])

/** A ZIP whose entries are deflated unless `stored` (see makeZip). */
export const deflatedZip = (entries: Parameters<typeof makeZip>[0]): Buffer => makeZip(entries.map((e) => ({ ...e, stored: e.stored ?? false })))

/** A DOCX whose document.xml inflates to `bytes` bytes (a zip bomb when large); headers may lie about the size. */
export function bombDocx(bytes: number, opts: { declaredSize?: number } = {}): Buffer {
  const xml = Buffer.alloc(bytes, 0x20)
  Buffer.from(docxXml('<w:p><w:r><w:t>')).copy(xml)
  return deflatedZip([
    { name: '[Content_Types].xml', data: CONTENT_TYPES, stored: true },
    { name: 'word/document.xml', data: xml, ...(opts.declaredSize !== undefined ? { declaredSize: opts.declaredSize } : {}) },
  ])
}
