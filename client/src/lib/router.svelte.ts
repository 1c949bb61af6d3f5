/** The routes of the workspace. Admin sections are separate paths so they can be linked. */
export type AdminSection = 'units' | 'positions' | 'users' | 'templates' | 'calendar' | 'audit' | 'trust'
/** «Реєстрація»: journals with their registrations, and the nomenclature of files. */
export type RegistrationSection = 'journals' | 'nomenclature'
export type Route =
  | { name: 'login' }
  | { name: 'today' }
  | { name: 'substitutions' }
  | { name: 'documents' }
  | { name: 'newDocument' }
  | { name: 'document'; id: string }
  | { name: 'admin'; section: AdminSection }
  | { name: 'registration'; section: RegistrationSection }
  | { name: 'verify' }
  | { name: 'jobDescriptions' }
  | { name: 'jobDescription'; id: string }
  | { name: 'myJobDescriptions' }
  | { name: 'certificates' }
  | { name: 'duties' }
  | { name: 'assignments' }
  | { name: 'assignment'; id: string }
  | { name: 'reports' }
  | { name: 'notFound' }

const ADMIN_SECTIONS: readonly AdminSection[] = ['units', 'positions', 'users', 'templates', 'calendar', 'audit', 'trust']

export function matchRoute(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/'
  if (p === '/login') return { name: 'login' }
  if (p === '/verify') return { name: 'verify' }
  if (p === '/today' || p === '/') return { name: 'today' }
  if (p === '/substitutions') return { name: 'substitutions' }
  if (p === '/documents') return { name: 'documents' }
  if (p === '/documents/new') return { name: 'newDocument' }
  const doc = /^\/documents\/([0-9a-fA-F-]{36})$/.exec(p)
  if (doc) return { name: 'document', id: doc[1]!.toLowerCase() }
  if (p === '/registration') return { name: 'registration', section: 'journals' }
  if (p === '/registration/nomenclature') return { name: 'registration', section: 'nomenclature' }
  if (p === '/job-descriptions') return { name: 'jobDescriptions' }
  const jd = /^\/job-descriptions\/([0-9a-fA-F-]{36})$/.exec(p)
  if (jd) return { name: 'jobDescription', id: jd[1]!.toLowerCase() }
  if (p === '/my/job-descriptions') return { name: 'myJobDescriptions' }
  if (p === '/certificates') return { name: 'certificates' }
  if (p === '/duties') return { name: 'duties' }
  if (p === '/assignments') return { name: 'assignments' }
  const asg = /^\/assignments\/([0-9a-fA-F-]{36})$/.exec(p)
  if (asg) return { name: 'assignment', id: asg[1]!.toLowerCase() }
  if (p === '/reports') return { name: 'reports' }
  if (p === '/admin') return { name: 'admin', section: 'units' }
  const admin = /^\/admin\/([a-z]+)$/.exec(p)
  if (admin && (ADMIN_SECTIONS as readonly string[]).includes(admin[1]!)) return { name: 'admin', section: admin[1] as AdminSection }
  return { name: 'notFound' }
}

/** Decides, before a route is shown, whether to go elsewhere (e.g. to the login page). */
export type Guard = (route: Route, url: URL) => string | null

/**
 * A small History API router. Links are plain <a href>: a click without modifier keys is
 * handled here, everything else (middle click, Ctrl+click, "open in new tab") stays native.
 */
class Router {
  #path = $state(location.pathname)
  #search = $state(location.search)
  #route = $derived(matchRoute(this.#path))
  #query = $derived(new URLSearchParams(this.#search))
  #guard: Guard = () => null

  get path(): string {
    return this.#path
  }
  get search(): string {
    return this.#search
  }
  /** The current path with its query, e.g. "/documents?kind=letter". */
  get href(): string {
    return this.#path + this.#search
  }
  get route(): Route {
    return this.#route
  }
  get query(): URLSearchParams {
    return this.#query
  }

  /** Goes to an in-app URL; `replace` does not add a history entry. */
  navigate(to: string, opts: { replace?: boolean } = {}): void {
    const url = new URL(to, location.href)
    const redirect = this.#guard(matchRoute(url.pathname), url)
    if (redirect && redirect !== url.pathname + url.search) return this.navigate(redirect, { replace: true })
    const target = url.pathname + url.search + url.hash
    if (target !== location.pathname + location.search + location.hash) {
      if (opts.replace) history.replaceState(null, '', target)
      else history.pushState(null, '', target)
    }
    this.#sync()
  }

  /** Starts listening to back/forward and link clicks; returns the function that stops it. */
  start(guard: Guard): () => void {
    this.#guard = guard
    const onPop = () => {
      const url = new URL(location.href)
      const redirect = this.#guard(matchRoute(url.pathname), url)
      if (redirect) this.navigate(redirect, { replace: true })
      else this.#sync()
    }
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
      const a = (e.target as Element | null)?.closest?.('a[href]')
      if (!(a instanceof HTMLAnchorElement)) return
      if ((a.target && a.target !== '_self') || a.hasAttribute('download') || a.origin !== location.origin) return
      if (a.pathname.startsWith('/api/')) return
      // In-page anchors (e.g. the skip link) keep their native behaviour, which moves focus.
      if (a.hash && a.pathname === location.pathname && a.search === location.search) return
      e.preventDefault()
      this.navigate(a.pathname + a.search + a.hash)
    }
    window.addEventListener('popstate', onPop)
    document.addEventListener('click', onClick)
    this.navigate(location.pathname + location.search + location.hash, { replace: true })
    return () => {
      window.removeEventListener('popstate', onPop)
      document.removeEventListener('click', onClick)
    }
  }

  #sync(): void {
    this.#path = location.pathname
    this.#search = location.search
  }
}

export const router = new Router()

/** "/path?a=1" from a path and query values, leaving out empty ones. */
export function withQuery(path: string, query: Record<string, string | number | boolean | null | undefined>): string {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '' || v === false) continue
    params.set(k, v === true ? '1' : String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}
