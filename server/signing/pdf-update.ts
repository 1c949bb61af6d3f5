import { SigningError } from './errors.ts'
import { parseIndirect, parseValue, pdfDate, pdfText, serialize, type PdfValue } from './pdf-objects.ts'

/** Where the signature goes in a prepared file: /Contents <…> and the /ByteRange to fill in. */
export interface PreparedPdf {
  pdf: Buffer
  /** Offset of '<' and just past '>' of the /Contents hex string. */
  contentsStart: number
  contentsEnd: number
  /** Offset and width of the reserved /ByteRange array text. */
  byteRangeAt: number
  byteRangeWidth: number
}

export interface FieldOptions {
  reason: string
  location: string
  name: string
  contactInfo?: string
  signingTime: Date
  /** Bytes reserved for the CMS (hex doubles it in the file). */
  signatureBytes: number
  subFilter: 'ETSI.CAdES.detached'
}

interface Xref {
  offsets: Map<number, { offset: number; gen: number }>
  trailer: Map<string, PdfValue>
  startxref: number
}

const latin1 = (buf: Buffer, a: number, b: number) => buf.toString('latin1', a, b)
const refOf = (v: PdfValue | undefined) => (v?.t === 'ref' ? v : null)
const dictOf = (v: PdfValue | undefined) => (v?.t === 'dict' ? v.v : null)

/** Reads the chain of classic cross-reference sections, newest first, from startxref. */
function readXref(pdf: Buffer): Xref {
  const tail = latin1(pdf, Math.max(0, pdf.length - 2048), pdf.length)
  const m = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(tail)
  if (!m) throw new SigningError('PDF_NOT_SIGNABLE', 'не знайдено кінця PDF (startxref)')
  const startxref = Number(m[1])
  const offsets = new Map<number, { offset: number; gen: number }>()
  let trailer: Map<string, PdfValue> | null = null
  const seen = new Set<number>()
  for (let at: number | null = startxref; at !== null; ) {
    if (seen.has(at) || at >= pdf.length) throw new SigningError('PDF_NOT_SIGNABLE', 'пошкоджена таблиця перехресних посилань')
    seen.add(at)
    let i = at
    while (i < pdf.length && /\s/.test(String.fromCharCode(pdf[i]!))) i++
    if (latin1(pdf, i, i + 4) !== 'xref') {
      // A cross-reference stream (PDF 1.5 object streams): the product's own files never use
      // them for signing (registration stamping writes a classic table first).
      throw new SigningError('PDF_NOT_SIGNABLE', 'PDF з потоками перехресних посилань не підтримується для підписання')
    }
    const trailerAt = pdf.indexOf('trailer', i)
    if (trailerAt < 0) throw new SigningError('PDF_NOT_SIGNABLE', 'не знайдено trailer')
    const lines = latin1(pdf, i + 4, trailerAt).split(/\r\n|\r|\n/).map((l) => l.trim()).filter(Boolean)
    for (let k = 0; k < lines.length; ) {
      const head = /^(\d+)\s+(\d+)$/.exec(lines[k]!)
      if (!head) throw new SigningError('PDF_NOT_SIGNABLE', 'пошкоджена таблиця перехресних посилань')
      const first = Number(head[1])
      const count = Number(head[2])
      for (let e = 0; e < count; e++) {
        const entry = /^(\d{10})\s+(\d{5})\s+([nf])$/.exec(lines[k + 1 + e] ?? '')
        if (!entry) throw new SigningError('PDF_NOT_SIGNABLE', 'пошкоджений запис таблиці перехресних посилань')
        const n = first + e
        if (!offsets.has(n) && entry[3] === 'n') offsets.set(n, { offset: Number(entry[1]), gen: Number(entry[2]) })
        if (!offsets.has(n) && entry[3] === 'f') offsets.set(n, { offset: -1, gen: Number(entry[2]) })
      }
      k += 1 + count
    }
    const dict = dictOf(parseValue(pdf, trailerAt + 7).value)
    if (!dict) throw new SigningError('PDF_NOT_SIGNABLE', 'пошкоджений trailer')
    trailer ??= dict
    const prev = dict.get('Prev')
    at = prev?.t === 'num' ? Number(prev.v) : null
  }
  return { offsets, trailer: trailer!, startxref }
}

function load(pdf: Buffer, xref: Xref, ref: { n: number; g: number }) {
  const at = xref.offsets.get(ref.n)
  if (!at || at.offset < 0) throw new SigningError('PDF_NOT_SIGNABLE', `об'єкт ${ref.n} відсутній`)
  return parseIndirect(pdf, at.offset).value
}

/** The first page of the document (the signature widget is attached to it). */
function firstPage(pdf: Buffer, xref: Xref, pagesRef: { n: number; g: number }): { n: number; g: number; dict: Map<string, PdfValue> } {
  let ref = pagesRef
  for (let depth = 0; depth < 32; depth++) {
    const d = dictOf(load(pdf, xref, ref))
    if (!d) break
    if (d.get('Type')?.t === 'name' && (d.get('Type') as { v: string }).v === 'Page') return { ...ref, dict: d }
    const kids = d.get('Kids')
    const first = kids?.t === 'arr' ? refOf(kids.v[0]) : null
    if (!first) break
    ref = first
  }
  throw new SigningError('PDF_NOT_SIGNABLE', 'у PDF не знайдено сторінок')
}

/**
 * Appends an incremental update holding an invisible signature field, with room for the
 * CMS, without touching a byte of what was there: earlier signatures stay valid.
 */
export function prepareSignature(pdf: Buffer, o: FieldOptions): PreparedPdf {
  const xref = readXref(pdf)
  const size = xref.trailer.get('Size')
  const rootRef = refOf(xref.trailer.get('Root'))
  if (size?.t !== 'num' || !rootRef) throw new SigningError('PDF_NOT_SIGNABLE', 'trailer без /Size або /Root')
  if (xref.trailer.has('Encrypt')) throw new SigningError('PDF_NOT_SIGNABLE', 'зашифрований PDF не підписується')
  const catalog = dictOf(load(pdf, xref, rootRef))
  const pagesRef = refOf(catalog?.get('Pages'))
  if (!catalog || !pagesRef) throw new SigningError('PDF_NOT_SIGNABLE', 'пошкоджений каталог PDF')
  const page = firstPage(pdf, xref, pagesRef)

  const sigN = Number(size.v)
  const widgetN = sigN + 1
  const widgetRef: PdfValue = { t: 'ref', n: widgetN, g: 0 }
  const objects = new Map<number, { g: number; body: string }>()

  // The form: inline or indirect /AcroForm, its /Fields inline or indirect.
  let acroRef = refOf(catalog.get('AcroForm'))
  const acro = acroRef ? (dictOf(load(pdf, xref, acroRef)) ?? new Map()) : (dictOf(catalog.get('AcroForm')) ?? new Map<string, PdfValue>())
  const fieldsValue = acro.get('Fields')
  const fieldsRef = refOf(fieldsValue)
  const fields = fieldsRef ? load(pdf, xref, fieldsRef) : fieldsValue
  const fieldList = fields?.t === 'arr' ? [...fields.v] : []
  const fieldName = `Signature${fieldList.length + 1}`
  fieldList.push(widgetRef)
  if (fieldsRef) objects.set(fieldsRef.n, { g: fieldsRef.g, body: serialize({ t: 'arr', v: fieldList }) })
  else acro.set('Fields', { t: 'arr', v: fieldList })
  acro.set('SigFlags', { t: 'num', v: '3' })
  if (acroRef) objects.set(acroRef.n, { g: acroRef.g, body: serialize({ t: 'dict', v: acro }) })
  else {
    catalog.set('AcroForm', { t: 'dict', v: acro })
    objects.set(rootRef.n, { g: rootRef.g, body: serialize({ t: 'dict', v: catalog }) })
  }
  acroRef = null

  // The widget goes in the first page's /Annots, inline or indirect.
  const annotsValue = page.dict.get('Annots')
  const annotsRef = refOf(annotsValue)
  const annots = annotsRef ? load(pdf, xref, annotsRef) : annotsValue
  const annotList = annots?.t === 'arr' ? [...annots.v, widgetRef] : [widgetRef]
  if (annotsRef) objects.set(annotsRef.n, { g: annotsRef.g, body: serialize({ t: 'arr', v: annotList }) })
  else {
    page.dict.set('Annots', { t: 'arr', v: annotList })
    objects.set(page.n, { g: page.g, body: serialize({ t: 'dict', v: page.dict }) })
  }

  objects.set(widgetN, { g: 0, body: `<</Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /F 132 /T ${pdfText(fieldName)} /V ${sigN} 0 R /P ${page.n} ${page.g} R>>` })
  const byteRangeWidth = 48
  const contentsHex = '0'.repeat(o.signatureBytes * 2)
  const sigHead = `<</Type /Sig /Filter /Adobe.PPKLite /SubFilter /${o.subFilter} /ByteRange [`
  const sigBody = `${sigHead}${' '.repeat(byteRangeWidth)}] /Contents <${contentsHex}> /Reason ${pdfText(o.reason)} /Location ${pdfText(o.location)} /Name ${pdfText(o.name)} /ContactInfo ${pdfText(o.contactInfo ?? '')} /M ${pdfDate(o.signingTime)}>>`
  objects.set(sigN, { g: 0, body: sigBody })

  // Serialize the update: objects, then their cross-reference section and the trailer.
  const parts: string[] = []
  const offsets = new Map<number, number>()
  let pos = pdf.length + 1
  parts.push('\n')
  let sigOffset = 0
  for (const n of [...objects.keys()].sort((a, b) => a - b)) {
    const { g, body } = objects.get(n)!
    const text = `${n} ${g} obj\n${body}\nendobj\n`
    offsets.set(n, pos)
    if (n === sigN) sigOffset = pos + `${n} ${g} obj\n`.length
    parts.push(text)
    pos += Buffer.byteLength(text, 'latin1')
  }
  const xrefAt = pos
  let table = 'xref\n'
  const nums = [...offsets.keys()].sort((a, b) => a - b)
  for (let k = 0; k < nums.length; ) {
    let run = 1
    while (k + run < nums.length && nums[k + run] === nums[k]! + run) run++
    table += `${nums[k]} ${run}\n`
    for (let r = 0; r < run; r++) {
      const n = nums[k + r]!
      table += `${String(offsets.get(n)).padStart(10, '0')} ${String(objects.get(n)!.g).padStart(5, '0')} n\r\n`
    }
    k += run
  }
  const trailer = new Map<string, PdfValue>([
    ['Size', { t: 'num', v: String(Math.max(Number(size.v), widgetN + 1)) }],
    ['Root', xref.trailer.get('Root')!],
    ['Prev', { t: 'num', v: String(xref.startxref) }],
  ])
  for (const k of ['Info', 'ID']) if (xref.trailer.has(k)) trailer.set(k, xref.trailer.get(k)!)
  parts.push(`${table}trailer\n${serialize({ t: 'dict', v: trailer })}\nstartxref\n${xrefAt}\n%%EOF\n`)
  const update = Buffer.from(parts.join(''), 'latin1')
  const out = Buffer.concat([pdf, update])
  const byteRangeAt = sigOffset + sigHead.length
  const contentsStart = out.indexOf('<' + '0'.repeat(16), byteRangeAt)
  return { pdf: out, contentsStart, contentsEnd: contentsStart + contentsHex.length + 2, byteRangeAt, byteRangeWidth }
}

/** The two signed byte ranges: everything but the /Contents hex string. */
export function signedParts(p: PreparedPdf): [Buffer, Buffer] {
  return [p.pdf.subarray(0, p.contentsStart), p.pdf.subarray(p.contentsEnd)]
}

/** Fills in the /ByteRange, then writes the CMS into /Contents, in place. */
export function fillByteRange(p: PreparedPdf): void {
  const text = `0 ${p.contentsStart} ${p.contentsEnd} ${p.pdf.length - p.contentsEnd}`.padEnd(p.byteRangeWidth, ' ')
  p.pdf.write(text, p.byteRangeAt, 'latin1')
}

export function embedSignature(p: PreparedPdf, cms: Buffer): Buffer {
  const room = (p.contentsEnd - p.contentsStart - 2) / 2
  if (cms.length > room) throw new SigningError('PDF_NOT_SIGNABLE', `підпис (${cms.length} байт) не вміщується у відведене місце (${room})`)
  p.pdf.write(cms.toString('hex'), p.contentsStart + 1, 'latin1')
  return p.pdf
}
