import { ApiError } from '../api/http.ts'
import { authApi } from '../api/endpoints.ts'
import type { SessionOut } from '../api/types.ts'
import type { Role } from '../i18n/labels.ts'

/** The signed-in person (or nobody), with the CSRF token every change must carry. */
class SessionStore {
  #current = $state<SessionOut | null>(null)
  #ready = $state(false)
  /** Why the last session ended, for the login page ("session expired"). */
  #endedBecause = $state<string | null>(null)

  get current(): SessionOut | null {
    return this.#current
  }
  /** False until the first probe of GET /api/auth/session has answered. */
  get ready(): boolean {
    return this.#ready
  }
  get signedIn(): boolean {
    return this.#current !== null
  }
  get endedBecause(): string | null {
    return this.#endedBecause
  }
  get csrfToken(): string | null {
    return this.#current?.csrfToken ?? null
  }
  get roles(): Role[] {
    return this.#current?.roles ?? []
  }
  get isAdmin(): boolean {
    return this.roles.includes('admin')
  }
  hasRole(...roles: Role[]): boolean {
    return roles.some((r) => this.roles.includes(r))
  }
  /** The units the person may author documents for (the units of their positions), without repeats. */
  get myUnits(): { id: string; name: string }[] {
    const seen = new Map<string, string>()
    for (const p of this.#current?.positions ?? []) if (!seen.has(p.unitId)) seen.set(p.unitId, p.unitName)
    return [...seen].map(([id, name]) => ({ id, name }))
  }

  /** Asks the server whether a session cookie is still good. */
  async load(): Promise<void> {
    try {
      this.#current = await authApi.session()
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) console.warn('session probe failed', err)
      this.#current = null
    } finally {
      this.#ready = true
    }
  }

  async login(login: string, password: string): Promise<void> {
    this.#current = await authApi.login(login, password)
    this.#endedBecause = null
  }

  async logout(): Promise<void> {
    try {
      await authApi.logout()
    } catch (err) {
      // The session may already be over on the server; signing out locally is what matters.
      if (!(err instanceof ApiError) || err.status !== 401) throw err
    } finally {
      this.#current = null
    }
  }

  /** Forgets the session after the server refused it (401). */
  expire(code: string): void {
    if (this.#current) this.#endedBecause = code
    this.#current = null
  }
}

export const session = new SessionStore()
