import { createHash, sign as nodeSign, type KeyObject } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { certificateDer, toArrayBuffer } from './p12.ts'

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
} as const

/**
 * What signs: a certificate, its issuers, and a function producing a raw signature over
 * bytes. A PKCS#12 key is one backend; a hardware token or a remote signing service can be
 * another, behind the same shape.
 */
export interface SignerBackend {
  readonly certificate: pkijs.Certificate
  readonly chain: pkijs.Certificate[]
  /** The CMS signatureAlgorithm for what `sign` produces. */
  readonly signatureAlgorithm: string
  /** A signature over `data` (the DER of the signed attributes), with SHA-256. */
  sign(data: Buffer): Promise<Buffer>
}

/** A backend over a private key held in this process (opened from PKCS#12). */
export function keyBackend(identity: { certificate: pkijs.Certificate; chain: pkijs.Certificate[]; privateKey: KeyObject; keyType: 'rsa' | 'ec' }): SignerBackend {
  return {
    certificate: identity.certificate,
    chain: identity.chain,
    signatureAlgorithm: identity.keyType === 'rsa' ? OID.rsaEncryption : OID.ecdsaWithSha256,
    // ECDSA signatures come out DER-encoded, as CMS wants them.
    sign: async (data) => nodeSign('sha256', data, identity.privateKey),
  }
}

/** ESS signing-certificate-v2 (RFC 5035): binds the signature to this exact certificate. */
function signingCertificateV2(cert: pkijs.Certificate) {
  const certHash = createHash('sha256').update(certificateDer(cert)).digest()
  const issuerSerial = new asn1js.Sequence({
    value: [
      // GeneralNames with one directoryName [4]; the issuer keeps its original encoding.
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  })
  // hashAlgorithm is omitted: SHA-256 is its default.
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }), issuerSerial] })
  return new pkijs.Attribute({ type: OID.signingCertificateV2, values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })] })
}

export interface CadesOptions {
  /** The signed bytes (the PDF's byte ranges, in order), hashed here with SHA-256 without copying them together. */
  content: Buffer | Buffer[]
  backend: SignerBackend
  /** For PAdES B-T: asks a timestamp authority to stamp the signature value; returns the token (ContentInfo DER). */
  timestamp?: (signatureValue: Buffer) => Promise<Buffer>
}

/**
 * A detached CAdES signature for PAdES (ETSI EN 319 122-1 / 319 142-1 baseline): signed
 * attributes content-type, message-digest and signing-certificate-v2, and deliberately no
 * signing-time (PAdES keeps the claimed time in the PDF's /M; a trusted time comes only
 * from a timestamp token). Names inside keep the certificate's own encoding, so Cyrillic
 * UTF8String names survive byte for byte.
 */
export async function buildCades(opts: CadesOptions): Promise<Buffer> {
  const { backend } = opts
  const hash = createHash('sha256')
  for (const part of Array.isArray(opts.content) ? opts.content : [opts.content]) hash.update(part)
  const digest = hash.digest()
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
      new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })] }),
      signingCertificateV2(backend.certificate),
    ],
  })
  // The signature covers the attributes encoded as a SET (tag 0x31), not as the [0] field.
  const toSign = Buffer.from(signedAttrs.toSchema().toBER(false))
  toSign[0] = 0x31
  const signature = await backend.sign(toSign)
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: backend.certificate.issuer, serialNumber: backend.certificate.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: backend.signatureAlgorithm, ...(backend.signatureAlgorithm === OID.rsaEncryption ? { algorithmParams: new asn1js.Null() } : {}) }),
    signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
  })
  if (opts.timestamp) {
    const token = await opts.timestamp(signature)
    const parsed = asn1js.fromBER(toArrayBuffer(token))
    if (parsed.offset === -1) throw new Error('timestamp token is not DER')
    signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [parsed.result] })] })
  }
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates: [backend.certificate, ...backend.chain],
    signerInfos: [signerInfo],
  })
  const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) })
  return Buffer.from(contentInfo.toSchema().toBER(false))
}
