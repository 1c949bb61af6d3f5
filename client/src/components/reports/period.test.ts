import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addDays, choiceOf, currentMonth, isDate, toApiPeriod, validApiPeriod, type PeriodChoice } from './period.ts'

const base: PeriodChoice = { kind: 'month', month: '2026-11', year: 2026, quarter: 4, first: '', last: '' }

describe('report periods', () => {
  it('turns a month, a quarter, a year and two dates into [from, to)', () => {
    expect(toApiPeriod({ ...base, kind: 'month', month: '2026-11' })).toEqual({ from: '2026-11-01', to: '2026-12-01' })
    expect(toApiPeriod({ ...base, kind: 'month', month: '2026-12' })).toEqual({ from: '2026-12-01', to: '2027-01-01' })
    expect(toApiPeriod({ ...base, kind: 'quarter', year: 2025, quarter: 1 })).toEqual({ from: '2025-01-01', to: '2025-04-01' })
    expect(toApiPeriod({ ...base, kind: 'quarter', year: 2025, quarter: 4 })).toEqual({ from: '2025-10-01', to: '2026-01-01' })
    expect(toApiPeriod({ ...base, kind: 'year', year: 2024 })).toEqual({ from: '2024-01-01', to: '2025-01-01' })
    // The last day is inclusive on the form, exclusive in the API; across a leap day and a year's end.
    expect(toApiPeriod({ ...base, kind: 'custom', first: '2024-02-28', last: '2024-02-29' })).toEqual({ from: '2024-02-28', to: '2024-03-01' })
    expect(toApiPeriod({ ...base, kind: 'custom', first: '2025-12-31', last: '2025-12-31' })).toEqual({ from: '2025-12-31', to: '2026-01-01' })
  })

  it('names what is wrong', () => {
    expect(toApiPeriod({ ...base, kind: 'month', month: '' })).toEqual({ error: 'month' })
    expect(toApiPeriod({ ...base, kind: 'year', year: 1999 })).toEqual({ error: 'year' })
    expect(toApiPeriod({ ...base, kind: 'quarter', year: Number.NaN })).toEqual({ error: 'year' })
    expect(toApiPeriod({ ...base, kind: 'custom', first: '2025-02-30', last: '2025-03-01' })).toEqual({ error: 'dates' })
    expect(toApiPeriod({ ...base, kind: 'custom', first: '2025-03-10', last: '2025-03-01' })).toEqual({ error: 'order' })
  })

  it('shows an API period as the choice that made it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('month', 'quarter', 'year') as fc.Arbitrary<'month' | 'quarter' | 'year'>, (year, m, kind) => {
        const c: PeriodChoice = { ...base, kind, month: `${year}-${String(m).padStart(2, '0')}`, year, quarter: Math.ceil(m / 3) }
        const p = toApiPeriod(c)
        if ('error' in p) throw new Error(p.error)
        const back = choiceOf(p, '2026-11-29')
        expect(back.kind).toBe(kind)
        expect(toApiPeriod(back)).toEqual(p)
      }),
    )
    expect(choiceOf({ from: '2025-03-05', to: '2025-03-11' }, '2026-11-29')).toMatchObject({ kind: 'custom', first: '2025-03-05', last: '2025-03-10' })
    // Two months are no named period: custom dates.
    expect(choiceOf({ from: '2025-03-01', to: '2025-05-01' }, '2026-11-29').kind).toBe('custom')
  })

  it('checks dates from the URL and defaults to the current month', () => {
    expect(validApiPeriod('2025-03-01', '2025-04-01')).toEqual({ from: '2025-03-01', to: '2025-04-01' })
    expect(validApiPeriod('2025-04-01', '2025-03-01')).toBeNull()
    expect(validApiPeriod('2025-02-29', '2025-03-01')).toBeNull()
    expect(validApiPeriod(null, '2025-03-01')).toBeNull()
    expect(currentMonth('2026-12-15')).toEqual({ from: '2026-12-01', to: '2027-01-01' })
    expect(isDate('2024-02-29')).toBe(true)
    expect(addDays('2025-03-30', 2)).toBe('2025-04-01')
  })
})
