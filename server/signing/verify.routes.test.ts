import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson, makeUnit } from '../testing/factories.ts'
import { testPki, type TestPki } from '../testing/pki.ts'
import { appendContentChange, samplePdf, signWith } from '../testing/pdf-fixtures.ts'
import { PUBLIC_VERIFY_RATE } from './verify.routes.ts'

let t: TestApp
let pki: TestPki
let admin: ApiClient
let staff: ApiClient
let unitId: string
let signed: Buffer

beforeAll(async () => {
  t = await testApp()
  pki = await testPki()
  unitId = (await makeUnit(t.db.prisma)).id
  admin = await t.login((await makePerson(t.db.prisma, { roles: ['admin'] })).login)
  staff = await t.login((await makePerson(t.db.prisma, { unitId })).login)
  signed = await signWith(await samplePdf(), pki.signers.cyrillicRsa)
})
afterAll(async () => {
  // The trust anchors table is shared by the whole run: leave it as found.
  await t?.db.prisma.trustAnchor.deleteMany({ where: { sha256: { in: [pki.rootDer, pki.otherRootDer].map((d) => createHash('sha256').update(d).digest('hex')) } } })
  await t?.close()
})

const pdfPost = (c: ApiClient, url: string, body: Buffer | string, remoteAddress?: string) =>
  c.request({ method: 'POST', url, payload: body, headers: { 'content-type': 'application/pdf' }, ...(remoteAddress ? { remoteAddress } : {}) })

describe('trust anchors (admin)', () => {
  it('only admins may list, add or remove them', async () => {
    expect((await staff.get('/api/admin/trust-anchors')).statusCode).toBe(403)
    expect((await staff.post('/api/admin/trust-anchors', { certificate: pki.rootPem })).statusCode).toBe(403)
    expect((await t.anonymous().get('/api/admin/trust-anchors')).statusCode).toBe(401)
  })

  it('refuses what is not a CA certificate, with problem+json', async () => {
    for (const certificate of ['not a certificate at all!', Buffer.from('junk junk junk junk').toString('base64'), pki.signers.cyrillicRsa.certPem]) {
      const res = await admin.post('/api/admin/trust-anchors', { certificate })
      expect(res.statusCode, res.body).toBe(400)
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/)
      expect(res.json().code).toBe('TRUST_ANCHOR_INVALID')
    }
    expect((await admin.post('/api/admin/trust-anchors', { certificate: pki.rootPem, extra: 1 })).statusCode).toBe(400)
  })

  it('adds (PEM or base64 DER), lists, refuses duplicates, removes — each change audited', async () => {
    const res = await admin.post('/api/admin/trust-anchors', { certificate: pki.otherRootPem, label: 'Сторонній' })
    expect(res.statusCode, res.body).toBe(201)
    const anchor = res.json()
    expect(anchor).toMatchObject({ label: 'Сторонній', selfSigned: true, sha256: createHash('sha256').update(pki.otherRootDer).digest('hex') })
    expect(anchor.subject).toContain('CN=Сторонній кореневий ЦСК')
    const dup = await admin.post('/api/admin/trust-anchors', { certificate: pki.otherRootDer.toString('base64') })
    expect(dup.statusCode).toBe(409)
    expect(dup.json().code).toBe('TRUST_ANCHOR_EXISTS')
    expect((await admin.get('/api/admin/trust-anchors')).json().map((a: { id: string }) => a.id)).toContain(anchor.id)
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'trust_anchor.added', targetId: anchor.id } })).toBe(1)
    expect((await admin.delete(`/api/admin/trust-anchors/${anchor.id}`)).statusCode).toBe(200)
    expect((await admin.delete(`/api/admin/trust-anchors/${anchor.id}`)).json().code).toBe('TRUST_ANCHOR_NOT_FOUND')
    expect(await t.db.prisma.auditEvent.count({ where: { action: 'trust_anchor.removed', targetId: anchor.id } })).toBe(1)
  })
})

describe('verification for signed-in people', () => {
  it('POST /verify: the report; trusted once the root is a trust anchor', async () => {
    const before = await pdfPost(staff, '/api/verify', signed)
    expect(before.statusCode, before.body).toBe(200)
    expect(before.json()).toMatchObject({ signed: true, intact: true, trusted: false })
    const added = await admin.post('/api/admin/trust-anchors', { certificate: pki.rootPem })
    expect([201, 409]).toContain(added.statusCode)
    const after = (await pdfPost(staff, '/api/verify', signed)).json()
    expect(after).toMatchObject({ signed: true, intact: true, trusted: true })
    expect(after.signatures[0].signer.commonName).toBe('Коваленко Віктор Богданович')
  })

  it('refuses anonymous callers, garbage and empty bodies with problem+json', async () => {
    expect((await pdfPost(t.anonymous(), '/api/verify', signed)).statusCode).toBe(401)
    const garbage = await pdfPost(staff, '/api/verify', randomBytes(5000))
    expect(garbage.statusCode).toBe(415)
    expect(garbage.headers['content-type']).toMatch(/problem\+json/)
    expect(garbage.json().code).toBe('NOT_A_PDF')
    const empty = await staff.request({ method: 'POST', url: '/api/verify', payload: '', headers: { 'content-type': 'application/pdf' } })
    expect(empty.statusCode).toBe(400)
    expect(empty.json().code).toBe('EMPTY_FILE')
    // A broken "PDF" is still answered with a report, not a crash.
    const broken = await pdfPost(staff, '/api/verify', Buffer.concat([Buffer.from('%PDF-1.7\n/ByteRange [0 5 9 99999999]\n'), randomBytes(2000)]))
    expect(broken.statusCode).toBe(200)
    expect(broken.json()).toMatchObject({ intact: false })
  })

  it('POST /verify/detached: a file and its .p7s as base64', async () => {
    const { execFile } = await import('node:child_process')
    const { promisify } = await import('node:util')
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs')
    const { join } = await import('node:path')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(join(tmpdir(), 'hromada-vr-'))
    const content = Buffer.from('Лист до громади')
    writeFileSync(join(dir, 'c.txt'), content)
    await promisify(execFile)('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-in', join(dir, 'c.txt'), '-signer', pki.signers.asciiRsa.certPath, '-inkey', pki.signers.asciiRsa.keyPath, '-certfile', pki.intermediatePath, '-out', join(dir, 's.p7s')])
    const p7s = readFileSync(join(dir, 's.p7s'))
    const ok = await staff.post('/api/verify/detached', { fileBase64: content.toString('base64'), signatureBase64: p7s.toString('base64') })
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json().signatures[0]).toMatchObject({ integrity: 'valid', signer: { commonName: 'Test Signer' } })
    const bad = await staff.post('/api/verify/detached', { fileBase64: content.toString('base64'), signatureBase64: Buffer.from('nonsense').toString('base64') })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().code).toBe('SIGNATURE_UNREADABLE')
    expect((await staff.post('/api/verify/detached', { fileBase64: 'AA==' })).statusCode).toBe(400)
  })
})

describe('public verification', () => {
  let sha: string
  let modifiedSha: string
  beforeAll(async () => {
    const id = (await staff.post('/api/documents', { kind: 'council_decision_draft', title: 'Таємна назва проєкту', authorUnitId: unitId })).json().id as string
    const up = await staff.post(`/api/documents/${id}/versions?name=${encodeURIComponent('підписаний.pdf')}`, signed, { headers: { 'content-type': 'application/pdf' } })
    expect(up.statusCode, up.body).toBe(201)
    sha = up.json().sha256
    const modified = appendContentChange(signed)
    const up2 = await staff.post(`/api/documents/${id}/versions?name=m.pdf`, modified, { headers: { 'content-type': 'application/pdf' } })
    expect(up2.statusCode, up2.body).toBe(201)
    modifiedSha = up2.json().sha256
  })

  it('GET /public/verify/:sha256 answers signature facts only, without a session', async () => {
    const res = await t.anonymous().request({ method: 'GET', url: `/api/public/verify/${sha.toUpperCase()}`, remoteAddress: '10.0.0.1' })
    expect(res.statusCode, res.body).toBe(200)
    const body = res.json()
    expect(Object.keys(body).sort()).toEqual(['intact', 'modifiedAfterLastSignature', 'sha256', 'signatures', 'signed', 'size', 'trusted'])
    expect(body).toMatchObject({ sha256: sha, signed: true, intact: true })
    expect(res.body).not.toContain('Таємна назва')
    expect(res.body).not.toContain('підписаний.pdf')
    expect(res.body).not.toMatch(/documentId|"title"|fileName/)
    const m = await t.anonymous().request({ method: 'GET', url: `/api/public/verify/${modifiedSha}`, remoteAddress: '10.0.0.1' })
    expect(m.json()).toMatchObject({ modifiedAfterLastSignature: true })
  })

  it('404 for an unknown hash, 400 for a malformed one', async () => {
    const res = await t.anonymous().request({ method: 'GET', url: `/api/public/verify/${'0'.repeat(64)}`, remoteAddress: '10.0.0.2' })
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/problem\+json/)
    expect((await t.anonymous().request({ method: 'GET', url: '/api/public/verify/xyz', remoteAddress: '10.0.0.2' })).statusCode).toBe(400)
  })

  it('POST /public/verify takes a PDF from anyone and refuses garbage', async () => {
    const ok = await pdfPost(t.anonymous(), '/api/public/verify', signed, '10.0.0.3')
    expect(ok.statusCode, ok.body).toBe(200)
    expect(ok.json()).toMatchObject({ signed: true, intact: true })
    const bad = await pdfPost(t.anonymous(), '/api/public/verify', 'hello world', '10.0.0.3')
    expect(bad.statusCode).toBe(415)
    expect(bad.json().code).toBe('NOT_A_PDF')
  })

  it('is rate-limited per client address', async () => {
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`
    const codes: number[] = []
    for (let i = 0; i < PUBLIC_VERIFY_RATE.max + 2; i++) codes.push((await t.anonymous().request({ method: 'GET', url: `/api/public/verify/${'1'.repeat(64)}`, remoteAddress: ip })).statusCode)
    expect(codes.slice(0, PUBLIC_VERIFY_RATE.max).every((c) => c === 404)).toBe(true)
    expect(codes.at(-1)).toBe(429)
    const limited = await t.anonymous().request({ method: 'POST', url: '/api/public/verify', payload: signed, headers: { 'content-type': 'application/pdf' }, remoteAddress: ip })
    expect(limited.statusCode).toBe(429)
    expect(limited.json().code).toBe('RATE_LIMITED')
    // Another address is not affected.
    expect((await t.anonymous().request({ method: 'GET', url: `/api/public/verify/${'1'.repeat(64)}`, remoteAddress: '10.0.0.4' })).statusCode).toBe(404)
  })
})
