import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { PDFDocument, PDFName, PDFString } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderApprovalSheet } from './approval-sheet.ts'
import { renderExpertConclusion } from './conclusion.ts'
import { sampleApprovalSheet, sampleConclusion, sampleSha } from './samples.ts'
import { draftOf, formatDate, formatName, quoteTitle, wrapText } from './text.ts'

const run = promisify(execFile)
let dir = ''

// The independent checks are the point of these tests: a missing tool is a failure, not a skip.
async function tool(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { maxBuffer: 50 * 1024 * 1024 })
    return stdout
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${cmd} is not installed: the PDF tests need Debian's poppler-utils and qpdf (apt-get install poppler-utils qpdf; .ci/run does it)`)
    }
    throw err
  }
}

async function save(name: string, bytes: Uint8Array): Promise<string> {
  const file = join(dir, name)
  writeFileSync(file, bytes)
  return file
}

/** Runs every tool on the file and returns what the assertions need. */
async function inspect(file: string) {
  const check = await tool('qpdf', ['--check', file])
  const layout = await tool('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])
  const info = await tool('pdfinfo', ['-isodates', '-enc', 'UTF-8', file])
  const fonts = await tool('pdffonts', [file])
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1])
  // Text with all runs of spaces and line breaks as one space, for phrases that wrap.
  const flat = layout.replace(/\s+/g, ' ')
  return { check, layout, flat, info, fonts, pages, pageTexts: layout.split('\f').slice(0, pages) }
}

function expectEmbeddedSubsets(fonts: string) {
  const rows = fonts.split('\n').slice(2).filter((l) => l.trim())
  expect(rows.length).toBe(2)
  for (const row of rows) {
    // name, type, encoding, emb, sub, uni: e.g. "ABCDEF+DejaVuSans  CID TrueType  Identity-H  yes yes yes  5  0"
    expect(row).toMatch(/^[A-Z]{6}\+DejaVuSans(-Bold)?\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s/)
  }
}

function expectPageNumbers(pageTexts: string[]) {
  // Page 1 carries the heading; pages 2..n start with their number, centred at the top.
  expect(pageTexts[0]!.trim().split('\n')[0]!.trim()).not.toMatch(/^\d+$/)
  pageTexts.slice(1).forEach((text, i) => expect(text.trim().split('\n')[0]!.trim()).toBe(String(i + 2)))
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hromada-pdf-'))
  for (const [cmd, args] of [['qpdf', ['--version']], ['pdftotext', ['-v']], ['pdfinfo', ['-v']], ['pdffonts', ['-v']]] as const) {
    await tool(cmd, [...args])
  }
})

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('text helpers', () => {
  it('writes names as "Ім\'я ПРІЗВИЩЕ"', () => {
    expect(formatName('Ткачук Марія Степанівна')).toBe('Марія ТКАЧУК')
    expect(formatName("  Дем'яненко   Олег Іванович ")).toBe("Олег ДЕМ'ЯНЕНКО")
    expect(formatName('Пʼятничко Марʼяна Ігорівна')).toBe('Марʼяна ПʼЯТНИЧКО')
    expect(formatName('Ґудзь Євгенія')).toBe('Євгенія ҐУДЗЬ')
    expect(formatName('Косач-Квітка Лариса Петрівна')).toBe('Лариса КОСАЧ-КВІТКА')
    expect(formatName('Марія ТКАЧУК')).toBe('Марія ТКАЧУК')
    expect(formatName('Коваль')).toBe('КОВАЛЬ')
    expect(formatName('')).toBe('')
  })

  it('dates documents by the calendar in Kyiv', () => {
    expect(formatDate(new Date('2026-11-28T21:59:00Z'))).toBe('28.11.2026') // 23:59 in Kyiv (UTC+2)
    expect(formatDate(new Date('2026-11-28T22:00:00Z'))).toBe('29.11.2026')
    expect(formatDate(new Date('2026-06-30T21:30:00Z'))).toBe('01.07.2026') // summer time, UTC+3
  })

  it('puts kind labels in the genitive and nests quotes', () => {
    expect(draftOf('проєкт рішення міської ради')).toBe('проєкту рішення міської ради')
    expect(draftOf('Розпорядження міського голови')).toBe('проєкту розпорядження міського голови')
    expect(draftOf('посадова інструкція')).toBe('проєкту посадової інструкції')
    expect(quoteTitle('Про Програму «Цифрова громада».')).toBe('«Про Програму „Цифрова громада“»')
  })

  it('wraps by words, keeps no-break spaces and breaks overlong words', () => {
    const measure = (s: string) => s.length
    expect(wrapText('один два три чотири', measure, () => 9)).toEqual(['один два', 'три', 'чотири'])
    expect(wrapText('див. с.\u00a012 тут', measure, () => 8)).toEqual(['див.', 'с.\u00a012', 'тут'])
    expect(wrapText('абвгґдеєжзиіїй', measure, () => 5)).toEqual(['абвгґ', 'деєжз', 'иіїй'])
    expect(wrapText('науково-технічний', measure, () => 10)).toEqual(['науково-', 'технічний'])
    expect(wrapText('a\n\nb', measure, () => 5)).toEqual(['a', '', 'b'])
  })
})

describe('expert conclusion', () => {
  it('passes qpdf and shows every requisite as text', async () => {
    const input = sampleConclusion()
    const r = await inspect(await save('conclusion.pdf', await renderExpertConclusion(input)))
    expect(r.check).toContain('No syntax or stream encoding errors')
    for (const s of [
      'ДРОГОБИЦЬКА МІСЬКА РАДА',
      'УПРАВЛІННЯ ЦИФРОВІЗАЦІЇ, ІНФОРМАЦІЙНОЇ ПОЛІТИКИ ТА КОМУНІКАЦІЙ',
      'ВИСНОВОК',
      'за результатами експертизи проєкту акта',
      '28.11.2026',
      'м. Дрогобич',
      'до проєкту рішення міської ради «Про затвердження Програми цифрової трансформації',
      'Відповідно до пункту 4.3.1 Положення про Управління цифровізації',
      'вебсайт „Дрогобич — місто з історією“ і порядку обʼєднання реєстрів»',
      'Розглянуто версію № 3 проєкту',
      'Результат експертизи: позитивний із зауваженнями.',
      'зазначити обсяги на кожен рік (с. 4).',
      'Законом України «Про адміністративні послуги» (с. 12).',
      "під'єднуються до системи електронної взаємодії «Трембіта».",
      'ґрунтовно',
      'якщо зміни не зачіпають положень про захист персональних даних.',
    ]) {
      expect(r.flat).toContain(s)
    }
    // The binding to exact bytes: the full digest on one line, not split by wrapping.
    expect(r.layout).toContain(`SHA-256: ${input.versionSha256}`)
    // Numbered remarks; a remark without a page gets no "(с. …)".
    expect(r.flat).toMatch(/ 1\. У пункті 2\.4 /)
    expect(r.flat).toMatch(/ 4\. Вилучити дублювання /)
    expect(r.flat).not.toMatch(/«Трембіта»\s*\(с\./)
    // Signature: position on the left, "Ім'я ПРІЗВИЩЕ" on the same line as its last part.
    expect(r.layout).toMatch(/та цифрової трансформації\s+Марʼяна ПʼЯТНИЧКО/)
    expect(r.pages).toBe(2)
    expectPageNumbers(r.pageTexts)
    expectEmbeddedSubsets(r.fonts)
    expect(r.info).toMatch(/^Title:\s+Висновок за результатами експертизи проєкту рішення міської ради «Про затвердження/m)
    expect(r.info).toMatch(/^Author:\s+Hromada EDMS$/m)
    expect(r.info).toMatch(new RegExp(`^Subject:.*SHA-256 ${input.versionSha256}`, 'm'))
    expect(r.info).toMatch(/^CreationDate:\s+2026-11-28T09:30:00/m)
    expect(r.info).toMatch(/^Page size:\s+595\.28 x 841\.89 pts \(A4\)/m)
  })

  it('states each result in words', async () => {
    const cases = [
      ['positive', 'Результат експертизи: позитивний.'],
      ['negative', 'Результат експертизи: негативний.'],
    ] as const
    for (const [result, words] of cases) {
      const input = sampleConclusion({ result, remarks: result === 'positive' ? [] : sampleConclusion().remarks, summary: '' })
      const r = await inspect(await save(`conclusion-${result}.pdf`, await renderExpertConclusion(input)))
      expect(r.check).toContain('No syntax or stream encoding errors')
      expect(r.flat).toContain(words)
      if (result === 'positive') expect(r.flat).toContain('Зауважень до проєкту немає.')
      if (result === 'negative') expect(r.flat).toContain('Проєкт потребує доопрацювання та повторної експертизи.')
      expect(r.flat).toContain('Марʼяна ПʼЯТНИЧКО')
    }
  })

  it('renders the same bytes for the same input and records the language', async () => {
    const a = await renderExpertConclusion(sampleConclusion())
    const b = await renderExpertConclusion(sampleConclusion())
    expect(sha256(a)).toBe(sha256(b))
    const other = await renderExpertConclusion(sampleConclusion({ versionNumber: 4, versionSha256: sampleSha(4) }))
    expect(sha256(other)).not.toBe(sha256(a))
    const doc = await PDFDocument.load(a, { updateMetadata: false })
    expect(doc.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText()).toBe('uk')
  })

  it('refuses a digest that is not SHA-256', async () => {
    await expect(renderExpertConclusion(sampleConclusion({ versionSha256: 'abc' }))).rejects.toThrow(/SHA-256/)
  })
})

describe('approval sheet', () => {
  it('lists 40 visas over several pages with the header repeated', async () => {
    const input = sampleApprovalSheet(40)
    const r = await inspect(await save('sheet.pdf', await renderApprovalSheet(input)))
    expect(r.check).toContain('No syntax or stream encoding errors')
    expect(r.pages).toBeGreaterThan(2)
    expectPageNumbers(r.pageTexts)
    expectEmbeddedSubsets(r.fonts)
    // Every page the table reaches (a row's date and version cells) starts it with the header row.
    const tablePages = r.pageTexts.filter((page) => /\d\d\.11\.2026\s+№/.test(page))
    expect(tablePages.length).toBeGreaterThan(2)
    for (const page of tablePages) expect(page).toMatch(/№\s+Посада\s+Ім'я ПРІЗВИЩЕ\s+Рішення\s+Зауваження\s+Дата\s+Версія/)
    for (const s of [
      'ДРОГОБИЦЬКА МІСЬКА РАДА',
      'АРКУШ ПОГОДЖЕННЯ',
      'до проєкту рішення міської ради «Про затвердження Програми цифрової',
      'Розробник проєкту: Управління цифровізації, інформаційної політики та комунікацій',
      'Виконавець: Марія ТКАЧУК',
      "Олег ДЕМ'ЯНЕНКО",
      'Євгенія ҐУДЗЬ',
      'Ірина ЇЖАК',
      'Богдан КОВАЛЬ',
      'за відсутності:',
      'Ганна ІВАНЕНКО',
      'Погоджено із',
      'Повернуто на',
      'доопрацювання',
      '02.11.2026',
      'Аркуш сформовано 28.11.2026 в системі Hromada EDMS.',
      'пʼятого розділу',
    ]) {
      expect(r.flat).toContain(s)
    }
    for (const round of [1, 2, 3]) {
      expect(r.layout).toMatch(new RegExp(`Коло погодження №\\s?${round}`))
      // Short digest in the table, full digest in the list at the end.
      expect(r.layout).toContain(sampleSha(round).slice(0, 12))
      expect(r.layout).toMatch(new RegExp(`Версія №\\s?${round}: SHA-256 ${sampleSha(round)}`))
    }
    // Every visa is numbered, in order, including those of earlier rounds.
    const numbers = [...r.layout.matchAll(/^\s{0,3}(\d{1,2})\s{2,}\S/gm)].map((m) => Number(m[1]))
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(r.info).toMatch(/^Title:\s+Аркуш погодження проєкту рішення міської ради/m)
    expect(r.info).toMatch(/^Author:\s+Hromada EDMS$/m)
    expect(r.info).toMatch(/^CreationDate:\s+2026-11-28T10:00:00/m)
  })

  it('renders the same bytes for the same input', async () => {
    const a = await renderApprovalSheet(sampleApprovalSheet(40))
    const b = await renderApprovalSheet(sampleApprovalSheet(40))
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
  })

  it('continues a row taller than a page onto the next one', async () => {
    const long = Array.from({ length: 260 }, (_, i) => `зауваження${i}`).join(' ') + ' кінецьзауваження'
    const input = sampleApprovalSheet(3)
    input.visas[1]!.comment = long
    const r = await inspect(await save('sheet-long.pdf', await renderApprovalSheet(input)))
    expect(r.check).toContain('No syntax or stream encoding errors')
    expect(r.pages).toBeGreaterThan(1)
    expect(r.flat).toContain('зауваження0 ')
    expect(r.flat).toContain('кінецьзауваження')
    expectPageNumbers(r.pageTexts)
  })

  it('says so when there are no visas', async () => {
    const r = await inspect(await save('sheet-empty.pdf', await renderApprovalSheet(sampleApprovalSheet(0))))
    expect(r.check).toContain('No syntax or stream encoding errors')
    expect(r.pages).toBe(1)
    expect(r.flat).toContain('Віз немає')
  })
})
