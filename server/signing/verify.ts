import { constants, createHash, createPublicKey, createVerify, verify as oneShotVerify, type KeyObject } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { certificateDer, commonName, nameToString, toArrayBuffer } from './p12.ts'
import { OID } from './cms.ts'
import {
  canonical, decodeTextString, dictGet, indexObjects, lastBelow, nameOf, parsePdfDate, readObjectAt, stringOf, updateEnds,
  type ObjectIndex, type PdfObject, type PdfValue,
} from './pdf-structure.ts'
import type { SignatureReportOut, VerificationReportOut } from './verify.schemas.ts'

export type SignatureReport = SignatureReportOut
export type VerificationReport = VerificationReportOut

/** Largest /Contents accepted (hex digits): far above any real CMS with a timestamp and its chain. */
const MAX_CONTENTS_HEX = 4 * 1024 * 1024
/** At most this many signatures are examined in one file. */
const MAX_SIGNATURES = 64
const MAX_CHAIN = 10

const OIDS = {
  ...OID,
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  rsaPss: '1.2.840.113549.1.1.10',
} as const

const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
}

/** Signature algorithms: the hash they imply (null: the signer info's digest algorithm) and the key kind. */
const SIGNATURE_ALGORITHMS: Record<string, { hash: string | null; kind: 'rsa' | 'ec' | 'pss' | 'ed25519' }> = {
  '1.2.840.113549.1.1.1': { hash: null, kind: 'rsa' },
  '1.2.840.113549.1.1.5': { hash: 'sha1', kind: 'rsa' },
  '1.2.840.113549.1.1.14': { hash: 'sha224', kind: 'rsa' },
  '1.2.840.113549.1.1.11': { hash: 'sha256', kind: 'rsa' },
  '1.2.840.113549.1.1.12': { hash: 'sha384', kind: 'rsa' },
  '1.2.840.113549.1.1.13': { hash: 'sha512', kind: 'rsa' },
  '1.2.840.113549.1.1.10': { hash: null, kind: 'pss' },
  '1.2.840.10045.2.1': { hash: null, kind: 'ec' },
  '1.2.840.10045.4.1': { hash: 'sha1', kind: 'ec' },
  '1.2.840.10045.4.3.1': { hash: 'sha224', kind: 'ec' },
  '1.2.840.10045.4.3.2': { hash: 'sha256', kind: 'ec' },
  '1.2.840.10045.4.3.3': { hash: 'sha384', kind: 'ec' },
  '1.2.840.10045.4.3.4': { hash: 'sha512', kind: 'ec' },
  '1.3.101.112': { hash: null, kind: 'ed25519' },
}

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const bytesOf = (v: { valueBlock: { valueHexView: Uint8Array } }) => Buffer.from(v.valueBlock.valueHexView)
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err))

function digest(hash: string, parts: readonly Uint8Array[]): Buffer {
  const h = createHash(hash)
  for (const p of parts) h.update(p)
  return h.digest()
}

/** Verifies a raw signature over `parts` with the key of a certificate. Throws on unsupported algorithms. */
function verifyRaw(alg: pkijs.AlgorithmIdentifier, digestOid: string | null, key: KeyObject, parts: readonly Uint8Array[], signature: Uint8Array): boolean {
  const known = SIGNATURE_ALGORITHMS[alg.algorithmId]
  if (!known) throw new Error(`непідтримуваний алгоритм підпису ${alg.algorithmId}`)
  if (known.kind === 'ed25519') return oneShotVerify(null, Buffer.concat(parts), key, signature)
  let hash = known.hash ?? (digestOid ? DIGESTS[digestOid] : undefined)
  let keyOpt: KeyObject | { key: KeyObject; padding: number; saltLength: number } = key
  if (known.kind === 'pss') {
    const params = alg.algorithmParams ? new pkijs.RSASSAPSSParams({ schema: alg.algorithmParams }) : new pkijs.RSASSAPSSParams()
    hash = DIGESTS[params.hashAlgorithm.algorithmId]
    keyOpt = { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }
  }
  if (!hash) throw new Error('невідомий алгоритм гешування підпису')
  const v = createVerify(hash)
  for (const p of parts) v.update(p)
  return v.verify(keyOpt, signature)
}

// asn1js re-encoding is slow; each certificate's DER, hash and key are worked out once.
const derCache = new WeakMap<pkijs.Certificate, { der: Buffer; sha256: string; key?: KeyObject }>()
function cached(c: pkijs.Certificate) {
  let entry = derCache.get(c)
  if (!entry) {
    const der = certificateDer(c)
    entry = { der, sha256: sha256Hex(der) }
    derCache.set(c, entry)
  }
  return entry
}
const derOf = (c: pkijs.Certificate) => cached(c).der
const certSha256 = (c: pkijs.Certificate) => cached(c).sha256
function publicKeyOf(c: pkijs.Certificate): KeyObject {
  const entry = cached(c)
  entry.key ??= createPublicKey({ key: Buffer.from(c.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' })
  return entry.key
}
/** A name's DER as it was in the certificate (so Cyrillic names compare byte for byte). */
const nameDer = (n: pkijs.RelativeDistinguishedNames) => (n.valueBeforeDecode.byteLength ? Buffer.from(n.valueBeforeDecode) : Buffer.from(n.toSchema().toBER(false)))
const sameName = (a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames) => nameDer(a).equals(nameDer(b))

function extension(c: pkijs.Certificate, oid: string) {
  return c.extensions?.find((e) => e.extnID === oid)
}

function isCa(c: pkijs.Certificate): boolean {
  const bc = extension(c, OIDS.basicConstraints)?.parsedValue
  return bc instanceof pkijs.BasicConstraints && !!bc.cA
}

/** keyUsage bits, or null when the extension is absent. Bit 0 = digitalSignature, 1 = nonRepudiation, 5 = keyCertSign. */
function keyUsage(c: pkijs.Certificate): ((bit: number) => boolean) | null {
  const ku = extension(c, OIDS.keyUsage)?.parsedValue
  if (!(ku instanceof asn1js.BitString)) return null
  const bytes = ku.valueBlock.valueHexView
  return (bit) => ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0
}

function extKeyUsages(c: pkijs.Certificate): string[] | null {
  const eku = extension(c, OIDS.extKeyUsage)?.parsedValue
  return eku instanceof pkijs.ExtKeyUsage ? eku.keyPurposes : null
}

function selfSigned(c: pkijs.Certificate): boolean {
  if (!sameName(c.subject, c.issuer)) return false
  try {
    return verifyRaw(c.signatureAlgorithm, null, publicKeyOf(c), [c.tbsView], c.signatureValue.valueBlock.valueHexView)
  } catch {
    return false
  }
}

export function certificateFacts(c: pkijs.Certificate) {
  return {
    commonName: commonName(c.subject),
    subject: nameToString(c.subject),
    issuer: nameToString(c.issuer),
    serialNumber: Buffer.from(c.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: c.notBefore.value.toISOString(),
    notAfter: c.notAfter.value.toISOString(),
  }
}

/** Parses trust anchors (DER); the ones that do not parse are left out. */
export function parseAnchors(ders: readonly Buffer[]): pkijs.Certificate[] {
  const out: pkijs.Certificate[] = []
  for (const der of ders) {
    try {
      out.push(pkijs.Certificate.fromBER(toArrayBuffer(der)))
    } catch {
      // an unreadable anchor anchors nothing
    }
  }
  return out
}

interface ChainResult {
  trusted: boolean
  path: string[]
  problem: string | null
  checkedAt: string
}

const uk = (d: Date) => d.toISOString().replace('T', ' ').slice(0, 19) + ' UTC'

/**
 * Builds the path from a certificate up to a trust anchor, by names (compared as DER, so
 * Cyrillic names match byte for byte) and signatures, and checks each certificate's
 * validity period at `at`, that issuers are CAs, and the leaf's purpose. Revocation
 * (CRL/OCSP) is not checked here.
 */
function buildChain(leaf: pkijs.Certificate, pool: readonly pkijs.Certificate[], anchors: readonly pkijs.Certificate[], at: Date, purpose: 'sign' | 'timestamp'): ChainResult {
  const anchorHashes = new Set(anchors.map((a) => certSha256(a)))
  const path: pkijs.Certificate[] = [leaf]
  const result = (trusted: boolean, problem: string | null): ChainResult => ({ trusted, path: path.map((c) => nameToString(c.subject)), problem, checkedAt: at.toISOString() })
  let current = leaf
  let anchored = false
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (anchorHashes.has(certSha256(current))) {
      anchored = true
      break
    }
    const candidates = [...anchors, ...pool].filter((c) => c !== current && sameName(c.subject, current.issuer))
    const parent = candidates.find((c) => {
      try {
        return verifyRaw(current.signatureAlgorithm, null, publicKeyOf(c), [current.tbsView], current.signatureValue.valueBlock.valueHexView)
      } catch {
        return false
      }
    })
    if (!parent) {
      if (selfSigned(current)) return result(false, `кореневий сертифікат «${commonName(current.subject)}» не входить до довірених`)
      if (candidates.length) return result(false, `підпис сертифіката «${commonName(current.subject)}» не перевіряється ключем видавця`)
      return result(false, `сертифікат видавця «${commonName(current.issuer)}» не знайдено`)
    }
    if (path.includes(parent)) return result(false, 'ланцюжок сертифікатів зациклений')
    path.push(parent)
    current = parent
  }
  if (!anchored) return result(false, 'ланцюжок сертифікатів задовгий')
  for (const [i, c] of path.entries()) {
    const name = commonName(c.subject)
    if (at < c.notBefore.value) return result(false, `сертифікат «${name}» ще не був чинним на ${uk(at)} (чинний з ${uk(c.notBefore.value)})`)
    if (at > c.notAfter.value) return result(false, `сертифікат «${name}» уже не був чинним на ${uk(at)} (чинний до ${uk(c.notAfter.value)})`)
    if (i > 0 && !anchorHashes.has(certSha256(c)) && !isCa(c)) return result(false, `сертифікат «${name}» не є сертифікатом ЦСК`)
    const ku = keyUsage(c)
    if (i > 0 && ku && !ku(5)) return result(false, `сертифікат «${name}» не призначений для підписання сертифікатів`)
  }
  const ku = keyUsage(leaf)
  if (purpose === 'sign' && ku && !ku(0) && !ku(1)) return result(false, 'сертифікат підписувача не призначений для електронного підпису')
  if (purpose === 'timestamp' && !(extKeyUsages(leaf) ?? []).includes(OIDS.timeStamping)) return result(false, 'сертифікат не призначений для позначок часу')
  return result(true, null)
}

interface SignerCheck {
  cert: pkijs.Certificate | null
  certs: pkijs.Certificate[]
  /** Digest of the content matches messageDigest (or the signature covers the content itself). */
  digestOk: boolean
  signatureOk: boolean
  signingCertificate: 'v1' | 'v2' | null
  signingTime: Date | null
  signatureValue: Buffer
  unsignedAttrs: pkijs.Attribute[]
  errors: string[]
  /** Integrity could not be decided (unsupported algorithm, missing certificate). */
  undecided: boolean
}

function certificatesOf(sd: pkijs.SignedData): pkijs.Certificate[] {
  return (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
}

function findSigner(si: pkijs.SignerInfo, certs: readonly pkijs.Certificate[]): pkijs.Certificate | null {
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = si.sid
    return certs.find((c) => sameName(c.issuer, sid.issuer) && c.serialNumber.isEqual(sid.serialNumber)) ?? null
  }
  // subjectKeyIdentifier [0]
  const ski = Buffer.from((si.sid as asn1js.OctetString).valueBlock?.valueHexView ?? new Uint8Array())
  return (
    certs.find((c) => {
      const ext = extension(c, '2.5.29.14')?.parsedValue
      return ext instanceof asn1js.OctetString && Buffer.from(ext.valueBlock.valueHexView).equals(ski)
    }) ?? null
  )
}

/** Checks one SignerInfo over the given content (as parts): digest, signature, signing-certificate binding. */
function checkSigner(sd: pkijs.SignedData, si: pkijs.SignerInfo, content: readonly Uint8Array[], extraCerts: readonly pkijs.Certificate[] = []): SignerCheck {
  const certs = [...certificatesOf(sd), ...extraCerts]
  const out: SignerCheck = {
    cert: null,
    certs,
    digestOk: false,
    signatureOk: false,
    signingCertificate: null,
    signingTime: null,
    signatureValue: bytesOf(si.signature),
    unsignedAttrs: si.unsignedAttrs?.attributes ?? [],
    errors: [],
    undecided: false,
  }
  out.cert = findSigner(si, certs)
  if (!out.cert) {
    out.errors.push('сертифіката підписувача в підписі немає')
    out.undecided = true
    return out
  }
  const hash = DIGESTS[si.digestAlgorithm.algorithmId]
  if (!hash) {
    out.errors.push(`непідтримуваний алгоритм гешування ${si.digestAlgorithm.algorithmId}`)
    out.undecided = true
    return out
  }
  if (hash === 'sha1') out.errors.push('використано застарілий алгоритм SHA-1')
  const key = publicKeyOf(out.cert)
  try {
    if (si.signedAttrs) {
      const attrs = si.signedAttrs.attributes
      const md = attrs.find((a) => a.type === OIDS.messageDigest)?.values[0]
      const expected = digest(hash, content)
      if (!(md instanceof asn1js.OctetString)) out.errors.push('у підписі немає атрибута message-digest')
      else if (!bytesOf(md).equals(expected)) out.errors.push('геш підписаних даних не збігається: документ змінено після підписання')
      else out.digestOk = true
      if (!attrs.some((a) => a.type === OIDS.contentType)) out.errors.push('у підписі немає атрибута content-type')
      const st = attrs.find((a) => a.type === OIDS.signingTime)?.values[0]
      if (st instanceof asn1js.UTCTime || st instanceof asn1js.GeneralizedTime) out.signingTime = st.toDate()
      const scV2 = attrs.find((a) => a.type === OIDS.signingCertificateV2)
      const scV1 = attrs.find((a) => a.type === OIDS.signingCertificate)
      if (scV2 || scV1) {
        out.signingCertificate = scV2 ? 'v2' : 'v1'
        if (!signingCertificateMatches(scV2 ?? scV1!, scV2 ? 'v2' : 'v1', out.cert)) {
          out.errors.push('атрибут signing-certificate не відповідає сертифікату підписувача')
          out.digestOk = false
        }
      }
      out.signatureOk = verifyRaw(si.signatureAlgorithm, si.digestAlgorithm.algorithmId, key, [new Uint8Array(si.signedAttrs.encodedValue)], out.signatureValue)
    } else {
      out.digestOk = true
      out.signatureOk = verifyRaw(si.signatureAlgorithm, si.digestAlgorithm.algorithmId, key, content, out.signatureValue)
    }
    if (!out.signatureOk) out.errors.push('криптографічний підпис не перевіряється ключем сертифіката підписувача')
  } catch (err) {
    out.undecided = true
    out.errors.push(errText(err))
  }
  return out
}

/** ESS signing-certificate(-v2): the first ESSCertID's hash must be the signer certificate's. */
function signingCertificateMatches(attr: pkijs.Attribute, version: 'v1' | 'v2', cert: pkijs.Certificate): boolean {
  try {
    const seq = attr.values[0] as asn1js.Sequence
    const certs = seq.valueBlock.value[0] as asn1js.Sequence
    const first = certs.valueBlock.value[0] as asn1js.Sequence
    const fields = first.valueBlock.value
    let hash = version === 'v1' ? 'sha1' : 'sha256'
    let i = 0
    if (version === 'v2' && fields[0] instanceof asn1js.Sequence) {
      hash = DIGESTS[new pkijs.AlgorithmIdentifier({ schema: fields[0] }).algorithmId] ?? 'unknown'
      i = 1
    }
    const certHash = fields[i]
    if (!(certHash instanceof asn1js.OctetString) || hash === 'unknown') return false
    return bytesOf(certHash).equals(createHash(hash).update(derOf(cert)).digest())
  } catch {
    return false
  }
}

function parseContentInfo(der: Uint8Array): pkijs.SignedData {
  const asn = asn1js.fromBER(toArrayBuffer(der))
  if (asn.offset === -1) throw new Error('підпис не є коректною структурою ASN.1')
  const ci = new pkijs.ContentInfo({ schema: asn.result })
  if (ci.contentType !== OIDS.signedData) throw new Error('підпис не є CMS SignedData')
  return new pkijs.SignedData({ schema: ci.content })
}

interface TimestampCheck {
  time: Date | null
  tsa: string | null
  valid: boolean
  trusted: boolean
  errors: string[]
  certs: pkijs.Certificate[]
}

/** An RFC 3161 token: its own CMS signature, the TSA's certificate, and that it stamps `stamped`. */
function checkTimestamp(token: Uint8Array | asn1js.AsnType, stamped: readonly Uint8Array[], anchors: readonly pkijs.Certificate[]): TimestampCheck {
  const out: TimestampCheck = { time: null, tsa: null, valid: false, trusted: false, errors: [], certs: [] }
  try {
    let sd: pkijs.SignedData
    if (token instanceof Uint8Array) sd = parseContentInfo(token)
    else {
      const ci = new pkijs.ContentInfo({ schema: token })
      if (ci.contentType !== OIDS.signedData) throw new Error('позначка часу не є CMS SignedData')
      sd = new pkijs.SignedData({ schema: ci.content })
    }
    if (sd.encapContentInfo.eContentType !== OIDS.tstInfo || !sd.encapContentInfo.eContent) throw new Error('позначка часу не містить TSTInfo')
    const eContent = new Uint8Array(sd.encapContentInfo.eContent.getValue())
    const tst = pkijs.TSTInfo.fromBER(toArrayBuffer(eContent))
    out.time = tst.genTime
    const imprintHash = DIGESTS[tst.messageImprint.hashAlgorithm.algorithmId]
    let imprintOk = false
    if (!imprintHash) out.errors.push('непідтримуваний алгоритм у позначці часу')
    else if (!bytesOf(tst.messageImprint.hashedMessage).equals(digest(imprintHash, stamped))) out.errors.push('позначка часу видана не на цей підпис (геш не збігається)')
    else imprintOk = true
    const si = sd.signerInfos[0]
    if (!si) throw new Error('позначка часу без підписувача')
    const check = checkSigner(sd, si, [eContent])
    out.certs = check.certs
    out.errors.push(...check.errors)
    if (check.cert) {
      out.tsa = commonName(check.cert.subject)
      const ekus = extKeyUsages(check.cert)
      const ekuOk = !!ekus?.includes(OIDS.timeStamping)
      if (!ekuOk) out.errors.push('сертифікат сервера позначок часу не має призначення timeStamping')
      out.valid = imprintOk && check.digestOk && check.signatureOk && ekuOk
      const chain = buildChain(check.cert, check.certs, anchors, tst.genTime, 'timestamp')
      out.trusted = out.valid && chain.trusted
      if (!chain.trusted && chain.problem) out.errors.push(`сервер позначок часу: ${chain.problem}`)
    } else if (tst.tsa?.type === 4) {
      out.tsa = nameToString(tst.tsa.value as pkijs.RelativeDistinguishedNames)
    }
  } catch (err) {
    out.errors.push(`позначку часу не прочитано: ${errText(err)}`)
  }
  return out
}

function emptyReport(bytes: Buffer): VerificationReport {
  return { sha256: sha256Hex(bytes), size: bytes.length, signatures: [], signed: false, intact: false, modifiedAfterLastSignature: false, trusted: false }
}

function summarize(bytes: Buffer, signatures: SignatureReport[]): VerificationReport {
  const real = signatures.filter((s) => s.kind === 'signature')
  const signed = real.length > 0
  const lastEnd = signatures.at(-1)
  return {
    sha256: sha256Hex(bytes),
    size: bytes.length,
    signatures,
    signed,
    intact: signed && signatures.every((s) => s.integrity === 'valid'),
    modifiedAfterLastSignature: signed && !!lastEnd?.modifiedAfter,
    trusted: signed && real.every((s) => s.chain.trusted),
  }
}

const NO_CHAIN = (problem: string): SignatureReport['chain'] => ({ trusted: false, path: [], problem, checkedAt: new Date().toISOString() })

/** One signature's CMS checked over its content: the part of the report that does not depend on the container. */
function reportCms(
  cms: Uint8Array,
  content: readonly Uint8Array[],
  anchors: readonly pkijs.Certificate[],
  base: Pick<SignatureReport, 'index' | 'kind' | 'fieldName' | 'subFilter' | 'reason' | 'location' | 'claimedTime' | 'coversWholeDocument' | 'modifiedAfter'>,
  signerIndex = 0,
): { report: SignatureReport; hasSigningCertificate: boolean } {
  const report: SignatureReport = { ...base, signer: null, timestamp: null, integrity: 'error', chain: NO_CHAIN('підпис не прочитано'), level: 'not PAdES', errors: [], warnings: [] }
  let hasSigningCertificate = false
  try {
    const sd = parseContentInfo(cms)
    if (base.kind === 'document-timestamp') {
      const ts = checkTimestamp(cms, content, anchors)
      const si = sd.signerInfos[0]
      const tsaCert = si ? findSigner(si, ts.certs) : null
      report.signer = tsaCert ? certificateFacts(tsaCert) : null
      report.timestamp = ts.time ? { time: ts.time.toISOString(), tsa: ts.tsa, valid: ts.valid, trusted: ts.trusted } : null
      report.integrity = ts.valid ? 'valid' : ts.time ? 'invalid' : 'error'
      report.chain = tsaCert && ts.time ? buildChain(tsaCert, ts.certs, anchors, ts.time, 'timestamp') : NO_CHAIN('сертифіката сервера позначок часу не знайдено')
      report.errors.push(...ts.errors.filter((e) => !e.startsWith('сервер позначок часу:')))
      return { report, hasSigningCertificate: false }
    }
    if (base.subFilter && sd.signerInfos.length !== 1) report.warnings.push(`у підписі ${sd.signerInfos.length} підписувачів; перевірено першого`)
    const si = sd.signerInfos[signerIndex]
    if (!si) throw new Error('у підписі немає жодного підписувача')
    const check = checkSigner(sd, si, content)
    report.errors.push(...check.errors)
    hasSigningCertificate = check.signingCertificate !== null
    if (check.cert) report.signer = certificateFacts(check.cert)
    report.integrity = check.undecided ? 'error' : check.digestOk && check.signatureOk ? 'valid' : 'invalid'
    if (check.signingTime) {
      if (base.subFilter === 'ETSI.CAdES.detached') report.warnings.push('підпис містить атрибут signing-time, якого PAdES не передбачає')
      report.claimedTime ??= check.signingTime.toISOString()
    }
    if (!hasSigningCertificate && base.subFilter === 'ETSI.CAdES.detached') report.errors.push('у підписі немає атрибута signing-certificate-v2, обовʼязкового для PAdES')
    const tokenAttr = check.unsignedAttrs.find((a) => a.type === OIDS.signatureTimeStampToken)
    let at = new Date()
    if (tokenAttr?.values[0]) {
      const ts = checkTimestamp(tokenAttr.values[0], [check.signatureValue], anchors)
      if (ts.time) report.timestamp = { time: ts.time.toISOString(), tsa: ts.tsa, valid: ts.valid, trusted: ts.trusted }
      for (const e of ts.errors) (ts.valid ? report.warnings : report.errors).push(`позначка часу: ${e}`)
      if (ts.valid && ts.time) at = ts.time
    }
    if (check.cert) {
      report.chain = buildChain(check.cert, [...check.certs], anchors, at, 'sign')
      if (!report.timestamp?.valid) report.warnings.push('позначки часу немає: чинність сертифіката перевірено на момент перевірки, час підписання не підтверджено')
    } else report.chain = NO_CHAIN('сертифіката підписувача в підписі немає')
  } catch (err) {
    report.integrity = 'error'
    report.errors.push(errText(err))
  }
  return { report, hasSigningCertificate }
}

interface FoundSignature {
  byteRange: [number, number, number, number]
  /** Where the ByteRange was found; its object, when one encloses it. */
  object: PdfObject | null
  contentsHex: string | null
  problem: string | null
}

/** Finds every signature dictionary in the raw bytes, by its /ByteRange. */
function findSignatures(s: string, index: ObjectIndex): FoundSignature[] {
  const found: FoundSignature[] = []
  const seen = new Set<number>()
  const re = /\/ByteRange[\0\t\n\f\r ]*\[[\0\t\n\f\r ]*(\d{1,12})[\0\t\n\f\r ]+(\d{1,12})[\0\t\n\f\r ]+(\d{1,12})[\0\t\n\f\r ]+(\d{1,12})[\0\t\n\f\r ]*\]/g
  for (let m = re.exec(s); m && found.length < MAX_SIGNATURES; m = re.exec(s)) {
    const br = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number]
    const [a, b, c, d] = br
    let object: PdfObject | null = null
    const header = lastBelow(index.positions, Math.min(m.index, a + b))
    if (header >= 0 && !seen.has(header)) {
      try {
        const o = readObjectAt(s, header)
        if (o.end > m.index) object = o
      } catch {
        object = null
      }
    }
    if (object) seen.add(object.at)
    let problem: string | null = null
    let contentsHex: string | null = null
    if (a !== 0) problem = 'підписані діапазони не починаються з початку файлу'
    else if (c < a + b || c + d > s.length || b < 2) problem = 'діапазони /ByteRange виходять за межі файлу або перекриваються'
    else if (c - (a + b) > MAX_CONTENTS_HEX + 2) problem = 'підпис (/Contents) завеликий'
    else {
      const gap = s.slice(a + b, c)
      if (!/^<[0-9a-fA-F]*>$/.test(gap)) problem = '/ByteRange не обрамлює /Contents підпису'
      else contentsHex = gap.slice(1, -1)
    }
    found.push({ byteRange: br, object, contentsHex, problem })
  }
  return found.sort((x, y) => x.byteRange[2] + x.byteRange[3] - (y.byteRange[2] + y.byteRange[3]))
}

/** The signature field whose /V is this signature dictionary: its /T. */
function fieldNameOf(s: string, index: ObjectIndex, sig: PdfObject): string | null {
  const re = new RegExp(`/V[\\0\\t\\n\\f\\r ]*${sig.n}[\\0\\t\\n\\f\\r ]+${sig.g}[\\0\\t\\n\\f\\r ]+R(?![A-Za-z])`, 'g')
  let name: string | null = null
  for (let m = re.exec(s); m; m = re.exec(s)) {
    const header = lastBelow(index.positions, m.index)
    if (header < 0) continue
    try {
      const field = readObjectAt(s, header)
      if (field.end < m.index) continue
      const t = stringOf(dictGet(field.value, 'T'))
      if (t !== null) name = decodeTextString(t)
    } catch {
      // not a field we can read
    }
  }
  return name
}

type Kind = 'signature' | 'update' | 'modification'

/** Index of the first element ≥ `limit` in an ascending array. */
function firstAtOrAbove(sorted: number[], limit: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid]! < limit) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** More incremental updates than this after a signature are not analysed one by one. */
const MAX_UPDATES = 500

/** Keys whose change in an incremental update is part of signing, per object type. */
const ALLOWED_CHANGES: Record<string, ReadonlySet<string>> = {
  Catalog: new Set(['AcroForm', 'DSS', 'Perms', 'Extensions', 'Version']),
  Page: new Set(['Annots']),
}

/**
 * Whether an incremental update (bytes [from, to)) only does what signing does: adds the
 * signature dictionary, its field and widget, fills the form's field list, adds the widget
 * to a page's /Annots, adds validation data (DSS) or a document timestamp. Any other
 * redefinition of an existing object is a modification.
 */
function analyseUpdate(s: string, index: ObjectIndex, from: number, to: number): { ok: boolean; why: string | null } {
  const section = s.slice(from, to)
  if (/\/Type[\0\t\n\f\r ]*\/ObjStm/.test(section)) return { ok: false, why: 'оновлення містить стиснені обʼєкти (object stream), їх зміни не проаналізовано' }
  const headers: number[] = []
  for (let i = firstAtOrAbove(index.positions, from); i < index.positions.length && index.positions[i]! < to; i++) headers.push(index.positions[i]!)
  if (headers.length > 10_000) return { ok: false, why: 'оновлення містить забагато обʼєктів для аналізу' }
  const defined = new Map<string, PdfObject>()
  for (const at of headers) {
    try {
      const o = readObjectAt(s, at)
      defined.set(`${o.n} ${o.g}`, o)
    } catch {
      return { ok: false, why: 'оновлення містить обʼєкт, який не вдалося прочитати' }
    }
  }
  const isWidgetLike = (v: PdfValue | undefined) => nameOf(dictGet(v, 'Subtype')) === 'Widget' || nameOf(dictGet(v, 'FT')) === 'Sig'
  const resolve = (ref: PdfValue): PdfValue | undefined => {
    if (ref.t !== 'ref') return ref
    const here = defined.get(`${ref.n} ${ref.g}`)
    if (here) return here.value
    const list = index.byId.get(`${ref.n} ${ref.g}`)
    const at = list ? lastBelow(list, from) : -1
    if (at < 0) return undefined
    try {
      return readObjectAt(s, at).value
    } catch {
      return undefined
    }
  }
  const arrayGrowsWithWidgets = (before: PdfValue | undefined, after: PdfValue | undefined) => {
    const b = before?.t === 'arr' ? before.v : before === undefined ? [] : null
    if (!b || after?.t !== 'arr' || after.v.length < b.length) return false
    for (let i = 0; i < b.length; i++) if (canonical(b[i]!) !== canonical(after.v[i]!)) return false
    return after.v.slice(b.length).every((x) => isWidgetLike(resolve(x)))
  }
  for (const [id, o] of defined) {
    const v = o.value
    const type = nameOf(dictGet(v, 'Type'))
    if (type === 'XRef') continue
    if (dictGet(v, 'ByteRange') || isWidgetLike(v) || dictGet(v, 'Fields')) continue
    const list = index.byId.get(id)
    const prevAt = list ? lastBelow(list, from) : -1
    if (prevAt < 0) continue // a new object: harmless unless something existing now points at it
    let prev: PdfObject
    try {
      prev = readObjectAt(s, prevAt)
    } catch {
      return { ok: false, why: `обʼєкт ${id} змінено` }
    }
    if (v.t === 'arr' && prev.value.t === 'arr') {
      if (arrayGrowsWithWidgets(prev.value, v)) continue
      return { ok: false, why: `масив ${id} змінено` }
    }
    const skip = (type && ALLOWED_CHANGES[type]) || new Set<string>()
    const same = canonical(prev.value, skip) === canonical(v, skip)
    const sameStream = (!prev.stream && !o.stream) || (!!prev.stream && !!o.stream && s.slice(prev.stream.start, prev.stream.end) === s.slice(o.stream.start, o.stream.end))
    if (!same || !sameStream) return { ok: false, why: type === 'Page' ? `змінено сторінку (обʼєкт ${id})` : `змінено обʼєкт ${id}${type ? ` (${type})` : ''}` }
    if (type === 'Page') {
      const before = resolve(dictGet(prev.value, 'Annots') ?? { t: 'arr', v: [] })
      const after = resolve(dictGet(v, 'Annots') ?? { t: 'arr', v: [] })
      if (canonical(before ?? { t: 'kw', v: 'null' }) !== canonical(after ?? { t: 'kw', v: 'null' }) && !arrayGrowsWithWidgets(before, after)) return { ok: false, why: `на сторінку (обʼєкт ${id}) додано анотації, що не є полями підпису` }
    }
  }
  return { ok: true, why: null }
}

/**
 * Verifies every signature of a PDF from its bytes: each /ByteRange and /Contents is read
 * from the raw file, the CMS is checked over the signed ranges (digest, signature,
 * signing-certificate-v2), the signature timestamp over the signature value, the chain
 * against the trust anchors, and every incremental update after a signature is classified
 * as signing, validation data, or modification.
 */
export async function verifyPdf(bytes: Buffer, trustAnchors: Buffer[]): Promise<VerificationReport> {
  if (bytes.length < 8 || !bytes.subarray(0, 1024).toString('latin1').includes('%PDF-')) return emptyReport(bytes)
  const anchors = parseAnchors(trustAnchors)
  const s = bytes.toString('latin1')
  const index = indexObjects(s)
  const found = findSignatures(s, index)
  const eofs = updateEnds(s)
  const dssAt = [...s.matchAll(/\/DSS[\0\t\n\f\r ]*(?:\d+[\0\t\n\f\r ]+\d+[\0\t\n\f\r ]+R|<<)/g)].map((m) => m.index)

  const reports: SignatureReport[] = []
  const ends: number[] = []
  const kinds: { start: number; end: number }[] = []
  for (const [i, f] of found.entries()) {
    const [, b, c, d] = f.byteRange
    const dict = f.object?.value
    const subFilter = nameOf(dictGet(dict, 'SubFilter'))
    const kind = nameOf(dictGet(dict, 'Type')) === 'DocTimeStamp' || subFilter === 'ETSI.RFC3161' ? 'document-timestamp' : 'signature'
    const str = (key: string) => {
      const v = stringOf(dictGet(dict, key))
      return v === null ? null : decodeTextString(v)
    }
    const m = stringOf(dictGet(dict, 'M'))
    const base = {
      index: i + 1,
      kind: kind as SignatureReport['kind'],
      fieldName: f.object ? fieldNameOf(s, index, f.object) : null,
      subFilter,
      reason: str('Reason'),
      location: str('Location'),
      claimedTime: m ? parsePdfDate(m) : null,
      coversWholeDocument: f.byteRange[0] === 0 && c + d === bytes.length,
      modifiedAfter: false,
    }
    ends.push(c + d)
    kinds.push({ start: b, end: c + d })
    if (!f.contentsHex) {
      reports.push({ ...base, signer: null, timestamp: null, integrity: 'error', chain: NO_CHAIN('підпис не прочитано'), level: 'not PAdES', errors: [f.problem ?? 'підпис не прочитано'], warnings: [] })
      continue
    }
    let report: SignatureReport
    try {
      const cms = Buffer.from(f.contentsHex, 'hex')
      const parts = [bytes.subarray(0, b), bytes.subarray(c, c + d)]
      const checked = reportCms(cms, parts, anchors, base)
      report = checked.report
      if (kind === 'signature') {
        const cades = subFilter === 'ETSI.CAdES.detached'
        if (!cades) report.warnings.push(`підпис формату ${subFilter ?? 'невідомого'}, не PAdES (потрібен ETSI.CAdES.detached)`)
        if (cades && checked.hasSigningCertificate) report.level = report.timestamp?.valid ? 'B-T' : 'B-B'
      }
    } catch (err) {
      report = { ...base, signer: null, timestamp: null, integrity: 'error', chain: NO_CHAIN('підпис не прочитано'), level: 'not PAdES', errors: [errText(err)], warnings: [] }
    }
    reports.push(report)
  }

  // What follows each signature: later signatures' own updates, validation data, or modifications.
  const analysed = new Map<string, ReturnType<typeof analyseUpdate>>()
  for (const [i, r] of reports.entries()) {
    const end = ends[i]!
    const tail = s.slice(end)
    if (/^[\0\t\n\f\r ]*$/.test(tail)) continue
    let from = end
    const sections: { from: number; to: number }[] = []
    for (const e of eofs) {
      if (e <= end) continue
      sections.push({ from, to: e })
      from = e
    }
    if (from < s.length && !/^[\0\t\n\f\r ]*$/.test(s.slice(from))) sections.push({ from, to: s.length })
    if (sections.length > MAX_UPDATES) {
      r.modifiedAfter = true
      r.errors.push(`після підписання до файлу дописано ${sections.length} оновлень; їх не проаналізовано`)
      continue
    }
    for (const sec of sections) {
      const laterSignature = kinds.findIndex((k, j) => j !== i && k.start >= sec.from && k.start < sec.to)
      const hasDss = dssAt.some((p) => p >= sec.from && p < sec.to)
      const kind: Kind = laterSignature >= 0 || hasDss ? 'signature' : /^[\0\t\n\f\r ]*$/.test(s.slice(sec.from, sec.to)) ? 'update' : 'modification'
      if (kind === 'update') continue
      if (kind === 'modification') {
        r.modifiedAfter = true
        r.errors.push(`після підписання до файлу дописано зміни (байти ${sec.from}–${sec.to})`)
        break
      }
      const key = `${sec.from}:${sec.to}`
      const analysis = analysed.get(key) ?? analyseUpdate(s, index, sec.from, sec.to)
      analysed.set(key, analysis)
      if (!analysis.ok) {
        r.modifiedAfter = true
        r.errors.push(`після підписання документ змінено: ${analysis.why}`)
        break
      }
    }
    // Long-term levels: validation data after a timestamped signature, then a document timestamp.
    if (r.level === 'B-T' && dssAt.some((p) => p > end)) {
      r.level = 'B-LT'
      const docTs = reports.some((x, j) => x.kind === 'document-timestamp' && ends[j]! > end && x.integrity === 'valid' && dssAt.some((p) => p > end && p < kinds[j]!.start))
      if (docTs) r.level = 'B-LTA'
    }
  }
  return summarize(bytes, reports)
}

/** A .p7s/.p7b in DER, PEM or bare base64. */
function decodeCmsFile(p7s: Buffer): Buffer {
  const text = p7s.subarray(0, 64).toString('latin1')
  if (p7s[0] === 0x30) return p7s
  if (/-----BEGIN/.test(text)) return Buffer.from(p7s.toString('latin1').replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
  const asText = p7s.toString('latin1').replace(/\s+/g, '')
  if (/^[A-Za-z0-9+/]+=*$/.test(asText)) return Buffer.from(asText, 'base64')
  return p7s
}

export class DetachedSignatureError extends Error {}

/**
 * Verifies a file against a detached CMS/CAdES signature (.p7s). Every signer in the CMS is
 * reported. A CMS with the content inside (attached) is checked against that content,
 * which must equal the file given.
 */
export async function verifyDetached(content: Buffer, p7s: Buffer, trustAnchors: Buffer[]): Promise<VerificationReport> {
  const anchors = parseAnchors(trustAnchors)
  const der = decodeCmsFile(p7s)
  let sd: pkijs.SignedData
  try {
    sd = parseContentInfo(der)
  } catch (err) {
    throw new DetachedSignatureError(errText(err))
  }
  const reports: SignatureReport[] = []
  const embedded = sd.encapContentInfo.eContent ? Buffer.from(sd.encapContentInfo.eContent.getValue()) : null
  for (const [i] of sd.signerInfos.entries()) {
    const base = { index: i + 1, kind: 'signature' as const, fieldName: null, subFilter: null, reason: null, location: null, claimedTime: null, coversWholeDocument: true, modifiedAfter: false }
    const { report, hasSigningCertificate } = reportCms(der, [embedded ?? content], anchors, base, i)
    if (embedded && content.length && !embedded.equals(content)) {
      report.integrity = 'invalid'
      report.errors.push('підпис містить інший вміст, ніж переданий файл')
    }
    if (hasSigningCertificate) report.level = report.timestamp?.valid ? 'B-T' : 'B-B'
    reports.push(report)
  }
  if (!reports.length) throw new DetachedSignatureError('у підписі немає жодного підписувача')
  return summarize(content, reports)
}
