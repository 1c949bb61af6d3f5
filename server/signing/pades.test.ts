import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as pkijs from 'pkijs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testPki, type TestPki, type TestSigner } from '../testing/pki.ts'
import { startTestTsa, type TestTsa } from '../testing/tsa.ts'
import { rawSignatures, samplePdf, signWith } from '../testing/pdf-fixtures.ts'
import { openP12, toArrayBuffer } from './p12.ts'
import { OID } from './cms.ts'
import { SigningError } from './errors.ts'
import { tstInfoOf } from './tsa.ts'

const run = promisify(execFile)
const exec = async (cmd: string, args: string[]) => {
  try {
    const r = await run(cmd, args, { maxBuffer: 32 * 1024 * 1024 })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

let pki: TestPki
let tsa: TestTsa
let dir: string
/** An NSS database trusting the test root, when certutil (libnss3-tools) is installed; else null. */
let nssDir: string | null = null
let n = 0
const file = (bytes: Buffer, ext = 'pdf') => {
  const p = join(dir, `f${++n}.${ext}`)
  writeFileSync(p, bytes)
  return p
}

beforeAll(async () => {
  pki = await testPki()
  tsa = await startTestTsa(pki)
  dir = mkdtempSync(join(tmpdir(), 'hromada-pades-'))
  if ((await exec('which', ['certutil'])).code === 0) {
    const db = join(dir, 'nss')
    await run('mkdir', ['-p', db])
    const init = await exec('certutil', ['-N', '-d', `sql:${db}`, '--empty-password'])
    const add = await exec('certutil', ['-A', '-d', `sql:${db}`, '-n', 'test-root', '-t', 'C,C,C', '-i', pki.rootPath])
    if (init.code === 0 && add.code === 0) nssDir = db
  }
})
afterAll(async () => {
  await tsa?.stop()
})

function parseCms(der: Buffer) {
  const ci = pkijs.ContentInfo.fromBER(toArrayBuffer(der))
  return new pkijs.SignedData({ schema: ci.content })
}

/** pdfsig's verdicts, one per signature. */
async function pdfsig(path: string) {
  const r = await exec('pdfsig', [...(nssDir ? ['-nssdir', `sql:${nssDir}`] : []), path])
  const out = r.stdout + r.stderr
  return {
    out,
    valid: [...out.matchAll(/Signature Validation: (.+)/g)].map((m) => m[1]!.trim()),
    cert: [...out.matchAll(/Certificate Validation: (.+)/g)].map((m) => m[1]!.trim()),
  }
}

/** `openssl cms -verify` of each signature over its byte ranges, against root + intermediate. */
async function opensslVerifyAll(pdf: Buffer, extra: string[] = []) {
  const results: { code: number; stderr: string }[] = []
  for (const sig of rawSignatures(pdf)) {
    const r = await exec('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', file(sig.cms, 'p7s'), '-content', file(sig.signed, 'bin'), '-CAfile', pki.caBundlePath, '-out', '/dev/null', ...extra])
    results.push({ code: r.code, stderr: r.stderr })
  }
  return results
}

const signers = (): [string, TestSigner][] => [
  ['Cyrillic RSA', pki.signers.cyrillicRsa],
  ['ASCII RSA', pki.signers.asciiRsa],
  ['Cyrillic ECDSA P-256', pki.signers.cyrillicEc],
]

describe('PAdES signatures made by the signing core, checked by independent tools', () => {
  it.each(['Cyrillic RSA', 'ASCII RSA', 'Cyrillic ECDSA P-256'])('B-B with the %s signer: pdfsig, openssl cms -verify and qpdf accept it', async (label) => {
    const signer = signers().find(([l]) => l === label)![1]
    const signed = await signWith(await samplePdf(), signer)
    const path = file(signed)
    const ps = await pdfsig(path)
    expect(ps.valid, ps.out).toEqual(['Signature is Valid.'])
    if (nssDir) expect(ps.cert, ps.out).toEqual(['Certificate is Trusted.'])
    expect(ps.out).toContain(`Signer Certificate Common Name: ${signer.commonName}`)
    expect(ps.out).toContain('Signature Type: ETSI.CAdES.detached')
    const os = await opensslVerifyAll(signed)
    expect(os.map((r) => r.code), os.map((r) => r.stderr).join('\n')).toEqual([0])
    expect((await exec('qpdf', ['--check', path])).code).toBe(0)

    const [sig] = rawSignatures(signed)
    expect(sig!.subFilter).toBe('ETSI.CAdES.detached')
    const sd = parseCms(sig!.cms)
    const attrs = sd.signerInfos[0]!.signedAttrs!.attributes.map((a) => a.type)
    expect(attrs).toContain(OID.signingCertificateV2)
    expect(attrs).toContain(OID.messageDigest)
    expect(attrs).not.toContain(OID.signingTime)
    expect(sd.signerInfos[0]!.unsignedAttrs).toBeUndefined()
  })

  it('B-T: the signature timestamp stamps the SHA-256 of the signature value, and the tools accept it', async () => {
    const before = tsa.requests
    const signed = await signWith(await samplePdf(), pki.signers.cyrillicRsa, { tsaUrl: tsa.url })
    expect(tsa.requests).toBe(before + 1)
    const ps = await pdfsig(file(signed))
    expect(ps.valid, ps.out).toEqual(['Signature is Valid.'])
    expect((await opensslVerifyAll(signed)).map((r) => r.code)).toEqual([0])
    const sd = parseCms(rawSignatures(signed)[0]!.cms)
    const si = sd.signerInfos[0]!
    const tokenAttr = si.unsignedAttrs?.attributes.find((a) => a.type === OID.signatureTimeStampToken)
    expect(tokenAttr).toBeDefined()
    const token = new pkijs.ContentInfo({ schema: tokenAttr!.values[0] })
    const tst = tstInfoOf(token)
    const sigValue = Buffer.from(si.signature.valueBlock.valueHexView)
    expect(Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView).equals(createHash('sha256').update(sigValue).digest())).toBe(true)
    expect(Math.abs(tst.genTime.getTime() - Date.now())).toBeLessThan(120_000)
    // The token verifies on its own with openssl ts -verify against the test PKI.
    const tokenFile = file(Buffer.from(token.toSchema().toBER(false)), 'tst')
    const v = await exec('openssl', ['ts', '-verify', '-token_in', '-in', tokenFile, '-data', file(sigValue, 'sig'), '-CAfile', pki.caBundlePath])
    expect(v.code, v.stderr + v.stdout).toBe(0)
  })

  it('two signatures: the second is an incremental update and the first stays valid', async () => {
    const once = await signWith(await samplePdf(), pki.signers.cyrillicRsa, { tsaUrl: tsa.url })
    const twice = await signWith(once, pki.signers.cyrillicEc, { reason: 'Затверджено' })
    expect(twice.subarray(0, once.length).equals(once)).toBe(true)
    const path = file(twice)
    const ps = await pdfsig(path)
    expect(ps.valid, ps.out).toEqual(['Signature is Valid.', 'Signature is Valid.'])
    expect(ps.out).toContain('Total document signed')
    expect((await opensslVerifyAll(twice)).map((r) => r.code)).toEqual([0, 0])
    expect((await exec('qpdf', ['--check', path])).code).toBe(0)
  })

  it('an expired signer still produces a cryptographically valid signature (trust is the verifier’s call)', async () => {
    const signed = await signWith(await samplePdf(), pki.signers.expired)
    expect((await pdfsig(file(signed))).valid).toEqual(['Signature is Valid.'])
    expect((await opensslVerifyAll(signed, ['-no_check_time'])).map((r) => r.code)).toEqual([0])
    expect((await opensslVerifyAll(signed)).map((r) => r.code)).toEqual([4])
  })

  it('Cyrillic names survive byte for byte: the CMS IssuerAndSerialNumber issuer is the certificate’s issuer DER', async () => {
    const signed = await signWith(await samplePdf(), pki.signers.cyrillicRsa)
    const sd = parseCms(rawSignatures(signed)[0]!.cms)
    const sid = sd.signerInfos[0]!.sid as pkijs.IssuerAndSerialNumber
    const cert = pkijs.Certificate.fromBER(toArrayBuffer(pki.signers.cyrillicRsa.certDer))
    const issuerInCert = Buffer.from(cert.issuer.valueBeforeDecode)
    const issuerInCms = Buffer.from(sid.issuer.toSchema().toBER(false))
    expect(issuerInCms.equals(issuerInCert)).toBe(true)
    // …and it is the intermediate's subject, with UTF8String (tag 0x0c) Cyrillic values.
    const intermediate = pkijs.Certificate.fromBER(toArrayBuffer(pki.intermediateDer))
    expect(issuerInCms.equals(Buffer.from(intermediate.subject.valueBeforeDecode))).toBe(true)
    expect(issuerInCms.includes(Buffer.concat([Buffer.from([0x0c, Buffer.byteLength('Тестовий проміжний ЦСК')]), Buffer.from('Тестовий проміжний ЦСК')]))).toBe(true)
    // The certificate inside the CMS is the very same DER as issued.
    const inCms = (sd.certificates ?? []).map((c) => Buffer.from((c as pkijs.Certificate).toSchema().toBER(false)))
    expect(inCms.some((c) => c.equals(pki.signers.cyrillicRsa.certDer))).toBe(true)
    expect(sid.serialNumber.isEqual(cert.serialNumber)).toBe(true)
  })
})

describe('signing failures', () => {
  it('TSA unreachable → TSA_UNREACHABLE, and no signature is produced', async () => {
    tsa.down()
    try {
      await expect(signWith(await samplePdf(), pki.signers.cyrillicRsa, { tsaUrl: tsa.url })).rejects.toMatchObject({ reason: 'TSA_UNREACHABLE' })
    } finally {
      tsa.up()
    }
  })

  it('TSA refusing (PKIStatus rejection) → TSA_REFUSED', async () => {
    tsa.respondWith('rejection')
    try {
      const err = await signWith(await samplePdf(), pki.signers.cyrillicRsa, { tsaUrl: tsa.url }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(SigningError)
      expect((err as SigningError).reason).toBe('TSA_REFUSED')
    } finally {
      tsa.up()
    }
  })

  it('TSA stamping another hash → TSA_REFUSED', async () => {
    tsa.wrongImprint()
    try {
      await expect(signWith(await samplePdf(), pki.signers.cyrillicRsa, { tsaUrl: tsa.url })).rejects.toMatchObject({ reason: 'TSA_REFUSED' })
    } finally {
      tsa.up()
    }
  })

  it('TSA answering HTTP 500 → a SigningError (TSA_UNREACHABLE)', async () => {
    tsa.respondWith(500)
    try {
      await expect(signWith(await samplePdf(), pki.signers.cyrillicRsa, { tsaUrl: tsa.url })).rejects.toMatchObject({ reason: 'TSA_UNREACHABLE' })
    } finally {
      tsa.up()
    }
  })

  it('wrong passphrase → BAD_PASSPHRASE; not a PKCS#12 → NOT_PKCS12', async () => {
    await expect(openP12(pki.signers.cyrillicRsa.p12, 'неправильний')).rejects.toMatchObject({ reason: 'BAD_PASSPHRASE' })
    await expect(openP12(pki.signers.cyrillicRsa.p12, '')).rejects.toMatchObject({ reason: 'BAD_PASSPHRASE' })
    await expect(openP12(Buffer.from('not a pfx at all'), 'x')).rejects.toMatchObject({ reason: 'NOT_PKCS12' })
  })

  it('the Cyrillic passphrase opens the PBES2/AES PKCS#12 with the chain', async () => {
    const id = await openP12(pki.signers.cyrillicRsa.p12, pki.signers.cyrillicRsa.passphrase)
    expect(id.keyType).toBe('rsa')
    expect(id.chain).toHaveLength(2)
    expect((await openP12(pki.signers.cyrillicEc.p12, pki.signers.cyrillicEc.passphrase)).keyType).toBe('ec')
  })

  it('a legacy PKCS#12 (openssl -legacy: RC2/3DES) is refused as such, not as a wrong passphrase', async () => {
    expect(pki.legacyP12, 'this openssl can write legacy PKCS#12').not.toBeNull()
    // pkijs cannot decrypt PKCS#12 PBE (pbeWithSHAAnd40BitRC2-CBC); the passphrase is right (the MAC passes).
    const err = await openP12(pki.legacyP12!, pki.signers.cyrillicRsa.passphrase).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SigningError)
    expect((err as SigningError).reason).toBe('NOT_PKCS12')
    expect((err as SigningError).message).toMatch(/застарілим/)
  })
})
