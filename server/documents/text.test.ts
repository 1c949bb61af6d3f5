import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JobHelpers } from 'graphile-worker'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makePerson, makeUnit, makeZip, tinyDocx, tinyOdt, tinyPdf } from '../testing/factories.ts'
import { testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { bombDocx, docxParagraphs, docxRaw, docxXml, odtRaw, pagedPdf } from '../testing/text-factories.ts'
import { contentKey } from '../../storage/index.ts'
import { VERSION_MEDIA_TYPES } from './schemas.ts'
import { extractText, extractTextTask, MAX_ENTRY_BYTES, MAX_TEXT_CHARS, TextExtractionError, versionText } from './text.ts'

const PDF = VERSION_MEDIA_TYPES.pdf
const DOCX = VERSION_MEDIA_TYPES.docx
const ODT = VERSION_MEDIA_TYPES.odt
const MiB = 1024 * 1024

const failure = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(TextExtractionError)
  return err as TextExtractionError
}

describe('extractText: PDF', () => {
  const pages = [
    ['Проєкт рішення міської ради', 'Про затвердження Положення (нова редакція)'],
    ['Стаття 2. Ґрунтові дороги і їхнє утримання', 'Budget line 2026'],
    ['Додаток 1'],
  ]

  it('gives every page in order, separated by form feeds, one line per text line', async () => {
    const text = await extractText(pagedPdf(pages), PDF)
    expect(text).toBe(pages.map((p) => p.join('\n')).join('\f'))
    expect(text.split('\f')[1]).toContain('Ґрунтові дороги')
  })

  it('reads the one-page factory PDF', async () => {
    expect(await extractText(tinyPdf('Hromada EDMS'), PDF)).toBe('Hromada EDMS')
  })

  it('agrees with poppler pdftotext on the words of every page', async () => {
    const bytes = pagedPdf(pages)
    const dir = mkdtempSync(join(tmpdir(), 'text-pdf-'))
    try {
      writeFileSync(join(dir, 'a.pdf'), bytes)
      const poppler = execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', join(dir, 'a.pdf'), '-']).toString('utf8')
      const words = (s: string) => s.split('\f').filter((p) => p.trim()).map((p) => p.split(/\s+/).filter(Boolean))
      expect(words(await extractText(bytes, PDF))).toEqual(words(poppler))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses a damaged PDF with a typed error', async () => {
    const err = await failure(extractText(Buffer.from('%PDF-1.4\nце не PDF'), PDF))
    expect(err.code).toBe('DAMAGED')
  })
})

describe('extractText: DOCX', () => {
  it('turns paragraphs into lines, keeps tabs and breaks, decodes entities', async () => {
    const body = [
      '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Про</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>єкт</w:t></w:r><w:r><w:t xml:space="preserve"> рішення   </w:t></w:r></w:p>',
      '<w:p><w:r><w:t>Пункт 1.</w:t><w:tab/><w:t>Ціна &lt;100&gt; грн &amp; ПДВ, &quot;лапки&quot; &#1028;&#x0404;</w:t></w:r></w:p>',
      '<w:p/><w:p></w:p><w:p><w:r><w:t></w:t></w:r></w:p>',
      '<w:p><w:r><w:t>рядок</w:t><w:br/><w:t>наступний</w:t></w:r><w:del><w:r><w:delText>видалене</w:delText></w:r></w:del><w:ins><w:r><w:t> вставлене</w:t></w:r></w:ins></w:p>',
      '<w:p><w:r><mc:AlternateContent><mc:Choice><w:t>у рамці</w:t></mc:Choice><mc:Fallback><w:t>у рамці</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>',
      '<w:sectPr><w:pgSz w:w="11906"/></w:sectPr>',
    ].join('')
    expect(await extractText(docxRaw(body), DOCX)).toBe(['Проєкт рішення', 'Пункт 1.\tЦіна <100> грн & ПДВ, "лапки" ЄЄ', '', 'рядок', 'наступний вставлене', 'у рамці'].join('\n'))
  })

  it('reads the factory DOCX, normalises to NFC and drops trailing blanks', async () => {
    expect(await extractText(tinyDocx(), DOCX)).toBe('Проєкт рішення')
    const decomposed = 'Украі\u0308на  ' // ї written as і + combining diaeresis, then trailing blanks
    expect(await extractText(docxParagraphs([decomposed, '', '', '', 'кінець']), DOCX)).toBe('Україна\n\nкінець')
  })

  it('follows the package relationships to the main part', async () => {
    const bytes = makeZip([
      { name: '_rels/.rels', data: '<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/main.xml"/></Relationships>' },
      { name: 'word/main.xml', data: docxXml('<w:p><w:r><w:t>Головна частина</w:t></w:r></w:p>') },
    ])
    expect(await extractText(bytes, DOCX)).toBe('Головна частина')
  })

  it('refuses a package without a document part', async () => {
    const err = await failure(extractText(makeZip([{ name: 'word/styles.xml', data: '<w:styles/>' }]), DOCX))
    expect(err.code).toBe('DAMAGED')
  })
})

describe('extractText: ODT', () => {
  it('turns paragraphs and headings into lines with spaces, tabs and line breaks', async () => {
    const body = [
      '<text:h text:outline-level="1">Розпорядження   міського\n   голови</text:h>',
      '<text:p>  Сума:<text:s text:c="3"/>1 000<text:tab/>грн &amp; &lt;ПДВ&gt;</text:p>',
      '<text:p>перший<text:line-break/>другий <text:span>рядок</text:span><office:annotation><dc:creator>Рецензент</dc:creator><text:p>коментар</text:p></office:annotation></text:p>',
      '<text:p/><text:p/>',
      '<text:p>кінець<text:s/>тексту</text:p>',
    ].join('\n')
    expect(await extractText(odtRaw(body), ODT)).toBe(['Розпорядження міського голови', 'Сума:   1 000\tгрн & <ПДВ>', 'перший', 'другий рядок', '', 'кінець тексту'].join('\n'))
  })

  it('reads the factory ODT and skips the tracked-changes log', async () => {
    expect(await extractText(tinyOdt('Проєкт рішення'), ODT)).toBe('Проєкт рішення')
    const body = '<text:tracked-changes><text:changed-region><text:deletion><text:p>стерте</text:p></text:deletion></text:changed-region></text:tracked-changes><text:p>чинне</text:p>'
    expect(await extractText(odtRaw(body), ODT)).toBe('чинне')
  })
})

describe('extractText: guards', () => {
  it('refuses an archive entry that declares more than 50 MiB, before inflating it', async () => {
    const err = await failure(extractText(bombDocx(MAX_ENTRY_BYTES + MiB), DOCX))
    expect(err.code).toBe('ARCHIVE_TOO_LARGE')
    expect(err.message).toContain('50 МіБ')
  })

  it('refuses an entry that lies about its size and inflates beyond 50 MiB', async () => {
    const bytes = bombDocx(MAX_ENTRY_BYTES + MiB, { declaredSize: 1000 })
    expect(bytes.length).toBeLessThan(MiB) // a real bomb: small on disk
    const err = await failure(extractText(bytes, DOCX))
    expect(err.code).toBe('ARCHIVE_TOO_LARGE')
  })

  it('inflates entries within the limit', async () => {
    expect(await extractText(bombDocx(MiB), DOCX)).toBe('')
  })

  it('stops after 5,000,000 characters', async () => {
    const text = await extractText(docxParagraphs(['а'.repeat(3_000_000), 'б'.repeat(3_000_000)]), DOCX)
    expect(text.length).toBe(MAX_TEXT_CHARS)
    expect(text.startsWith('ааа')).toBe(true)
  })

  it('stays linear on malformed markup (unterminated tags, comments, CDATA)', async () => {
    const started = Date.now()
    expect(await extractText(odtRaw(`<text:p>початок</text:p>${'<a b="c" '.repeat(500_000)}`), ODT)).toBe('початок')
    expect(await extractText(docxRaw(`<w:p><w:r><w:t>до<![CDATA[ & <сире> ]]>після</w:t></w:r></w:p><!-- ${'<w:t>'.repeat(200_000)}`), DOCX)).toBe('до & <сире> після')
    expect(await extractText(docxRaw(`<w:p><w:r><w:t>${'<'.repeat(1_000_000)}`), DOCX)).toBe('')
    expect(Date.now() - started).toBeLessThan(5000)
  })

  it('refuses other media types and broken archives with typed errors', async () => {
    expect((await failure(extractText(Buffer.from('hello'), 'text/plain'))).code).toBe('UNSUPPORTED_TYPE')
    expect((await failure(extractText(Buffer.from('PK not really a zip'), DOCX))).code).toBe('DAMAGED')
    expect((await failure(extractText(tinyDocx().subarray(0, 100), DOCX))).code).toBe('DAMAGED')
  })
})

describe('versionText and the extract_text task', () => {
  let t: TestApp
  let author: ApiClient
  let unitId: string

  beforeAll(async () => {
    t = await testApp({ storage: 'disk' })
    unitId = (await makeUnit(t.db.prisma)).id
    author = await t.login((await makePerson(t.db.prisma, { unitId })).login)
  })
  afterAll(() => t.close())

  const uploadVersion = async (bytes: Buffer, name: string) => {
    const doc = (await author.post('/api/documents', { kind: 'instruction', title: 'Доручення', authorUnitId: unitId })).json()
    const res = await author.post(`/api/documents/${doc.id}/versions?name=${encodeURIComponent(name)}`, bytes, { headers: { 'content-type': 'application/octet-stream' } })
    expect(res.statusCode).toBe(201)
    return res.json() as { id: string; sha256: string }
  }
  const stored = (versionId: string) => t.db.prisma.versionText.findUnique({ where: { versionId } })

  it('extracts once, stores the text, and then answers from the store', async () => {
    const v = await uploadVersion(docxParagraphs(['Текст версії', `мітка ${Date.now()}`]), 'v.docx')
    expect(await stored(v.id)).toBeNull()
    const first = await versionText(t.db.prisma, t.store, v.id)
    expect(first).toEqual({ text: expect.stringMatching(/^Текст версії\nмітка \d+$/), error: null })
    expect(await stored(v.id)).toMatchObject({ text: first.text, error: null })
    await t.db.prisma.versionText.update({ where: { versionId: v.id }, data: { text: 'з бази' } })
    expect((await versionText(t.db.prisma, t.store, v.id)).text).toBe('з бази')
  })

  it('stores a broken file as an error instead of throwing', async () => {
    const v = await uploadVersion(Buffer.from(`%PDF-1.7\nпошкоджений файл ${Date.now()}\n`), 'broken.pdf')
    const r = await versionText(t.db.prisma, t.store, v.id)
    expect(r.text).toBe('')
    expect(r.error).toMatch(/пошкоджений/)
    expect(await stored(v.id)).toMatchObject({ text: '', error: r.error })
  })

  it('stores a zip bomb as an error', async () => {
    const v = await uploadVersion(bombDocx(MAX_ENTRY_BYTES + 2 * MiB, { declaredSize: 4096 }), 'bomb.docx')
    expect((await versionText(t.db.prisma, t.store, v.id)).error).toMatch(/50 МіБ/)
  })

  it('reports a missing blob without storing it, so restoring the blob heals the text', async () => {
    const v = await uploadVersion(docxParagraphs([`зникне ${Date.now()}`]), 'gone.docx')
    await t.store.delete(contentKey(v.sha256))
    expect(await versionText(t.db.prisma, t.store, v.id)).toEqual({ text: '', error: expect.stringContaining('відсутній') })
    expect(await stored(v.id)).toBeNull()
  })

  it('runs as the extract_text job, and shrugs off payloads it cannot use', async () => {
    const v = await uploadVersion(pagedPdf([['Job page one'], [`Job page two ${Date.now()}`]]), 'job.pdf')
    const logs: string[] = []
    const log = (m: string) => void logs.push(m)
    const helpers = { logger: { debug: log, info: log, warn: log, error: log } } as unknown as JobHelpers
    const task = extractTextTask({ prisma: t.db.prisma, store: t.store })
    await task({ versionId: v.id }, helpers)
    expect((await stored(v.id))?.text).toMatch(/^Job page one\fJob page two \d+$/)
    await task({ versionId: 'not-a-uuid' }, helpers)
    await task({ versionId: '00000000-0000-4000-8000-000000000000' }, helpers)
    expect(logs.join('\n')).toMatch(/valid versionId[\s\S]*no such version/)
  })
})
