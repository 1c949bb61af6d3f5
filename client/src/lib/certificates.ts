import type { CertificateOut } from '../api/types.ts'

/** How far ahead an approaching expiry is pointed out. */
export const EXPIRY_WARNING_DAYS = 30
const DAY = 86_400_000

/** A certificate's state for people: usable, usable but expiring soon, or not usable and why. */
export type CertificateState = 'valid' | 'expiring' | 'expired' | 'notYet' | 'revoked'

export function certificateState(c: CertificateOut, now = Date.now()): { state: CertificateState; daysLeft: number } {
  const daysLeft = Math.max(0, Math.ceil((Date.parse(c.notAfter) - now) / DAY))
  if (c.revoked) return { state: 'revoked', daysLeft }
  if (Date.parse(c.notAfter) <= now) return { state: 'expired', daysLeft: 0 }
  if (Date.parse(c.notBefore) > now) return { state: 'notYet', daysLeft }
  return { state: daysLeft <= EXPIRY_WARNING_DAYS ? 'expiring' : 'valid', daysLeft }
}

/** Whether the certificate can sign now (the server's `valid` also says it is not revoked). */
export const canSignWith = (c: CertificateOut, now = Date.now()): boolean => {
  const s = certificateState(c, now).state
  return c.valid && (s === 'valid' || s === 'expiring')
}

/** The largest PKCS#12 file the API takes (its base64 may be at most 200 000 characters). */
export const MAX_P12_BYTES = 150_000

/** A file's bytes as base64, read with FileReader (a data: URL without its prefix). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = String(reader.result ?? '')
      resolve(url.slice(url.indexOf(',') + 1))
    }
    reader.onerror = () => reject(reader.error ?? new Error('FileReader failed'))
    reader.readAsDataURL(file)
  })
}

/** What a certificate label may be (the API's one-line text: no control characters, no < >). */
export const LABEL_PATTERN = /^(?=.*\S)[^\u0000-\u001f\u007f<>]*$/
