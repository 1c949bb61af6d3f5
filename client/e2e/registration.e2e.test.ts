// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core'
import { approvalWorld, type World } from '../../server/approvals/testkit.ts'
import { registerDocument } from '../../server/registration/registration.service.ts'
import { kyivYear } from '../../server/registration/index-pattern.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * «Реєстрація» in a real browser: the clerk finds a registered letter in its journal (search,
 * the link to the document), corrects its registration card on the document page, adds and
 * changes a file of the nomenclature, and opens a new journal; a staff member sees the same
 * registers read-only. Needs the built client and Chromium (see approval.e2e.test.ts).
 * Set E2E_SCREENSHOTS=<dir> to keep screenshots.
 */

const SHOTS = process.env.E2E_SCREENSHOTS
const YEAR = kyivYear(new Date())

describe('registration in the browser', () => {
  let w: World
  let browser: Browser | undefined
  let base: string
  const problems: string[] = []
  let letterId = ''
  let letterIndex = ''

  beforeAll(async () => {
    const executablePath = chromiumPath()
    w = await approvalWorld()
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(w.t.app.server.address() as AddressInfo).port}`
    if (SHOTS) mkdirSync(SHOTS, { recursive: true })

    // A letter of the IT department, registered as the signing stage registers it.
    const db = w.t.db.prisma
    const unit = await db.unit.findUniqueOrThrow({ where: { code: '02-01' } })
    const author = await db.user.findUniqueOrThrow({ where: { login: 'it.staff' } })
    const clerk = await db.user.findUniqueOrThrow({ where: { login: 'clerk' } })
    const doc = await db.document.create({
      data: { kind: 'letter', title: 'Про підключення до системи електронної взаємодії «Трембіта»', summary: 'Запит до Мінцифри щодо підключення', authorUnitId: unit.id, createdById: author.id },
    })
    letterId = doc.id
    letterIndex = (await db.$transaction((tx) => registerDocument(tx, { userId: clerk.id, ip: null }, { documentId: doc.id, at: new Date() }))).index

    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS })
  })

  afterAll(async () => {
    await browser?.close()
    await w?.close()
  })

  async function signIn(login: string): Promise<Page> {
    const ctx = await browser!.newContext({ locale: 'uk-UA', viewport: { width: 1280, height: 900 } })
    await ctx.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`))
    })
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
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })
  }

  it('lets the clerk find a registration, correct its card, keep the nomenclature and open a journal', async () => {
    const page = await signIn('clerk')
    await page.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Реєстрація' }).click()
    await page.getByRole('heading', { level: 1, name: 'Реєстрація: Журнали реєстрації' }).waitFor()

    await page.getByRole('link', { name: 'Журнал реєстрації вихідної кореспонденції' }).click()
    await page.getByRole('heading', { level: 2, name: 'Журнал реєстрації вихідної кореспонденції' }).waitFor()
    const table = page.getByRole('table', { name: `Зареєстровані документи журналу «Журнал реєстрації вихідної кореспонденції» за ${YEAR} рік` })
    await table.getByRole('rowheader', { name: letterIndex }).waitFor()
    await shot(page, 'registration-journal')

    // Search: nothing for a stranger's word, the letter for a word of its title.
    await page.getByLabel('Пошук за індексом, заголовком, змістом або кореспондентом').fill('бюджет')
    await page.getByRole('button', { name: 'Знайти' }).click()
    await page.getByText('Нічого не знайдено за запитом «бюджет».').waitFor()
    expect(page.url()).toContain('q=')
    await page.getByLabel('Пошук за індексом, заголовком, змістом або кореспондентом').fill('Трембіта')
    await page.getByRole('button', { name: 'Знайти' }).click()
    await table.getByRole('link', { name: /Трембіта/ }).click()
    await page.waitForURL(`${base}/documents/${letterId}`)

    // The registration card on the document page; the clerk corrects it.
    const card = page.getByRole('region', { name: 'Реєстраційна картка' })
    await card.getByText(`№ ${letterIndex}`).waitFor()
    await card.getByRole('button', { name: 'Редагувати картку' }).click()
    await card.getByLabel('Кореспондент').fill('Міністерство цифрової трансформації України')
    await card.getByLabel('Резолюція').fill('Бойку А. М. Опрацювати до кінця тижня')
    await card.getByLabel('Додатки').fill('на 2 арк. в 1 прим.')
    await shot(page, 'registration-card-edit')
    await card.getByRole('button', { name: 'Зберегти' }).click()
    await card.getByText('Реєстраційну картку збережено.').waitFor()
    await card.getByText('Міністерство цифрової трансформації України').waitFor()
    await card.getByText(`№ ${letterIndex}`).waitFor()
    await shot(page, 'registration-card')

    // The nomenclature of files: add a file, then change it.
    await page.goto(`${base}/registration/nomenclature`)
    await page.getByRole('heading', { level: 1, name: 'Реєстрація: Номенклатура справ' }).waitFor()
    const files = page.getByRole('table', { name: `Номенклатура справ на ${YEAR} рік` })
    await files.getByRole('rowheader', { name: '02-13' }).waitFor()
    const form = page.getByRole('form', { name: `Нова справа на ${YEAR} рік` })
    await form.getByLabel('Індекс справи').fill('02-20')
    await form.getByLabel('Заголовок справи').fill('Плани роботи управління')
    await form.getByLabel('Строк зберігання', { exact: true }).fill('1 р.')
    await form.getByLabel('Строк у роках').fill('1')
    await form.getByRole('button', { name: 'Створити' }).click()
    await page.getByText(`Справу 02-20 додано до номенклатури ${YEAR} року.`).waitFor()
    await files.getByRole('rowheader', { name: '02-20' }).waitFor()
    await files.getByRole('button', { name: /Редагувати.*02-20/ }).click()
    const edit = page.getByRole('form', { name: 'Змінити справу 02-20' })
    await edit.getByLabel('Строк зберігання', { exact: true }).fill('3 р.')
    await edit.getByLabel('Строк у роках').fill('3')
    await edit.getByRole('button', { name: 'Зберегти' }).click()
    await page.getByText('Справу 02-20 збережено.').waitFor()
    await files.getByRole('row', { name: /02-20/ }).getByText('3 р.').waitFor()
    // A duplicate index is refused with the server's reason.
    await form.getByLabel('Індекс справи').fill('02-20')
    await form.getByLabel('Заголовок справи').fill('Ще одна справа')
    await form.getByLabel('Строк зберігання', { exact: true }).fill('1 р.')
    await form.getByRole('button', { name: 'Створити' }).click()
    await form.getByText('Справа з таким індексом у номенклатурі цього року вже є.').waitFor()
    await shot(page, 'registration-nomenclature')

    // A new journal, validated before it is sent.
    await page.getByRole('link', { name: 'Журнали реєстрації' }).click()
    await page.getByRole('button', { name: 'Новий журнал' }).click()
    const jf = page.getByRole('form', { name: 'Новий журнал' })
    await jf.getByLabel('Назва журналу').fill('Журнал реєстрації положень')
    await jf.getByLabel('Положення').check()
    await jf.getByLabel('Шаблон реєстраційного індексу').fill('{seq}/{dept}')
    await jf.getByRole('button', { name: 'Створити' }).click()
    await jf.getByText('Шаблон має містити {seq} один раз').waitFor()
    await jf.getByLabel('Шаблон реєстраційного індексу').fill('{seq}/{unit}')
    await jf.getByLabel('Справа за номенклатурою').fill('02-05')
    await jf.getByText('Приклад індексу: 865/02-01').waitFor()
    await jf.getByRole('button', { name: 'Створити' }).click()
    await page.getByText('Журнал «Журнал реєстрації положень» створено.').waitFor()
    await page.getByRole('heading', { level: 2, name: 'Журнал реєстрації положень' }).waitFor()
    await page.getByText(`За ${YEAR} рік у цьому журналі немає зареєстрованих документів, які ви можете бачити.`).waitFor()
    await shot(page, 'registration-new-journal')
  })

  it('shows staff the registers and the card read-only', async () => {
    const page = await signIn('it.staff')
    await page.goto(`${base}/registration`)
    await page.getByText('Перегляд: вести журнали реєстрації та номенклатуру справ можуть діловоди.').waitFor()
    await expect(page.getByRole('button', { name: 'Новий журнал' }).count()).resolves.toBe(0)
    await page.goto(`${base}/documents/${letterId}`)
    const card = page.getByRole('region', { name: 'Реєстраційна картка' })
    await card.getByText(`№ ${letterIndex}`).waitFor()
    await expect(card.getByRole('button', { name: 'Редагувати картку' }).count()).resolves.toBe(0)
    await page.goto(`${base}/registration/nomenclature`)
    await page.getByRole('table', { name: `Номенклатура справ на ${YEAR} рік` }).waitFor()
    await expect(page.getByRole('button', { name: /^Редагувати/ }).count()).resolves.toBe(0)
  })

  it('left no console errors or CSP violations', () => {
    // The duplicate index above is a 409 on purpose; Chromium logs every failed request.
    expect(problems.filter((p) => !/409 \(Conflict\)/.test(p))).toEqual([])
  })
})
