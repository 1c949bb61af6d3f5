// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core'
import { approvalWorld, type World } from '../../server/approvals/testkit.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * A draft council decision on e-services goes along its whole route in a real browser, each
 * person in their own browser context, signed in through the form: the author sends it (with
 * the route preview), the unit head approves from «Сьогодні» (which shows the task by itself,
 * over SSE), the legal department approves, the Directorate's expert returns it with a negative
 * conclusion, the author revises it (and reads the diff) and resubmits, the expert concludes
 * positively, the deputy mayor approves, and the approval sheet PDF lists every visa.
 * Needs the built client (`npx vite build --config client/vite.config.ts`), Chromium and poppler's pdftotext.
 * Set E2E_SCREENSHOTS=<dir> to keep screenshots of the main screens.
 */

const SHOTS = process.env.E2E_SCREENSHOTS

/** A valid PDF with one page per entry, each with a line of text (built by hand; no PDF library). */
function pdfWithLines(lines: string[]): Buffer {
  const n = lines.length
  const fontId = 3 + n * 2
  const objs: string[] = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${lines.map((_, i) => `${3 + i * 2} 0 R`).join(' ')}] /Count ${n} >>`]
  lines.forEach((line, i) => {
    const stream = `BT /F1 11 Tf 0 0 0 rg 72 700 Td (${line.replace(/[()\\]/g, '')}) Tj ET`
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

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('approval route in the browser', () => {
  let w: World
  let browser: Browser | undefined
  let base: string
  let dir: string
  const problems: string[] = []
  const warnings: string[] = []
  /** Error responses the scenario provokes on purpose (Chromium logs each as a console error). */
  const expectedHttpErrors: RegExp[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()

    w = await approvalWorld()
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`
    dir = mkdtempSync(join(tmpdir(), 'hromada-e2e-approval-'))
    if (SHOTS) mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await w?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** A fresh browser context for one person, signed in through the login form; lands on «Сьогодні». */
  async function signIn(login: string): Promise<Page> {
    const ctx = await browser!.newContext({ locale: 'uk-UA', viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
    })
    const page = await ctx.newPage()
    page.setDefaultTimeout(20_000)
    page.on('console', (m: ConsoleMessage) => {
      const text = `[${login}] ${m.type()}: ${m.text()} (${m.location().url})`
      if (m.type() === 'error') problems.push(text)
      else if (m.type() === 'warning') warnings.push(text)
    })
    page.on('pageerror', (err) => problems.push(`[${login}] pageerror: ${err.message}`))
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`[${login}] request outside the origin: ${r.url()}`)
    })
    await page.goto(`${base}/login`)
    await page.getByLabel('Логін').fill(login)
    await page.getByLabel('Пароль').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: 'Увійти' }).click()
    await page.waitForURL(`${base}/today`)
    await page.getByRole('heading', { level: 1, name: 'Сьогодні' }).waitFor()
    return page
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  }

  /** From «Сьогодні» to the document, through the task's link. */
  async function openTask(page: Page, title: string) {
    await page.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Сьогодні' }).click()
    await page.getByRole('table', { name: 'Завдання' }).getByRole('link', { name: title }).click()
    await page.getByRole('heading', { level: 1, name: title }).waitFor()
  }

  async function approve(page: Page, title: string) {
    await openTask(page, title)
    const form = page.getByRole('form', { name: 'Ваше рішення' })
    await form.getByLabel('Погодити', { exact: true }).check()
    await form.getByRole('button', { name: 'Поставити візу' }).click()
    await page.getByText('Рішення записано.').waitFor()
    await expect(form.count()).resolves.toBe(0)
  }

  async function conclude(page: Page, title: string, result: string, remark?: { text: string; page: string }) {
    await openTask(page, title)
    const form = page.getByRole('form', { name: 'Висновок експертизи' })
    await form.getByLabel(result, { exact: true }).check()
    await form.getByLabel('Висновок (короткий зміст)').fill(result === 'Негативний' ? 'Проєкт потребує доопрацювання.' : 'Зауважень немає.')
    if (remark) {
      await form.getByLabel('Зауваження 1').fill(remark.text)
      await form.getByLabel('Сторінка').fill(remark.page)
    }
    await form.getByRole('button', { name: 'Надати висновок' }).click()
    await page.getByText('Висновок експертизи записано.').waitFor()
  }

  it('goes from draft to the deputy mayor’s visa, with a return, a revision and live updates', { timeout: 300_000 }, async () => {
    const title = `Проєкт рішення про портал електронних послуг ${Date.now()}`
    const v1 = pdfWithLines(['Draft decision on the e-services portal of the city council.', 'Annex: list of services.'])
    const v2 = pdfWithLines(['Draft decision on the e-services portal and open data registry of the city council.', 'Annex: list of services.'])
    writeFileSync(join(dir, 'proekt-v1.pdf'), v1)
    writeFileSync(join(dir, 'proekt-v2.pdf'), v2)

    // The unit head's «Сьогодні» is open (and empty) before anything is sent.
    const headIt = await signIn('head.it')
    await headIt.getByText('Завдань немає').waitFor()
    await headIt.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true))

    // 1. The author creates the draft, marks the topic and uploads the first version.
    const author = await signIn('it.staff')
    await author.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Створити документ' }).click()
    await author.getByLabel('Вид документа').selectOption('council_decision_draft')
    await author.getByLabel('Назва').fill(title)
    await author.getByLabel('Короткий зміст').fill('Про запровадження порталу електронних послуг міської ради')
    await author.getByLabel('ІТ та електронні послуги').check()
    await author.getByText('Потрібна експертиза управління цифровізації.').waitFor()
    await author.getByRole('button', { name: 'Створити документ' }).click()
    await author.waitForURL(/\/documents\/[0-9a-f-]{36}$/)
    const documentUrl = author.url()
    await author.getByRole('heading', { level: 1, name: title }).waitFor()
    await author.getByText('ІТ та електронні послуги').waitFor()
    await author.getByLabel('Файл (PDF, DOCX або ODT)').setInputFiles(join(dir, 'proekt-v1.pdf'))
    await author.getByRole('button', { name: 'Завантажити версію' }).click()
    await author.getByText('Версію 1 завантажено').waitFor({ timeout: 30_000 })

    // 2. The preview shows the route; a participant can be added (and taken back) before sending.
    await author.getByRole('button', { name: 'Надіслати на погодження' }).click()
    const preview = author.getByRole('region', { name: 'Маршрут погодження' })
    await preview.getByText('експертиза управління обов’язкова').waitFor()
    await preview.getByRole('heading', { name: 'Експертиза управління цифровізації, інформаційної політики та комунікацій' }).waitFor()
    await preview.getByText('Бойко Андрій Миколайович').first().waitFor()
    await preview.getByRole('button', { name: /^Додати учасника\s*:\s*Правова експертиза/ }).click()
    await preview.getByLabel('Посада').selectOption({ label: 'Начальник фінансового управління — Фінансове управління (Кузьмич Ярослава Богданівна)' })
    await preview.getByRole('button', { name: 'Додати', exact: true }).click()
    await preview.getByText('додано автором').waitFor()
    await shot(author, '01-author-preview')
    await preview.getByRole('button', { name: /^Прибрати\s*:\s*Начальник фінансового управління/ }).click()
    await expect(preview.getByText('додано автором').count()).resolves.toBe(0)
    await preview.getByRole('button', { name: 'Надіслати', exact: true }).click()
    await author.getByText('Документ надіслано на погодження.').waitFor()
    await author.getByRole('heading', { name: 'Маршрут погодження' }).waitFor()

    // 3. The unit head's open inbox shows the task by itself (SSE), without a reload.
    const tasks = headIt.getByRole('table', { name: 'Завдання' })
    await tasks.getByRole('link', { name: title }).waitFor({ timeout: 15_000 })
    await headIt.getByText('Оновлено автоматично о').waitFor()
    await expect(headIt.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).resolves.toBe(true)
    await headIt.getByRole('button', { name: '1 На погодження' }).waitFor()
    await shot(headIt, '02-head-inbox-live')
    // The bell counts the new notification; its panel lists it.
    await headIt.getByRole('button', { name: 'Сповіщення: 1 непрочитане' }).click()
    const panel = headIt.getByRole('region', { name: 'Сповіщення' })
    await panel.getByRole('link', { name: `На погодження: ${title}` }).waitFor()
    await shot(headIt, '02b-head-notifications')
    await headIt.keyboard.press('Escape')
    await expect(panel.count()).resolves.toBe(0)

    // 4. The unit head approves; first the form refuses a return without a comment.
    await openTask(headIt, title)
    const headForm = headIt.getByRole('form', { name: 'Ваше рішення' })
    await headForm.getByLabel('Повернути на доопрацювання').check()
    await headForm.getByRole('button', { name: 'Поставити візу' }).click()
    await headForm.getByText('Напишіть у коментарі зауваження або що саме виправити').waitFor()
    await headForm.getByLabel('Погодити', { exact: true }).check()
    await headForm.getByRole('button', { name: 'Поставити візу' }).click()
    await headIt.getByText('Рішення записано.').waitFor()

    // 5. The legal department approves.
    const legal = await signIn('legal')
    await approve(legal, title)

    // 6. The expert returns it with a negative conclusion (remarks are required for that).
    const expert = await signIn('expert')
    await expert.getByRole('button', { name: '1 На експертизу' }).waitFor()
    await openTask(expert, title)
    const conclusionForm = expert.getByRole('form', { name: 'Висновок експертизи' })
    await conclusionForm.getByLabel('Негативний').check()
    await conclusionForm.getByRole('button', { name: 'Надати висновок' }).click()
    await conclusionForm.getByText('має містити хоча б одне зауваження').waitFor()
    await shot(expert, '03-expert-conclusion-form')
    await conclude(expert, title, 'Негативний', { text: 'Додати положення про відкриті дані та реєстр послуг.', page: '1' })
    await expert.getByText('Повернуто на доопрацювання').first().waitFor()

    // 7. The author finds it in «Повернуто мені», tries to resubmit unchanged (refused), uploads a revision, reads the diff, resubmits.
    await author.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Сьогодні' }).click()
    await author.getByRole('button', { name: '1 Повернуто мені' }).click()
    await author.getByRole('table', { name: 'Завдання' }).getByRole('link', { name: title }).click()
    await author.waitForURL(documentUrl)
    await author.getByRole('heading', { name: 'Документ повернуто на доопрацювання' }).waitFor()
    await author.getByText('Додати положення про відкриті дані та реєстр послуг.').first().waitFor()
    expectedHttpErrors.push(/status of 409 .*\/resubmit\)$/)
    await author.getByRole('button', { name: 'Надіслати повторно' }).click()
    await author.getByText('Спершу завантажте нову версію документа: повторно надсилають лише виправлену версію.').waitFor()
    await author.getByLabel('Файл (PDF, DOCX або ODT)').setInputFiles(join(dir, 'proekt-v2.pdf'))
    await author.getByLabel('Коментар до версії').fill('враховано зауваження експертизи')
    await author.getByRole('button', { name: 'Завантажити версію' }).click()
    await author.getByText('Версію 2 завантажено').waitFor({ timeout: 30_000 })
    await author.getByRole('heading', { name: 'Порівняти версії' }).waitFor()
    await author.getByRole('button', { name: 'Порівняти', exact: true }).click()
    const diff = author.getByRole('region', { name: 'Зміни між версіями 1 і 2' })
    await diff.locator('ins', { hasText: 'open' }).first().waitFor({ timeout: 30_000 })
    const inserted = (await diff.locator('ins').allInnerTexts()).join(' ')
    expect(inserted).toMatch(/and\s+open\s+data\s+registry/)
    await author.getByText(/додано \d+ сл/).waitFor()
    await shot(author, '04-author-diff')
    await author.getByRole('button', { name: 'Надіслати повторно' }).click()
    await author.getByText('Документ надіслано повторно.').waitFor()

    // 8. The expert concludes positively on the new version; the deputy mayor approves.
    await conclude(expert, title, 'Позитивний')
    const deputy = await signIn('deputy')
    await approve(deputy, title)

    // 9. The author's page follows along; the approval sheet lists every visa and both versions.
    await author.goto(documentUrl)
    const visas = author.getByRole('table', { name: 'Візи' })
    await visas.getByRole('rowheader', { name: /Коваленко Віктор Богданович/ }).waitFor()
    await expect(visas.locator('tbody tr').count()).resolves.toBe(5)
    await author.getByRole('link', { name: 'Висновок (PDF)' }).first().waitFor()
    await shot(author, '05-author-route')
    const [download] = await Promise.all([author.waitForEvent('download'), author.getByRole('link', { name: 'Аркуш погодження (PDF)' }).click()])
    const sheetPath = join(dir, 'sheet.pdf')
    await download.saveAs(sheetPath)
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', sheetPath, '-'], { encoding: 'utf8' })
    const flat = text.replace(/\s+/g, ' ')
    for (const name of ['Андрій БОЙКО', 'Олена ПОЛІЩУК', 'Віктор КОВАЛЕНКО']) expect(flat, `${name} in the approval sheet`).toContain(name)
    expect(flat.split('Марія ТКАЧУК').length - 1, 'the expert’s two visas').toBe(2)
    const bare = text.replace(/\s+/g, '')
    expect(bare).toContain(sha256(v1))
    expect(bare).toContain(sha256(v2))

    if (warnings.length) console.info(`browser warnings:\n${warnings.join('\n')}`)
    const unexpected = problems.filter((p) => !expectedHttpErrors.some((re) => /Failed to load resource/.test(p) && re.test(p)))
    expect(unexpected, 'console errors, page errors or CSP violations').toEqual([])
  })

  it('lets a person name a substitute, and an admin edit a route template and the calendar', { timeout: 180_000 }, async () => {
    const kyivDate = (d: Date) => d.toLocaleDateString('sv-SE', { timeZone: 'Europe/Kyiv' })
    const day = 86_400_000

    // A substitution: find the person, give the period in Kyiv time, then cancel it.
    const finance = await signIn('head.finance')
    await finance.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Заміщення' }).click()
    await finance.getByRole('heading', { level: 1, name: 'Заміщення' }).waitFor()
    await finance.getByText('Заміщень немає.').waitFor()
    await finance.getByLabel('Пошук особи за прізвищем чи логіном').fill('Дмитрук')
    const person = finance.getByLabel('Хто заміщуватиме')
    await expect.poll(() => person.locator('option').count()).toBe(1)
    await person.selectOption({ index: 0 })
    const from = kyivDate(new Date(Date.now() + day))
    const to = kyivDate(new Date(Date.now() + 8 * day))
    await finance.getByLabel('Початок').fill(`${to}T09:00`)
    await finance.getByLabel('Кінець').fill(`${from}T18:00`)
    await finance.getByRole('button', { name: 'Призначити заміщення' }).click()
    await finance.getByText('Кінець заміщення має бути пізніше за початок.').waitFor()
    await finance.getByLabel('Початок').fill(`${from}T09:00`)
    await finance.getByLabel('Кінець').fill(`${to}T18:00`)
    await finance.getByLabel('Причина').fill('щорічна відпустка')
    await finance.getByRole('button', { name: 'Призначити заміщення' }).click()
    await finance.getByText('Заміщення призначено: вас заміщуватиме Дмитрук Павло Ігорович.').waitFor()
    const list = finance.getByRole('table', { name: 'Мої заміщення' })
    await list.getByRole('cell', { name: `${from.split('-').reverse().join('.')}, 09:00`, exact: false }).waitFor()
    await list.getByText('заплановано').waitFor()
    await shot(finance, '06-substitutions')
    await list.getByRole('button', { name: /^Скасувати/ }).click()
    await list.getByText('скасовано').waitFor()

    // Route templates: view, edit as a new version (add a stage, move it up), see the history.
    const admin = await signIn('admin')
    await admin.goto(`${base}/admin/templates`)
    await admin.getByRole('heading', { level: 1, name: 'Адміністрування: Маршрути погодження' }).waitFor()
    const row = admin.getByRole('row').filter({ hasText: 'Розпорядження міського голови' })
    await row.getByRole('button', { name: /^Етапи/ }).click()
    await admin.getByText('Керівник підрозділу автора').first().waitFor()
    await row.getByRole('button', { name: /^Редагувати/ }).click()
    const editor = admin.getByRole('form', { name: /Розпорядження міського голови: редагування/ })
    await editor.getByRole('button', { name: 'Додати етап' }).click()
    const name = editor.getByLabel('Назва етапу').last()
    await expect(name.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await editor.getByRole('button', { name: 'Зберегти як нову версію' }).click()
    await editor.getByText('Вкажіть назву етапу.').waitFor()
    await name.fill('Ознайомлення загального відділу')
    await editor.getByLabel('Вид етапу').last().selectOption('acknowledgment')
    await editor.getByLabel('Учасник 1').last().selectOption('role')
    await editor.getByLabel('Роль').last().selectOption('clerk')
    await editor.getByRole('button', { name: 'Перемістити етап «Ознайомлення загального відділу» вище' }).click()
    await editor.getByRole('group', { name: 'Етап 5: Ознайомлення загального відділу' }).waitFor()
    await expect(admin.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toMatch(/Вище/)
    await shot(admin, '07-template-editor')
    await editor.getByRole('button', { name: 'Зберегти як нову версію' }).click()
    await admin.getByText('Шаблон «Розпорядження міського голови» збережено (версія 2).').waitFor()
    await row.getByRole('button', { name: /^Історія версій/ }).click()
    await admin.getByRole('button', { name: 'Версія 2 (поточна)' }).click()
    await admin.getByText('Роль: Діловод (будь-який підрозділ)').waitFor()
    await admin.getByRole('button', { name: 'Версія 1', exact: true }).waitFor()

    // The calendar: a weekday can only become a day off; add one, then remove it.
    await admin.getByRole('navigation', { name: 'Розділи адміністрування' }).getByRole('link', { name: 'Календар' }).click()
    await admin.getByRole('heading', { level: 1, name: 'Адміністрування: Календар' }).waitFor()
    const year = Number(kyivDate(new Date()).slice(0, 4))
    let wednesday = new Date(Date.UTC(year, 11, 1))
    while (wednesday.getUTCDay() !== 3) wednesday = new Date(wednesday.getTime() + day)
    const iso = wednesday.toISOString().slice(0, 10)
    await admin.getByLabel('Дата').fill(iso)
    await expect(admin.getByLabel('Вихідний день (замість робочого з понеділка по п’ятницю)').isChecked()).resolves.toBe(true)
    await admin.getByLabel('Робочий день (у суботу чи неділю)').check()
    await admin.getByLabel('Назва').fill('Перевірка календаря')
    await admin.getByRole('button', { name: 'Зберегти' }).click()
    await admin.getByText('Це будній день: він і так робочий.').waitFor()
    await admin.getByLabel('Вихідний день (замість робочого з понеділка по п’ятницю)').check()
    await admin.getByRole('button', { name: 'Зберегти' }).click()
    const days = admin.getByRole('table', { name: `Винятки календаря на ${year} рік` })
    await days.getByRole('cell', { name: 'Перевірка календаря' }).waitFor()
    await shot(admin, '08-calendar')
    await days.getByRole('button', { name: /^Вилучити/ }).click()
    await admin.getByText(/Виняток для .* вилучено\./).waitFor()
    await expect.poll(() => days.getByRole('cell', { name: 'Перевірка календаря' }).count()).toBe(0)

    const unexpected = problems.filter((p) => !expectedHttpErrors.some((re) => /Failed to load resource/.test(p) && re.test(p)))
    expect(unexpected, 'console errors, page errors or CSP violations').toEqual([])
  })
})
