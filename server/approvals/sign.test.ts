import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testPki, type TestPki } from '../testing/pki.ts'
import { startTestTsa, type TestTsa } from '../testing/tsa.ts'
import { rawSignatures } from '../testing/pdf-fixtures.ts'
import { approvalWorld, draftWithVersion, type ApiClient, type World } from './testkit.ts'

let w: World
let pki: TestPki
let tsa: TestTsa
let author: ApiClient
let headIt: ApiClient
let legal: ApiClient
let deputy: ApiClient
let mayor: ApiClient
let mayorCert: string

beforeAll(async () => {
  pki = await testPki()
  tsa = await startTestTsa(pki)
  w = await approvalWorld({ env: { TSA_URL: tsa.url } })
  const c = await Promise.all(['it.staff', 'head.it', 'legal', 'deputy', 'mayor'].map((l) => w.as(l)))
  ;[author, headIt, legal, deputy, mayor] = c as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
  const s = pki.signers.cyrillicRsa
  const up = await mayor.post('/api/certificates', { label: 'КЕП міського голови', p12Base64: s.p12.toString('base64'), passphrase: s.passphrase })
  expect(up.statusCode).toBe(201)
  mayorCert = up.json().id
})
afterAll(async () => {
  await w?.close()
  await tsa?.stop()
})

const tools = (pdf: Buffer) => {
  const dir = mkdtempSync(join(tmpdir(), 'signed-'))
  const file = join(dir, 'signed.pdf')
  writeFileSync(file, pdf)
  const qpdf = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' })
  const pdfsig = execFileSync('pdfsig', [file], { encoding: 'utf8' })
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
  const cms = rawSignatures(pdf).map((sig, i) => {
    writeFileSync(join(dir, `s${i}.der`), sig.cms)
    writeFileSync(join(dir, `d${i}.bin`), sig.signed)
    return spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, `s${i}.der`), '-content', join(dir, `d${i}.bin`), '-CAfile', pki.caBundlePath, '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' })
  })
  return { qpdf, pdfsig, text, cms }
}

/** A draft taken through every stage up to signing. */
async function toSigning(title: string) {
  const { id, sha256 } = await draftWithVersion(author, { title })
  const a = (await author.post(`/api/documents/${id}/approval`, {})).json()
  for (const c of [headIt, legal, deputy]) expect((await c.post(`/api/approvals/${a.id}/decisions`, { decision: 'approve', versionSha256: sha256 })).statusCode).toBe(200)
  return { id, approvalId: a.id as string }
}

describe('signing at the end of the route', () => {
  it('registers, stamps and signs the approved PDF: PAdES B-T that pdfsig, openssl and qpdf accept, with Cyrillic names', async () => {
    const { id, approvalId } = await toSigning('Про затвердження Положення про електронний документообіг')
    const before = await w.t.db.prisma.registration.count()
    const wrong = await mayor.post(`/api/approvals/${approvalId}/sign`, { certificateId: mayorCert, passphrase: 'не той пароль' })
    expect(wrong.json()).toMatchObject({ status: 400, code: 'BAD_PASSPHRASE' })
    expect(await w.t.db.prisma.registration.count()).toBe(before)
    expect((await deputy.post(`/api/approvals/${approvalId}/sign`, { certificateId: mayorCert, passphrase: pki.signers.cyrillicRsa.passphrase })).statusCode).toBe(404)

    const res = await mayor.post(`/api/approvals/${approvalId}/sign`, { certificateId: mayorCert, passphrase: pki.signers.cyrillicRsa.passphrase })
    expect(res.statusCode).toBe(200)
    expect(res.json().state).toBe('completed')
    const doc = (await author.get(`/api/documents/${id}`)).json()
    expect(doc.status).toBe('registered')
    expect(doc.versions[0].fileName).toMatch(/\(підписано\)\.pdf$/)
    const reg = (await author.get(`/api/documents/${id}/registration`)).json()
    expect(reg.index).toMatch(/^\d+/)
    const signatures = (await author.get(`/api/documents/${id}/signatures`)).json()
    expect(signatures).toHaveLength(1)
    expect(signatures[0]).toMatchObject({ level: 'B_T', signer: { fullName: 'Петренко Ігор Васильович' }, sourceVersionNumber: 1, signedVersionNumber: 2 })
    expect(signatures[0].timestampAt).not.toBeNull()
    expect(signatures[0].subject).toContain('Коваленко Віктор Богданович')

    const pdf = (await author.get(`/api/documents/${id}/versions/2/content`)).rawPayload
    const t = tools(pdf)
    expect(t.qpdf.status, t.qpdf.stdout + t.qpdf.stderr).toBe(0)
    expect(t.pdfsig).toContain('Signature is Valid.')
    expect(t.pdfsig).toContain('Коваленко Віктор Богданович')
    expect(t.pdfsig).toContain('ETSI.CAdES.detached')
    expect(t.cms.map((r) => r.status)).toEqual([0])
    // The registration requisites are in the signed content.
    expect(t.text).toContain(reg.index)
    const actions = (await w.t.db.prisma.auditEvent.findMany({ where: { targetId: id } })).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['document.signed', 'approval.completed']))
  })

  it('fails clearly when the timestamp authority is down, giving the registration number back', async () => {
    const first = await toSigning('Перший проєкт')
    const second = await toSigning('Другий проєкт')
    tsa.down()
    try {
      const res = await mayor.post(`/api/approvals/${first.approvalId}/sign`, { certificateId: mayorCert, passphrase: pki.signers.cyrillicRsa.passphrase })
      expect(res.json()).toMatchObject({ status: 502, code: 'TSA_UNAVAILABLE' })
      expect((await author.get(`/api/documents/${first.id}`)).json()).toMatchObject({ status: 'in_approval', versionCount: 1 })
      expect((await author.get(`/api/documents/${first.id}/registration`)).json()).toBeNull()
    } finally {
      tsa.up()
    }
    const a = await mayor.post(`/api/approvals/${second.approvalId}/sign`, { certificateId: mayorCert, passphrase: pki.signers.cyrillicRsa.passphrase })
    expect(a.statusCode).toBe(200)
    const b = await mayor.post(`/api/approvals/${first.approvalId}/sign`, { certificateId: mayorCert, passphrase: pki.signers.cyrillicRsa.passphrase })
    expect(b.statusCode).toBe(200)
    const seqs = await w.t.db.prisma.registration.findMany({ where: { documentId: { in: [first.id, second.id] } }, select: { seq: true, documentId: true } })
    const bySeq = seqs.map((r) => r.seq).sort((x, y) => x - y)
    expect(bySeq[1]! - bySeq[0]!).toBe(1)
  })

  it('refuses certificates that are not usable', async () => {
    const before = await w.t.db.prisma.signingCertificate.count()
    const s = pki.signers.cyrillicRsa
    expect((await mayor.post('/api/certificates', { label: 'x', p12Base64: s.p12.toString('base64'), passphrase: 'wrong' })).json().code).toBe('BAD_PASSPHRASE')
    expect((await mayor.post('/api/certificates', { label: 'x', p12Base64: Buffer.from('not a p12 file at all').toString('base64'), passphrase: 'x' })).json().code).toBe('CERTIFICATE_INVALID')
    expect((await mayor.post('/api/certificates', { label: 'x', p12Base64: pki.signers.expired.p12.toString('base64'), passphrase: pki.signers.expired.passphrase })).json().code).toBe('CERTIFICATE_EXPIRED')
    expect((await mayor.post('/api/certificates', { label: '<b>x</b>', p12Base64: s.p12.toString('base64'), passphrase: s.passphrase })).json().code).toBe('VALIDATION_FAILED')
    expect((await author.post('/api/certificates', { label: 'x', p12Base64: s.p12.toString('base64'), passphrase: s.passphrase, ownerId: mayor.session!.user.id })).statusCode).toBe(403)
    expect(await w.t.db.prisma.signingCertificate.count()).toBe(before)
    // Nobody else can sign with the mayor's certificate, nor see it.
    expect((await author.get('/api/certificates')).json()).toEqual([])
    const stored = await w.t.db.prisma.signingCertificate.findUniqueOrThrow({ where: { id: mayorCert } })
    expect(Buffer.from(stored.sealed).includes(s.p12.subarray(0, 64))).toBe(false)
  })
})

describe('several signatures on one document', () => {
  it('adds each as an incremental update that keeps the earlier ones valid', async () => {
    const admin = await w.as('admin')
    const secretary = await w.as('secretary')
    const sec = pki.signers.asciiRsa
    const up = await secretary.post('/api/certificates', { label: 'Secretary', p12Base64: sec.p12.toString('base64'), passphrase: sec.passphrase })
    expect(up.statusCode).toBe(201)
    const secretaryPosition = secretary.session!.positions[0]!.id
    const current = (await admin.get('/api/route-templates')).json().find((t: { kind: string }) => t.kind === 'mayor_order')
    const stages = current.stages.map((s: { key: string }) =>
      s.key === 'signing' ? { ...s, rule: 'all', name: 'Підписання міським головою і секретарем ради', participants: [{ type: 'role', role: 'mayor' }, { type: 'position', positionId: secretaryPosition }] } : s,
    )
    expect((await admin.post('/api/admin/route-templates', { ...current, stages, id: undefined, version: undefined, current: undefined, createdAt: undefined })).statusCode).toBe(201)

    const { id, sha256 } = await draftWithVersion(author, { kind: 'mayor_order', title: 'Про відзначення працівників' })
    const a = (await author.post(`/api/documents/${id}/approval`, {})).json()
    for (const c of [headIt, legal, deputy]) expect((await c.post(`/api/approvals/${a.id}/decisions`, { decision: 'approve', versionSha256: sha256 })).statusCode).toBe(200)
    const one = await mayor.post(`/api/approvals/${a.id}/sign`, { certificateId: mayorCert, passphrase: pki.signers.cyrillicRsa.passphrase })
    expect(one.json().state).toBe('running')
    const two = await secretary.post(`/api/approvals/${a.id}/sign`, { certificateId: up.json().id, passphrase: sec.passphrase })
    expect(two.json().state).toBe('completed')
    const doc = (await author.get(`/api/documents/${id}`)).json()
    expect(doc.versionCount).toBe(3)
    const pdf = (await author.get(`/api/documents/${id}/versions/3/content`)).rawPayload
    const first = (await author.get(`/api/documents/${id}/versions/2/content`)).rawPayload
    // The second signature appends to the first signed file: its bytes are a prefix.
    expect(pdf.subarray(0, first.length).equals(first)).toBe(true)
    const t = tools(pdf)
    expect(t.qpdf.status, t.qpdf.stdout + t.qpdf.stderr).toBe(0)
    expect(t.pdfsig.match(/Signature is Valid\./g)).toHaveLength(2)
    expect(t.cms.map((r) => r.status)).toEqual([0, 0])
    expect((await author.get(`/api/documents/${id}/signatures`)).json().map((s: { signer: { fullName: string } }) => s.signer.fullName)).toEqual(['Петренко Ігор Васильович', 'Гордієнко Лариса Миколаївна'])
  })
})
