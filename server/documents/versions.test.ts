import { createHash } from 'node:crypto'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson, makeUnit, tinyDocx, tinyOdt, tinyPdf } from '../testing/factories.ts'
import { sweepOrphans } from './orphans.ts'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe.each(['s3', 'disk'] as const)('versions on the %s store', (storage) => {
  let t: TestApp
  let author: ApiClient
  let outsider: ApiClient
  let unitId: string
  const MAX = 64 * 1024

  beforeAll(async () => {
    t = await testApp({ storage, env: { UPLOAD_MAX_BYTES: String(MAX) } })
    unitId = (await makeUnit(t.db.prisma)).id
    author = await t.login((await makePerson(t.db.prisma, { unitId })).login)
    outsider = await t.login((await makePerson(t.db.prisma)).login)
  })
  afterAll(() => t.close())

  const newDoc = async () => (await author.post('/api/documents', { kind: 'council_decision_draft', title: 'Проєкт рішення', authorUnitId: unitId })).json().id as string
  const upload = (c: ApiClient, id: string, body: Buffer | string, name = 'проєкт.pdf', type = 'application/pdf') =>
    c.post(`/api/documents/${id}/versions?name=${encodeURIComponent(name)}`, body, { headers: { 'content-type': type } })
  const objects = async (prefix: string) => {
    const keys: string[] = []
    for await (const o of t.store.list(prefix)) keys.push(o.key)
    return keys
  }
  const snapshot = async (docId: string) => ({
    versions: await t.db.prisma.version.count({ where: { documentId: docId } }),
    doc: await t.db.prisma.document.findUniqueOrThrow({ where: { id: docId }, select: { versionCount: true, updatedAt: true } }),
    audit: await t.db.prisma.auditEvent.count({ where: { targetId: docId } }),
    blobs: (await objects('sha256/')).length,
    temp: (await objects('tmp/')).length,
  })

  it.each([
    ['PDF', tinyPdf('PDF version'), 'рішення.pdf', 'application/pdf', 'рішення.pdf'],
    ['DOCX', tinyDocx(), 'рішення.docx', 'application/octet-stream', 'рішення.docx'],
    ['ODT', tinyOdt(), 'рішення.odt', 'application/octet-stream', 'рішення.odt'],
    ['a PDF named .docx', tinyPdf('misnamed'), 'рішення.docx', 'application/octet-stream', 'рішення.pdf'],
  ])('stores %s by content, addressed by its sha256', async (_n, bytes, name, type, storedName) => {
    const id = await newDoc()
    const res = await upload(author, id, bytes, name, type)
    expect(res.statusCode).toBe(201)
    const v = res.json()
    expect(v).toMatchObject({ number: 1, sha256: sha(bytes), size: bytes.length, fileName: storedName })
    expect(await t.store.head(`sha256/${v.sha256.slice(0, 2)}/${v.sha256}`)).not.toBeNull()
    const got = await author.get(`/api/documents/${id}/versions/1/content`)
    expect(got.statusCode).toBe(200)
    expect(got.rawPayload.equals(bytes)).toBe(true)
    expect(got.headers.etag).toBe(`"${sha(bytes)}"`)
    const event = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { targetId: id, action: 'version.uploaded' } })
    expect(event.after).toMatchObject({ sha256: sha(bytes), number: 1 })
  })

  it('numbers versions densely even when uploads race', async () => {
    const id = await newDoc()
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => upload(author, id, tinyPdf(`race ${i}`))))
    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201])
    expect(results.map((r) => r.json().number).sort()).toEqual([1, 2, 3, 4, 5])
    const detail = (await author.get(`/api/documents/${id}`)).json()
    expect(detail.versionCount).toBe(5)
    expect(detail.versions.map((v: { number: number }) => v.number)).toEqual([5, 4, 3, 2, 1])
  })

  it('stores identical bytes once', async () => {
    const bytes = tinyPdf(`same bytes ${storage}`)
    const a = await newDoc()
    const b = await newDoc()
    expect((await upload(author, a, bytes)).statusCode).toBe(201)
    const blobsAfterFirst = (await objects('sha256/')).length
    expect((await upload(author, b, bytes)).statusCode).toBe(201)
    expect((await objects('sha256/')).length).toBe(blobsAfterFirst)
  })

  it.each([
    ['a PNG', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]), 'scan.pdf', 415, 'UNSUPPORTED_FILE_TYPE'],
    ['plain text named .pdf', Buffer.from('це не PDF, а текст'), 'text.pdf', 415, 'UNSUPPORTED_FILE_TYPE'],
    ['an executable named .docx', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 1)]), 'virus.docx', 415, 'UNSUPPORTED_FILE_TYPE'],
    ['a file over the limit', Buffer.concat([tinyPdf(), Buffer.alloc(MAX, 0x20)]), 'big.pdf', 413, 'FILE_TOO_LARGE'],
    ['a path-traversal name', tinyPdf(), '../../etc/passwd.pdf', 400, 'INVALID_FILE_NAME'],
    ['a Windows path name', tinyPdf(), 'C:\\Users\\x\\рішення.pdf', 400, 'INVALID_FILE_NAME'],
    ['a hidden-file name', tinyPdf(), '.htaccess', 400, 'INVALID_FILE_NAME'],
    ['a name with control characters', tinyPdf(), 'a\u0007b.pdf', 400, 'INVALID_FILE_NAME'],
    ['an empty body', Buffer.alloc(0), 'empty.pdf', 400, 'EMPTY_FILE'],
  ])('refuses %s with a clear 4xx and changes nothing', async (_n, bytes, name, status, code) => {
    const id = await newDoc()
    const before = await snapshot(id)
    const res = await upload(author, id, bytes, name, 'application/octet-stream')
    expect(res.statusCode).toBe(status)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().code).toBe(code)
    expect(await snapshot(id)).toEqual(before)
  })

  it('refuses a file over the limit without storing it, even without Content-Length', async () => {
    const id = await newDoc()
    const before = await snapshot(id)
    const { Readable } = await import('node:stream')
    const big = Buffer.concat([tinyPdf(), Buffer.alloc(MAX * 2, 0x20)])
    const res = await author.request({
      method: 'POST',
      url: `/api/documents/${id}/versions?name=big.pdf`,
      headers: { 'content-type': 'application/pdf', 'transfer-encoding': 'chunked' },
      payload: Readable.from([big.subarray(0, 1000), big.subarray(1000)]),
    })
    expect(res.statusCode).toBe(413)
    expect(res.json().code).toBe('FILE_TOO_LARGE')
    expect(await snapshot(id)).toEqual(before)
  })

  it('leaves no row and no blob when the client drops the connection mid-upload', async () => {
    const id = await newDoc()
    const before = await snapshot(id)
    await t.app.listen({ port: 0, host: '127.0.0.1' })
    const port = (t.app.server.address() as { port: number }).port
    const socket = connect(port, '127.0.0.1')
    await new Promise<void>((r) => socket.once('connect', () => r()))
    const head = [
      `POST /api/documents/${id}/versions?name=cut.pdf HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Cookie: ${author.cookie}`,
      `X-CSRF-Token: ${author.session!.csrfToken}`,
      'Content-Type: application/pdf',
      `Content-Length: ${MAX - 10}`,
      '',
      '',
    ]
    // Watch the store: the test must see the upload start and then fail, not merely pass by.
    const puts: Promise<unknown>[] = []
    const realPut = t.store.put.bind(t.store)
    const spy = vi.spyOn(t.store, 'put').mockImplementation((body, o) => {
      const p = realPut(body, o)
      puts.push(p)
      return p
    })
    try {
      socket.write(head.join('\r\n'))
      socket.write(Buffer.concat([tinyPdf(), Buffer.alloc(20_000, 0x20)]))
      await vi.waitFor(() => expect(puts.length).toBe(1), { timeout: 10_000, interval: 20 })
      socket.destroy()
      await expect(puts[0]).rejects.toThrow()
    } finally {
      spy.mockRestore()
    }
    expect(await snapshot(id)).toEqual(before)
  })

  it('lets only the people who may edit the draft upload to it', async () => {
    const id = await newDoc()
    const before = await snapshot(id)
    const res = await upload(outsider, id, tinyPdf())
    expect(res.statusCode).toBe(403)
    expect(res.json().code).toBe('FORBIDDEN')
    expect(await snapshot(id)).toEqual(before)
    const anon = await t.anonymous().post(`/api/documents/${id}/versions?name=a.pdf`, tinyPdf(), { headers: { 'content-type': 'application/pdf' } })
    expect(anon.statusCode).toBe(401)
    const noCsrf = await author.request({ method: 'POST', url: `/api/documents/${id}/versions?name=a.pdf`, payload: tinyPdf(), headers: { 'content-type': 'application/pdf', 'x-csrf-token': 'forged' } })
    expect(noCsrf.statusCode).toBe(403)
    expect(noCsrf.json().code).toBe('CSRF_FAILED')
    expect(await snapshot(id)).toEqual(before)
  })

  it('serves byte ranges, conditional requests and refuses impossible ranges', async () => {
    const id = await newDoc()
    const bytes = tinyPdf('ranges')
    await upload(author, id, bytes)
    const url = `/api/documents/${id}/versions/1/content`
    const first = await author.get(url, { headers: { range: 'bytes=0-4' } })
    expect(first.statusCode).toBe(206)
    expect(first.rawPayload.toString('latin1')).toBe('%PDF-')
    expect(first.headers['content-range']).toBe(`bytes 0-4/${bytes.length}`)
    const tail = await author.get(url, { headers: { range: 'bytes=-6' } })
    expect(tail.rawPayload.equals(bytes.subarray(bytes.length - 6))).toBe(true)
    const open = await author.get(url, { headers: { range: `bytes=${bytes.length - 3}-` } })
    expect(open.rawPayload.equals(bytes.subarray(bytes.length - 3))).toBe(true)
    const bad = await author.get(url, { headers: { range: `bytes=${bytes.length}-` } })
    expect(bad.statusCode).toBe(416)
    expect(bad.headers['content-range']).toBe(`bytes */${bytes.length}`)
    expect(bad.json().code).toBe('INVALID_RANGE')
    const cached = await author.get(url, { headers: { 'if-none-match': `"${sha(bytes)}"` } })
    expect(cached.statusCode).toBe(304)
    const inline = await author.get(`${url}?inline=true`)
    expect(inline.headers['content-disposition']).toMatch(/^inline; filename=.*filename\*=UTF-8''%D0%BF/)
    expect((await author.get(`/api/documents/${id}/versions/2/content`)).json().code).toBe('VERSION_NOT_FOUND')
    expect((await outsider.get(url)).statusCode).toBe(200) // public document
  })

  it('sweeps blobs that no version references, and only old ones', async () => {
    const orphan = await t.store.put((await import('node:stream')).Readable.from([tinyPdf(`orphan ${Math.random()}`)]))
    const id = await newDoc()
    const kept = (await upload(author, id, tinyPdf(`kept ${Math.random()}`))).json()
    const young = await sweepOrphans(t.db.prisma, t.store, { graceMs: 3600_000 })
    expect(young.deleted).not.toContain(orphan.key)
    const later = new Date(Date.now() + 2 * 3600_000)
    const swept = await sweepOrphans(t.db.prisma, t.store, { graceMs: 3600_000, now: later })
    expect(swept.deleted).toContain(orphan.key)
    expect(await t.store.head(orphan.key)).toBeNull()
    expect(await t.store.head(`sha256/${kept.sha256.slice(0, 2)}/${kept.sha256}`)).not.toBeNull()
    expect((await author.get(`/api/documents/${id}/versions/1/content`)).statusCode).toBe(200)
  })
})
