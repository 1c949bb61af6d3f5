import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testPki, type TestPki } from '../testing/pki.ts'
import { startTestTsa, type TestTsa } from '../testing/tsa.ts'
import { appendContentChange, appendDss, samplePdf, signWith, tamperSignedByte } from '../testing/pdf-fixtures.ts'
import { tinyPdf } from '../testing/factories.ts'
import { DetachedSignatureError, verifyDetached, verifyPdf } from './verify.ts'

const run = promisify(execFile)

let pki: TestPki
let tsa: TestTsa
let anchors: Buffer[]
const pdfs = {} as Record<'bb' | 'bt' | 'two' | 'ascii' | 'ec' | 'expired' | 'unsigned', Buffer>

beforeAll(async () => {
  pki = await testPki()
  tsa = await startTestTsa(pki)
  anchors = [pki.rootDer]
  pdfs.unsigned = await samplePdf()
  ;[pdfs.bb, pdfs.bt, pdfs.ascii, pdfs.ec, pdfs.expired] = await Promise.all([
    signWith(pdfs.unsigned, pki.signers.cyrillicRsa),
    signWith(pdfs.unsigned, pki.signers.cyrillicRsa, { tsaUrl: tsa.url }),
    signWith(pdfs.unsigned, pki.signers.asciiRsa),
    signWith(pdfs.unsigned, pki.signers.cyrillicEc),
    signWith(pdfs.unsigned, pki.signers.expired),
  ])
  pdfs.two = await signWith(pdfs.bt, pki.signers.cyrillicEc, { reason: 'Затверджено' })
})
afterAll(async () => {
  await tsa?.stop()
})

describe('verifyPdf', () => {
  it('B-B, Cyrillic RSA signer: intact, trusted through the intermediate, level B-B, names intact', async () => {
    const r = await verifyPdf(pdfs.bb, anchors)
    expect(r).toMatchObject({ signed: true, intact: true, trusted: true, modifiedAfterLastSignature: false, size: pdfs.bb.length })
    expect(r.signatures).toHaveLength(1)
    const s = r.signatures[0]!
    expect(s).toMatchObject({ index: 1, kind: 'signature', fieldName: 'Signature1', subFilter: 'ETSI.CAdES.detached', integrity: 'valid', level: 'B-B', coversWholeDocument: true, modifiedAfter: false, timestamp: null, reason: 'Погоджено', location: 'Дрогобич' })
    expect(s.errors).toEqual([])
    expect(s.signer!.commonName).toBe('Коваленко Віктор Богданович')
    expect(s.signer!.subject).toContain('title=Заступник міського голови')
    expect(s.signer!.subject).toContain('serialNumber=TINUA-1234567890')
    expect(s.signer!.issuer).toContain('CN=Тестовий проміжний ЦСК')
    expect(s.chain.trusted).toBe(true)
    expect(s.chain.path).toHaveLength(3)
    expect(s.chain.path[2]).toContain('Тестовий кореневий ЦСК')
    expect(Math.abs(Date.parse(s.claimedTime!) - Date.now())).toBeLessThan(300_000)
  })

  it('B-T: the timestamp is valid, trusted, names the TSA, and the chain is checked at its time', async () => {
    const r = await verifyPdf(pdfs.bt, anchors)
    const s = r.signatures[0]!
    expect(s.level).toBe('B-T')
    expect(s.timestamp).toMatchObject({ valid: true, trusted: true, tsa: 'Тестовий сервер позначок часу' })
    expect(s.chain.checkedAt).toBe(new Date(s.timestamp!.time).toISOString())
    expect(s.integrity).toBe('valid')
    expect(s.warnings).toEqual([])
  })

  it('two signatures: the first covers its revision only and is not "modified after"; the second covers the whole file', async () => {
    const r = await verifyPdf(pdfs.two, anchors)
    expect(r.signatures.map((s) => [s.fieldName, s.integrity, s.level, s.coversWholeDocument, s.modifiedAfter])).toEqual([
      ['Signature1', 'valid', 'B-T', false, false],
      ['Signature2', 'valid', 'B-B', true, false],
    ])
    expect(r.signatures[1]!.signer!.commonName).toBe('Ґудзь Олена Іванівна')
    expect(r).toMatchObject({ signed: true, intact: true, trusted: true, modifiedAfterLastSignature: false })
  })

  it('ASCII and ECDSA signers verify too', async () => {
    const ascii = await verifyPdf(pdfs.ascii, anchors)
    expect(ascii.signatures[0]).toMatchObject({ integrity: 'valid', level: 'B-B', signer: { commonName: 'Test Signer' }, chain: { trusted: true } })
    const ec = await verifyPdf(pdfs.ec, anchors)
    expect(ec.signatures[0]).toMatchObject({ integrity: 'valid', level: 'B-B', signer: { commonName: 'Ґудзь Олена Іванівна' }, chain: { trusted: true } })
  })

  it('an incremental update appended after signing (new page content) is reported; the signature itself stays intact', async () => {
    const modified = appendContentChange(pdfs.bt)
    const r = await verifyPdf(modified, anchors)
    expect(r.signatures).toHaveLength(1)
    expect(r.signatures[0]).toMatchObject({ integrity: 'valid', coversWholeDocument: false, modifiedAfter: true })
    expect(r).toMatchObject({ intact: true, modifiedAfterLastSignature: true })
    expect(r.signatures[0]!.errors.join(' ')).toMatch(/змін/)
  })

  it('validation data (/DSS) appended after a B-T signature is not a modification, and makes it B-LT; on a B-B it stays B-B', async () => {
    const lt = appendDss(pdfs.bt, [pki.intermediateDer, pki.rootDer])
    const r = await verifyPdf(lt, anchors)
    expect(r.signatures[0]).toMatchObject({ integrity: 'valid', level: 'B-LT', modifiedAfter: false })
    expect(r.modifiedAfterLastSignature).toBe(false)
    const bb = await verifyPdf(appendDss(pdfs.bb, [pki.rootDer]), anchors)
    expect(bb.signatures[0]).toMatchObject({ level: 'B-B', modifiedAfter: false })
    // A DSS update that also rewrites the page content is a modification all the same.
    const sneaky = await verifyPdf(appendContentChange(appendDss(pdfs.bt, [pki.rootDer])), anchors)
    expect(sneaky.modifiedAfterLastSignature).toBe(true)
  })

  it('a change between two signatures marks the first, not the document as a whole', async () => {
    const changed = appendContentChange(pdfs.bb)
    const resigned = await signWith(changed, pki.signers.cyrillicEc)
    const r = await verifyPdf(resigned, anchors)
    expect(r.signatures.map((s) => s.modifiedAfter)).toEqual([true, false])
    expect(r.modifiedAfterLastSignature).toBe(false)
    expect(r.intact).toBe(true)
  })

  it('raw bytes appended after the last signature (no PDF structure) are a modification', async () => {
    const r = await verifyPdf(Buffer.concat([pdfs.bb, Buffer.from('% appended\n1 0 obj (x) endobj\n')]), anchors)
    expect(r.modifiedAfterLastSignature).toBe(true)
    // Whitespace alone is not.
    expect((await verifyPdf(Buffer.concat([pdfs.bb, Buffer.from('\n\n')]), anchors)).modifiedAfterLastSignature).toBe(false)
  })

  it('a byte changed inside a signed range → integrity invalid', async () => {
    const r = await verifyPdf(tamperSignedByte(pdfs.bt), anchors)
    expect(r.signatures[0]!.integrity).toBe('invalid')
    expect(r.intact).toBe(false)
    expect(r.signatures[0]!.errors.join(' ')).toMatch(/геш/)
  })

  it('a byte changed inside the CMS (the signature value) → invalid or error, never valid', async () => {
    const copy = Buffer.from(pdfs.bb)
    const s = copy.toString('latin1')
    const contents = s.indexOf('/Contents <') + '/Contents <'.length
    // Flip a hex digit well inside the CMS (in the signature value region near its end).
    const end = s.indexOf('0000000000', contents)
    const at = end - 20
    copy[at] = copy[at] === 0x61 ? 0x62 : 0x61
    const r = await verifyPdf(copy, anchors)
    expect(r.signatures[0]!.integrity).not.toBe('valid')
    expect(r.intact).toBe(false)
  })

  it('untrusted chains: no anchors, or an unrelated root', async () => {
    const none = await verifyPdf(pdfs.bb, [])
    expect(none.signatures[0]!.chain).toMatchObject({ trusted: false })
    expect(none.signatures[0]!.chain.problem).toMatch(/кореневий сертифікат «Тестовий кореневий ЦСК» не входить до довірених/)
    expect(none).toMatchObject({ intact: true, trusted: false })
    const other = await verifyPdf(pdfs.bb, [pki.otherRootDer])
    expect(other.trusted).toBe(false)
    // The intermediate alone as the anchor is enough (the path stops there).
    const mid = await verifyPdf(pdfs.bb, [pki.intermediateDer])
    expect(mid.trusted).toBe(true)
    expect(mid.signatures[0]!.chain.path).toHaveLength(2)
  })

  it('an expired signer: intact but not trusted, and the report says why', async () => {
    const r = await verifyPdf(pdfs.expired, anchors)
    const s = r.signatures[0]!
    expect(s.integrity).toBe('valid')
    expect(s.chain.trusted).toBe(false)
    expect(s.chain.problem).toMatch(/Прострочений Петро Петрович.*уже не був чинним/)
    expect(r.trusted).toBe(false)
  })

  it('an unsigned PDF: signed false, nothing else claimed', async () => {
    const r = await verifyPdf(pdfs.unsigned, anchors)
    expect(r).toMatchObject({ signed: false, intact: false, trusted: false, modifiedAfterLastSignature: false, signatures: [] })
    expect((await verifyPdf(tinyPdf(), anchors)).signed).toBe(false)
  })

  it('hostile and garbage input never throws and answers quickly', async () => {
    const sigAt = pdfs.bb.indexOf('/ByteRange')
    const cases: Buffer[] = [
      Buffer.alloc(0),
      randomBytes(10_000),
      Buffer.from('%PDF-1.7\n' + '/ByteRange [0 99999999999 5 5]\n'.repeat(200)),
      Buffer.from('%PDF-1.7\n1 0 obj\n<< /ByteRange [0 10 20 30] /Contents <zz> >>\nendobj\n'),
      Buffer.from('%PDF-1.7\n1 0 obj\n' + '<<'.repeat(50_000) + '/ByteRange [0 5 7 1]' + '\n'),
      Buffer.from('%PDF-1.7\n1 0 obj\n<< /ByteRange [0 9 11 1] /Contents <3082ffff> >>\nendobj\n'),
      Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(50_000)]),
      pdfs.bb.subarray(0, Math.floor(pdfs.bb.length / 2)),
      pdfs.bb.subarray(0, sigAt + 40),
      Buffer.concat([pdfs.bb.subarray(0, sigAt), Buffer.from('/ByteRange [0 1 2 3]'), pdfs.bb.subarray(sigAt + 20)]),
      // Thousands of tiny updates and objects after a signature.
      Buffer.concat([pdfs.bb, Buffer.from('9 0 obj\n<< /A 1 >>\nendobj\n%%EOF\n'.repeat(5000))]),
      // Many signature dictionaries pointing at one real CMS.
      Buffer.concat([pdfs.bb, Buffer.from(`\n${'1 0 obj\n<< /ByteRange [0 10 20 30] >>\nendobj\n%%EOF\n'.repeat(300)}`)]),
    ]
    const started = Date.now()
    for (const bytes of cases) {
      const r = await verifyPdf(bytes, [randomBytes(100), ...anchors])
      // Whatever the damage, such a file never passes as "signed, intact, unchanged".
      expect(r.signed && r.intact && !r.modifiedAfterLastSignature).toBe(false)
    }
    expect(Date.now() - started).toBeLessThan(15_000)
  })
})

describe('verifyDetached', () => {
  let dir: string
  let content: Buffer
  let p7s: Buffer
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hromada-p7s-'))
    content = Buffer.from('Розпорядження міського голови № 1\n'.repeat(100))
    writeFileSync(join(dir, 'content.txt'), content)
    const s = pki.signers.cyrillicRsa
    await run('openssl', ['cms', '-sign', '-binary', '-outform', 'DER', '-in', join(dir, 'content.txt'), '-signer', s.certPath, '-inkey', s.keyPath, '-certfile', pki.intermediatePath, '-out', join(dir, 'sig.p7s'), '-md', 'sha256'])
    await run('openssl', ['cms', '-sign', '-binary', '-outform', 'PEM', '-in', join(dir, 'content.txt'), '-signer', pki.signers.cyrillicEc.certPath, '-inkey', pki.signers.cyrillicEc.keyPath, '-certfile', pki.intermediatePath, '-out', join(dir, 'sig.pem'), '-md', 'sha256'])
    p7s = readFileSync(join(dir, 'sig.p7s'))
  })

  it('a detached .p7s made by openssl cms -sign verifies (DER and PEM), with the claimed signing-time', async () => {
    const r = await verifyDetached(content, p7s, anchors)
    expect(r).toMatchObject({ signed: true, intact: true, trusted: true, modifiedAfterLastSignature: false })
    expect(r.signatures[0]).toMatchObject({ integrity: 'valid', signer: { commonName: 'Коваленко Віктор Богданович' }, fieldName: null, coversWholeDocument: true })
    expect(r.signatures[0]!.claimedTime).not.toBeNull()
    const pem = await verifyDetached(content, readFileSync(join(dir, 'sig.pem')), anchors)
    expect(pem.signatures[0]).toMatchObject({ integrity: 'valid', signer: { commonName: 'Ґудзь Олена Іванівна' } })
  })

  it('other content → invalid; garbage signature → DetachedSignatureError', async () => {
    const r = await verifyDetached(Buffer.concat([content, Buffer.from('!')]), p7s, anchors)
    expect(r.signatures[0]!.integrity).toBe('invalid')
    expect(r.intact).toBe(false)
    await expect(verifyDetached(content, Buffer.from('garbage'), anchors)).rejects.toBeInstanceOf(DetachedSignatureError)
    await expect(verifyDetached(content, randomBytes(300), anchors)).rejects.toBeInstanceOf(DetachedSignatureError)
  })
})
