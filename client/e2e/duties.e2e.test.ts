// The suite's provided values (databaseUrl, s3, clusterUrl) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { mkdirSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core'
import { approvalWorld, type World } from '../../server/approvals/testkit.ts'
import { DEMO_PASSWORD } from '../../server/seed/org.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * The distribution of duties in a real browser: the head of the Directorate opens «Розподіл
 * обовʼязків», sees a duty of the regulation that nobody has (flagged in words), gives it to a
 * position with a substitute (the flag goes), adds a duty in free text without a substitute
 * (flagged «без заміщення»), names its substitute (the flag goes), then drafts the position's job
 * description: its tasks are exactly the distributed duties, and its general provisions say who
 * stands in. Finally a duty is taken off the position. Keyboard: the dialogs take the focus,
 * Escape closes them and the focus comes back.
 * Needs the built client and Chromium. E2E_SCREENSHOTS=<dir> keeps screenshots.
 */

const SHOTS = process.env.E2E_SCREENSHOTS
const POSITION = 'Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації'
const SUBSTITUTE = 'Головний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації'
const IT_UNIT = 'Відділ інформаційних технологій, аналізу та цифрової трансформації'
const DUTY = 'Здійснює заходи щодо розвитку електронного урядування у межах територіальної громади.'
const FREE = 'Адмініструє систему електронного документообігу «Hromada EDMS»'

describe('duty distribution in the browser', () => {
  let w: World
  let browser: Browser | undefined
  let base: string
  const problems: string[] = []

  beforeAll(async () => {
    const executablePath = chromiumPath()
    w = await approvalWorld()
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
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `duties-${name}.png`), fullPage: true })
  }
  const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '')
  const summary = (page: Page, label: string) => page.locator('.summary div').filter({ hasText: label }).locator('dd')

  it('flags a duty nobody has, gives it to a position with a substitute, and the draft job description takes it', { timeout: 300_000 }, async () => {
    // 1. The head of the Directorate opens the page from the navigation.
    const head = await signIn('head.digital')
    await head.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Розподіл обовʼязків' }).click()
    await head.waitForURL(`${base}/duties`)
    await head.getByRole('heading', { level: 1, name: 'Розподіл обовʼязків' }).waitFor()
    await head.getByRole('heading', { name: 'Підсумок: Управління цифровізації, інформаційної політики та комунікацій' }).waitFor()
    await expect(summary(head, 'Не розподілено').textContent()).resolves.toBe('76')

    // 2. The uncovered duty is flagged in words, in the «Не розподілено» table.
    const unassigned = head.getByRole('table', { name: 'Нерозподілені обовʼязки з Положення' })
    const row = unassigned.getByRole('row').filter({ hasText: DUTY })
    await row.getByText('пункт 4.3.1').waitFor()
    await row.getByText('не розподілено').waitFor()
    await shot(head, '01-unassigned')

    // 3. It is given to a position with a substitute, in a dialog that takes the focus.
    const assignButton = row.getByRole('button', { name: `Доручити посаді обовʼязок «${DUTY}»` })
    await assignButton.focus()
    await head.keyboard.press('Enter')
    const dialog = head.getByRole('dialog', { name: 'Доручити обовʼязок посаді' })
    await dialog.waitFor()
    await expect(activeId(head)).resolves.toBe('duty-dialog-position')
    // Escape closes it, and the focus is back on the button.
    await head.keyboard.press('Escape')
    await expect(dialog.isVisible()).resolves.toBe(false)
    await expect(head.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe('Доручити…')
    await head.keyboard.press('Enter')
    await dialog.waitFor()
    // Nothing chosen: the dialog says what is missing.
    await dialog.getByRole('button', { name: 'Доручити', exact: true }).click()
    await dialog.getByText('Оберіть посаду.').waitFor()
    await expect(activeId(head)).resolves.toBe('duty-dialog-position')
    await dialog.getByLabel('Кому доручити').selectOption({ label: `${POSITION} — Савчук Денис Олегович` })
    // The position cannot substitute itself: it is not offered.
    await expect(dialog.getByLabel('Хто заміщує').locator('option:not([disabled])', { hasText: `${POSITION} —` }).count()).resolves.toBe(0)
    await dialog.getByLabel('Хто заміщує').selectOption({ label: `${SUBSTITUTE} — Ткачук Марія Степанівна` })
    await shot(head, '02-dialog')
    await dialog.getByRole('button', { name: 'Доручити', exact: true }).click()
    await head.getByRole('status').getByText(`Обовʼязок покладено на посаду «${POSITION}».`).waitFor()
    await expect(dialog.isVisible()).resolves.toBe(false)

    // 4. The flag is gone: the duty left «Не розподілено», and stands on the position with its substitute.
    await expect(summary(head, 'Не розподілено').textContent()).resolves.toBe('75')
    await expect(row.count()).resolves.toBe(0)
    await expect(activeId(head)).resolves.toBe('duties-unassigned-heading')
    const itTable = head.getByRole('table', { name: `${IT_UNIT}: посади та їхні обовʼязки` })
    const assignedRow = itTable.getByRole('row').filter({ hasText: DUTY })
    await assignedRow.getByText(SUBSTITUTE).waitFor()
    await assignedRow.getByText('заміщення визначено').waitFor()
    await expect(assignedRow.getByText('без заміщення').count()).resolves.toBe(0)

    // 5. A duty in free text, first with markup (refused before sending), then without a substitute: flagged.
    await itTable.getByRole('button', { name: `Додати обовʼязок посаді «${POSITION}»` }).click()
    const add = head.getByRole('dialog', { name: `Новий обовʼязок посади «${POSITION}»` })
    await add.waitFor()
    await add.getByLabel('Довільний текст').check()
    await add.getByLabel('Текст обовʼязку').fill('Адмініструє <b>систему</b>')
    await add.getByRole('button', { name: 'Додати', exact: true }).click()
    await add.getByText('Текст не може містити символів «<» і «>».').waitFor()
    await expect(activeId(head)).resolves.toBe('duty-dialog-text')
    await add.getByLabel('Текст обовʼязку').fill(FREE)
    await add.getByRole('button', { name: 'Додати', exact: true }).click()
    await head.getByRole('status').getByText(`Обовʼязок покладено на посаду «${POSITION}».`).waitFor()
    const freeRow = itTable.getByRole('row').filter({ hasText: FREE })
    await freeRow.getByText('без заміщення').waitFor()
    await freeRow.getByText('(довільний текст)').waitFor()
    await expect(summary(head, 'Без заміщення').textContent()).resolves.toBe('1')
    await shot(head, '03-no-substitute')

    // 6. Its substitute is named: the flag goes.
    await freeRow.getByRole('button', { name: `Змінити обовʼязок «${FREE}»` }).click()
    const edit = head.getByRole('dialog', { name: 'Зміна обовʼязку' })
    await edit.getByLabel('Хто заміщує').selectOption({ label: `${SUBSTITUTE} — Ткачук Марія Степанівна` })
    await edit.getByRole('button', { name: 'Зберегти' }).click()
    await head.getByRole('status').getByText('Зміни збережено.').waitFor()
    await freeRow.getByText('заміщення визначено').waitFor()
    await expect(freeRow.getByText('без заміщення').count()).resolves.toBe(0)
    await expect(summary(head, 'Без заміщення').textContent()).resolves.toBe('0')
    // The focus came back to the button that opened the dialog.
    await expect(head.evaluate(() => document.activeElement?.getAttribute('aria-label'))).resolves.toBe(`Змінити обовʼязок «${FREE}»`)

    // 7. The «by duty» view says who performs and who substitutes.
    await head.getByLabel('За обовʼязками').check()
    await head.getByRole('button', { name: 'Показати' }).click()
    await head.waitForURL(`${base}/duties?view=duties`)
    const byDuty = head.getByRole('table', { name: /обовʼязки, виконавці та заміщення$/ })
    const dutyRow = byDuty.getByRole('row').filter({ hasText: DUTY })
    await dutyRow.getByText(POSITION).waitFor()
    await dutyRow.getByText(SUBSTITUTE).waitFor()
    await shot(head, '04-by-duty')
    await head.goBack()
    await head.waitForURL(`${base}/duties`)

    // 8. The position's job description: a new draft takes its distributed duties and who stands in.
    await itTable.getByRole('link', { name: `Посадова інструкція: ${POSITION}` }).click()
    await head.waitForURL(/\/job-descriptions\?position=[0-9a-f-]{36}$/)
    await head.getByRole('button', { name: 'Підготувати нову редакцію' }).click()
    await head.waitForURL(/\/job-descriptions\/[0-9a-f-]{36}$/)
    await head.getByRole('heading', { level: 1, name: `Посадова інструкція: ${POSITION}` }).waitFor()
    await expect(head.getByLabel('Пункт 2.1', { exact: true }).inputValue()).resolves.toBe(DUTY)
    await expect(head.getByLabel('Пункт 2.2', { exact: true }).inputValue()).resolves.toBe(FREE)
    await expect(head.getByLabel('Пункт 2.3', { exact: true }).count()).resolves.toBe(0)
    await expect(head.getByLabel('1. Загальні положення').inputValue()).resolves.toContain(
      'обовʼязки за пунктами 2.1, 2.2 виконує головний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації',
    )
    await shot(head, '05-job-description')
    const jdId = head.url().split('/').at(-1)!
    const jd = (await (await w.as('head.digital')).get(`/api/job-descriptions/${jdId}`)).json()
    expect(jd.sections.tasks[0]).toMatchObject({ text: DUTY })
    expect(jd.sections.tasks[0].dutyId).toMatch(/^[0-9a-f-]{36}$/)

    // 9. Taking the free duty off the position: confirmed in a dialog, then gone.
    await head.goto(`${base}/duties`)
    const freeAgain = head.getByRole('table', { name: `${IT_UNIT}: посади та їхні обовʼязки` }).getByRole('row').filter({ hasText: FREE })
    await freeAgain.getByRole('button', { name: `Зняти обовʼязок «${FREE}» з посади` }).click()
    const remove = head.getByRole('dialog', { name: 'Зняти обовʼязок з посади' })
    await remove.getByText(`Зняти з посади «${POSITION}» обовʼязок «${FREE}»?`, { exact: false }).waitFor()
    await expect(head.evaluate(() => document.activeElement?.textContent?.trim())).resolves.toBe('Скасувати')
    await remove.getByRole('button', { name: `Зняти обовʼязок «${FREE}» з посади` }).click()
    await head.getByRole('status').getByText(`Обовʼязок знято з посади «${POSITION}».`).waitFor()
    await freeAgain.waitFor({ state: 'detached' })
    await expect(activeId(head)).resolves.toMatch(/^duties-add-/)

    // Every change is in the audit log.
    const actions = (await w.t.db.prisma.auditEvent.findMany({ where: { targetType: 'duty_assignment' }, orderBy: { seq: 'asc' } })).map((e) => e.action)
    expect(actions).toEqual(['duty.assigned', 'duty.assigned', 'duty.updated', 'duty.removed'])

    expect(problems).toEqual([])
  })

  it('is read-only for a unit head', { timeout: 120_000 }, async () => {
    const unitHead = await signIn('head.it')
    await unitHead.getByRole('navigation', { name: 'Основна навігація' }).getByRole('link', { name: 'Розподіл обовʼязків' }).click()
    await unitHead.getByText('Ви переглядаєте розподіл обовʼязків. Змінювати його може начальник управління або адміністратор.').waitFor()
    await unitHead.getByRole('table', { name: 'Нерозподілені обовʼязки з Положення' }).waitFor()
    await expect(unitHead.getByRole('button', { name: /^Доручити|^Додати обовʼязок|^Змінити обовʼязок|^Зняти обовʼязок/ }).count()).resolves.toBe(0)
    expect(problems).toEqual([])
  })
})
