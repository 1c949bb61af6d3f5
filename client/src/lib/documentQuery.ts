import type { DocumentListQuery } from '../api/types.ts'
import { isDocumentKind, isDocumentStatus } from '../i18n/labels.ts'
import { withQuery } from './router.svelte.ts'

export type Sort = NonNullable<DocumentListQuery['sort']>
const SORTS: readonly Sort[] = ['-createdAt', 'createdAt', '-updatedAt', 'updatedAt', 'title', '-title']
export const PAGE_SIZES = [10, 20, 50, 100] as const
export const DEFAULT_LIMIT = 20
export const DEFAULT_SORT: Sort = '-createdAt'

/** The list filters as they live in the address bar (/documents?q=…&kind=…&page…). */
export interface ListState {
  q: string
  kind: DocumentListQuery['kind']
  status: DocumentListQuery['status']
  unit: string
  mine: boolean
  sort: Sort
  limit: number
  offset: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function int(v: string | null, fallback: number, min: number, max: number): number {
  const n = v === null ? NaN : Number.parseInt(v, 10)
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback
}

/** Reads the URL query leniently: unknown or malformed values fall back to defaults. */
export function parseListState(p: URLSearchParams): ListState {
  const kind = p.get('kind')
  const status = p.get('status')
  const unit = p.get('unit') ?? ''
  const sort = p.get('sort') as Sort | null
  return {
    q: (p.get('q') ?? '').slice(0, 200),
    kind: isDocumentKind(kind) ? kind : undefined,
    status: isDocumentStatus(status) ? status : undefined,
    unit: UUID.test(unit) ? unit : '',
    mine: p.get('mine') === '1',
    sort: sort && SORTS.includes(sort) ? sort : DEFAULT_SORT,
    limit: int(p.get('limit'), DEFAULT_LIMIT, 1, 200),
    offset: int(p.get('offset'), 0, 0, 1_000_000),
  }
}

/** The URL for a list state, leaving defaults out so links stay short. */
export function listHref(s: ListState): string {
  return withQuery('/documents', {
    q: s.q.trim(),
    kind: s.kind,
    status: s.status,
    unit: s.unit,
    mine: s.mine,
    sort: s.sort === DEFAULT_SORT ? undefined : s.sort,
    limit: s.limit === DEFAULT_LIMIT ? undefined : s.limit,
    offset: s.offset || undefined,
  })
}

/** The API query for a list state. */
export function toApiQuery(s: ListState): DocumentListQuery {
  return {
    q: s.q.trim() || undefined,
    kind: s.kind,
    status: s.status,
    authorUnitId: s.unit || undefined,
    mine: s.mine || undefined,
    sort: s.sort,
    limit: s.limit,
    offset: s.offset,
  }
}
