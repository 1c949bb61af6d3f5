/**
 * Just enough of the PDF syntax to verify signatures from the raw bytes: a tolerant reader
 * of objects (dictionaries, arrays, strings, names, numbers, references), an index of where
 * every `N G obj` starts, the incremental-update boundaries (`%%EOF`), and text strings
 * decoded for people. It never follows streams it does not need and never recurses without
 * a bound, so hostile input can only make it give up.
 */

export type PdfValue =
  | { t: 'dict'; v: Map<string, PdfValue> }
  | { t: 'arr'; v: PdfValue[] }
  | { t: 'name'; v: string }
  | { t: 'num'; v: number }
  | { t: 'str'; v: string }
  | { t: 'ref'; n: number; g: number }
  | { t: 'kw'; v: string }

const WS = new Set([0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20])
const DELIM = new Set([0x28, 0x29, 0x3c, 0x3e, 0x5b, 0x5d, 0x7b, 0x7d, 0x2f, 0x25])
const MAX_DEPTH = 48

export class PdfSyntaxError extends Error {}

/** Reads one PDF value at a position of a latin1 string (one char per byte). */
export class PdfReader {
  pos: number
  constructor(
    readonly s: string,
    pos: number,
    readonly end = s.length,
  ) {
    this.pos = pos
  }

  private code(i = this.pos) {
    return i < this.end ? this.s.charCodeAt(i) : -1
  }

  skipSpace(): void {
    while (this.pos < this.end) {
      const c = this.code()
      if (WS.has(c)) this.pos++
      else if (c === 0x25) {
        while (this.pos < this.end && this.code() !== 0x0a && this.code() !== 0x0d) this.pos++
      } else break
    }
  }

  private regular(): string {
    const start = this.pos
    while (this.pos < this.end && !WS.has(this.code()) && !DELIM.has(this.code())) this.pos++
    return this.s.slice(start, this.pos)
  }

  value(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw new PdfSyntaxError('nesting too deep')
    this.skipSpace()
    if (this.pos >= this.end) throw new PdfSyntaxError('unexpected end')
    const c = this.code()
    if (c === 0x3c && this.code(this.pos + 1) === 0x3c) {
      this.pos += 2
      const map = new Map<string, PdfValue>()
      for (;;) {
        this.skipSpace()
        if (this.pos >= this.end) throw new PdfSyntaxError('unterminated dictionary')
        if (this.code() === 0x3e && this.code(this.pos + 1) === 0x3e) {
          this.pos += 2
          return { t: 'dict', v: map }
        }
        const key = this.value(depth + 1)
        if (key.t !== 'name') throw new PdfSyntaxError('dictionary key is not a name')
        map.set(key.v, this.value(depth + 1))
      }
    }
    if (c === 0x3c) {
      const close = this.s.indexOf('>', this.pos)
      if (close < 0 || close >= this.end) throw new PdfSyntaxError('unterminated hex string')
      let hex = this.s.slice(this.pos + 1, close).replace(/[\s\0]+/g, '')
      this.pos = close + 1
      if (!/^[0-9a-fA-F]*$/.test(hex)) throw new PdfSyntaxError('bad hex string')
      if (hex.length % 2) hex += '0'
      return { t: 'str', v: Buffer.from(hex, 'hex').toString('latin1') }
    }
    if (c === 0x5b) {
      this.pos++
      const items: PdfValue[] = []
      for (;;) {
        this.skipSpace()
        if (this.pos >= this.end) throw new PdfSyntaxError('unterminated array')
        if (this.code() === 0x5d) {
          this.pos++
          return { t: 'arr', v: items }
        }
        items.push(this.value(depth + 1))
      }
    }
    if (c === 0x28) return { t: 'str', v: this.literal() }
    if (c === 0x2f) {
      this.pos++
      return { t: 'name', v: this.regular().replace(/#([0-9a-fA-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))) }
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      const token = this.regular()
      const num = Number(token)
      if (!Number.isFinite(num)) throw new PdfSyntaxError(`bad number ${token.slice(0, 20)}`)
      // "n g R" is a reference.
      if (/^\d+$/.test(token)) {
        const save = this.pos
        this.skipSpace()
        const g = /^\d{1,5}/.exec(this.s.slice(this.pos, Math.min(this.end, this.pos + 6)))
        if (g) {
          this.pos += g[0].length
          this.skipSpace()
          if (this.code() === 0x52 && (this.pos + 1 >= this.end || WS.has(this.code(this.pos + 1)) || DELIM.has(this.code(this.pos + 1)))) {
            this.pos++
            return { t: 'ref', n: num, g: Number(g[0]) }
          }
        }
        this.pos = save
      }
      return { t: 'num', v: num }
    }
    if (DELIM.has(c)) throw new PdfSyntaxError(`unexpected ${String.fromCharCode(c)}`)
    const kw = this.regular()
    if (!kw) throw new PdfSyntaxError('empty token')
    return { t: 'kw', v: kw }
  }

  private literal(): string {
    this.pos++
    let depth = 1
    let out = ''
    while (this.pos < this.end) {
      const ch = this.s[this.pos++]!
      if (ch === '\\') {
        const n = this.s[this.pos++] ?? ''
        const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' }
        if (n in map) out += map[n]
        else if (/[0-7]/.test(n)) {
          let oct = n
          while (oct.length < 3 && /[0-7]/.test(this.s[this.pos] ?? '')) oct += this.s[this.pos++]
          out += String.fromCharCode(parseInt(oct, 8) & 0xff)
        } else if (n === '\r') {
          if (this.s[this.pos] === '\n') this.pos++
        } else if (n !== '\n') out += n
      } else if (ch === '(') {
        depth++
        out += ch
      } else if (ch === ')') {
        if (--depth === 0) return out
        out += ch
      } else out += ch
    }
    throw new PdfSyntaxError('unterminated string')
  }
}

/** A parsed indirect object: its value and, for a stream, where its data lies. */
export interface PdfObject {
  n: number
  g: number
  at: number
  value: PdfValue
  stream: { start: number; end: number } | null
  end: number
}

const HEADER = /(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj(?![A-Za-z])/y

/** Reads the indirect object whose `N G obj` header starts at `at`. */
export function readObjectAt(s: string, at: number): PdfObject {
  HEADER.lastIndex = at
  const h = HEADER.exec(s)
  if (!h) throw new PdfSyntaxError('no object header')
  const r = new PdfReader(s, at + h[0].length)
  const value = r.value()
  r.skipSpace()
  let stream: PdfObject['stream'] = null
  if (s.startsWith('stream', r.pos)) {
    let start = r.pos + 6
    if (s[start] === '\r') start++
    if (s[start] === '\n') start++
    const length = value.t === 'dict' ? value.v.get('Length') : undefined
    let end = -1
    if (length?.t === 'num' && length.v >= 0 && start + length.v <= s.length && /^\s*endstream/.test(s.slice(start + length.v, start + length.v + 32))) end = start + length.v
    else end = s.indexOf('endstream', start)
    if (end < 0) throw new PdfSyntaxError('unterminated stream')
    stream = { start, end }
    r.pos = end + 9
  }
  const close = s.indexOf('endobj', r.pos)
  return { n: Number(h[1]), g: Number(h[2]), at, value, stream, end: close < 0 ? r.pos : close + 6 }
}

/** Where every `N G obj` header is, in file order. */
export interface ObjectIndex {
  /** All header positions, ascending. */
  positions: number[]
  /** "n g" → header positions, ascending (a later one redefines an earlier one). */
  byId: Map<string, number[]>
}

export function indexObjects(s: string): ObjectIndex {
  const re = /(\d{1,10})[\0\t\n\f\r ]+(\d{1,5})[\0\t\n\f\r ]+obj(?![A-Za-z])/g
  const positions: number[] = []
  const byId = new Map<string, number[]>()
  for (let m = re.exec(s); m; m = re.exec(s)) {
    // A header starts a line (or the file); numbers glued to other text are not headers.
    const before = m.index > 0 ? s.charCodeAt(m.index - 1) : 0x0a
    if (m.index > 0 && !WS.has(before) && before !== 0x3e && before !== 0x5d && before !== 0x29) continue
    positions.push(m.index)
    const id = `${Number(m[1])} ${Number(m[2])}`
    const list = byId.get(id)
    if (list) list.push(m.index)
    else byId.set(id, [m.index])
  }
  return { positions, byId }
}

/** The last element of an ascending array that is below `limit`, or -1. */
export function lastBelow(sorted: number[], limit: number): number {
  let lo = 0
  let hi = sorted.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < limit) {
      found = sorted[mid]!
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}

/** End offsets of every `%%EOF` marker (including the line break after it). */
export function updateEnds(s: string): number[] {
  const ends: number[] = []
  for (let i = s.indexOf('%%EOF'); i >= 0; i = s.indexOf('%%EOF', i + 5)) {
    let e = i + 5
    if (s[e] === '\r') e++
    if (s[e] === '\n') e++
    ends.push(e)
  }
  return ends
}

/**
 * A PDF text string for people: UTF-16BE with a byte-order mark, UTF-8 with its mark, or
 * PDFDocEncoding (read as Latin-1, which matches it for letters). One known producer bug is
 * tolerated: a UTF-16BE mark written as UTF-8 (C3 BE C3 BF) in front of UTF-16BE text.
 */
export function decodeTextString(raw: string): string {
  const b = Buffer.from(raw, 'latin1')
  const utf16 = (from: number) => {
    const body = b.subarray(from, from + ((b.length - from) & ~1))
    const swapped = Buffer.from(body)
    swapped.swap16()
    return swapped.toString('utf16le')
  }
  if (b[0] === 0xfe && b[1] === 0xff) return utf16(2)
  if (b[0] === 0xc3 && b[1] === 0xbe && b[2] === 0xc3 && b[3] === 0xbf) return utf16(4)
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8')
  return raw
}

/** "D:20261128224634+02'00'" → an ISO instant, or null. */
export function parsePdfDate(raw: string): string | null {
  const m = /^D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?\s*(Z|[+-])?(\d{2})?'?(\d{2})?'?/.exec(raw.trim())
  if (!m) return null
  const [, y, mo = '01', d = '01', h = '00', mi = '00', sec = '00', sign, oh = '00', om = '00'] = m
  const offset = !sign || sign === 'Z' ? 'Z' : `${sign}${oh}:${om}`
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${sec}${offset}`)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** A stable text form of a value (for comparing two definitions of one object). */
export function canonical(v: PdfValue, skip: ReadonlySet<string> = new Set()): string {
  switch (v.t) {
    case 'dict':
      return `<<${[...v.v.entries()]
        .filter(([k]) => !skip.has(k))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `/${k} ${canonical(x)}`)
        .join(' ')}>>`
    case 'arr':
      return `[${v.v.map((x) => canonical(x)).join(' ')}]`
    case 'name':
      return `/${v.v}`
    case 'num':
      return String(v.v)
    case 'str':
      return `<${Buffer.from(v.v, 'latin1').toString('hex')}>`
    case 'ref':
      return `${v.n} ${v.g} R`
    case 'kw':
      return v.v
  }
}

export const dictGet = (v: PdfValue | undefined, key: string): PdfValue | undefined => (v?.t === 'dict' ? v.v.get(key) : undefined)
export const nameOf = (v: PdfValue | undefined): string | null => (v?.t === 'name' ? v.v : null)
export const stringOf = (v: PdfValue | undefined): string | null => (v?.t === 'str' ? v.v : null)
