import type { TextItem } from 'pdfjs-dist/types/src/display/api.js'

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs')
let pdfjs: Promise<PdfJs> | null = null

/**
 * pdf.js is loaded on first use: it is large, and most requests never read a PDF's text.
 * The legacy build is the one meant for Node; without a worker it runs a "fake" worker on
 * this thread, which is what a server wants (no extra process, no worker file to serve).
 */
const loadPdfJs = () => (pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs'))

/** Lays out one page's text items: a new line when pdf.js says so or the baseline moves, a space across visible gaps. */
function pageText(items: TextItem[]): string {
  let out = ''
  let prev: TextItem | null = null
  for (const it of items) {
    if (prev && !prev.hasEOL && it.str) {
      const size = Math.max(Math.abs(it.transform[3] ?? 0) || it.height || 0, 1)
      const dy = Math.abs((it.transform[5] ?? 0) - (prev.transform[5] ?? 0))
      if (dy > size * 0.5) {
        if (!out.endsWith('\n')) out += '\n'
      } else {
        const gap = (it.transform[4] ?? 0) - ((prev.transform[4] ?? 0) + prev.width)
        if (gap > size * 0.15 && !/\s$/.test(out) && !/^\s/.test(it.str)) out += ' '
      }
    }
    out += it.str
    if (it.hasEOL) out += '\n'
    // Empty items only carry line ends; they must not become the reference for the next gap.
    if (it.str || it.hasEOL) prev = it
  }
  return out
}

/** Text of every page in order, stopping once `maxChars` characters have been read. */
export async function pdfPages(bytes: Buffer | Uint8Array, maxChars: number): Promise<string[]> {
  const { getDocument } = await loadPdfJs()
  // pdf.js takes ownership of (detaches) the buffer it is given, so it gets a copy.
  const task = getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    enableXfa: false,
    stopAtErrors: false,
    verbosity: 0,
  })
  try {
    const doc = await task.promise
    const pages: string[] = []
    let chars = 0
    for (let n = 1; n <= doc.numPages && chars < maxChars; n++) {
      const page = await doc.getPage(n)
      const content = await page.getTextContent()
      const text = pageText(content.items.filter((i): i is TextItem => 'str' in i))
      page.cleanup()
      pages.push(text)
      chars += text.length + 1
    }
    return pages
  } finally {
    await task.destroy()
  }
}
