import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makePerson, makeUnit } from '../testing/factories.ts'
import { testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { docxParagraphs, pagedPdf } from '../testing/text-factories.ts'
import type { DiffHunkOut, VersionDiffOut, VersionTextOut } from './text.schemas.ts'

describe('version text and diff API', () => {
  let t: TestApp
  let author: ApiClient
  let colleague: ApiClient
  let outsider: ApiClient
  let unitId: string
  let internalDoc: string

  const v1 = ['Проєкт рішення', 'Про бюджет громади на 2025 рік', 'Доручити відділу освіти підготувати звіт', 'Міський голова']
  const v2 = ['Проєкт рішення', 'Про бюджет громади на 2026 рік', 'Доручити відділу освіти та культури підготувати звіт', 'Міський голова']

  const newDoc = async (accessMark: 'public' | 'internal') =>
    (await author.post('/api/documents', { kind: 'council_decision_draft', title: 'Про бюджет', authorUnitId: unitId, accessMark })).json().id as string
  const upload = async (docId: string, bytes: Buffer, name: string) => {
    const res = await author.post(`/api/documents/${docId}/versions?name=${encodeURIComponent(name)}`, bytes, { headers: { 'content-type': 'application/octet-stream' } })
    expect(res.statusCode).toBe(201)
    return res.json() as { number: number; sha256: string }
  }
  const problem = (res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) => {
    expect(res.statusCode).toBe(status)
    expect(String(res.headers['content-type'])).toContain('application/problem+json')
    expect(res.json()).toMatchObject({ status, code })
  }
  const changed = (hunks: DiffHunkOut[]) => hunks.filter((h) => h.kind !== 'same').map((h) => `${h.kind === 'added' ? '+' : '-'}${h.text}`)

  beforeAll(async () => {
    t = await testApp()
    unitId = (await makeUnit(t.db.prisma)).id
    author = await t.login((await makePerson(t.db.prisma, { unitId })).login)
    colleague = await t.login((await makePerson(t.db.prisma, { unitId })).login)
    outsider = await t.login((await makePerson(t.db.prisma)).login)
    internalDoc = await newDoc('internal')
    await upload(internalDoc, docxParagraphs(v1), 'рішення.docx')
    await upload(internalDoc, docxParagraphs(v2), 'рішення.docx')
  })
  afterAll(() => t.close())

  it("gives a version's text with its number and sha256", async () => {
    const res = await colleague.get(`/api/documents/${internalDoc}/versions/1/text`)
    expect(res.statusCode).toBe(200)
    const body = res.json() as VersionTextOut
    expect(body).toEqual({ number: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), text: v1.join('\n'), error: null })
  })

  it('shows the changed words between two versions', async () => {
    const res = await colleague.get(`/api/documents/${internalDoc}/diff?from=1&to=2`)
    expect(res.statusCode).toBe(200)
    const d = res.json() as VersionDiffOut
    expect(d.from.number).toBe(1)
    expect(d.to.number).toBe(2)
    expect(d.from.sha256).not.toBe(d.to.sha256)
    expect(changed(d.hunks)).toEqual(['-2025', '+2026', '+та культури '])
    expect(d.stats).toMatchObject({ added: 3, removed: 1 })
    expect(d).toMatchObject({ truncated: false, error: null })
    // Backwards works too: what 1 has that 2 lacks.
    const back = (await colleague.get(`/api/documents/${internalDoc}/diff?from=2&to=1`)).json() as VersionDiffOut
    expect(changed(back.hunks)).toEqual(['-2026', '+2025', '-та культури '])
  })

  it('gives page numbers for PDFs', async () => {
    const doc = await newDoc('public')
    await upload(doc, pagedPdf([['Section one', 'Budget 2025'], ['Section two', 'Signed']]), 'a.pdf')
    await upload(doc, pagedPdf([['Section one', 'Budget 2025'], ['Section two', 'Signed by the mayor']]), 'a.pdf')
    const d = (await outsider.get(`/api/documents/${doc}/diff?from=1&to=2`)).json() as VersionDiffOut
    expect(d.hunks.filter((h) => h.kind === 'added')).toEqual([{ kind: 'added', text: ' by the mayor', newPage: 2 }])
  })

  it('answers a diff against an unreadable version with an error, not a failure', async () => {
    const doc = await newDoc('public')
    await upload(doc, docxParagraphs(['Читабельна версія']), 'a.docx')
    await upload(doc, Buffer.from(`%PDF-1.7\nзламаний ${Date.now()}\n`), 'b.pdf')
    const res = await author.get(`/api/documents/${doc}/diff?from=1&to=2`)
    expect(res.statusCode).toBe(200)
    const d = res.json() as VersionDiffOut
    expect(d.hunks).toEqual([])
    expect(d.error).toMatch(/^версія №2: файл пошкоджений/)
    const text = (await author.get(`/api/documents/${doc}/versions/2/text`)).json() as VersionTextOut
    expect(text).toMatchObject({ number: 2, text: '', error: expect.stringMatching(/пошкоджений/) })
  })

  it("hides an internal document's text and diff from another unit, exactly like a missing document", async () => {
    problem(await outsider.get(`/api/documents/${internalDoc}/versions/1/text`), 404, 'DOCUMENT_NOT_FOUND')
    problem(await outsider.get(`/api/documents/${internalDoc}/diff?from=1&to=2`), 404, 'DOCUMENT_NOT_FOUND')
    problem(await outsider.get(`/api/documents/00000000-0000-4000-8000-000000000000/diff?from=1&to=2`), 404, 'DOCUMENT_NOT_FOUND')
  })

  it('requires a session', async () => {
    problem(await t.anonymous().get(`/api/documents/${internalDoc}/versions/1/text`), 401, 'UNAUTHENTICATED')
    problem(await t.anonymous().get(`/api/documents/${internalDoc}/diff?from=1&to=2`), 401, 'UNAUTHENTICATED')
  })

  it('refuses comparing a version with itself', async () => {
    const res = await author.get(`/api/documents/${internalDoc}/diff?from=2&to=2`)
    problem(res, 400, 'SAME_VERSION')
  })

  it.each([
    ['a non-number', 'from=abc&to=2'],
    ['a fraction', 'from=1.5&to=2'],
    ['zero', 'from=0&to=2'],
    ['a missing bound', 'from=1'],
    ['an unknown parameter', 'from=1&to=2&mode=chars'],
  ])('refuses %s in the query with 400 VALIDATION_FAILED', async (_n, query) => {
    problem(await author.get(`/api/documents/${internalDoc}/diff?${query}`), 400, 'VALIDATION_FAILED')
  })

  it('refuses malformed ids and version numbers in the path', async () => {
    problem(await author.get('/api/documents/not-a-uuid/diff?from=1&to=2'), 400, 'VALIDATION_FAILED')
    problem(await author.get(`/api/documents/${internalDoc}/versions/x/text`), 400, 'VALIDATION_FAILED')
  })

  it('answers 404 VERSION_NOT_FOUND for versions the document does not have', async () => {
    problem(await author.get(`/api/documents/${internalDoc}/diff?from=1&to=9`), 404, 'VERSION_NOT_FOUND')
    problem(await author.get(`/api/documents/${internalDoc}/diff?from=7&to=1`), 404, 'VERSION_NOT_FOUND')
    problem(await author.get(`/api/documents/${internalDoc}/versions/3/text`), 404, 'VERSION_NOT_FOUND')
  })
})
