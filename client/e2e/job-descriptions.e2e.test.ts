// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core'
import { approvalWorld, type World } from '../../server/approvals/testkit.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { onDocumentSigned } from '../../server/duties/job-descriptions.service.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * A job description in a real browser: the head of the Directorate picks a position, drafts the
 * next version, edits it (moves, removes and adds items, takes a duty from the catalogue, is
 * stopped by markup), saves (a new PDF version) and sends it for approval; after the route's
 * visas and the signature, the employee holding the position sees the prompt on «Сьогодні» and
 * acknowledges the instruction through the confirmation dialog.
 * Needs the built client, Chromium and poppler's pdftotext. E2E_SCREENSHOTS=<dir> keeps screenshots.
 */

const SHOTS = process.env.E2E_SCREENSHOTS
const POSITION = 'Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації'

describe('job descriptions in the browser', () => {
  let w: World
  let browser: Browser | undefined
  let base: string
  let dir: string
  const problems: string[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()
    w = await approvalWorld()
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`
    dir = mkdtempSync(join(tmpdir(), 'hromada-e2e-jd-'))
    if (SHOTS) mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await w?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  async function signIn(login: string): Promise<Page> {
    const ctx = await browser!.newContext({ locale: 'uk-UA', viewport: { width: 1280, height: 900 } })
    const page = await ctx.newPage()
    page.setDefaultTimeout(20_000)
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') problems.push(`[${login}] ${m.text()} (${m.location().url})`)
    })
    page.on('pageerror', (err) => problems.push(`[${login}] pageerror: ${err.message}`))
    await page.goto(`${base}/login`)
    await page.getByLabel('Логін').waitFor({ timeout: 10_000 }).catch(() => {
      throw new Error(`no login form: ${problems.join('\n')}`)
    })
    await page.getByLabel('Логін').fill(login)
    await page.getByLabel('Пароль').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: 'Увійти' }).click()
    await page.waitForURL(`${base}/today`)
    return page
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `jd-${name}.png`), fullPage: true })
  }
  const item = (page: Page, n: string) => page.getByLabel(`Пункт ${n}`, { exact: true })

  it('is drafted, edited, sent, approved and acknowledged', { timeout: 300_000 }, async () => {
    // 1. The head of the Directorate picks the position and drafts its first version.
    const head = await signIn('head.digital')
    await head.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Посадові інструкції' }).click()
    await head.getByRole('heading', { level: 1, name: 'Посадові інструкції' }).waitFor()
    await head.getByLabel('Посада').selectOption({ label: `${POSITION} — Савчук Денис Олегович` })
    await head.getByRole('button', { name: 'Показати' }).click()
    await head.getByText('Для цієї посади посадових інструкцій ще немає.').waitFor()
    await head.getByRole('button', { name: 'Підготувати нову редакцію' }).click()
    await head.waitForURL(/\/job-descriptions\/[0-9a-f-]{36}$/)
    await head.getByRole('heading', { level: 1, name: `Посадова інструкція: ${POSITION}` }).waitFor()
    const jdUrl = head.url()
    const jdId = jdUrl.split('/').at(-1)!

    // 2. Editing: the unit's tasks came from the catalogue; reorder, remove, add from the catalogue.
    await expect(item(head, '2.1').inputValue()).resolves.toBe('Виконує доручення керівника управління.')
    await head.getByRole('button', { name: 'Перемістити пункт 2.2 вище' }).click()
    await expect(item(head, '2.1').inputValue()).resolves.toMatch(/^За дорученням керівника управління/)
    await expect(head.evaluate(() => document.activeElement?.id ?? '')).resolves.toMatch(/-text$/)
    await head.getByRole('button', { name: 'Вилучити пункт 2.20' }).click()
    await expect(item(head, '2.20').count()).resolves.toBe(0)
    await head.getByText('Додати обовʼязки з каталогу').click()
    await head.getByLabel('увесь каталог').check()
    await head.getByLabel('Пошук у каталозі').fill('медіа-центру')
    await head.getByRole('button', { name: 'Додати до завдань та обовʼязків: Забезпечує роботу медіа-центру.' }).click()
    await expect(item(head, '2.20').inputValue()).resolves.toBe('Забезпечує роботу медіа-центру.')
    await head.getByText('з Положення, п. 4.3.3').waitFor()
    await head.getByRole('button', { name: 'Додати пункт до розділу «3. Права»' }).click()
    await expect(head.evaluate(() => document.activeElement?.tagName)).resolves.toBe('TEXTAREA')
    await head.keyboard.type('Підписувати документи <b>КЕП</b>')
    await head.getByRole('button', { name: 'Зберегти і сформувати PDF' }).click()
    await head.getByRole('link', { name: 'Пункт 3.5: символи «<» і «>» не дозволені.' }).waitFor()
    await expect(head.evaluate(() => (document.activeElement as HTMLTextAreaElement | null)?.value)).resolves.toBe('Підписувати документи <b>КЕП</b>')
    await item(head, '3.5').fill('Підписувати документи кваліфікованим електронним підписом')
    await head.getByText('Є незбережені зміни.').waitFor()
    await head.getByRole('button', { name: 'Зберегти і сформувати PDF' }).click()
    await head.getByText('Збережено. Сформовано версію 2 документа.').waitFor({ timeout: 30_000 })
    await head.getByText(/Версія 2: Посадова інструкція, редакція 1\.pdf/).waitFor()
    await head.getByTestId('page-indicator').getByText(/^1 \/ [2-9]$/).waitFor()
    await shot(head, '01-editor')

    // The stored PDF has the edits.
    const jd = (await (await w.as('head.digital')).get(`/api/job-descriptions/${jdId}`)).json()
    const pdf = await head.request.get(`${base}/api/documents/${jd.documentId}/versions/2/content`)
    const file = join(dir, 'jd.pdf')
    writeFileSync(file, await pdf.body())
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    expect(text).toContain('2.20. Забезпечує роботу медіа-центру.')
    expect(text).toContain('3.5. Підписувати документи кваліфікованим електронним підписом.')

    // 3. Sent for approval: the editor gives way to the text.
    await head.getByRole('button', { name: 'Надіслати на погодження' }).click()
    await head.getByText('Інструкцію надіслано на погодження.').waitFor()
    await head.getByText('На погодженні', { exact: true }).waitFor()
    await expect(head.getByRole('button', { name: 'Зберегти і сформувати PDF' }).count()).resolves.toBe(0)
    await head.getByRole('heading', { name: '2. Завдання та обовʼязки' }).waitFor()

    // 4. The route's visas, and the deputy mayor's signature (what the signing module reports).
    const sha = (await (await w.as('head.it')).get(`/api/documents/${jd.documentId}`)).json().latestVersion.sha256
    const approvalId = (await (await w.as('head.it')).get(`/api/documents/${jd.documentId}/approval`)).json().id
    for (const login of ['head.it', 'head.digital', 'legal']) {
      const res = await (await w.as(login)).post(`/api/approvals/${approvalId}/decisions`, { decision: 'approve', versionSha256: sha })
      expect(res.statusCode, res.body).toBe(200)
    }
    await w.t.db.prisma.$transaction((tx) => onDocumentSigned(tx, jd.documentId, new Date()))

    // 5. The employee is prompted on «Сьогодні» and acknowledges through the dialog.
    const staff = await signIn('it.staff')
    await staff.getByRole('heading', { name: 'Потрібно ознайомитися з посадовою інструкцією' }).waitFor()
    await shot(staff, '02-today-prompt')
    await staff.getByRole('link', { name: 'До «Моїх посадових інструкцій»' }).click()
    await staff.getByRole('heading', { level: 1, name: 'Мої посадові інструкції' }).waitFor()
    await staff.getByText('Потрібно ознайомитися', { exact: true }).waitFor()
    await staff.getByRole('button', { name: `Ознайомитися з посадовою інструкцією: ${POSITION}` }).click()
    const dialog = staff.getByRole('dialog', { name: 'Ознайомлення з посадовою інструкцією' })
    await dialog.waitFor()
    await dialog.getByRole('button', { name: 'Підтвердити ознайомлення' }).click()
    await dialog.getByText('Позначте, що ви ознайомилися з посадовою інструкцією.').waitFor()
    await dialog.getByLabel('Я ознайомився(лася) з посадовою інструкцією').check()
    await shot(staff, '03-dialog')
    await dialog.getByRole('button', { name: 'Підтвердити ознайомлення' }).click()
    await staff.getByText('Ознайомлення підтверджено.').waitFor()
    await staff.getByText('Ознайомлено', { exact: true }).waitFor()
    await expect(dialog.isVisible()).resolves.toBe(false)
    await expect(staff.getByRole('button', { name: /^Ознайомитися/ }).count()).resolves.toBe(0)

    // 6. The history shows the version in force and who acknowledged it.
    await head.goto(`${base}/job-descriptions?position=${jd.position.id}`)
    const row = head.getByRole('row', { name: /Редакція 1/ })
    await row.getByText('Затверджена').waitFor()
    await row.getByText(/Савчук Денис Олегович/).waitFor()
    await shot(head, '03-history')

    expect(problems).toEqual([])
  })
})
