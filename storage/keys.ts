import { InvalidKeyError } from './errors.ts'

export const TEMP_PREFIX = 'tmp/'
export const CONTENT_PREFIX = 'sha256/'

const KEY_RE = /^(sha256|tmp)\/[a-z0-9/_.-]+$/
const PREFIX_RE = /^[a-z0-9/_.-]*$/
const SHA256_HEX_RE = /^[0-9a-f]{64}$/
const CONTENT_KEY_RE = /^sha256\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/

/** Key under which bytes with the given sha256 (lowercase hex) are stored. */
export function contentKey(sha256hex: string): string {
  if (!SHA256_HEX_RE.test(sha256hex)) throw new InvalidKeyError(`sha256/${sha256hex}`)
  return `${CONTENT_PREFIX}${sha256hex.slice(0, 2)}/${sha256hex}`
}

/** True for keys produced by contentKey(). */
export function isContentKey(key: string): boolean {
  return CONTENT_KEY_RE.test(key)
}

/** True when key is acceptable to get/head/delete. */
export function isValidKey(key: string): boolean {
  // Empty segments and a trailing '/' are rejected too: on disk they would alias other keys or name a directory.
  return KEY_RE.test(key) && !key.includes('..') && !key.split('/').some((s) => s === '' || s === '.')
}

/** Throws InvalidKeyError unless isValidKey(key). */
export function assertValidKey(key: string): void {
  if (typeof key !== 'string' || !isValidKey(key)) throw new InvalidKeyError(String(key))
}

/** Throws InvalidKeyError unless prefix could be the start of a valid key (or is ''). */
export function assertValidPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix) || prefix.includes('..') || prefix.startsWith('/')) {
    throw new InvalidKeyError(String(prefix))
  }
}
