import { Type, type Static } from 'typebox'
import { DateTime, Line, Uuid } from '../schemas.ts'

export const CertificateOut = Type.Object({
  id: Uuid,
  owner: Type.Object({ id: Uuid, fullName: Type.String() }),
  label: Type.String(),
  subject: Type.String(),
  commonName: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String(),
  notBefore: DateTime,
  notAfter: DateTime,
  sha256: Type.String(),
  keyType: Type.String(),
  valid: Type.Boolean(),
  revoked: Type.Boolean(),
  createdAt: DateTime,
})
export type CertificateOut = Static<typeof CertificateOut>

export const CertificateUpload = Type.Object(
  {
    label: Line(200),
    /** The PKCS#12 file (.p12/.pfx), base64. */
    p12Base64: Type.String({ minLength: 16, maxLength: 200_000, pattern: '^[A-Za-z0-9+/=\\s]+$' }),
    /** Checks the file now; it is never stored. */
    passphrase: Type.String({ minLength: 1, maxLength: 256 }),
    /** Admins may upload for someone else. */
    ownerId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type CertificateUpload = Static<typeof CertificateUpload>

export const SignBody = Type.Object(
  {
    certificateId: Uuid,
    passphrase: Type.String({ minLength: 1, maxLength: 256 }),
    participantId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)
export type SignBody = Static<typeof SignBody>

export const SignatureOut = Type.Object({
  id: Uuid,
  signer: Type.Object({ id: Uuid, fullName: Type.String() }),
  onBehalfOf: Type.Union([Type.String(), Type.Null()]),
  subject: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String(),
  level: Type.Enum(['B_B', 'B_T', 'B_LT', 'B_LTA']),
  timestampAt: Type.Union([DateTime, Type.Null()]),
  claimedAt: DateTime,
  sourceVersionNumber: Type.Integer(),
  signedVersionNumber: Type.Integer(),
  signedVersionSha256: Type.String(),
})
export type SignatureOut = Static<typeof SignatureOut>
