import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import fontkit from '@pdf-lib/fontkit'
import type { PDFDocument, PDFFont } from 'pdf-lib'

/** The two faces every document uses: DejaVu Sans covers Cyrillic, «», №, ʼ and ґ/Ґ. */
export type FontFace = 'regular' | 'bold'
export type Fonts = Record<FontFace, PDFFont>

const FILES: Record<FontFace, { file: string; postscriptName: string }> = {
  regular: { file: 'DejaVuSans.ttf', postscriptName: 'DejaVuSans' },
  bold: { file: 'DejaVuSans-Bold.ttf', postscriptName: 'DejaVuSans-Bold' },
}

// The package has no entry point, so its folder is found through its package.json.
const fontDir = join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')

// Read once per process: the files are ~0.7 MB each and never change while running.
let loading: Promise<Record<FontFace, Uint8Array>> | null = null

/** The TrueType bytes of both faces, read from `dejavu-fonts-ttf` on first use and cached. */
export function fontBytes(): Promise<Record<FontFace, Uint8Array>> {
  loading ??= Promise.all([readFile(join(fontDir, FILES.regular.file)), readFile(join(fontDir, FILES.bold.file))])
    .then(([regular, bold]) => ({ regular: new Uint8Array(regular), bold: new Uint8Array(bold) }))
    .catch((err: unknown) => {
      loading = null // let a later call retry instead of caching the failure
      throw err
    })
  return loading
}

/**
 * Six capital letters derived from the seed. PDF names a subset font "ABCDEF+Name"; viewers
 * and pdffonts recognise subsets by that tag, and pdf-lib's own suffix comes from an RNG,
 * so a content-derived tag keeps renders byte-identical while differing between documents.
 */
export function subsetTag(seed: string, face: FontFace): string {
  const digest = createHash('sha256').update(`${face}\u0000${seed}`).digest()
  let tag = ''
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + ((digest[i] ?? 0) % 26))
  return tag
}

/** Embeds both DejaVu Sans faces into `doc` as subsets (only the glyphs drawn are stored). */
export async function embedFonts(doc: PDFDocument, seed: string): Promise<Fonts> {
  const bytes = await fontBytes()
  doc.registerFontkit(fontkit)
  const embed = (face: FontFace) =>
    doc.embedFont(bytes[face], { subset: true, customName: `${subsetTag(seed, face)}+${FILES[face].postscriptName}` })
  // Sequential on purpose: object numbers are handed out in embedding order, and a fixed
  // order is part of what makes two renders of the same input identical.
  const regular = await embed('regular')
  const bold = await embed('bold')
  return { regular, bold }
}
