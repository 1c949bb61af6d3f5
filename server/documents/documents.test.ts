import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson, makeUnit } from '../testing/factories.ts'

let t: TestApp
let author: ApiClient
let colleague: ApiClient
let outsider: ApiClient
let clerk: ApiClient
let unitId: string

beforeAll(async () => {
  t = await testApp()
  const unit = await makeUnit(t.db.prisma)
  unitId = unit.id
  const a = await makePerson(t.db.prisma, { unitId, fullName: 'Автор Тест Тестович' })
  const c = await makePerson(t.db.prisma, { unitId })
  const o = await makePerson(t.db.prisma)
  const k = await makePerson(t.db.prisma, { roles: ['clerk'] })
  author = await t.login(a.login)
  colleague = await t.login(c.login)
  outsider = await t.login(o.login)
  clerk = await t.login(k.login)
})
afterAll(() => t.close())

// Scoped to this file's people and unit: other test files write to the same database at the same time.
const counts = async () => ({
  docs: await t.db.prisma.document.count({ where: { authorUnitId: unitId } }),
  audit: await t.db.prisma.auditEvent.count({ where: { actorId: { in: [author, outsider].map((c) => c.session!.user.id) } } }),
})

describe('documents', () => {
  it('creates a document with an audit event and shows it in the list', async () => {
    const res = await author.post('/api/documents', { kind: 'council_decision_draft', title: 'Про цифрову трансформацію громади', summary: 'Проєкт програми', authorUnitId: unitId })
    expect(res.statusCode).toBe(201)
    const doc = res.json()
    expect(doc).toMatchObject({ kind: 'council_decision_draft', status: 'draft', accessMark: 'public', versionCount: 0, latestVersion: null, canEdit: true })
    expect(doc.createdBy.fullName).toBe('Автор Тест Тестович')
    const events = await t.db.prisma.auditEvent.findMany({ where: { targetId: doc.id } })
    expect(events.map((e) => e.action)).toEqual(['document.created'])
    expect(events[0]!.actorId).toBe(author.session!.user.id)

    const list = await author.get(`/api/documents?authorUnitId=${unitId}&q=${encodeURIComponent('цифрову')}`)
    expect(list.statusCode).toBe(200)
    expect(list.json().items.map((d: { id: string }) => d.id)).toContain(doc.id)
  })

  it('refuses to create a document for a unit the person does not belong to', async () => {
    const before = await counts()
    const res = await outsider.post('/api/documents', { kind: 'letter', title: 'Чужий підрозділ', authorUnitId: unitId })
    expect(res.statusCode).toBe(403)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().code).toBe('FORBIDDEN')
    expect(await counts()).toEqual(before)
  })

  it.each([
    ['HTML in the title', { kind: 'letter', title: '<script>alert(1)</script>' }],
    ['an unknown kind', { kind: 'memo', title: 'x' }],
    ['a blank title', { kind: 'letter', title: '   ' }],
    ['an unknown field', { kind: 'letter', title: 'x', status: 'signed' }],
    ['a title that is too long', { kind: 'letter', title: 'я'.repeat(501) }],
    ['a wrong type', { kind: 'letter', title: 42 }],
  ])('answers 400 for %s and changes nothing', async (_name, body) => {
    const before = await counts()
    const res = await author.post('/api/documents', { authorUnitId: unitId, ...body })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().code).toBe('VALIDATION_FAILED')
    expect(res.json().errors.length).toBeGreaterThan(0)
    expect(await counts()).toEqual(before)
  })

  it('answers malformed JSON with MALFORMED_JSON', async () => {
    const before = await counts()
    const res = await author.post('/api/documents', '{"kind": "letter",', { headers: { 'content-type': 'application/json' } })
    expect(res.statusCode).toBe(400)
    expect(res.json().code).toBe('MALFORMED_JSON')
    expect(await counts()).toEqual(before)
  })

  it('answers a non-JSON content type with UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await author.post('/api/documents', 'kind=letter', { headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    expect(res.statusCode).toBe(415)
    expect(res.json().code).toBe('UNSUPPORTED_MEDIA_TYPE')
  })

  it('hides restricted documents from other units but not from clerks', async () => {
    const doc = (await author.post('/api/documents', { kind: 'letter', title: 'Службовий лист', authorUnitId: unitId, accessMark: 'internal' })).json()
    expect((await colleague.get(`/api/documents/${doc.id}`)).statusCode).toBe(200)
    expect((await clerk.get(`/api/documents/${doc.id}`)).statusCode).toBe(200)
    const hidden = await outsider.get(`/api/documents/${doc.id}`)
    expect(hidden.statusCode).toBe(404)
    expect(hidden.json().code).toBe('DOCUMENT_NOT_FOUND')
    const list = (await outsider.get(`/api/documents?authorUnitId=${unitId}&limit=200`)).json()
    expect(list.items.map((d: { id: string }) => d.id)).not.toContain(doc.id)
    expect((await outsider.get(`/api/documents/${doc.id}/history`)).statusCode).toBe(404)
  })

  it('lets the author edit a draft, records before/after, and refuses outsiders', async () => {
    const doc = (await author.post('/api/documents', { kind: 'regulation', title: 'Положення про відділ', authorUnitId: unitId })).json()
    const res = await colleague.patch(`/api/documents/${doc.id}`, { title: 'Положення про відділ (нова редакція)' })
    expect(res.statusCode).toBe(200)
    expect(res.json().title).toBe('Положення про відділ (нова редакція)')
    const event = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { targetId: doc.id, action: 'document.updated' } })
    expect(event.before).toMatchObject({ title: 'Положення про відділ' })
    expect(event.after).toMatchObject({ title: 'Положення про відділ (нова редакція)' })

    const refused = await outsider.patch(`/api/documents/${doc.id}`, { title: 'Захоплено' })
    expect(refused.statusCode).toBe(403)
    const after = await t.db.prisma.document.findUniqueOrThrow({ where: { id: doc.id } })
    expect(after.title).toBe('Положення про відділ (нова редакція)')
    const history = (await author.get(`/api/documents/${doc.id}/history`)).json()
    expect(history.map((e: { action: string }) => e.action)).toEqual(['document.updated', 'document.created'])
  })

  it('pages, sorts and filters the list with a total', async () => {
    const unit = await makeUnit(t.db.prisma)
    const p = await makePerson(t.db.prisma, { unitId: unit.id })
    const c = await t.login(p.login)
    for (let i = 1; i <= 7; i++) {
      expect((await c.post('/api/documents', { kind: i % 2 ? 'letter' : 'mayor_order', title: `Документ ${i}`, authorUnitId: unit.id })).statusCode).toBe(201)
    }
    const page1 = (await c.get(`/api/documents?authorUnitId=${unit.id}&limit=3&sort=title`)).json()
    expect(page1.total).toBe(7)
    expect(page1.items.map((d: { title: string }) => d.title)).toEqual(['Документ 1', 'Документ 2', 'Документ 3'])
    const page3 = (await c.get(`/api/documents?authorUnitId=${unit.id}&limit=3&offset=6&sort=title`)).json()
    expect(page3.items.map((d: { title: string }) => d.title)).toEqual(['Документ 7'])
    const past = (await c.get(`/api/documents?authorUnitId=${unit.id}&limit=3&offset=30`)).json()
    expect(past).toMatchObject({ items: [], total: 7 })
    const orders = (await c.get(`/api/documents?authorUnitId=${unit.id}&kind=mayor_order`)).json()
    expect(orders.total).toBe(3)
    const mine = (await c.get('/api/documents?mine=true&limit=200')).json()
    expect(mine.total).toBe(7)
    expect((await c.get('/api/documents?limit=0')).statusCode).toBe(400)
    expect((await c.get('/api/documents?sort=drop')).json().code).toBe('VALIDATION_FAILED')
  })

  it('treats search wildcards literally', async () => {
    const unit = await makeUnit(t.db.prisma)
    const p = await makePerson(t.db.prisma, { unitId: unit.id })
    const c = await t.login(p.login)
    await c.post('/api/documents', { kind: 'letter', title: 'Знижка 100% для пільговиків', authorUnitId: unit.id })
    await c.post('/api/documents', { kind: 'letter', title: 'Звичайний лист', authorUnitId: unit.id })
    const res = (await c.get(`/api/documents?authorUnitId=${unit.id}&q=${encodeURIComponent('%')}`)).json()
    expect(res.items.map((d: { title: string }) => d.title)).toEqual(['Знижка 100% для пільговиків'])
  })

  it('refuses anonymous requests', async () => {
    const res = await t.anonymous().get('/api/documents')
    expect(res.statusCode).toBe(401)
    expect(res.json().code).toBe('UNAUTHENTICATED')
  })
})
