import { ApiError } from '../api/http.ts'
import { hasKey, t } from '../i18n/index.ts'
import { formatSize } from '../i18n/format.ts'

/** A message for people: the error code's Ukrainian text, else the server's title, else a generic one. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'FILE_TOO_LARGE' && typeof err.problem.limit === 'number') return t('error.FILE_TOO_LARGE_LIMIT', { limit: formatSize(err.problem.limit) })
    if (err.code === 'UNKNOWN') return t('error.UNKNOWN', { status: err.status })
    const key = `error.${err.code}`
    if (err.code === 'VALIDATION_FAILED' && err.errors.length > 0) {
      const fields = [...new Set(err.errors.map((e) => e.path.split('/').filter(Boolean).pop() ?? e.path))]
      return `${t('error.VALIDATION_FAILED')} (${fields.join(', ')})`
    }
    if (hasKey(key)) return t(key)
    if (err.title) return err.title
    return t('error.generic', { detail: err.message })
  }
  return t('error.generic', { detail: err instanceof Error ? err.message : String(err) })
}

/** Field-level messages from a VALIDATION_FAILED answer, by the last segment of the path ("/body/title" → "title"). */
export function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!(err instanceof ApiError)) return out
  for (const e of err.errors) {
    const field = e.path.split('/').filter(Boolean).pop()
    if (field && !(field in out)) out[field] = e.message
  }
  return out
}

/**
 * Answers that mean "what you are looking at is out of date": the page reloads the route
 * and tells the person why their action did not go through.
 */
const RELOAD_CODES = new Set(['STALE_VERSION', 'STAGE_CLOSED', 'ALREADY_DECIDED', 'APPROVAL_FINISHED', 'APPROVAL_RETURNED', 'OUT_OF_TURN', 'APPROVAL_ALREADY_RUNNING'])

export function needsReload(err: unknown): boolean {
  return err instanceof ApiError && RELOAD_CODES.has(err.code)
}

/** What to tell the person when their action met a newer state (see needsReload). */
export function conflictMessage(err: unknown): string {
  if (err instanceof ApiError && err.code === 'STALE_VERSION') return t('decision.stale')
  return `${errorMessage(err)} ${t('decision.reloaded')}`
}
