import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Config } from '../config.ts'
import { AppError } from '../errors.ts'

export interface SealingKey {
  key: Buffer
  /** A short, non-secret name for the key, stored beside what it sealed (key rotation). */
  id: string
}

const cache = new Map<string, SealingKey | null>()

/**
 * The key that seals uploaded PKCS#12 files. Production passes CERTIFICATE_KEY (one key for
 * every instance). The embedded default keeps a generated key under DATA_DIR, so a
 * single-machine install works without configuration. Without either, signing is off.
 */
export function sealingKey(config: Config): SealingKey | null {
  const cacheKey = `${config.dataDir}|${config.databaseUrl ?? ''}|${config.certificateKey?.toString('base64') ?? ''}`
  if (cache.has(cacheKey)) return cache.get(cacheKey)!
  let key = config.certificateKey
  if (!key && !config.databaseUrl) {
    const dir = join(config.dataDir, 'secrets')
    const file = join(dir, 'certificate-key')
    if (existsSync(file)) key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')
    else {
      mkdirSync(dir, { recursive: true, mode: 0o700 })
      key = randomBytes(32)
      writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' })
    }
  }
  const result = key ? { key, id: createHash('sha256').update(key).digest('hex').slice(0, 12) } : null
  cache.set(cacheKey, result)
  return result
}

/** The sealing key, or a clear refusal when the installation has none. */
export function requireSealingKey(config: Config): SealingKey {
  const k = sealingKey(config)
  if (!k) throw new AppError('SIGNING_NOT_CONFIGURED')
  return k
}

/** AES-256-GCM: iv (12) | tag (16) | ciphertext. */
export function seal(key: SealingKey, plain: Buffer): Buffer {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key.key, iv)
  const body = Buffer.concat([cipher.update(plain), cipher.final()])
  return Buffer.concat([iv, cipher.getAuthTag(), body])
}

export function unseal(key: SealingKey, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key.key, sealed.subarray(0, 12))
  decipher.setAuthTag(sealed.subarray(12, 28))
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()])
}
