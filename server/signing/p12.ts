import { createHash, createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto'
import * as pkijs from 'pkijs'
import { SigningError } from './errors.ts'

// pkijs needs a WebCrypto engine for PKCS#12 decryption; Node's is enough.
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto })
pkijs.setEngine('node', engine)

/** A signer's certificate, its chain and private key, as opened from a PKCS#12 file. */
export interface SigningIdentity {
  certificate: pkijs.Certificate
  /** Other certificates in the file (issuers), leaf excluded. */
  chain: pkijs.Certificate[]
  privateKey: KeyObject
  keyType: 'rsa' | 'ec'
}

export const toArrayBuffer = (b: Uint8Array): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer
export const certificateDer = (c: pkijs.Certificate) => Buffer.from(c.toSchema().toBER(false))

/**
 * Opens a PKCS#12 file with its passphrase. The passphrase is used here and forgotten; it is
 * never stored. The certificate chosen is the one whose public key matches the private key.
 */
export async function openP12(bytes: Uint8Array, passphrase: string): Promise<SigningIdentity> {
  const password = toArrayBuffer(Buffer.from(passphrase, 'utf8'))
  let pfx: pkijs.PFX
  try {
    pfx = pkijs.PFX.fromBER(toArrayBuffer(bytes))
  } catch {
    throw new SigningError('NOT_PKCS12', 'файл не є контейнером PKCS#12 (.p12, .pfx)')
  }
  try {
    await pfx.parseInternalValues({ password, checkIntegrity: true })
  } catch (err) {
    const message = (err as Error).message ?? ''
    if (/integrity|MAC|password/i.test(message)) throw new SigningError('BAD_PASSPHRASE', 'неправильний пароль до особистого ключа')
    throw new SigningError('NOT_PKCS12', `контейнер PKCS#12 не прочитано: ${message}`)
  }
  const safe = pfx.parsedValue?.authenticatedSafe
  if (!safe) throw new SigningError('NOT_PKCS12', 'контейнер PKCS#12 порожній')
  try {
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password })) })
  } catch (err) {
    // The MAC already proved the passphrase; what fails here is the container's cipher.
    if (/Unknown "?\w*EncryptionAlgorithm|not supported/i.test((err as Error).message ?? '')) {
      throw new SigningError('NOT_PKCS12', 'контейнер зашифровано застарілим алгоритмом (RC2/3DES); експортуйте його повторно з AES (openssl pkcs12 -export без -legacy)')
    }
    throw new SigningError('BAD_PASSPHRASE', 'неправильний пароль до особистого ключа')
  }
  const keys: KeyObject[] = []
  const certificates: pkijs.Certificate[] = []
  for (const content of safe.parsedValue?.safeContents ?? []) {
    for (const bag of content.value.safeBags) {
      if (bag.bagValue instanceof pkijs.PKCS8ShroudedKeyBag) {
        try {
          await bag.bagValue.parseInternalValues({ password }, engine)
        } catch {
          throw new SigningError('BAD_PASSPHRASE', 'неправильний пароль до особистого ключа')
        }
        keys.push(createPrivateKey({ key: Buffer.from(bag.bagValue.parsedValue!.toSchema().toBER(false)), format: 'der', type: 'pkcs8' }))
      } else if (bag.bagValue instanceof pkijs.PrivateKeyInfo) {
        keys.push(createPrivateKey({ key: Buffer.from(bag.bagValue.toSchema().toBER(false)), format: 'der', type: 'pkcs8' }))
      } else if (bag.bagValue instanceof pkijs.CertBag && bag.bagValue.parsedValue instanceof pkijs.Certificate) {
        certificates.push(bag.bagValue.parsedValue)
      }
    }
  }
  const privateKey = keys[0]
  if (!privateKey) throw new SigningError('NO_PRIVATE_KEY', 'у контейнері немає особистого ключа')
  const keyType = privateKey.asymmetricKeyType
  if (keyType !== 'rsa' && keyType !== 'ec') throw new SigningError('UNSUPPORTED_KEY', `алгоритм ключа ${keyType} не підтримується (потрібен RSA або ECDSA)`)
  const publicDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' })
  const certificate = certificates.find((c) => Buffer.from(c.subjectPublicKeyInfo.toSchema().toBER(false)).equals(publicDer))
  if (!certificate) throw new SigningError('NO_MATCHING_CERTIFICATE', 'у контейнері немає сертифіката до цього ключа')
  return { certificate, chain: certificates.filter((c) => c !== certificate), privateKey, keyType }
}

const NAME_LABELS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.12': 'title',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
}

/** A distinguished name as readable text, Cyrillic intact: "CN=…, O=…, C=UA". */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues.map((tv) => `${NAME_LABELS[tv.type] ?? tv.type}=${String(tv.value.valueBlock.value)}`).join(', ')
}

export const commonName = (name: pkijs.RelativeDistinguishedNames) => String(name.typesAndValues.find((tv) => tv.type === '2.5.4.3')?.value.valueBlock.value ?? nameToString(name))

/** The facts about a certificate that people and the audit log care about. */
export function describeCertificate(c: pkijs.Certificate) {
  return {
    subject: nameToString(c.subject),
    commonName: commonName(c.subject),
    issuer: nameToString(c.issuer),
    serialNumber: Buffer.from(c.serialNumber.valueBlock.valueHexView).toString('hex'),
    notBefore: c.notBefore.value,
    notAfter: c.notAfter.value,
    sha256: createHash('sha256').update(certificateDer(c)).digest('hex'),
  }
}
