import { Type, type Static } from 'typebox'

/** A certificate as a signature report shows it: names with Cyrillic intact, times in ISO 8601. */
export const CertificateFacts = Type.Object({
  commonName: Type.String(),
  subject: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String({ description: 'hex' }),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
})

export const TimestampFacts = Type.Object({
  time: Type.String({ format: 'date-time', description: 'genTime of the RFC 3161 token' }),
  tsa: Type.Union([Type.String(), Type.Null()], { description: 'the timestamp authority, as named by its certificate' }),
  valid: Type.Boolean({ description: 'the token is signed correctly by a timestamping certificate and stamps this signature value' }),
  trusted: Type.Boolean({ description: "the TSA's certificate chains to a trust anchor" }),
})

export const ChainFacts = Type.Object({
  trusted: Type.Boolean(),
  path: Type.Array(Type.String(), { description: 'subjects from the signer up to the anchor (or as far as it was found)' }),
  problem: Type.Union([Type.String(), Type.Null()]),
  checkedAt: Type.String({ format: 'date-time', description: 'the time validity periods were checked at: the timestamp when there is a valid one, else the time of the check' }),
})

export const SignatureReportOut = Type.Object({
  index: Type.Integer({ minimum: 1 }),
  kind: Type.Union([Type.Literal('signature'), Type.Literal('document-timestamp')]),
  fieldName: Type.Union([Type.String(), Type.Null()]),
  subFilter: Type.Union([Type.String(), Type.Null()]),
  signer: Type.Union([CertificateFacts, Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  location: Type.Union([Type.String(), Type.Null()]),
  claimedTime: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'the time the signer claims (PDF /M or a signing-time attribute): not proven' }),
  timestamp: Type.Union([TimestampFacts, Type.Null()]),
  integrity: Type.Union([Type.Literal('valid'), Type.Literal('invalid'), Type.Literal('error')]),
  chain: ChainFacts,
  level: Type.Union([Type.Literal('B-B'), Type.Literal('B-T'), Type.Literal('B-LT'), Type.Literal('B-LTA'), Type.Literal('not PAdES')]),
  coversWholeDocument: Type.Boolean(),
  modifiedAfter: Type.Boolean({ description: 'bytes were added after this signature that are not later signatures, validation data or document timestamps' }),
  errors: Type.Array(Type.String()),
  warnings: Type.Array(Type.String()),
})

export const VerificationReportOut = Type.Object({
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  size: Type.Integer({ minimum: 0 }),
  signatures: Type.Array(SignatureReportOut),
  signed: Type.Boolean({ description: 'at least one signature (document timestamps do not count)' }),
  intact: Type.Boolean({ description: 'signed, and every signature and timestamp is cryptographically intact' }),
  modifiedAfterLastSignature: Type.Boolean(),
  trusted: Type.Boolean({ description: 'signed, and every signature chains to a trust anchor' }),
})

export type CertificateFacts = Static<typeof CertificateFacts>
export type SignatureReportOut = Static<typeof SignatureReportOut>
export type VerificationReportOut = Static<typeof VerificationReportOut>

export const DetachedVerifyBody = Type.Object(
  {
    fileBase64: Type.String({ minLength: 1, description: 'the signed file, base64' }),
    signatureBase64: Type.String({ minLength: 1, maxLength: 8_000_000, description: 'the detached CMS signature (.p7s/.p7b), DER or PEM, base64' }),
  },
  { additionalProperties: false },
)
export type DetachedVerifyBody = Static<typeof DetachedVerifyBody>

export const Sha256Params = Type.Object({ sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }) })

export const TrustAnchorOut = Type.Object({
  id: Type.String({ format: 'uuid' }),
  label: Type.String(),
  subject: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  sha256: Type.String(),
  selfSigned: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
})
export type TrustAnchorOut = Static<typeof TrustAnchorOut>

export const TrustAnchorCreate = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f<>]*$' })),
    certificate: Type.String({ minLength: 16, maxLength: 200_000, description: 'a CA certificate: PEM, or base64 of the DER' }),
  },
  { additionalProperties: false },
)
export type TrustAnchorCreate = Static<typeof TrustAnchorCreate>
