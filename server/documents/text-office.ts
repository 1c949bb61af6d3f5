import { inflateRawSync } from 'node:zlib'

/**
 * Text of DOCX and ODT packages: a small ZIP reader and a streaming XML walker.
 *
 * The ZIP reader is our own (about 60 lines) rather than a library's because the zip-bomb
 * guard has to bound the bytes actually inflated, not the size an entry declares: an entry
 * may claim 1 KiB and inflate to 100 GiB. zlib's `maxOutputLength` stops inflating as soon
 * as the limit is passed, so memory and CPU stay bounded whatever the headers say.
 */

/** An archive entry would inflate beyond the allowed size. */
export class ArchiveTooLargeError extends Error {
  constructor(
    readonly entry: string,
    readonly limit: number,
  ) {
    super(`entry ${entry} inflates beyond ${limit} bytes`)
  }
}

/** The bytes are not a ZIP archive we can read (damaged, encrypted, unknown compression). */
export class BadArchiveError extends Error {}

interface ZipEntry {
  name: string
  method: number
  flags: number
  compressedSize: number
  size: number
  localOffset: number
}

const u16 = (b: Buffer, at: number) => b.readUInt16LE(at)
const u32 = (b: Buffer, at: number) => b.readUInt32LE(at)
const u64 = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at))

/** The central directory: the authoritative list of entries (local headers may lack sizes). */
function centralDirectory(b: Buffer): ZipEntry[] {
  let eocd = -1
  for (let i = b.length - 22; i >= Math.max(0, b.length - 22 - 0xffff); i--) {
    if (u32(b, i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new BadArchiveError('not a ZIP archive (no end of central directory)')
  let count = u16(b, eocd + 10)
  let offset = u32(b, eocd + 16)
  if ((count === 0xffff || offset === 0xffffffff) && eocd >= 20 && u32(b, eocd - 20) === 0x07064b50) {
    const z64 = u64(b, eocd - 12)
    if (z64 + 56 > b.length || u32(b, z64) !== 0x06064b50) throw new BadArchiveError('damaged ZIP64 directory')
    count = u64(b, z64 + 32)
    offset = u64(b, z64 + 48)
  }
  const entries: ZipEntry[] = []
  let p = offset
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || u32(b, p) !== 0x02014b50) throw new BadArchiveError('damaged central directory')
    const nameLen = u16(b, p + 28)
    const extraLen = u16(b, p + 30)
    const e: ZipEntry = {
      flags: u16(b, p + 8),
      method: u16(b, p + 10),
      compressedSize: u32(b, p + 20),
      size: u32(b, p + 24),
      localOffset: u32(b, p + 42),
      name: b.toString('utf8', p + 46, p + 46 + nameLen),
    }
    // ZIP64 extra field: the 64-bit values appear only for the fields saturated at 0xffffffff.
    let x = p + 46 + nameLen
    const xEnd = Math.min(x + extraLen, b.length)
    while (x + 4 <= xEnd) {
      const id = u16(b, x)
      const len = u16(b, x + 2)
      if (id === 0x0001) {
        let f = x + 4
        if (e.size === 0xffffffff && f + 8 <= xEnd) (e.size = u64(b, f)), (f += 8)
        if (e.compressedSize === 0xffffffff && f + 8 <= xEnd) (e.compressedSize = u64(b, f)), (f += 8)
        if (e.localOffset === 0xffffffff && f + 8 <= xEnd) e.localOffset = u64(b, f)
      }
      x += 4 + len
    }
    entries.push(e)
    p += 46 + nameLen + extraLen + u16(b, p + 32)
  }
  return entries
}

/** Names in the archive, and a reader that inflates one entry (null when absent) within `maxBytes`. */
export function openZip(bytes: Buffer | Uint8Array, maxBytes: number) {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const entries = centralDirectory(b)
  const byName = new Map(entries.map((e) => [e.name.toLowerCase(), e]))
  return {
    names: entries.map((e) => e.name),
    read(name: string): Buffer | null {
      // OPC part names are case-insensitive; ODF producers use the exact names anyway.
      const e = byName.get(name.replace(/^\//, '').toLowerCase())
      if (!e) return null
      if (e.flags & 1) throw new BadArchiveError('the archive is encrypted')
      if (e.size > maxBytes) throw new ArchiveTooLargeError(e.name, maxBytes)
      const lh = e.localOffset
      if (lh + 30 > b.length || u32(b, lh) !== 0x04034b50) throw new BadArchiveError(`damaged entry ${e.name}`)
      const start = lh + 30 + u16(b, lh + 26) + u16(b, lh + 28)
      const data = b.subarray(start, start + e.compressedSize)
      if (data.length !== e.compressedSize) throw new BadArchiveError(`truncated entry ${e.name}`)
      if (e.method === 0) {
        if (data.length > maxBytes) throw new ArchiveTooLargeError(e.name, maxBytes)
        return data
      }
      if (e.method !== 8) throw new BadArchiveError(`unsupported compression method ${e.method}`)
      try {
        return inflateRawSync(data, { maxOutputLength: maxBytes })
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveTooLargeError(e.name, maxBytes)
        throw new BadArchiveError(`entry ${e.name} does not inflate: ${(err as Error).message}`)
      }
    },
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** XML's predefined and numeric character references; anything else is left as written (never expanded). */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref] ?? m
    const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10)
    return cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m
  })
}

/** The value of attribute `name` in a tag's raw attribute text. */
export function attr(raw: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${name.replace(/[.:-]/g, '\\$&')}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(raw)
  return m ? decodeEntities(m[1] ?? m[2] ?? '') : undefined
}

interface XmlHandler {
  open(name: string, rawAttrs: string, selfClosing: boolean): void
  close(name: string): void
  text(decoded: string): void
  /** Checked after each token; true stops the walk (the character limit was reached). */
  done(): boolean
}

/**
 * A tolerant, non-validating XML walk: enough for the text of office documents. It is a
 * hand-written scanner rather than one regular expression because a crafted part (up to
 * 50 MiB of unterminated tags) must not make matching quadratic: every character is looked
 * at a bounded number of times. Entities other than XML's own are never expanded.
 */
export function walkXml(xml: string, h: XmlHandler): void {
  const n = xml.length
  /** Index of the last character of `close` after `from`, or -1. */
  const upTo = (close: string, from: number) => {
    const at = xml.indexOf(close, from)
    return at < 0 ? -1 : at + close.length - 1
  }
  let i = 0
  while (i < n) {
    const lt = xml.indexOf('<', i)
    if (lt !== i) {
      h.text(decodeEntities(xml.slice(i, lt < 0 ? n : lt)))
      if (lt < 0 || h.done()) return
    }
    let end: number
    if (xml.startsWith('<!--', lt)) end = upTo('-->', lt + 4)
    else if (xml.startsWith('<![CDATA[', lt)) {
      end = upTo(']]>', lt + 9)
      if (end >= 0) h.text(xml.slice(lt + 9, end - 2))
    } else if (xml.startsWith('<?', lt)) end = upTo('?>', lt + 2)
    else if (xml.startsWith('<!', lt)) {
      // A DOCTYPE, whose internal subset in [...] may contain '>'.
      let depth = 0
      for (end = lt + 2; end < n; end++) {
        const c = xml.charCodeAt(end)
        if (c === 91) depth++
        else if (c === 93) depth--
        else if (c === 62 && depth <= 0) break
      }
    } else {
      // A tag: its end is the first '>' outside quoted attribute values.
      let quote = 0
      for (end = lt + 1; end < n; end++) {
        const c = xml.charCodeAt(end)
        if (quote) quote = c === quote ? 0 : quote
        else if (c === 34 || c === 39) quote = c
        else if (c === 62) break
      }
      if (end < n) {
        const inner = xml.slice(lt + 1, end)
        const name = /^\/?([^\s/>]+)/.exec(inner)?.[1] ?? ''
        if (inner.startsWith('/')) h.close(name)
        else if (name) {
          const selfClosing = inner.endsWith('/')
          h.open(name, inner.slice(name.length, selfClosing ? -1 : undefined), selfClosing)
          if (selfClosing) h.close(name)
        }
      }
    }
    if (end < 0 || end >= n) return // unterminated markup: the rest is not XML
    i = end + 1
    if (h.done()) return
  }
}

/** Decodes an XML part: UTF-8 unless a UTF-16 byte-order mark says otherwise. */
function xmlString(b: Buffer): string {
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b)
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b)
  return new TextDecoder('utf-8').decode(b)
}

/** Collects lines; `skip` elements and everything inside them contribute nothing. */
function lineCollector(maxChars: number, skip: ReadonlySet<string>) {
  let out = ''
  let skipDepth = 0
  return {
    get skipping() {
      return skipDepth > 0
    },
    enter(name: string) {
      if (skipDepth > 0 || skip.has(name)) skipDepth++
    },
    leave() {
      if (skipDepth > 0) skipDepth--
    },
    push(s: string) {
      out += s
    },
    /** A paragraph starts on a line of its own even when nested in another (text boxes, notes). */
    startLine() {
      if (out.length > 0 && !out.endsWith('\n')) out += '\n'
    },
    get text() {
      return out
    },
    full: () => out.length >= maxChars,
  }
}

/** The main document part named by the package relationships, `word/document.xml` when they say nothing. */
function docxMainPart(zip: ReturnType<typeof openZip>): string {
  const rels = zip.read('_rels/.rels')
  let main: string | null = null
  if (rels) {
    walkXml(xmlString(rels), {
      open(name, a) {
        if (main || !/(^|:)Relationship$/.test(name) || !/\/officeDocument$/.test(attr(a, 'Type') ?? '')) return
        const target = attr(a, 'Target')
        if (target && !/^[a-z]+:/i.test(target)) main = target.replace(/^\.?\//, '')
      },
      close() {},
      text() {},
      done: () => main !== null,
    })
  }
  return main ?? 'word/document.xml'
}

// Deleted and moved-away runs (tracked changes), properties (their w:tab elements are tab
// stops, not tabs) and VML fallbacks (which repeat the text boxes of their mc:Choice).
const DOCX_SKIP = new Set(['w:del', 'w:moveFrom', 'w:pPr', 'w:rPr', 'w:sectPr', 'mc:Fallback', 'w:instrText', 'w:delText'])

/** Text of a DOCX: one line per paragraph. */
export function docxText(bytes: Buffer | Uint8Array, opts: { maxEntryBytes: number; maxChars: number }): string {
  const zip = openZip(bytes, opts.maxEntryBytes)
  const part = docxMainPart(zip)
  const xml = zip.read(part)
  if (!xml) throw new BadArchiveError(`${part} is missing: not a word-processing document`)
  const c = lineCollector(opts.maxChars, DOCX_SKIP)
  let inText = 0
  walkXml(xmlString(xml), {
    open(name, _a, selfClosing) {
      c.enter(name)
      if (c.skipping) return
      if (name === 'w:p') c.startLine()
      else if (name === 'w:t' && !selfClosing) inText++
      else if (name === 'w:tab') c.push('\t')
      else if (name === 'w:br' || name === 'w:cr') c.push('\n')
      else if (name === 'w:noBreakHyphen') c.push('-')
    },
    close(name) {
      if (!c.skipping) {
        if (name === 'w:t' && inText > 0) inText--
        else if (name === 'w:p') c.push('\n')
      }
      c.leave()
    },
    text(s) {
      if (inText > 0 && !c.skipping) c.push(s)
    },
    done: c.full,
  })
  return c.text
}

// Comments, the tracked-changes log (deleted text lives there) and footnote marks.
const ODT_SKIP = new Set(['office:annotation', 'text:tracked-changes', 'text:note-citation'])

/** Text of an ODT: one line per paragraph or heading, with ODF's white-space rules. */
export function odtText(bytes: Buffer | Uint8Array, opts: { maxEntryBytes: number; maxChars: number }): string {
  const zip = openZip(bytes, opts.maxEntryBytes)
  const xml = zip.read('content.xml')
  if (!xml) throw new BadArchiveError('content.xml is missing: not an OpenDocument file')
  const c = lineCollector(opts.maxChars, ODT_SKIP)
  let para = 0
  // ODF collapses white space in text (its §6.1.2); <text:s/> and <text:tab/> are how a
  // document keeps real runs of spaces and tabs, so only XML text nodes are collapsed.
  let atSpace = true
  walkXml(xmlString(xml), {
    open(name, a) {
      c.enter(name)
      if (c.skipping) return
      if (name === 'text:p' || name === 'text:h') {
        c.startLine()
        para++
        atSpace = true
      } else if (para > 0) {
        if (name === 'text:s') c.push(' '.repeat(Math.min(Math.max(Number(attr(a, 'text:c') ?? 1) || 1, 1), 1000)))
        else if (name === 'text:tab') c.push('\t')
        else if (name === 'text:line-break') c.push('\n')
        else return
        atSpace = name === 'text:line-break'
      }
    },
    close(name) {
      if (!c.skipping && (name === 'text:p' || name === 'text:h') && para > 0) {
        para--
        c.push('\n')
        atSpace = true
      }
      c.leave()
    },
    text(s) {
      if (para === 0 || c.skipping) return
      let t = s.replace(/[ \t\r\n]+/g, ' ')
      if (atSpace && t.startsWith(' ')) t = t.slice(1)
      if (t) {
        c.push(t)
        atSpace = t.endsWith(' ')
      }
    },
    done: c.full,
  })
  return c.text
}
