// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Locator, type Page } from 'playwright-core'
import { approvalWorld, draftWithVersion, type World } from '../../server/approvals/testkit.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { tinyPdf } from '../../server/testing/factories.ts'
import { registerDocument } from '../../server/registration/registration.service.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * Control of execution in a real browser, each person in their own context. The head of the
 * Directorate issues two instructions: one to the IT department's head with the public-relations
 * sector's head as co-executor (10 calendar days), one to the information-policy department's
 * head by a date (a Saturday is refused in the preview and the previous working day taken). The
 * IT head hands a part to his specialist, who takes it into work and reports; the IT head accepts
 * it; the co-executor reports her part; the IT head reports with a file (upload progress shown
 * while the request is held). The information-policy head asks for more time, the head grants it,
 * and she reports. The head, as controller, accepts the first (знято з контролю) and returns the
 * second with a comment (an empty comment is stopped first); the executor sees the comment. On
 * «Звіти», the discipline report for the chosen period shows the figures per person.
 * Needs the built client and Chromium. E2E_SCREENSHOTS=<dir> keeps screenshots.
 */

const SHOTS = process.env.E2E_SCREENSHOTS

const HEAD = 'Мельник Оксана Ігорівна'
const IT_HEAD = 'Бойко Андрій Миколайович'
const IT_STAFF = 'Савчук Денис Олегович'
const PUBLIC_HEAD = 'Кравець Юлія Андріївна'
const INFO_HEAD = 'Гнатюк Ірина Романівна'

const A1 = 'Підготувати план модернізації мережі ЦНАП на 2026 рік'
const A1_PART = 'Зібрати перелік мережевого обладнання ЦНАП і стан його підтримки'
const A2 = 'Підготувати інформаційну кампанію про електронні послуги громади'
const RETURN_COMMENT = 'Додайте календарний план публікацій і бюджет кампанії.'

/** Kyiv's calendar date today, "YYYY-MM-DD". */
const kyivToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const weekday = (iso: string) => new Date(`${iso}T00:00:00Z`).getUTCDay()
const dotted = (iso: string) => iso.split('-').reverse().join('.')

describe('control of execution in the browser', () => {
  let w: World
  let browser: Browser | undefined
  let base: string
  let dir: string
  const problems: string[] = []
  /** Error responses the scenario provokes on purpose (Chromium logs each as a console error). */
  const expectedHttpErrors: RegExp[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()
    w = await approvalWorld()
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`
    dir = mkdtempSync(join(tmpdir(), 'hromada-e2e-asg-'))
    if (SHOTS) mkdirSync(SHOTS, { recursive: true })
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await w?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** A fresh browser context for one person, signed in through the login form. */
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

  const shot = async (page: Page, name: string, part?: Locator) => {
    if (!SHOTS) return
    const path = join(SHOTS, `asg-${name}.png`)
    await (part ? part.screenshot({ path }) : page.screenshot({ path, fullPage: true }))
  }
  const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name, exact: true }).click()
  const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true })

  /** Picks a person in a select whose options read "Name — position". */
  async function choose(select: Locator, name: string) {
    const value = await select.locator('option', { hasText: name }).first().getAttribute('value')
    expect(value, `option for ${name}`).toBeTruthy()
    await select.selectOption(value!)
  }

  /** «Доручення» → the row's link → the assignment's page. */
  async function open(page: Page, text: string) {
    await nav(page, 'Доручення')
    await page.getByRole('heading', { level: 1, name: 'Доручення' }).waitFor()
    await page.getByRole('table').getByRole('link', { name: text }).click()
    await page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/)
    await page.getByRole('heading', { level: 1, name: `Доручення: ${text}` }).waitFor()
  }

  /** The «Відомості» block's status badge, e.g. "На перевірці". */
  const statusOf = (page: Page) => region(page, 'Відомості').locator('.section-head .badge').first().innerText()

  /** A branch of the tree, by its executor and text. */
  const branch = (page: Page, name: string, text: string) => region(page, 'Дерево доручення').getByRole('listitem', { name: `${name}: ${text}` })

  it('issues, delegates, reports, accepts and returns, and the report counts it', { timeout: 480_000 }, async () => {
    const today = kyivToday()
    const periodFrom = today.slice(0, 8) + '01'

    // 1. The head of the Directorate: an empty list, then the first instruction (10 calendar days, with a co-executor).
    const head = await signIn('head.digital')
    await nav(head, 'Доручення')
    await head.getByRole('heading', { level: 1, name: 'Доручення' }).waitFor()
    await head.getByText('У вас немає доручень.').waitFor()
    await head.getByRole('link', { name: 'Нове доручення' }).click()
    const form = head.getByRole('form', { name: 'Нове доручення' })
    await form.getByLabel('Текст доручення').waitFor()
    // Nothing filled: the first missing field is named and focused.
    await form.getByRole('button', { name: 'Видати доручення' }).click()
    await form.getByText('Напишіть текст доручення.').waitFor()
    await expect(head.evaluate(() => document.activeElement?.id)).resolves.toBe('asg-new-text')
    await form.getByLabel('Текст доручення').fill(A1)
    await choose(form.getByLabel('Відповідальний виконавець'), IT_HEAD)
    await form.getByRole('group', { name: 'Співвиконавці' }).getByLabel(PUBLIC_HEAD, { exact: false }).check()
    await expect(form.getByLabel('Кількість календарних днів').inputValue()).resolves.toBe('10')
    // The preview counts the term on the shared calendar.
    await form.getByText(/^Строк виконання: до \d\d\.\d\d\.\d{4} \(.+\) включно\.$/).waitFor()
    await shot(head, '01-issue-form', form)
    await form.getByRole('button', { name: 'Видати доручення' }).click()
    await head.waitForURL(/\/assignments\/[0-9a-f-]{36}$/)
    await head.getByText('Доручення видано. Виконавці отримали сповіщення.').waitFor()
    await head.getByRole('heading', { level: 1, name: `Доручення: ${A1}` }).waitFor()
    const about = region(head, 'Відомості')
    await about.getByText(`${IT_HEAD}`, { exact: false }).first().waitFor()
    await about.getByText(PUBLIC_HEAD).waitFor()
    await about.getByText('10 календарних днів від', { exact: false }).waitFor()
    await expect(statusOf(head)).resolves.toBe('Нове')

    // 2. The second one, by a date: a Saturday is a day off; the preview offers the working day before it.
    let saturday = addDays(today, 8)
    while (weekday(saturday) !== 6) saturday = addDays(saturday, 1)
    await nav(head, 'Доручення')
    await head.getByRole('link', { name: 'Нове доручення' }).click()
    await form.getByLabel('Текст доручення').fill(A2)
    await choose(form.getByLabel('Відповідальний виконавець'), INFO_HEAD)
    await form.getByLabel('До певної дати').check()
    await form.getByLabel('Виконати до (включно)').fill(saturday)
    await form.getByText(/неробочий день\. Найближчий попередній робочий день/).waitFor()
    const friday = addDays(saturday, -1)
    await form.getByRole('button', { name: `Встановити ${dotted(friday)}` }).click()
    await expect(form.getByLabel('Виконати до (включно)').inputValue()).resolves.toBe(friday)
    await form.getByText(`Строк виконання: до ${dotted(friday)}`, { exact: false }).waitFor()
    await form.getByRole('button', { name: 'Видати доручення' }).click()
    await head.getByText('Доручення видано. Виконавці отримали сповіщення.').waitFor()
    await head.getByRole('heading', { level: 1, name: `Доручення: ${A2}` }).waitFor()
    await region(head, 'Відомості').getByText(dotted(friday)).first().waitFor()

    // «Видані мною» lists both.
    await nav(head, 'Доручення')
    await head.getByRole('navigation', { name: 'Розділи доручень' }).getByRole('link', { name: 'Видані мною' }).click()
    const issued = head.getByRole('table', { name: 'Доручення: Видані мною' })
    await issued.getByRole('link', { name: A1 }).waitFor()
    await issued.getByRole('link', { name: A2 }).waitFor()
    await shot(head, '02-issued')

    // 3. The IT head hands a part to his specialist (a sub-assignment he controls).
    const itHead = await signIn('head.it')
    await nav(itHead, 'Доручення')
    await itHead.getByRole('link', { name: /^1\s+До виконання$/ }).waitFor()
    await open(itHead, A1)
    await itHead.getByRole('button', { name: 'Передати частину підлеглому' }).click()
    const delegate = itHead.getByRole('form', { name: 'Передати частину роботи' })
    await delegate.getByLabel('Що доручаєте').fill(A1_PART)
    await choose(delegate.getByLabel('Виконавець частини'), IT_STAFF)
    await delegate.getByLabel('Кількість календарних днів').fill('5')
    await delegate.getByText(/^Строк виконання: до /).waitFor()
    await delegate.getByRole('button', { name: 'Передати' }).click()
    await itHead.getByText('Частину доручення передано. Вона на вашому контролі.').waitFor()
    await branch(itHead, IT_STAFF, A1_PART).waitFor()
    await expect(statusOf(itHead)).resolves.toBe('У роботі')
    // His own report waits for the part.
    await expect(itHead.getByRole('button', { name: 'Звітувати про виконання' }).count()).resolves.toBe(0)
    await itHead.getByText('Звітувати можна, коли закрито всі передані підлеглим частини (відкритих: 1).').waitFor()

    // 4. The specialist takes it into work and reports.
    const staff = await signIn('it.staff')
    await open(staff, A1_PART)
    await staff.getByRole('button', { name: 'Взяти в роботу' }).click()
    await staff.getByText('Доручення взято в роботу.').waitFor()
    await expect(statusOf(staff)).resolves.toBe('У роботі')
    await staff.getByRole('button', { name: 'Звітувати про виконання' }).click()
    const staffReport = staff.getByRole('form', { name: 'Звіт про виконання' })
    await staffReport.getByRole('button', { name: 'Надіслати звіт на перевірку' }).click()
    await staffReport.getByText('Опишіть, що зроблено.').waitFor()
    await staffReport.getByLabel('Що зроблено').fill('Перелік складено: 14 комутаторів, з них 3 без підтримки виробника.')
    await staffReport.getByRole('button', { name: 'Надіслати звіт на перевірку' }).click()
    await staff.getByText('Звіт надіслано контролерові на перевірку.').waitFor()
    await expect(statusOf(staff)).resolves.toBe('На перевірці')

    // 5. The IT head accepts the part (he is its controller); the branch shows it done.
    await itHead.reload()
    await branch(itHead, IT_STAFF, A1_PART).getByRole('link', { name: A1_PART }).click()
    await itHead.getByRole('heading', { level: 1, name: `Доручення: ${A1_PART}` }).waitFor()
    const itControl = itHead.getByRole('form', { name: 'Перевірка звіту' })
    await itControl.getByText('14 комутаторів', { exact: false }).waitFor()
    await itControl.getByRole('button', { name: 'Прийняти і зняти з контролю' }).click()
    await itHead.getByText('Виконання прийнято, доручення знято з контролю.').waitFor()
    await expect(statusOf(itHead)).resolves.toBe('Виконано')
    await region(itHead, 'Хід виконання').getByText('Виконання прийнято, знято з контролю').waitFor()

    // 6. The co-executor reports her part (the state does not change).
    const publicHead = await signIn('head.public')
    await open(publicHead, A1)
    await publicHead.getByRole('button', { name: 'Звітувати про свою частину' }).click()
    const part = publicHead.getByRole('form', { name: 'Звіт про вашу частину' })
    await part.getByLabel('Що зроблено').fill('Підготовлено текст оголошення для відвідувачів ЦНАП про роботи.')
    await part.getByRole('button', { name: 'Надіслати звіт' }).click()
    await publicHead.getByText('Звіт про вашу частину надіслано.').waitFor()
    await region(publicHead, 'Хід виконання').getByText('Звіт співвиконавця').waitFor()
    await expect(statusOf(publicHead)).resolves.toBe('У роботі')

    // 7. The IT head reports on the whole with a file; the upload's progress shows while it is held.
    await branch(itHead, IT_HEAD, A1).getByRole('link', { name: A1 }).click()
    await itHead.getByRole('heading', { level: 1, name: `Доручення: ${A1}` }).waitFor()
    await itHead.getByRole('button', { name: 'Звітувати про виконання' }).click()
    const report = itHead.getByRole('form', { name: 'Звіт про виконання' })
    await report.getByLabel('Що зроблено').fill('План модернізації підготовлено, перелік обладнання додано.')
    const pdfPath = join(dir, 'План модернізації.pdf')
    writeFileSync(pdfPath, tinyPdf('Plan modernizatsii'))
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const isUpload = (url: URL) => /^\/api\/assignments\/[0-9a-f-]{36}\/files$/.test(url.pathname)
    await itHead.route(isUpload, async (route) => {
      await held
      await route.continue()
    })
    await report.getByLabel('Файли до звіту').setInputFiles(pdfPath)
    await report.getByRole('progressbar', { name: 'Завантаження файлу План модернізації.pdf' }).waitFor()
    await expect(report.getByRole('button', { name: 'Надіслати звіт на перевірку' }).isDisabled()).resolves.toBe(true)
    await shot(itHead, '03-upload-progress', report)
    release()
    await report.getByText('завантажено').waitFor()
    await itHead.unroute(isUpload)
    await report.getByRole('button', { name: 'Надіслати звіт на перевірку' }).click()
    await itHead.getByText('Звіт надіслано контролерові на перевірку.').waitFor()
    await expect(statusOf(itHead)).resolves.toBe('На перевірці')
    await region(itHead, 'Хід виконання').getByRole('link', { name: 'Завантажити файл План модернізації.pdf' }).waitFor()

    // 8. The information-policy head asks for more time; the head grants it; she reports.
    const infoHead = await signIn('head.infopolicy')
    await open(infoHead, A2)
    await infoHead.getByRole('button', { name: 'Попросити продовжити строк' }).click()
    const ask = infoHead.getByRole('form', { name: 'Запит на продовження строку' })
    const extended = addDays(friday, 7)
    await ask.getByLabel('Новий строк').fill(extended)
    await ask.getByLabel('Причина').fill('Чекаємо погодження макетів від дизайнера.')
    await ask.getByRole('button', { name: 'Надіслати запит' }).click()
    await infoHead.getByText('Запит на продовження строку надіслано контролерові.').waitFor()
    await infoHead.getByText(`Запит на продовження строку до ${dotted(extended)} чекає рішення контролера.`).waitFor()

    await open(head, A2)
    const decide = head.getByRole('form', { name: 'Запит на продовження строку' })
    await decide.getByText(`${INFO_HEAD} просить продовжити строк до ${dotted(extended)} (чинний — ${dotted(friday)}).`).waitFor()
    await decide.getByRole('button', { name: `Продовжити до ${dotted(extended)}` }).click()
    await head.getByText('Продовження строку надано.').waitFor()
    await region(head, 'Відомості').getByText(`Первинний строк: ${dotted(friday)}`).waitFor()
    await region(head, 'Відомості').getByText('Строк продовжено', { exact: true }).waitFor()
    await region(head, 'Хід виконання').getByText(`Строк продовжено: ${dotted(friday)} → ${dotted(extended)}`).waitFor()

    await infoHead.reload()
    await infoHead.getByRole('heading', { level: 1, name: `Доручення: ${A2}` }).waitFor()
    await infoHead.getByRole('button', { name: 'Звітувати про виконання' }).click()
    const infoReport = infoHead.getByRole('form', { name: 'Звіт про виконання' })
    await infoReport.getByLabel('Що зроблено').fill('Кампанію підготовлено: 6 публікацій і 2 відеоролики.')
    await infoReport.getByRole('button', { name: 'Надіслати звіт на перевірку' }).click()
    await infoHead.getByText('Звіт надіслано контролерові на перевірку.').waitFor()

    // 9. The head as controller: two reports wait; she accepts the first and returns the second.
    await nav(head, 'Доручення')
    await head.getByRole('link', { name: /^2\s+Звіти чекають перевірки$/ }).click()
    const onCheck = head.getByRole('table', { name: 'Доручення: На контролі' })
    await onCheck.getByRole('link', { name: A1 }).waitFor()
    await onCheck.getByRole('link', { name: A2 }).waitFor()
    await onCheck.getByRole('link', { name: A1 }).click()
    await head.getByRole('heading', { level: 1, name: `Доручення: ${A1}` }).waitFor()
    const control = head.getByRole('form', { name: 'Перевірка звіту' })
    await control.getByText('План модернізації підготовлено', { exact: false }).waitFor()
    const [download] = await Promise.all([head.waitForEvent('download'), control.getByRole('link', { name: 'Завантажити файл План модернізації.pdf' }).click()])
    expect(download.suggestedFilename()).toBe('План модернізації.pdf')
    const got = join(dir, 'got.pdf')
    await download.saveAs(got)
    expect(readFileSync(got).equals(readFileSync(pdfPath))).toBe(true)
    // The whole tree, with each branch's state.
    await branch(head, IT_STAFF, A1_PART).getByText('Виконано', { exact: true }).waitFor()
    await branch(head, IT_HEAD, A1).getByText('На перевірці', { exact: true }).first().waitFor()
    await shot(head, '04-control')
    await control.getByRole('button', { name: 'Прийняти і зняти з контролю' }).click()
    await head.getByText('Виконання прийнято, доручення знято з контролю.').waitFor()
    await expect(statusOf(head)).resolves.toBe('Виконано')
    await expect(head.getByRole('form', { name: 'Перевірка звіту' }).count()).resolves.toBe(0)

    await open(head, A2)
    const control2 = head.getByRole('form', { name: 'Перевірка звіту' })
    await control2.getByRole('button', { name: 'Повернути на доопрацювання' }).click()
    await control2.getByText('Напишіть, що саме доопрацювати.').waitFor()
    await expect(head.evaluate(() => document.activeElement?.id)).resolves.toBe('asg-ctl-comment')
    await control2.getByLabel('Коментар контролера').fill(RETURN_COMMENT)
    await control2.getByRole('button', { name: 'Повернути на доопрацювання' }).click()
    await head.getByText('Звіт повернуто на доопрацювання.').waitFor()
    await expect(statusOf(head)).resolves.toBe('У роботі')
    const history = region(head, 'Хід виконання')
    await history.getByText('Повернуто на доопрацювання').waitFor()
    await history.getByText(RETURN_COMMENT).waitFor()
    await shot(head, '05-returned')

    // The executor sees why.
    await infoHead.reload()
    await infoHead.getByText(`${HEAD} повернув(ла) звіт на доопрацювання:`).waitFor()
    await region(infoHead, 'Дії').getByText(RETURN_COMMENT).waitFor()

    // 10. «Звіти»: the discipline report for the period, per person (a co-executor is not an executor of record).
    await nav(head, 'Звіти')
    await head.getByRole('heading', { level: 1, name: 'Звіти' }).waitFor()
    const params = head.getByRole('form', { name: 'Параметри звіту' })
    await params.getByLabel('Довільні дати').check()
    await params.getByLabel('З дати').fill(periodFrom)
    await params.getByLabel('По дату (включно)').fill(today)
    await params.getByRole('button', { name: 'Сформувати звіт' }).click()
    const period = `з ${dotted(periodFrom)} по ${dotted(today)}`
    await head.waitForURL(new RegExp(`/reports\\?from=${periodFrom}&to=${addDays(today, 1)}`))
    await head.getByText(`Звіт сформовано: ${period}.`).waitFor()
    const byPerson = head.getByRole('table', { name: `Виконавська дисципліна за виконавцями, ${period}` })
    await byPerson.waitFor()
    const cols = (await byPerson.locator('thead th').allInnerTexts()).map((c) => c.trim())
    expect(cols).toEqual(['Виконавець', 'Підрозділ', 'Видано', 'Виконано вчасно', 'Виконано із запізненням', 'Прострочено', 'На виконанні', 'Продовжено строк', 'Скасовано', 'Вчасно, %'])
    /** A person's figures from Видано to Скасовано, as shown. */
    const figures = async (name: string) => (await byPerson.getByRole('row', { name, exact: true }).getByRole('cell').allInnerTexts()).slice(1, 8).map((c) => c.trim())
    //                               Видано, вчасно, із запізн., простроч., на викон., продовж., скасов.
    expect(await figures(IT_HEAD)).toEqual(['1', '1', '0', '0', '0', '0', '0'])
    expect(await figures(IT_STAFF)).toEqual(['1', '1', '0', '0', '0', '0', '0'])
    expect(await figures(INFO_HEAD)).toEqual(['1', '0', '0', '0', '1', '1', '0'])
    await expect(byPerson.getByRole('row', { name: PUBLIC_HEAD }).count()).resolves.toBe(0)
    const total = (await byPerson.getByRole('row', { name: 'Разом', exact: true }).getByRole('cell').allInnerTexts()).map((c) => c.trim())
    expect(total.slice(1, 8)).toEqual(['3', '2', '0', '0', '1', '1', '0'])
    await shot(head, '07-report', byPerson)

    const unexpected = problems.filter((p) => !expectedHttpErrors.some((re) => /Failed to load resource/.test(p) && re.test(p)))
    expect(unexpected, 'console errors, page errors or CSP violations').toEqual([])
  })

  it('issues a resolution on a registered document, the term counted from its receipt; a draft is not offered', { timeout: 180_000 }, async () => {
    const stamp = Date.now()
    const letter = `Лист ДП «Дія» щодо підключення ЦНАП ${stamp}`
    const draft = `Про порядок чергування в ЦНАП ${stamp}`
    // An incoming letter registered two days ago (as the registration module does), and a draft.
    const author = await w.as('head.digital')
    const created = await author.post('/api/documents', { kind: 'letter', title: letter, authorUnitId: author.session!.positions[0]!.unitId, accessMark: 'public' })
    expect(created.statusCode, created.body).toBe(201)
    const letterId = created.json().id as string
    const registeredAt = new Date(Date.now() - 2 * 86_400_000)
    const prisma = w.t.db.prisma
    await prisma.$transaction(async (tx) => {
      await registerDocument(tx, { userId: author.session!.user.id, ip: null }, { documentId: letterId, at: registeredAt })
      await tx.document.update({ where: { id: letterId }, data: { status: 'registered' } })
    })
    const { id: draftId } = await draftWithVersion(author, { title: draft })

    const head = await signIn('head.digital')
    // A draft given beforehand (e.g. from its page) is not taken.
    await head.goto(`${base}/assignments?new=1&document=${draftId}`)
    const form = head.getByRole('form', { name: 'Нове доручення' })
    await form.getByText(`Документ «${draft}» ще не зареєстровано: резолюцію на нього накласти не можна.`, { exact: false }).waitFor()

    const text = 'Забезпечити підключення ЦНАП до порталу «Дія»'
    // Markup is stopped before it is sent; '<' as a sign is not markup.
    await form.getByLabel('Текст доручення').fill(`${text} <b>терміново</b>`)
    await choose(form.getByLabel('Відповідальний виконавець'), IT_HEAD)
    await form.getByRole('button', { name: 'Видати доручення' }).click()
    await form.getByText('Розмітку в тексті не приймаємо', { exact: false }).waitFor()
    await form.getByLabel('Текст доручення').fill(`${text}\nЧас простою — < 1 год.`)
    await expect(form.getByText('Розмітку в тексті не приймаємо', { exact: false }).count()).resolves.toBe(0)

    // Without a document, the term cannot count from its signing or receipt.
    const from = form.getByLabel('Рахувати від')
    await expect(from.locator('option[value="receipt"]').isDisabled()).resolves.toBe(true)
    // Only registered documents are found.
    const search = form.getByLabel('Пошук документа за назвою')
    await search.fill(`чергування в ЦНАП ${stamp}`)
    await form.getByText('Зареєстрованих документів за цим запитом не знайдено.').waitFor()
    await search.fill(`Дія» щодо підключення ЦНАП ${stamp}`)
    await form.getByRole('list', { name: 'Знайдені документи' }).getByRole('button', { name: letter }).click()
    await form.getByRole('link', { name: letter }).waitFor()
    await form.getByLabel('Кількість календарних днів').fill('5')
    await from.selectOption('receipt')
    await form.getByText('5 календарних днів від дати надходження документа', { exact: false }).waitFor()
    await form.getByRole('button', { name: 'Видати доручення' }).click()
    await head.getByText('Доручення видано. Виконавці отримали сповіщення.').waitFor()
    const about = region(head, 'Відомості')
    await about.getByRole('link', { name: new RegExp(letter) }).waitFor()
    // Five calendar days from the day it came in; a day off moves back to the working day before.
    const received = addDays(kyivToday(), -2)
    let due = addDays(received, 5)
    while (weekday(due) === 0 || weekday(due) === 6) due = addDays(due, -1)
    await about.getByText(dotted(due), { exact: true }).waitFor()
    await about.getByText(`5 календарних днів від ${dotted(received)}`).waitFor()
    await shot(head, '06-on-document')

    // The registered letter's page offers the next resolution, the letter already chosen.
    await head.goto(`${base}/documents/${letterId}`)
    await head.getByRole('link', { name: 'Накласти резолюцію (доручення за документом)' }).click()
    await head.getByRole('form', { name: 'Нове доручення' }).getByRole('link', { name: letter }).waitFor()

    // The executor sees it waiting on «Сьогодні», and finds it with the document named in the list.
    const itHead = await signIn('head.it')
    await itHead.getByRole('region', { name: 'Доручення' }).getByRole('link', { name: /^\d+ До виконання$/ }).waitFor()
    await nav(itHead, 'Доручення')
    const row = itHead.getByRole('row', { name: new RegExp(text) })
    await row.getByText('За документом', { exact: false }).waitFor()
    await row.getByRole('link', { name: new RegExp(letter) }).waitFor()

    const unexpected = problems.filter((p) => !expectedHttpErrors.some((re) => /Failed to load resource/.test(p) && re.test(p)))
    expect(unexpected, 'console errors, page errors or CSP violations').toEqual([])
  })
})
