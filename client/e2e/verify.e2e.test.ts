// The suite's provided values (databaseUrl, s3) are typed by the global setup's declaration.
/// <reference path="../../server/testing/global-setup.ts" />
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type BrowserContext } from 'playwright-core'
import { testApp, type TestApp } from '../../server/testing/harness.ts'
import { testPki } from '../../server/testing/pki.ts'
import { appendContentChange, samplePdf, signWith } from '../../server/testing/pdf-fixtures.ts'
import { CHROMIUM_ARGS, chromiumPath } from './browser.ts'

/**
 * The public verification page in a real browser, without signing in: a signed PDF shows
 * its signer, integrity and trust in words; a PDF changed after signing says so.
 */

describe('public signature verification in the browser', () => {
  let t: TestApp
  let context: BrowserContext | undefined
  let base: string
  let dir: string
  const problems: string[] = []
  let signedPath: string
  let modifiedPath: string

  beforeAll(async () => {
    const executablePath = chromiumPath()
    t = await testApp()
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`
    dir = mkdtempSync(join(tmpdir(), 'hromada-e2e-verify-'))
    const pki = await testPki()
    const signed = await signWith(await samplePdf(), pki.signers.cyrillicRsa)
    signedPath = join(dir, 'підписаний.pdf')
    modifiedPath = join(dir, 'змінений.pdf')
    writeFileSync(signedPath, signed)
    writeFileSync(modifiedPath, appendContentChange(signed))
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath,
      locale: 'uk-UA',
      viewport: { width: 1280, height: 900 },
      args: CHROMIUM_ARGS,
    })
  })

  afterAll(async () => {
    await context?.close()
    await t?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('checks a signed PDF without login, and shows a later change', async () => {
    const page = await context!.newPage()
    page.setDefaultTimeout(40_000)
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text())
    })
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`))

    // The login page links to the public check.
    await page.goto(`${base}/login`)
    await page.getByRole('link', { name: 'Перевірити підписаний документ без входу' }).click()
    await page.waitForURL(/\/verify$/)
    await expect(page.getByRole('heading', { level: 1, name: 'Перевірка електронних підписів' }).isVisible()).resolves.toBe(true)

    await page.getByLabel('PDF-документ').setInputFiles(signedPath)
    await page.getByRole('button', { name: 'Перевірити' }).click()
    const card = page.getByRole('article')
    await card.first().waitFor()
    const text = await page.locator('main').innerText()
    expect(text).toContain('Підпис 1: Коваленко Віктор Богданович')
    expect(text).toContain('Підпис дійсний: підписані дані не змінено')
    expect(text).toContain('Після цього підпису документ не змінювався')
    expect(text).toContain('Не довірений')
    expect(text).toContain('Заявлений підписувачем (не підтверджений)')
    expect(text).toContain('B-B — базовий підпис')
    if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: join(process.env.E2E_SCREENSHOTS, 'verify.png'), fullPage: true })

    await page.getByLabel('PDF-документ').setInputFiles(modifiedPath)
    await page.getByRole('button', { name: 'Перевірити' }).click()
    await page.getByText('Увага: документ змінено після останнього підпису.').waitFor()
    expect(await page.locator('main').innerText()).toContain('Після цього підпису документ змінено')

    // A hash nobody stored: a clear message, no crash.
    await page.getByLabel('Геш SHA-256 документа').check()
    await page.getByLabel('SHA-256 (64 шістнадцяткові символи)').fill('ab'.repeat(32))
    await page.getByRole('button', { name: 'Перевірити' }).click()
    await page.locator('.alert-error').waitFor()
    expect(problems.filter((p) => !/404|Failed to load resource/.test(p))).toEqual([])
  }, 150_000)
})
