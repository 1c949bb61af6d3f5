// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core'
import { approvalWorld, draftWithVersion, type World } from '../../server/approvals/testkit.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { testPki, type TestPki } from '../../server/testing/pki.ts'
import { startTestTsa, type TestTsa } from '../../server/testing/tsa.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * Signing in a real browser, each person in their own context: the head of the Directorate
 * drafts a job description for a position and sends it; the IT department's head, the head of
 * the Directorate and the legal department approve it; the deputy mayor adds their certificate
 * on «Мої сертифікати» (a wrong passphrase first) and signs on the document page (Esc cancels
 * the passphrase dialog, a wrong passphrase is refused, the progress is shown while the server
 * registers, stamps and signs); the employee acknowledges it; the signed PDF downloaded from
 * the success message verifies with pdfsig (Cyrillic signer) and carries «ЗАТВЕРДЖУЮ» and the
 * registration index; the «Підписи» block tells the timestamp from the claimed time and links
 * to the public check. The passphrase never reaches the URL or web storage.
 * Needs the built client, Chromium, and poppler's pdfsig and pdftotext. E2E_SCREENSHOTS=<dir> keeps screenshots.
 */

const SHOTS = process.env.E2E_SCREENSHOTS
const POSITION = 'Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації'
const TITLE = `Посадова інструкція ${POSITION}`
const EXTRA_RIGHT = 'Підписувати документи кваліфікованим електронним підписом'

describe('signing in the browser', () => {
  let w: World
  let pki: TestPki
  let tsa: TestTsa
  let browser: Browser | undefined
  let base: string
  let dir: string
  const problems: string[] = []
  /** Error responses the scenario provokes on purpose (Chromium logs each as a console error). */
  const expectedHttpErrors: RegExp[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()
    pki = await testPki()
    tsa = await startTestTsa(pki)
    w = await approvalWorld({ env: { TSA_URL: tsa.url } })
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`
    dir = mkdtempSync(join(tmpdir(), 'hromada-e2e-signing-'))
    if (SHOTS) mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await w?.close()
    await tsa?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** A fresh browser context for one person, signed in through the login form; lands on «Сьогодні». */
  async function signIn(login: string): Promise<Page> {
    const ctx = await browser!.newContext({ locale: 'uk-UA', viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
    })
    const page = await ctx.newPage()
    page.setDefaultTimeout(30_000)
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') problems.push(`[${login}] ${m.type()}: ${m.text()} (${m.location().url})`)
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

  /** The whole page, or only the part that matters (the document page is long). */
  const shot = async (page: Page, name: string, part?: Locator) => {
    if (!SHOTS) return
    const path = join(SHOTS, `sign-${name}.png`)
    await (part ? part.screenshot({ path }) : page.screenshot({ path, fullPage: true }))
  }
  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name, exact: true }).click()

  /** From «Сьогодні» to the document, through the task's link. */
  async function openTask(page: Page, title = TITLE) {
    await nav(page, 'Сьогодні')
    await page.getByRole('table', { name: 'Завдання' }).getByRole('link', { name: title }).click()
    await page.getByRole('heading', { level: 1, name: title }).waitFor()
  }

  async function approve(page: Page) {
    await openTask(page)
    const form = page.getByRole('form', { name: 'Ваше рішення' })
    await form.getByLabel('Погодити', { exact: true }).check()
    await form.getByRole('button', { name: 'Поставити візу' }).click()
    await page.getByText('Рішення записано.').waitFor()
    await expect(form.count()).resolves.toBe(0)
  }

  it('is drafted, approved, signed by the deputy mayor, acknowledged, and the signed PDF verifies', { timeout: 480_000 }, async () => {
    const signer = pki.signers.cyrillicRsa
    const p12Path = join(dir, 'kep-deputy.p12')
    writeFileSync(p12Path, signer.p12)

    // 1. The head of the Directorate drafts the job description, adds a right, saves and sends it.
    const head = await signIn('head.digital')
    await nav(head, 'Посадові інструкції')
    await head.getByRole('heading', { level: 1, name: 'Посадові інструкції' }).waitFor()
    await head.getByLabel('Посада').selectOption({ label: `${POSITION} — Савчук Денис Олегович` })
    await head.getByRole('button', { name: 'Показати' }).click()
    await head.getByRole('button', { name: 'Підготувати нову редакцію' }).click()
    await head.waitForURL(/\/job-descriptions\/[0-9a-f-]{36}$/)
    await head.getByRole('heading', { level: 1, name: `Посадова інструкція: ${POSITION}` }).waitFor()
    await head.getByRole('button', { name: 'Додати пункт до розділу «3. Права»' }).click()
    await head.keyboard.type(EXTRA_RIGHT)
    await head.getByRole('button', { name: 'Зберегти і сформувати PDF' }).click()
    await head.getByText(/Збережено\. Сформовано версію \d+ документа\./).waitFor({ timeout: 60_000 })
    await head.getByRole('button', { name: 'Надіслати на погодження' }).click()
    await head.getByText('Інструкцію надіслано на погодження.').waitFor()

    // 2. The route's visas: the IT department's head, the head of the Directorate, the legal department.
    const headIt = await signIn('head.it')
    await approve(headIt)
    await approve(head)
    const legal = await signIn('legal')
    await approve(legal)

    // 3. The deputy mayor adds a certificate: a wrong passphrase is refused and cleared, then the right one.
    const deputy = await signIn('deputy')
    await nav(deputy, 'Мої сертифікати')
    await deputy.getByRole('heading', { level: 1, name: 'Мої сертифікати' }).waitFor()
    await deputy.getByText('У вас ще немає сертифікатів.', { exact: false }).waitFor()
    await deputy.getByRole('button', { name: 'Додати сертифікат' }).click()
    await deputy.getByText('Оберіть файл .p12 або .pfx.').waitFor()
    await expect(deputy.evaluate(() => document.activeElement?.id)).resolves.toBe('cert-file')
    await deputy.getByLabel('Файл особистого ключа (.p12 або .pfx)').setInputFiles(p12Path)
    await expect(deputy.getByLabel('Назва').inputValue()).resolves.toBe('kep-deputy')
    await deputy.getByLabel('Назва').fill('КЕП заступника міського голови')
    const certPassphrase = deputy.getByLabel('Пароль до особистого ключа')
    await expect(certPassphrase.getAttribute('type')).resolves.toBe('password')
    await expect(certPassphrase.getAttribute('autocomplete')).resolves.toBe('off')
    await certPassphrase.fill('не той пароль')
    expectedHttpErrors.push(/status of 400 .*\/api\/certificates\)$/)
    await deputy.getByRole('button', { name: 'Додати сертифікат' }).click()
    await deputy.getByText('Неправильний пароль до особистого ключа.', { exact: false }).waitFor()
    await expect(certPassphrase.inputValue()).resolves.toBe('')
    await expect(certPassphrase.getAttribute('aria-invalid')).resolves.toBe('true')
    await expect(certPassphrase.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await certPassphrase.fill(signer.passphrase)
    await deputy.getByRole('button', { name: 'Додати сертифікат' }).click()
    await deputy.getByText(/Сертифікат «КЕП заступника міського голови» додано: Коваленко Віктор Богданович, чинний до \d\d\.\d\d\.\d{4}\./).waitFor()
    await expect(certPassphrase.inputValue()).resolves.toBe('')
    const certRow = deputy.getByRole('table', { name: 'Мої сертифікати для підпису' }).getByRole('row', { name: /КЕП заступника міського голови/ })
    await certRow.getByText('Чинний', { exact: true }).waitFor()
    await expect(certRow.getByRole('cell').first().innerText()).resolves.toMatch(/^Коваленко Віктор Богданович/)
    await shot(deputy, '01-certificates')

    // 4. The deputy mayor opens the task: the signing panel, not a plain visa form.
    await openTask(deputy)
    const panel = deputy.getByRole('region', { name: 'Підписання', exact: true })
    await panel.getByLabel('Сертифікат для підпису').waitFor()
    await expect(deputy.getByRole('form', { name: 'Ваше рішення' }).count()).resolves.toBe(0)
    await panel.getByRole('button', { name: 'Повернути на доопрацювання…' }).waitFor()
    await shot(deputy, '02a-signing-panel', panel)
    const openSign = panel.getByRole('button', { name: /^Підписати версію № \d+$/ })
    const dialog = deputy.getByRole('dialog', { name: 'Підписання документа' })
    const passphrase = dialog.getByLabel('Пароль до особистого ключа')

    // Esc cancels the dialog and gives the focus back.
    await openSign.click()
    await dialog.waitFor()
    await expect(passphrase.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await passphrase.fill('щось')
    await deputy.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    await expect(openSign.evaluate((el) => el === document.activeElement)).resolves.toBe(true)

    // A wrong passphrase: a clear message, the field emptied and focused, nothing signed.
    await openSign.click()
    await expect(passphrase.inputValue()).resolves.toBe('')
    await passphrase.fill('не той пароль')
    expectedHttpErrors.push(/status of 400 .*\/sign\)$/)
    await dialog.getByRole('button', { name: 'Підписати', exact: true }).click()
    await dialog.getByText('Неправильний пароль до особистого ключа.', { exact: false }).waitFor()
    await expect(passphrase.inputValue()).resolves.toBe('')
    await expect(passphrase.getAttribute('aria-invalid')).resolves.toBe('true')
    await expect(passphrase.evaluate((el) => el === document.activeElement)).resolves.toBe(true)

    // The right passphrase: the progress shows while the request is held, then the outcome.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    await deputy.route('**/api/approvals/*/sign', async (route) => {
      await held
      await route.continue()
    })
    await passphrase.fill(signer.passphrase)
    await dialog.getByRole('button', { name: 'Підписати', exact: true }).click()
    await dialog.getByRole('status').getByText('Реєстрація, накладення підпису, позначка часу…').waitFor()
    await expect(dialog.locator('form').getAttribute('aria-busy')).resolves.toBe('true')
    await expect(dialog.getByRole('progressbar', { name: 'Підписання триває' }).count()).resolves.toBe(1)
    await expect(passphrase.inputValue()).resolves.toBe('')
    await shot(deputy, '02-signing-progress', dialog)
    release()
    const done = deputy.getByRole('region', { name: 'Документ підписано' })
    await done.waitFor({ timeout: 90_000 })
    await dialog.waitFor({ state: 'hidden' })
    await deputy.unroute('**/api/approvals/*/sign')
    await expect(done.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    const indexText = await done.getByText(/^Реєстраційний індекс: № /).innerText()
    const index = indexText.replace(/^Реєстраційний індекс: № /, '').trim()
    expect(index).toMatch(/\d/)
    await done.getByText(/Створено підписану версію № \d+ \(PAdES B-T\)\./).waitFor()
    await expect(panel.count()).resolves.toBe(0)
    // The registration card and the «Підписи» block follow.
    await deputy.getByRole('region', { name: 'Реєстраційна картка' }).getByText(`№ ${index}`).waitFor()
    const signatures = deputy.getByRole('region', { name: 'Підписи', exact: true })
    const first = signatures.getByRole('article', { name: 'Підпис 1: Коваленко Віктор Богданович' })
    await first.waitFor()
    const sigText = (await first.innerText()).replace(/\s+/g, ' ')
    expect(sigText).toContain('PAdES B-T — з позначкою часу')
    expect(sigText).toContain('підтверджено сервером позначок часу')
    expect(sigText).toContain('Заявлений час підписання')
    expect(sigText).toMatch(/підписано версію № (\d+) → отримано версію № (\d+)/)
    expect(sigText).toContain('Коваленко Віктор Богданович')
    await shot(deputy, '03-signed', deputy.getByRole('region', { name: 'Погодження', exact: true }))
    await shot(deputy, '03b-signatures', signatures)

    // Neither the URL nor web storage ever held the passphrase.
    const traces = await deputy.evaluate(() => location.href + JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))
    expect(traces).not.toContain(signer.passphrase)

    // 5. The employee acknowledges the signed instruction.
    const staff = await signIn('it.staff')
    await nav(staff, 'Мої інструкції')
    await staff.getByRole('heading', { level: 1, name: 'Мої посадові інструкції' }).waitFor()
    await staff.getByRole('button', { name: `Ознайомитися з посадовою інструкцією: ${POSITION}` }).click()
    const ack = staff.getByRole('dialog', { name: 'Ознайомлення з посадовою інструкцією' })
    await ack.getByLabel('Я ознайомився(лася) з посадовою інструкцією').check()
    await ack.getByRole('button', { name: 'Підтвердити ознайомлення' }).click()
    await staff.getByText('Ознайомлення підтверджено.').waitFor()
    await staff.getByText('Ознайомлено', { exact: true }).waitFor()

    // 6. The signed PDF, downloaded from the success message, verifies with pdfsig and carries the stamp.
    const [download] = await Promise.all([deputy.waitForEvent('download'), done.getByRole('link', { name: /^Завантажити підписаний документ/ }).click()])
    expect(download.suggestedFilename()).toMatch(/\(підписано\)\.pdf$/)
    const pdfPath = join(dir, 'signed.pdf')
    await download.saveAs(pdfPath)
    const pdfsig = execFileSync('pdfsig', [pdfPath], { encoding: 'utf8' })
    expect(pdfsig).toContain('Signature is Valid.')
    expect(pdfsig).toContain('Коваленко Віктор Богданович')
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', pdfPath, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    expect(text).toContain('ЗАТВЕРДЖУЮ')
    expect(text).toContain(index)
    expect(text).toContain(EXTRA_RIGHT)

    // 7. «Перевірити» opens the public check of the signed version.
    await first.getByRole('link', { name: 'Перевірити підпис 1 (Коваленко Віктор Богданович)' }).click()
    await deputy.waitForURL(/\/verify\?sha256=[0-9a-f]{64}$/)
    await deputy.getByText('Підпис дійсний: підписані дані не змінено').waitFor()
    await shot(deputy, '04-verify')

    const unexpected = problems.filter((p) => !expectedHttpErrors.some((re) => /Failed to load resource/.test(p) && re.test(p)))
    expect(unexpected, 'console errors, page errors or CSP violations').toEqual([])
  })

  it('points to «Мої сертифікати» without a certificate, returns at the signing stage, warns of expiry and revokes', { timeout: 300_000 }, async () => {
    // A draft mayor's order taken through the visas by API, up to the mayor's signing stage.
    const title = `Розпорядження про чергування ${Date.now()}`
    const author = await w.as('it.staff')
    const { id, sha256 } = await draftWithVersion(author, { kind: 'mayor_order', title })
    const approval = (await author.post(`/api/documents/${id}/approval`, {})).json()
    for (const login of ['head.it', 'legal', 'deputy']) {
      const res = await (await w.as(login)).post(`/api/approvals/${approval.id}/decisions`, { decision: 'approve', versionSha256: sha256 })
      expect(res.statusCode, res.body).toBe(200)
    }

    // The mayor has no certificate: the panel says so and links to «Мої сертифікати»; the draft can still be returned.
    const mayor = await signIn('mayor')
    await openTask(mayor, title)
    const panel = mayor.getByRole('region', { name: 'Підписання', exact: true })
    await panel.getByText('У вас немає чинного сертифіката для підпису.').waitFor()
    await expect(panel.getByRole('link', { name: 'Додати сертифікат у «Моїх сертифікатах»' }).getAttribute('href')).resolves.toBe('/certificates')
    await expect(panel.getByRole('button', { name: /^Підписати/ }).count()).resolves.toBe(0)
    await panel.getByRole('button', { name: 'Повернути на доопрацювання…' }).click()
    const comment = panel.getByLabel(/^Що саме виправити/)
    await expect(comment.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await panel.getByRole('button', { name: 'Повернути на доопрацювання', exact: true }).click()
    await panel.getByText('Напишіть у коментарі зауваження або що саме виправити.').waitFor()
    await comment.fill('Уточнити склад чергових на святкові дні.')
    await shot(mayor, '05-return', panel)
    await panel.getByRole('button', { name: 'Повернути на доопрацювання', exact: true }).click()
    await mayor.getByText('Документ повернуто на доопрацювання.').waitFor()
    await expect(panel.count()).resolves.toBe(0)
    await mayor.getByRole('table', { name: 'Візи' }).getByText('Уточнити склад чергових на святкові дні.').waitFor()

    // The deputy mayor's certificate (added in the first test): an approaching expiry is pointed out
    // (the list is answered with an expiry in ten days).
    const deputy = await signIn('deputy')
    await deputy.route('**/api/certificates', async (route) => {
      if (route.request().method() !== 'GET') return route.continue()
      const res = await route.fetch()
      const soon = new Date(Date.now() + 10 * 86_400_000 - 3_600_000).toISOString()
      const list = ((await res.json()) as { notAfter: string }[]).map((c) => ({ ...c, notAfter: soon }))
      await route.fulfill({ response: res, json: list })
    })
    await nav(deputy, 'Мої сертифікати')
    await deputy.getByText(/^Строк дії сертифіката «КЕП заступника міського голови» спливає \d\d\.\d\d\.\d{4}\./).waitFor()
    const table = deputy.getByRole('table', { name: 'Мої сертифікати для підпису' })
    await table.getByText('Чинний, спливає незабаром').waitFor()
    await table.getByText('залишилося 10 днів').waitFor()
    await shot(deputy, '06-expiring')
    await deputy.unroute('**/api/certificates')

    // Revoking asks first: Esc keeps the certificate, the confirmation revokes it.
    const revoke = table.getByRole('button', { name: 'Відкликати сертифікат «КЕП заступника міського голови»' })
    const confirm = deputy.getByRole('dialog', { name: 'Відкликати сертифікат?' })
    await revoke.click()
    await confirm.waitFor()
    await expect(confirm.getByRole('button', { name: 'Скасувати' }).evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await deputy.keyboard.press('Escape')
    await confirm.waitFor({ state: 'hidden' })
    await expect(revoke.evaluate((el) => el === document.activeElement)).resolves.toBe(true)
    await revoke.click()
    await confirm.getByRole('button', { name: 'Так, відкликати' }).click()
    await deputy.getByText('Сертифікат «КЕП заступника міського голови» відкликано.').waitFor()
    await table.getByText('Відкликано', { exact: true }).waitFor()
    await expect(revoke.count()).resolves.toBe(0)
    await shot(deputy, '07-revoked')

    const unexpected = problems.filter((p) => !expectedHttpErrors.some((re) => /Failed to load resource/.test(p) && re.test(p)))
    expect(unexpected, 'console errors, page errors or CSP violations').toEqual([])
  })
})
