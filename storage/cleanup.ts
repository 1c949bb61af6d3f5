/** Receives errors from best-effort cleanup (temp object removal) that must not mask the put's own outcome. */
export type CleanupErrorHandler = (err: unknown, key: string) => void

/** Default CleanupErrorHandler: a process warning, so the failure is visible without a logger dependency. */
export const warnCleanupError: CleanupErrorHandler = (err, key) => {
  const message = err instanceof Error ? err.message : String(err)
  process.emitWarning(`object store: could not remove ${key}: ${message}`, { type: 'StorageCleanupWarning' })
}

/** Error code of a Node system error, if any. */
export function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined
}
