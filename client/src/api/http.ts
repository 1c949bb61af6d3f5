import type { Problem } from './types.ts'

/** An error answered by the API (RFC 9457 problem+json), or a network failure (code NETWORK). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly title: string
  readonly detail: string | undefined
  readonly errors: { path: string; message: string }[]
  readonly problem: Partial<Problem> & Record<string, unknown>

  constructor(status: number, problem: Partial<Problem> & Record<string, unknown>) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.code = typeof problem.code === 'string' ? problem.code : status === 0 ? 'NETWORK' : 'UNKNOWN'
    this.title = problem.title ?? ''
    this.detail = problem.detail
    this.errors = Array.isArray(problem.errors) ? problem.errors : []
    this.problem = problem
  }
}

export const isAbort = (err: unknown): boolean => err instanceof DOMException && err.name === 'AbortError'

interface HttpHooks {
  /** The CSRF token of the current session, sent on every unsafe request. */
  csrfToken: () => string | null
  /** Called when the server says the session is missing or over. */
  onUnauthenticated: (code: string) => void
}

let hooks: HttpHooks = { csrfToken: () => null, onUnauthenticated: () => {} }

export function configureHttp(h: HttpHooks): void {
  hooks = h
}

export const csrfToken = (): string | null => hooks.csrfToken()

const SESSION_CODES = new Set(['UNAUTHENTICATED', 'SESSION_EXPIRED'])

/** Reports a 401 that means "no session" to the app (which sends the person to the login page). */
export function noticeUnauthenticated(err: ApiError): void {
  if (err.status === 401 && SESSION_CODES.has(err.code)) hooks.onUnauthenticated(err.code)
}

/** Turns a problem+json (or any other) error body into an ApiError. */
export function problemFrom(status: number, contentType: string | null, text: string): ApiError {
  if (contentType && /json/.test(contentType)) {
    try {
      const body = JSON.parse(text) as unknown
      if (body && typeof body === 'object') return new ApiError(status, body as Record<string, unknown>)
    } catch {
      // fall through: not JSON after all
    }
  }
  return new ApiError(status, {})
}

export type Query = Record<string, string | number | boolean | null | undefined>

/** Builds "/api/...?a=1&b=2", leaving out empty values. */
export function apiUrl(path: string, query?: Query): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === '' || v === false) continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return `/api${path}${qs ? `?${qs}` : ''}`
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
  /** Do not treat a 401 as "go to the login page" (used for the session probe and login itself). */
  quiet401?: boolean
}

/** A JSON request to the API with the session cookie and, for unsafe methods, the CSRF token. */
export async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (method !== 'GET') {
    const token = hooks.csrfToken()
    if (token) headers['x-csrf-token'] = token
  }
  let res: Response
  try {
    res = await fetch(apiUrl(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: opts.signal ?? null,
    })
  } catch (err) {
    if (isAbort(err)) throw err
    throw new ApiError(0, { code: 'NETWORK', detail: (err as Error).message })
  }
  if (!res.ok) {
    const err = problemFrom(res.status, res.headers.get('content-type'), await res.text())
    if (!opts.quiet401) noticeUnauthenticated(err)
    throw err
  }
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}
