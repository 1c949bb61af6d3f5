/** Why signing or reading a signing identity failed; the routes map each to a problem code. */
export type SigningFailure =
  | 'BAD_PASSPHRASE'
  | 'NOT_PKCS12'
  | 'NO_PRIVATE_KEY'
  | 'NO_MATCHING_CERTIFICATE'
  | 'UNSUPPORTED_KEY'
  | 'CERTIFICATE_EXPIRED'
  | 'TSA_UNREACHABLE'
  | 'TSA_REFUSED'
  | 'PDF_NOT_SIGNABLE'

export class SigningError extends Error {
  constructor(
    readonly reason: SigningFailure,
    message: string,
  ) {
    super(message)
  }
}
