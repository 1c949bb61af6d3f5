import { kyivDate } from '../calendar/working-days.ts'
import { AppError } from '../errors.ts'
import { INDEX_PARTS, type IndexPart } from './schemas.ts'

/** The Kyiv calendar year of an instant: a registration at 23:30 UTC on 31 December is already next year's. */
export function kyivYear(at: Date): number {
  return Number(kyivDate(at).slice(0, 4))
}

const PART = /\{([^{}]*)\}/g

/**
 * Checks an index pattern: `{seq}` exactly once, every other part one of {year}, {unit},
 * {file}, and no stray braces. Throws INVALID_INDEX_PATTERN naming what is wrong.
 */
export function checkIndexPattern(pattern: string): void {
  const parts = [...pattern.matchAll(PART)].map((m) => m[1]!)
  const unknown = parts.filter((p) => !(INDEX_PARTS as readonly string[]).includes(p))
  if (unknown.length) throw new AppError('INVALID_INDEX_PATTERN', `невідомі частини: ${unknown.map((p) => `{${p}}`).join(', ')}`)
  const seqCount = parts.filter((p) => p === 'seq').length
  if (seqCount !== 1) throw new AppError('INVALID_INDEX_PATTERN', seqCount === 0 ? 'шаблон не містить {seq}' : '{seq} має бути в шаблоні один раз')
  if (/[{}]/.test(pattern.replace(PART, ''))) throw new AppError('INVALID_INDEX_PATTERN', 'зайві фігурні дужки')
}

/** The parts of a pattern, in order of appearance. */
export const partsOf = (pattern: string): IndexPart[] => [...pattern.matchAll(PART)].map((m) => m[1] as IndexPart)

/** Builds an index: "{seq}/{file}" with seq 865 and file "03-08" → "865/03-08". */
export function buildIndex(pattern: string, values: { seq: number; year: number; unit: string; file: string }): string {
  return pattern.replace(PART, (_m, part: IndexPart) => String(values[part]))
}
