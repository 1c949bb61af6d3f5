import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { renderJobDescription, stampDate, type JobDescriptionPdfInput } from '../pdf/job-description.ts'
import { DUTY_CATALOG } from './catalog-data.ts'

const dir = mkdtempSync(join(tmpdir(), 'jd-pdf-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** qpdf --check must pass; the text as pdftotext reads it, and as one line for phrases that wrap. */
export function inspectPdf(bytes: Uint8Array, name = 'x.pdf') {
  const file = join(dir, name)
  writeFileSync(file, bytes)
  const check = execFileSync('qpdf', ['--check', file], { encoding: 'utf8' })
  const layout = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
  const info = execFileSync('pdfinfo', ['-enc', 'UTF-8', file], { encoding: 'utf8' })
  return { check, layout, flat: layout.replace(/\s+/g, ' '), info, pages: Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]) }
}

const base: JobDescriptionPdfInput = {
  organisation: 'Дрогобицька міська рада',
  issuer: 'Виконавчий комітет Дрогобицької міської ради',
  positionTitle: 'Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації',
  unitName: 'Відділ інформаційних технологій, аналізу та цифрової трансформації',
  sections: {
    general: 'Посадова особа є посадовою особою місцевого самоврядування.\nПризначається розпорядженням міського голови (пункт 4.6 Положення).',
    tasks: DUTY_CATALOG.filter((x) => x.clause === '4.3.1').map((x) => ({ text: x.text })),
    rights: ['Одержувати інформацію, необхідну для виконання обовʼязків'],
    responsibility: ['Порушення термінів та порядку підготовки документів'],
    mustKnow: [],
    qualification: 'Вища освіта ступеня не нижче бакалавра.',
  },
  approver: { positionTitle: 'Заступник міського голови з питань діяльності виконавчих органів, керуючий справами виконавчого комітету', fullName: 'Коваленко Віктор Богданович' },
  drafter: { positionTitle: 'Начальник управління цифровізації, інформаційної політики та комунікацій', fullName: 'Мельник Оксана Ігорівна' },
  version: 1,
  date: new Date('2026-03-02T10:00:00Z'),
}

describe('renderJobDescription', () => {
  it('lays out the stamp, the headings, numbered items and the acknowledgment block, and passes qpdf', async () => {
    const pdf = await renderJobDescription(base)
    const { check, layout, flat, pages } = inspectPdf(pdf)
    expect(check).toMatch(/No syntax or stream encoding errors/)
    expect(pages).toBeGreaterThanOrEqual(2)
    // The stamp is top right, before the organisation's name.
    const first = layout.split('\n').find((l) => l.trim())!
    expect(first.trim()).toBe('ЗАТВЕРДЖУЮ')
    expect(first.indexOf('ЗАТВЕРДЖУЮ')).toBeGreaterThan(20)
    expect(layout.indexOf('ЗАТВЕРДЖУЮ')).toBeLessThan(layout.indexOf('ДРОГОБИЦЬКА МІСЬКА РАДА'))
    expect(flat).toContain('Заступник міського голови з питань діяльності виконавчих органів, керуючий справами виконавчого комітету')
    expect(flat).toContain('Віктор КОВАЛЕНКО')
    expect(flat).toContain('«___» ____________ 20__ р.')
    expect(flat).toContain('ПОСАДОВА ІНСТРУКЦІЯ')
    for (const h of ['1. ЗАГАЛЬНІ ПОЛОЖЕННЯ', '2. ЗАВДАННЯ ТА ОБОВʼЯЗКИ', '3. ПРАВА', '4. ВІДПОВІДАЛЬНІСТЬ', '5. ПОВИНЕН ЗНАТИ', '6. КВАЛІФІКАЦІЙНІ ВИМОГИ']) expect(flat).toContain(h)
    expect(flat).toContain('1.2. Призначається розпорядженням міського голови (пункт 4.6 Положення).')
    expect(flat).toContain('2.16. Здійснює візуалізацію інформації, отриманої від структурних підрозділів.')
    expect(flat).toContain('3.1. Одержувати інформацію, необхідну для виконання обовʼязків.')
    expect(flat).toContain('Оксана МЕЛЬНИК')
    expect(flat).toContain('З інструкцією ознайомлений(а):')
    // The acknowledgment block closes the document, on a page with text above it.
    const lastPage = layout.split('\f').filter((p) => p.trim()).at(-1)!
    expect(lastPage).toContain('З інструкцією ознайомлений(а):')
    expect(lastPage).toMatch(/\d\.\d+\. \S/)
  })

  it('gives the same bytes for the same input, other bytes for other input', async () => {
    const a = await renderJobDescription(base)
    const b = await renderJobDescription(structuredClone(base))
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const c = await renderJobDescription({ ...base, sections: { ...base.sections, rights: ['Інше право'] } })
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false)
  })

  it('is saved with a classic cross-reference table and no object streams (signatures append incremental updates)', async () => {
    const bytes = Buffer.from(await renderJobDescription(base))
    const text = bytes.toString('latin1')
    expect(text).not.toContain('/ObjStm')
    expect(text).not.toMatch(/\/Type\s*\/XRef/)
    expect(text).toMatch(/\nxref\n0 \d+\n/)
    expect(text.trimEnd().endsWith('%%EOF')).toBe(true)
  })

  it('fills the stamp’s date once approved, and leaves the name line blank without an approver', async () => {
    const approved = inspectPdf(await renderJobDescription({ ...base, approvedAt: new Date('2026-03-05T22:30:00Z') }), 'a.pdf')
    // 22:30 UTC on the 5th is already the 6th in Kyiv.
    expect(approved.flat).toContain('«06» березня 2026 р.')
    expect(stampDate(new Date('2026-12-31T12:00:00Z'))).toBe('«31» грудня 2026 р.')
    const blank = inspectPdf(await renderJobDescription({ ...base, approver: { positionTitle: 'Заступник міського голови', fullName: null }, drafter: null }), 'b.pdf')
    expect(blank.flat).toContain('______________ ____________________')
    expect(blank.flat).not.toContain('МЕЛЬНИК')
  })

  it('prints a dash under an empty section and keeps long instructions paginated with numbers from page 2', async () => {
    const many = { ...base, sections: { ...base.sections, tasks: DUTY_CATALOG.map((x) => ({ text: x.text })), mustKnow: [] } }
    const { layout, flat, pages } = inspectPdf(await renderJobDescription(many), 'many.pdf')
    expect(flat).toMatch(/5\. ПОВИНЕН ЗНАТИ — (\d+ )?6\. КВАЛІФІКАЦІЙНІ ВИМОГИ/)
    expect(flat).toContain(`2.${DUTY_CATALOG.length}.`)
    expect(pages).toBeGreaterThanOrEqual(4)
    layout
      .split('\f')
      .slice(1, pages)
      .forEach((p, i) => expect(p.trim().split('\n')[0]!.trim()).toBe(String(i + 2)))
  })
})
