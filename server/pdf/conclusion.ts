import { BODY_SIZE, LEADING, MM, PdfBuilder, type TextStyle } from './layout.ts'
import { drawDatePlaceIndex, drawDocType, drawHeading, drawOrgHeader, drawSignature, signatureHeight } from './requisites.ts'
import { cleanText, draftOf, formatName, normaliseSha256, quoteTitle } from './text.ts'

export interface ConclusionPdfInput {
  organisation: string
  issuer: string
  documentTitle: string
  documentKindLabel: string
  authorUnit: string
  versionNumber: number
  versionSha256: string
  result: 'positive' | 'positive_with_remarks' | 'negative'
  summary: string
  remarks: { n: number; text: string; page?: number }[]
  reviewer: { fullName: string; positionTitle: string }
  date: Date
  /** Registration index once registered; a blank "№ ____" is printed until then. */
  registrationIndex?: string | null
  /** Place of issue; the product's first council is in Drohobych. */
  place?: string
}

/** The result of the review in words, as the conclusion states it. */
export const RESULT_WORDS: Record<ConclusionPdfInput['result'], string> = {
  positive: 'позитивний',
  positive_with_remarks: 'позитивний із зауваженнями',
  negative: 'негативний',
}

const PARAGRAPH_INDENT = 10 * MM

/** A remark as one sentence, with "(с. N)" before its final full stop when a page is known. */
function remarkText(r: ConclusionPdfInput['remarks'][number]): string {
  const text = cleanText(r.text).trim().replace(/\s+/g, ' ').replace(/[.;]+$/, '')
  const page = r.page !== undefined && r.page !== null ? ` (с.\u00a0${r.page})` : ''
  return /[?!…]$/.test(text) && !page ? text : `${text}${page}.`
}

/**
 * The expert conclusion that clause 4.3.1 of the directorate's regulation requires for drafts
 * in its competence, bound to one version of the draft by its number and SHA-256.
 */
export async function renderExpertConclusion(input: ConclusionPdfInput): Promise<Uint8Array> {
  const sha = normaliseSha256(input.versionSha256)
  const draft = `${draftOf(input.documentKindLabel)} ${quoteTitle(input.documentTitle)}`
  const result = RESULT_WORDS[input.result]
  const b = await PdfBuilder.create({
    title: `Висновок за результатами експертизи ${draft}`,
    subject: `Експертиза версії № ${input.versionNumber} (SHA-256 ${sha}); результат: ${result}`,
    keywords: ['висновок', 'експертиза', `sha256:${sha}`],
    date: input.date,
    seed: JSON.stringify(input),
  })
  const body: TextStyle = { align: 'justify', firstIndent: PARAGRAPH_INDENT, spaceAfter: 4 }

  drawOrgHeader(b, input.organisation, input.issuer)
  drawDocType(b, 'ВИСНОВОК', 'за результатами експертизи проєкту акта')
  drawDatePlaceIndex(b, input.date, input.place ?? 'м.\u00a0Дрогобич', input.registrationIndex)
  drawHeading(b, `до ${draft}`)

  b.paragraph(
    `Відповідно до пункту 4.3.1 Положення про ${cleanText(input.issuer).trim()} проведено експертизу ${draft}. ` +
      `Розробник проєкту: ${cleanText(input.authorUnit).trim()}.`,
    body,
  )
  b.paragraph(
    `Розглянуто версію №\u00a0${input.versionNumber} проєкту (контрольна сума її файла SHA-256 наведена нижче). ` +
      'Висновок стосується лише цієї версії; змінений файл потребує нової експертизи.',
    { ...body, spaceAfter: 2 },
  )
  // The full digest on one line in a smaller size, so it can be read and compared as one string.
  b.paragraph(`SHA-256: ${sha}`, { size: 10, indent: PARAGRAPH_INDENT, spaceAfter: 8 })

  b.paragraph(`Результат експертизи: ${result}.`, { face: 'bold', firstIndent: PARAGRAPH_INDENT, spaceAfter: 6 })

  // Everything after the result is collected first, so the last paragraph can be told to keep
  // room for the signature below it.
  const tail: [string, TextStyle][] = []
  const remarks = [...input.remarks].sort((a, c) => a.n - c.n)
  if (remarks.length > 0) {
    // keepWithNext: the caption never ends a page without the first remark under it.
    tail.push(['Зауваження:', { firstIndent: PARAGRAPH_INDENT, spaceAfter: 2, keepWithNext: 2 * BODY_SIZE * LEADING }])
    const labelWidth = b.measure(`${remarks.at(-1)!.n}. `) + 2
    for (const r of remarks) {
      tail.push([remarkText(r), { label: `${r.n}.`, labelWidth, indent: PARAGRAPH_INDENT, align: 'justify', spaceAfter: 3 }])
    }
  } else if (input.result === 'positive') {
    tail.push(['Зауважень до проєкту немає.', body])
  }
  const summary = cleanText(input.summary).trim()
  if (summary) tail.push([summary.replace(/\n{2,}/g, '\n'), { ...body, spaceAfter: 0 }])
  if (input.result === 'negative') tail.push(['Проєкт потребує доопрацювання та повторної експертизи.', body])

  const signature = { positionTitle: cleanText(input.reviewer.positionTitle).trim(), name: formatName(input.reviewer.fullName) }
  tail.forEach(([text, style], i) => b.paragraph(text, i === tail.length - 1 ? { ...style, keepWithNext: signatureHeight(b, signature) } : style))
  drawSignature(b, signature)
  return b.finish()
}
