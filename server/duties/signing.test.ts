import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testPki, type TestPki } from '../testing/pki.ts'
import { approvalWorld, type ApiClient, type World } from '../approvals/testkit.ts'
import type { JobDescriptionOut, PositionJobDescriptionsOut } from './schemas.ts'

/**
 * The whole way through the real signing stage: the deputy mayor signs the job description's
 * own PDF (rendered without object streams), which registers and stamps it; the signing code's
 * hook puts the instruction in force, supersedes the previous one and asks the holder to
 * acknowledge; the acknowledgment names the signed version.
 */
let w: World
let pki: TestPki
let headDigital: ApiClient
let headIt: ApiClient
let legal: ApiClient
let deputy: ApiClient
let itStaff: ApiClient
let certificateId: string
let positionId: string

beforeAll(async () => {
  pki = await testPki()
  w = await approvalWorld()
  ;[headDigital, headIt, legal, deputy, itStaff] = (await Promise.all(['head.digital', 'head.it', 'legal', 'deputy', 'it.staff'].map((l) => w.as(l)))) as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
  const s = pki.signers.cyrillicRsa
  const up = await deputy.post('/api/certificates', { label: 'КЕП заступника міського голови', p12Base64: s.p12.toString('base64'), passphrase: s.passphrase })
  expect(up.statusCode, up.body).toBe(201)
  certificateId = up.json().id
  positionId = itStaff.session!.positions[0]!.id
})
afterAll(() => w?.close())

async function draftSendAndSign(extraRight: string): Promise<JobDescriptionOut> {
  const created = await headDigital.post(`/api/positions/${positionId}/job-descriptions`)
  expect(created.statusCode, created.body).toBe(201)
  const jd = created.json() as JobDescriptionOut
  const sections = { ...jd.sections, rights: [...jd.sections.rights, extraRight] }
  expect((await headDigital.request({ method: 'PUT', url: `/api/job-descriptions/${jd.id}`, payload: { sections } })).statusCode).toBe(200)
  const sent = (await headDigital.post(`/api/job-descriptions/${jd.id}/send`)).json() as JobDescriptionOut
  const sha = (await headDigital.get(`/api/documents/${jd.documentId}`)).json().latestVersion.sha256
  for (const c of [headIt, headDigital, legal]) expect((await c.post(`/api/approvals/${sent.approvalId}/decisions`, { decision: 'approve', versionSha256: sha })).statusCode).toBe(200)
  // A bare visa does not pass the signing stage: the deputy mayor signs.
  const signed = await deputy.post(`/api/approvals/${sent.approvalId}/sign`, { certificateId, passphrase: pki.signers.cyrillicRsa.passphrase })
  expect(signed.statusCode, signed.body).toBe(200)
  expect(signed.json().state).toBe('completed')
  return (await itStaff.get(`/api/job-descriptions/${jd.id}`)).json() as JobDescriptionOut
}

describe('a job description signed by the deputy mayor', () => {
  let first: JobDescriptionOut

  it('is approved and in force from the signature, on a signed PDF that independent tools accept', async () => {
    first = await draftSendAndSign('Користуватися кваліфікованим електронним підписом.')
    expect(first).toMatchObject({ status: 'approved', inForce: true, documentStatus: 'registered', can: { acknowledge: true } })
    const doc = (await headDigital.get(`/api/documents/${first.documentId}`)).json()
    expect(doc.versions[0].fileName).toMatch(/\(підписано\)\.pdf$/)
    const signature = await w.t.db.prisma.signature.findFirstOrThrow({ where: { documentId: first.documentId } })
    expect(first.inForceFrom).toBe((await w.t.db.prisma.registration.findUniqueOrThrow({ where: { documentId: first.documentId } })).registeredAt.toISOString())
    expect(first.latestVersion!.sha256).toBe((await w.t.db.prisma.version.findUniqueOrThrow({ where: { id: signature.signedVersionId } })).sha256)

    const dir = mkdtempSync(join(tmpdir(), 'jd-signed-'))
    const file = join(dir, 'signed.pdf')
    writeFileSync(file, (await headDigital.get(`/api/documents/${first.documentId}/versions/${first.latestVersion!.number}/content`)).rawPayload)
    expect(spawnSync('qpdf', ['--check', file], { encoding: 'utf8' }).status).toBe(0)
    const pdfsig = spawnSync('pdfsig', [file], { encoding: 'utf8' })
    expect(pdfsig.stdout).toMatch(/Signature Validation: Signature is Valid/)
    expect(pdfsig.stdout).toMatch(/Signature #1/)
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
    expect(text).toContain('ЗАТВЕРДЖУЮ')
    expect(text).toContain('Користуватися кваліфікованим електронним підписом.')

    const notes = (await itStaff.get('/api/notifications')).json().items.filter((n: { link: string | null }) => n.link === '/my/job-descriptions')
    expect(notes).toHaveLength(1)
  })

  it('is acknowledged on its signed version, and superseded by the next signed version', async () => {
    const ack = await itStaff.post(`/api/job-descriptions/${first.id}/acknowledge`)
    expect(ack.statusCode, ack.body).toBe(200)
    expect((ack.json() as JobDescriptionOut).acknowledgments[0]!.versionSha256).toBe(first.latestVersion!.sha256)

    const second = await draftSendAndSign('Вносити пропозиції щодо цифрових сервісів громади.')
    expect(second).toMatchObject({ version: 2, status: 'approved', inForce: true })
    const history = (await itStaff.get(`/api/positions/${positionId}/job-descriptions`)).json() as PositionJobDescriptionsOut
    expect(history.items.map((i) => [i.version, i.status, i.acknowledgments.length])).toEqual([
      [2, 'approved', 0],
      [1, 'superseded', 1],
    ])
    expect(history.items[1]!.inForceUntil).toBe(second.inForceFrom)
    const mine = (await itStaff.get('/api/my/job-descriptions')).json()
    expect(mine[0]).toMatchObject({ jobDescription: { id: second.id }, acknowledgedAt: null })
  })
})
