// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { mkdirSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core'
import { approvalWorld, type World } from '../../server/approvals/testkit.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { insertAssignments, orgIds, type AssignmentSpec } from '../../server/reports/fixtures.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * «Звіти» in a real browser: the head of the Directorate opens March 2025, reads the figures
 * per unit and per person from the tables (row headers are the names), sees the charts with
 * their text alternatives, downloads the CSV and XLSX, changes the period in the form (a wrong
 * pair of dates is stopped), and gets the empty state for a month without assignments.
 * Needs the built client and Chromium. E2E_SCREENSHOTS=<dir> keeps screenshots.
 */

const SHOTS = process.env.E2E_SCREENSHOTS
const IT = 'Відділ інформаційних технологій, аналізу та цифрової трансформації'
const DIRECTORATE = 'Управління цифровізації, інформаційної політики та комунікацій'
const IT_STAFF = 'Савчук Денис Олегович'
const EXPERT = 'Ткачук Марія Степанівна'
const FUTURE = '2099-01-01T00:00:00Z'
const PAST_DUE = '2025-03-20T12:00:00Z'
const DOC_TITLE = 'Про Програму цифрової трансформації'

const march: AssignmentSpec[] = [
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-03T08:00:00Z', dueAt: '2025-03-10T21:59:59Z', extensions: ['granted'] },
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-04T08:00:00Z', dueAt: '2025-03-11T21:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'done_late', issuedAt: '2025-03-06T08:00:00Z', dueAt: '2025-03-13T21:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'in_work', issuedAt: '2025-03-11T08:00:00Z', dueAt: PAST_DUE },
  { unit: '02-01', executor: 'it.staff', status: 'new', issuedAt: '2025-03-12T08:00:00Z', dueAt: FUTURE },
  { unit: '02-01', executor: 'expert', status: 'done', issuedAt: '2025-03-15T08:00:00Z', dueAt: '2025-03-22T21:59:59Z' },
  { unit: '02-01', executor: 'expert', status: 'cancelled', issuedAt: '2025-03-16T08:00:00Z', dueAt: FUTURE },
  { unit: '02-02', executor: 'infopolicy', status: 'overdue', issuedAt: '2025-03-17T08:00:00Z', dueAt: PAST_DUE },
  // Outside the head's tree: never on her page.
  { unit: '05', executor: 'housing', status: 'done', issuedAt: '2025-03-21T08:00:00Z', dueAt: '2025-03-28T21:59:59Z' },
]

describe('reports in the browser', () => {
  let w: World
  let browser: Browser | undefined
  let base: string
  let ids: Awaited<ReturnType<typeof orgIds>>
  const problems: string[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()
    w = await approvalWorld()
    ids = await orgIds(w.t.db.prisma)
    await insertAssignments(w.t.db.prisma, march, ids)
    // Two approval stages finished in March: a 10-hour visa and a 72-hour legal review, late.
    const db = w.t.db.prisma
    const template = await db.routeTemplate.findFirstOrThrow({ where: { current: true } })
    const doc = await db.document.create({ data: { kind: 'council_decision_draft', title: DOC_TITLE, authorUnitId: ids.unit('02-01'), createdById: ids.user('it.staff'), accessMark: 'public' } })
    const approval = await db.approval.create({ data: { documentId: doc.id, templateId: template.id, startedById: ids.user('it.staff'), startedAt: new Date('2025-03-05T07:00:00Z') } })
    const stage = (index: number, name: string, kind: 'visa' | 'legal_review', activated: string, finished: string, due: string) =>
      db.approvalStage.create({ data: { approvalId: approval.id, index, name, kind, rule: 'all', deadlineDays: 2, state: 'done', activatedAt: new Date(activated), finishedAt: new Date(finished), dueAt: new Date(due) } })
    await stage(0, 'Начальник підрозділу', 'visa', '2025-03-05T07:00:00Z', '2025-03-05T17:00:00Z', '2025-03-07T15:00:00Z')
    await stage(1, 'Юридичний відділ', 'legal_review', '2025-03-05T17:00:00Z', '2025-03-08T17:00:00Z', '2025-03-07T17:00:00Z')
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`
    if (SHOTS) mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await w?.close()
  })

  async function signIn(login: string): Promise<Page> {
    const ctx = await browser!.newContext({ locale: 'uk-UA', viewport: { width: 1280, height: 900 }, acceptDownloads: true })
    const page = await ctx.newPage()
    page.setDefaultTimeout(20_000)
    page.on('console', (m: ConsoleMessage) => {
      if (m.type() === 'error') problems.push(`[${login}] ${m.text()} (${m.location().url})`)
    })
    page.on('pageerror', (err) => problems.push(`[${login}] pageerror: ${err.message}`))
    await page.goto(`${base}/login`)
    await page.getByLabel('Логін').fill(login)
    await page.getByLabel('Пароль').fill(DEMO_PASSWORD)
    await page.getByRole('button', { name: 'Увійти' }).click()
    await page.waitForURL(`${base}/today`)
    return page
  }

  const shot = async (page: Page, name: string) => {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `reports-${name}.png`), fullPage: true })
  }
  /** The texts of a row's cells after its header, in order. */
  const cells = async (row: Locator) => (await row.getByRole('cell').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim())

  it('shows the figures per unit and per person, charts and files, and takes another period', { timeout: 240_000 }, async () => {
    const head = await signIn('head.digital')
    await head.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Звіти' }).click()
    await head.getByRole('heading', { level: 1, name: 'Звіти' }).waitFor()

    await head.goto(`${base}/reports?from=2025-03-01&to=2025-04-01`)
    await head.getByRole('heading', { level: 2, name: 'Виконавська дисципліна з 01.03.2025 по 31.03.2025' }).waitFor()
    await head.getByRole('status').filter({ hasText: 'Звіт сформовано' }).waitFor()
    // The form shows the period as a month.
    await expect(head.getByRole('radio', { name: 'Місяць' }).isChecked()).resolves.toBe(true)
    await expect(head.getByRole('combobox', { name: 'Місяць' }).inputValue()).resolves.toBe('3')

    // Per unit: the row header is the unit's name; the head sees her tree only.
    const units = head.getByRole('table', { name: 'Виконавська дисципліна за підрозділами, з 01.03.2025 по 31.03.2025' })
    const unitNames = await units.getByRole('rowheader').allInnerTexts()
    expect(unitNames.map((s) => s.trim())).toEqual([DIRECTORATE, IT, 'Відділ інформаційної політики', 'Сектор роботи з громадськістю', 'Разом'])
    // Видано, вчасно, із запізненням, прострочено, на виконанні, продовжено, скасовано, %.
    await expect(cells(units.getByRole('row', { name: IT, exact: true }))).resolves.toEqual(['6', '3', '1', '1', '1', '1', '1', '60,0'])
    await expect(cells(units.getByRole('row', { name: 'Разом', exact: true }))).resolves.toEqual(['7', '3', '1', '2', '1', '1', '1', '50,0'])
    await expect(cells(units.getByRole('row', { name: DIRECTORATE, exact: true }))).resolves.toEqual(['0', '0', '0', '0', '0', '0', '0', '— немає виконаних чи прострочених'])

    // Per person: the row header is the full name.
    const people = head.getByRole('table', { name: 'Виконавська дисципліна за виконавцями, з 01.03.2025 по 31.03.2025' })
    await expect(cells(people.getByRole('row', { name: IT_STAFF, exact: true }))).resolves.toEqual([IT, '5', '2', '1', '1', '1', '1', '0', '50,0'])
    await expect(cells(people.getByRole('row', { name: EXPERT, exact: true }))).resolves.toEqual([IT, '1', '1', '0', '0', '0', '0', '1', '100,0'])
    await expect(people.getByRole('row', { name: 'Мороз Світлана Олексіївна' }).count()).resolves.toBe(0)

    // Charts are images with a name and a description that lists every bar.
    const chart = head.getByRole('img', { name: 'Діаграма: результати виконання доручень за підрозділами' })
    await chart.waitFor()
    const described = await chart.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby') ?? '')?.textContent ?? '')
    expect(described).toContain(`${IT}: видано 6, вчасно 3, із запізненням 1, прострочено 1, на виконанні 1.`)
    await head.getByRole('img', { name: 'Діаграма: результати виконання доручень за виконавцями (найбільше доручень)' }).waitFor()
    // Approval stages: per stage, and the slowest with a link to the document.
    const stagesTable = head.getByRole('table', { name: 'Тривалість етапів погодження, з 01.03.2025 по 31.03.2025' })
    await expect(cells(stagesTable.getByRole('row', { name: 'Юридичний відділ', exact: true }))).resolves.toEqual(['Правова експертиза', '1', '72', '72', '1', '100,0'])
    await expect(cells(stagesTable.getByRole('row', { name: 'Разом', exact: true }))).resolves.toEqual(['', '2', '41', '41', '1', '50,0'])
    const slowest = head.getByRole('table', { name: 'Найдовші етапи погодження, з 01.03.2025 по 31.03.2025' })
    await expect(slowest.getByRole('rowheader').allInnerTexts()).resolves.toEqual([DOC_TITLE, DOC_TITLE])
    await slowest.getByRole('link', { name: DOC_TITLE }).first().waitFor()
    await slowest.getByText('із порушенням строку').waitFor()
    await head.getByRole('img', { name: 'Діаграма: середня тривалість етапів погодження, годин' }).waitFor()
    await shot(head, '01-march')

    // Files: CSV for Excel and XLSX, with the same figures.
    const csvLink = head.getByRole('link', { name: 'CSV (для Excel) — за виконавцями' })
    const [csv] = await Promise.all([head.waitForEvent('download'), csvLink.click()])
    expect(csv.suggestedFilename()).toBe('Виконавська дисципліна 2025-03-01 — 2025-03-31 (за виконавцями).csv')
    const csvBytes = readFileSync((await csv.path())!)
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(csvBytes.toString('utf8')).toContain(`${IT_STAFF};${IT};5;2;1;1;1;1;0;50,0\r\n`)
    const [xlsx] = await Promise.all([head.waitForEvent('download'), head.getByRole('link', { name: 'Excel (XLSX) — за підрозділами' }).click()])
    expect(xlsx.suggestedFilename()).toBe('Виконавська дисципліна 2025-03-01 — 2025-03-31.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(readFileSync((await xlsx.path())!) as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Виконавська дисципліна')!
    expect((ws.getRow(7).values as unknown[]).slice(1, 10)).toEqual(['02-01', IT, 6, 3, 1, 1, 1, 1, 1])
    await expect(head.getByRole('link', { name: 'PDF для друку — за підрозділами' }).getAttribute('href')).resolves.toBe('/api/reports/discipline.pdf?from=2025-03-01&to=2025-04-01&groupBy=unit')

    // A quarter, chosen in the form: the URL follows, the figures are the same (nothing else in Q1).
    await head.getByRole('radio', { name: 'Квартал' }).check()
    await head.getByRole('spinbutton', { name: 'Рік' }).fill('2025')
    await head.getByRole('combobox', { name: 'Квартал' }).selectOption({ label: '1 квартал' })
    await head.getByRole('button', { name: 'Сформувати звіт' }).click()
    await head.waitForURL(`${base}/reports?from=2025-01-01&to=2025-04-01`)
    await head.getByRole('heading', { level: 2, name: 'Виконавська дисципліна з 01.01.2025 по 31.03.2025' }).waitFor()
    await expect(cells(head.getByRole('table', { name: /за виконавцями, з 01\.01\.2025/ }).getByRole('row', { name: IT_STAFF, exact: true }))).resolves.toEqual([IT, '5', '2', '1', '1', '1', '1', '0', '50,0'])

    // Dates in the wrong order are stopped before any request; the focus goes to the field.
    await head.getByRole('radio', { name: 'Довільні дати' }).check()
    await head.getByLabel('З дати').fill('2025-03-10')
    await head.getByLabel('По дату (включно)').fill('2025-03-01')
    await head.getByRole('button', { name: 'Сформувати звіт' }).click()
    await head.getByText('Кінцева дата не може бути раніше за початкову.').waitFor()
    await expect(head.evaluate(() => document.activeElement?.id)).resolves.toBe('rep-last')
    expect(head.url()).toBe(`${base}/reports?from=2025-01-01&to=2025-04-01`)

    // One unit, any dates: the IT department alone for 1-10 March.
    await head.getByLabel('З дати').fill('2025-03-01')
    await head.getByLabel('По дату (включно)').fill('2025-03-10')
    await head.getByRole('combobox', { name: 'Підрозділ' }).selectOption(ids.unit('02-01'))
    await head.getByRole('button', { name: 'Сформувати звіт' }).click()
    await head.getByRole('heading', { level: 2, name: 'Виконавська дисципліна з 01.03.2025 по 10.03.2025' }).waitFor()
    await head.getByText(`Підрозділ: ${IT} (разом із підпорядкованими)`).waitFor()
    expect(new URL(head.url()).searchParams.get('unit')).toBe(ids.unit('02-01'))
    const part = head.getByRole('table', { name: /за виконавцями, з 01\.03\.2025 по 10\.03\.2025/ })
    await expect(part.getByRole('rowheader').allInnerTexts()).resolves.toEqual([IT_STAFF, 'Разом'])
    await expect(cells(part.getByRole('row', { name: IT_STAFF, exact: true }))).resolves.toEqual([IT, '3', '2', '1', '0', '0', '1', '0', '66,7'])
    // Back: the browser's history holds the reports.
    await head.goBack()
    await head.getByRole('heading', { level: 2, name: 'Виконавська дисципліна з 01.01.2025 по 31.03.2025' }).waitFor()
    await expect(head.getByRole('radio', { name: 'Квартал' }).isChecked()).resolves.toBe(true)

    // A month without assignments: the empty state, no tables.
    await head.goto(`${base}/reports?from=2024-03-01&to=2024-04-01`)
    await head.getByText('За цей період доручень не видано.').waitFor()
    await expect(head.getByRole('table', { name: /за підрозділами/ }).count()).resolves.toBe(0)
    await shot(head, '02-empty')

    expect(problems, 'console errors, page errors or CSP violations').toEqual([])
  })
})
