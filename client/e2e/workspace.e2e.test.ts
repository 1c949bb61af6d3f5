// The suite's provided values (databaseUrl, s3) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core'
import { TEST_PASSWORD, testApp, type TestApp } from '../../server/testing/harness.ts'
import { makePerson } from '../../server/testing/factories.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * The workspace in a real browser against the real server (PostgreSQL + S3 from the
 * suite's global setup): sign in, create a document, upload a multi-page PDF, find it in
 * the list, preview it with pdf.js, sign out — with no console errors or CSP violations.
 * Needs the built client: `npx vite build --config client/vite.config.ts`.
 */

const PAGES = 3

/** A valid PDF with one page per entry, each with a dark bar and a line of text (built by hand; no PDF library). */
function multiPagePdf(lines: string[]): Buffer {
  const n = lines.length
  const fontId = 3 + n * 2
  const objs: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${lines.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${n} >>`]
  lines.forEach((line, i) => {
    const stream = `0.05 0.24 0.57 rg 72 640 468 60 re f BT /F1 28 Tf 0 0 0 rg 72 560 Td (${line.replace(/[()\\]/g, '')}) Tj ET`
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${4 + i * 2} 0 R /Resources << /Font << /F1 ${fontId} 0 R >> >> >>`)
    objs.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`)
  })
  objs.push('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>')
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  objs.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'))
    out += `${i + 1} 0 obj\n${o}\nendobj\n`
  })
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

/** Counts clearly non-white pixels on the preview canvas. */
const inkOnCanvas = (page: Page) =>
  page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('figure canvas')
    if (!canvas || canvas.width === 0 || canvas.height === 0) return 0
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
    let ink = 0
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200)) ink++
    return ink
  })

describe('workspace in the browser', () => {
  let t: TestApp
  let context: BrowserContext | undefined
  let base: string
  let login: string
  let dir: string
  const problems: string[] = []
  const warnings: string[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()

    t = await testApp()
    const person = await makePerson(t.db.prisma, { roles: ['staff'], fullName: 'Гнатенко Софія Тарасівна', title: 'Головний спеціаліст' })
    login = person.login
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`

    dir = mkdtempSync(join(tmpdir(), 'hromada-e2e-'))
    // A fresh profile directory (Playwright takes it as userDataDir rather than --user-data-dir).
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath,
      locale: 'uk-UA',
      viewport: { width: 1280, height: 900 },
      acceptDownloads: false,
      args: CHROMIUM_ARGS,
    })
  })

  afterAll(async () => {
    await context?.close()
    await t?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('signs in, creates a document, uploads and previews a PDF, signs out', async () => {
    const ctx = context!
    // CSP violations in the page are also collected from the DOM event, in case the console wording changes.
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
    })
    const page = await ctx.newPage()
    page.setDefaultTimeout(20_000)
    page.on('console', (m: ConsoleMessage) => {
      const text = `${m.type()}: ${m.text()} (${m.location().url})`
      if (m.type() === 'error') problems.push(text)
      else if (m.type() === 'warning') warnings.push(text)
    })
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))
    page.on('requestfailed', (r) => {
      if (!r.url().startsWith(base)) problems.push(`request outside the origin: ${r.url()}`)
    })
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`request outside the origin: ${r.url()}`)
    })

    // 1. Not signed in: the workspace sends us to the login page.
    await page.goto(`${base}/documents`)
    await page.waitForURL(/\/login/)
    await expect(page.getByRole('heading', { level: 1, name: 'Вхід до системи' }).isVisible()).resolves.toBe(true)

    // 2. Sign in through the form.
    await page.getByLabel('Логін').fill(login)
    await page.getByLabel('Пароль').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Увійти' }).click()
    await page.waitForURL(`${base}/documents`)
    await page.getByRole('heading', { level: 1, name: 'Документи' }).waitFor()
    await page.getByText('Гнатенко Софія Тарасівна').waitFor()

    // 3. Create a document through the form.
    const title = `Проєкт рішення про цифрову трансформацію ${Date.now()}`
    await page.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Створити документ' }).click()
    await page.getByRole('heading', { level: 1, name: 'Новий документ' }).waitFor()
    // Submitting empty shows validation messages first.
    await page.getByRole('button', { name: 'Створити документ' }).click()
    await page.getByText('Введіть назву документа.').waitFor()
    await page.getByLabel('Вид документа').selectOption('council_decision_draft')
    await page.getByLabel('Назва').fill(title)
    await page.getByLabel('Короткий зміст').fill('Про затвердження Програми цифрової трансформації громади')
    await page.getByLabel('Для службового користування').check()
    await page.getByRole('button', { name: 'Створити документ' }).click()
    await page.waitForURL(/\/documents\/[0-9a-f-]{36}$/)
    await page.getByRole('heading', { level: 1, name: title }).waitFor()
    const documentUrl = page.url()

    // 4. Upload a multi-page PDF through the file input and wait until it is in the history.
    const pdfPath = join(dir, 'proekt-rishennia.pdf')
    writeFileSync(pdfPath, multiPagePdf(Array.from({ length: PAGES }, (_, i) => `Hromada EDMS page ${i + 1} of ${PAGES}`)))
    await page.getByLabel('Файл (PDF, DOCX або ODT)').setInputFiles(pdfPath)
    await page.getByLabel('Коментар до версії').fill('перша редакція')
    await page.getByRole('button', { name: 'Завантажити версію' }).click()
    const versions = page.getByRole('table', { name: 'Історія версій' })
    await versions.getByRole('cell', { name: 'proekt-rishennia.pdf', exact: true }).waitFor({ timeout: 30_000 })
    await page.getByText('Версію 1 завантажено').waitFor()
    await versions.getByRole('cell', { name: 'перша редакція', exact: true }).waitFor()

    // 5. The list shows it.
    await page.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Документи' }).click()
    await page.waitForURL(`${base}/documents`)
    const link = page.getByRole('link', { name: title })
    await link.waitFor()
    await expect(page.getByRole('table').getByText('Проєкт рішення міської ради').first().isVisible()).resolves.toBe(true)

    // 6. Its page previews the newest version with pdf.js: "1 / N" and a painted canvas.
    await link.click()
    await page.waitForURL(documentUrl)
    await page.getByText(`1 / ${PAGES}`, { exact: true }).waitFor({ timeout: 30_000 })
    await expect.poll(() => inkOnCanvas(page), { timeout: 20_000, message: 'the pdf.js canvas should show the page' }).toBeGreaterThan(500)
    await page.getByRole('button', { name: 'Наступна сторінка' }).click()
    await page.getByText(`2 / ${PAGES}`, { exact: true }).waitFor()
    await expect.poll(() => inkOnCanvas(page), { timeout: 20_000 }).toBeGreaterThan(500)
    // The document's audit history lists the creation and the upload.
    const history = page.getByRole('table', { name: 'Журнал дій з документом' })
    await history.getByText('Завантажено версію').waitFor()
    await history.getByText('Створено документ').waitFor()

    // 7. Sign out and land on the login page.
    await page.getByRole('button', { name: 'Вийти' }).click()
    await page.waitForURL(`${base}/login`)
    await page.getByRole('heading', { level: 1, name: 'Вхід до системи' }).waitFor()

    if (warnings.length) console.info(`browser warnings:\n${warnings.join('\n')}`)
    expect(problems, 'console errors, page errors or CSP violations').toEqual([])
  })
})
