import { kyivToday } from './kyiv.ts'
import { withQuery } from './router.svelte.ts'

/** The registration pages' state as it lives in the address bar (/registration?journal=…&year=…&q=…&offset=…). */
export interface RegistrationState {
  journal: string
  year: number
  q: string
  offset: number
}

export const REG_PAGE_SIZE = 25
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const thisKyivYear = (): number => Number(kyivToday().slice(0, 4))

/** Years offered in the pickers: a few back, the current one and the next (its nomenclature is prepared ahead). */
export function yearChoices(selected: number): number[] {
  const now = thisKyivYear()
  const years = new Set<number>([selected])
  for (let y = now - 4; y <= now + 1; y++) years.add(y)
  return [...years].sort((a, b) => b - a)
}

function int(v: string | null, fallback: number, min: number, max: number): number {
  const n = v === null ? NaN : Number.parseInt(v, 10)
  return Number.isFinite(n) && n >= min && n <= max ? n : fallback
}

/** Reads the URL leniently: unknown or malformed values fall back to defaults. */
export function parseRegistrationState(p: URLSearchParams): RegistrationState {
  const journal = p.get('journal') ?? ''
  return {
    journal: UUID.test(journal) ? journal.toLowerCase() : '',
    year: int(p.get('year'), thisKyivYear(), 2000, 2100),
    q: (p.get('q') ?? '').slice(0, 200),
    offset: int(p.get('offset'), 0, 0, 1_000_000),
  }
}

/** The URL of a registration page state; the current year and the first page are left out. */
export function registrationHref(section: 'journals' | 'nomenclature', s: Partial<RegistrationState>): string {
  const path = section === 'journals' ? '/registration' : '/registration/nomenclature'
  return withQuery(path, {
    journal: section === 'journals' ? s.journal : undefined,
    year: s.year === undefined || s.year === thisKyivYear() ? undefined : s.year,
    q: section === 'journals' ? s.q?.trim() : undefined,
    offset: section === 'journals' ? s.offset || undefined : undefined,
  })
}

const PATTERN_PART = /\{([^{}]*)\}/g
const PARTS = ['seq', 'year', 'unit', 'file']

/** The server's rule for index patterns, checked before sending: {seq} once, known parts only, no spaces. */
export function validPattern(pattern: string): boolean {
  if (pattern.length < 5 || pattern.length > 60 || /[\s<>]/.test(pattern)) return false
  const parts = [...pattern.matchAll(PATTERN_PART)].map((m) => m[1]!)
  if (parts.some((x) => !PARTS.includes(x)) || parts.filter((x) => x === 'seq').length !== 1) return false
  return !/[{}]/.test(pattern.replace(PATTERN_PART, ''))
}

/** What an index built from the pattern looks like, for the form's preview. */
export function examplePattern(pattern: string, file: string, year: number): string {
  return pattern.replace(PATTERN_PART, (m, part: string) => ({ seq: '865', year: String(year), unit: '02-01', file: file || '02-05' })[part] ?? m)
}

export const FILE_INDEX = /^\d{2}(-\d{2,3}){1,2}$/
