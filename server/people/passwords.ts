import { hash, verify } from '@node-rs/argon2'

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane).
// `algorithm: 2` is Algorithm.Argon2id (a const enum, which isolated modules cannot import).
const OPTIONS = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 }

/** Hashes a password with argon2id. */
export const hashPassword = (password: string) => hash(password, OPTIONS)

// Verifying against this when the login is unknown keeps the answer time the same either way.
let dummyHash: Promise<string> | null = null

/** Checks a password against a stored hash, or against a dummy when there is none. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummyHash ??= hashPassword('dummy password for timing')
    await verify(await dummyHash, password)
    return false
  }
  try {
    return await verify(stored, password)
  } catch {
    return false // a malformed stored hash never authenticates
  }
}
