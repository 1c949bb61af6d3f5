/**
 * Just enough of the PDF object syntax (ISO 32000-1 §7.3) to read a catalog or page
 * dictionary and write it back with a few entries changed: the incremental update that
 * carries a signature needs nothing more, and reading a 10 MB file as a whole is what made
 * the general-purpose libraries slow.
 */

export type PdfValue =
  | { t: 'name'; v: string }
  | { t: 'num'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'null' }
  | { t: 'ref'; n: number; g: number }
  | { t: 'str'; raw: string } // literal or hex string, kept exactly as written
  | { t: 'arr'; v: PdfValue[] }
  | { t: 'dict'; v: Map<string, PdfValue> }

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20])
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25])

/** Parses one value at `pos` in `buf`; returns it and the position after it. */
export function parseValue(buf: Uint8Array, pos: number): { value: PdfValue; end: number } {
  let i = skip(buf, pos)
  const c = buf[i]
  if (c === undefined) throw new Error('unexpected end of PDF data')
  if (c === 0x2f) {
    // /Name
    let j = i + 1
    while (j < buf.length && !WS.has(buf[j]!) && !DELIM.has(buf[j]!)) j++
    return { value: { t: 'name', v: latin1(buf, i + 1, j) }, end: j }
  }
  if (c === 0x3c && buf[i + 1] === 0x3c) {
    const map = new Map<string, PdfValue>()
    i += 2
    for (;;) {
      i = skip(buf, i)
      if (buf[i] === 0x3e && buf[i + 1] === 0x3e) return { value: { t: 'dict', v: map }, end: i + 2 }
      const key = parseValue(buf, i)
      if (key.value.t !== 'name') throw new Error('dictionary key is not a name')
      const val = parseValue(buf, key.end)
      map.set(key.value.v, val.value)
      i = val.end
    }
  }
  if (c === 0x3c) {
    const j = buf.indexOf(0x3e, i)
    if (j < 0) throw new Error('unterminated hex string')
    return { value: { t: 'str', raw: latin1(buf, i, j + 1) }, end: j + 1 }
  }
  if (c === 0x28) {
    let depth = 0
    let j = i
    for (; j < buf.length; j++) {
      const b = buf[j]!
      if (b === 0x5c) j++
      else if (b === 0x28) depth++
      else if (b === 0x29 && --depth === 0) break
    }
    return { value: { t: 'str', raw: latin1(buf, i, j + 1) }, end: j + 1 }
  }
  if (c === 0x5b) {
    const items: PdfValue[] = []
    i++
    for (;;) {
      i = skip(buf, i)
      if (buf[i] === 0x5d) return { value: { t: 'arr', v: items }, end: i + 1 }
      const item = parseValue(buf, i)
      items.push(item.value)
      i = item.end
    }
  }
  let j = i
  while (j < buf.length && !WS.has(buf[j]!) && !DELIM.has(buf[j]!)) j++
  const word = latin1(buf, i, j)
  if (word === 'true' || word === 'false') return { value: { t: 'bool', v: word === 'true' }, end: j }
  if (word === 'null') return { value: { t: 'null' }, end: j }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(word)) throw new Error(`unexpected token "${word.slice(0, 20)}"`)
  // "n g R" is a reference; look ahead without consuming otherwise.
  if (/^\d+$/.test(word)) {
    const m = /^\s+(\d+)\s+R(?![A-Za-z])/.exec(latin1(buf, j, Math.min(buf.length, j + 24)))
    if (m) return { value: { t: 'ref', n: Number(word), g: Number(m[1]) }, end: j + m[0].length }
  }
  return { value: { t: 'num', v: word }, end: j }
}

/** Writes a value back in PDF syntax. */
export function serialize(v: PdfValue): string {
  switch (v.t) {
    case 'name':
      return `/${v.v}`
    case 'num':
      return v.v
    case 'bool':
      return String(v.v)
    case 'null':
      return 'null'
    case 'ref':
      return `${v.n} ${v.g} R`
    case 'str':
      return v.raw
    case 'arr':
      return `[${v.v.map(serialize).join(' ')}]`
    case 'dict':
      return `<<${[...v.v].map(([k, x]) => `/${k} ${serialize(x)}`).join(' ')}>>`
  }
}

/** Reads "n g obj <value>" at a byte offset. */
export function parseIndirect(buf: Uint8Array, offset: number): { n: number; g: number; value: PdfValue } {
  const head = /^\s*(\d+)\s+(\d+)\s+obj/.exec(latin1(buf, offset, Math.min(buf.length, offset + 40)))
  if (!head) throw new Error(`no object at offset ${offset}`)
  const { value } = parseValue(buf, offset + head[0].length)
  return { n: Number(head[1]), g: Number(head[2]), value }
}

/** A text string as a PDF string: ASCII stays literal, anything else becomes UTF-16BE hex. */
export function pdfText(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => '\\' + c)})`
  const hex = Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()
  return `<FEFF${hex}>`
}

/** A PDF date, D:YYYYMMDDHHmmSSZ. */
export const pdfDate = (d: Date) => `(D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z)`

function skip(buf: Uint8Array, i: number): number {
  for (;;) {
    while (i < buf.length && WS.has(buf[i]!)) i++
    if (buf[i] !== 0x25) return i // comments run to the end of the line
    while (i < buf.length && buf[i] !== 0x0a && buf[i] !== 0x0d) i++
  }
}

const latin1 = (buf: Uint8Array, a: number, b: number) => Buffer.from(buf.buffer, buf.byteOffset + a, Math.max(0, b - a)).toString('latin1')
