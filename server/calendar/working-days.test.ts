import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  addCalendarDays, addWorkingDays, calendarDeadline, endOfDay, isValidIsoDate, isWorkingDay, kyivDate, nextWorkingDay, previousWorkingDay, reminderAt,
  startOfWorkday, workingDaysBetween, type CalendarExceptions, type DayKind,
} from './working-days.ts'

const none: CalendarExceptions = new Map()
const cal = (entries: Record<string, DayKind>): CalendarExceptions => new Map(Object.entries(entries))
/** An instant given as Kyiv wall-clock time with its offset, e.g. kyiv('2026-03-27T10:00', 2). */
const kyiv = (local: string, offsetHours: 2 | 3) => new Date(`${local}:00+0${offsetHours}:00`)
const iso = (d: Date) => d.toISOString()

// Cabinet of Ministers order No 1191-р of 2020: Monday 23 August 2021 was a day off before
// Independence Day (Tuesday 24 August), worked off on Saturday 14 August.
const AUGUST_2021 = cal({ '2021-08-14': 'working', '2021-08-23': 'day_off', '2021-08-24': 'day_off' })

// An independent oracle for the Kyiv date of an instant, straight from ICU.
const icuKyivDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Kyiv', year: 'numeric', month: '2-digit', day: '2-digit' })

describe('dates and Kyiv time', () => {
  it('takes the Kyiv date, not the UTC date', () => {
    expect(kyivDate(new Date('2026-01-15T21:30:00Z'))).toBe('2026-01-15') // 23:30 Kyiv
    expect(kyivDate(new Date('2026-01-15T22:30:00Z'))).toBe('2026-01-16') // 00:30 Kyiv, still the 15th in UTC
    expect(kyivDate(new Date('2026-07-15T20:59:59.999Z'))).toBe('2026-07-15') // summer time: UTC+3
    expect(kyivDate(new Date('2026-07-15T21:00:00Z'))).toBe('2026-07-16')
  })

  it('ends a day at 23:59:59.999 Kyiv across both DST changes (29 March and 25 October 2026)', () => {
    expect(iso(endOfDay('2026-03-28'))).toBe('2026-03-28T21:59:59.999Z') // winter, UTC+2
    expect(iso(endOfDay('2026-03-29'))).toBe('2026-03-29T20:59:59.999Z') // the 23-hour day, already UTC+3
    expect(iso(endOfDay('2026-10-24'))).toBe('2026-10-24T20:59:59.999Z')
    expect(iso(endOfDay('2026-10-25'))).toBe('2026-10-25T21:59:59.999Z') // the 25-hour day, back to UTC+2
    expect(iso(startOfWorkday('2026-03-30'))).toBe('2026-03-30T06:00:00.000Z')
    expect(iso(startOfWorkday('2026-10-26'))).toBe('2026-10-26T07:00:00.000Z')
  })

  it('knows real calendar dates', () => {
    expect(isValidIsoDate('2024-02-29')).toBe(true)
    expect(isValidIsoDate('2026-02-29')).toBe(false)
    expect(isValidIsoDate('2026-02-30')).toBe(false)
    expect(isValidIsoDate('2026-13-01')).toBe(false)
    expect(isValidIsoDate('2026-1-01')).toBe(false)
    expect(() => endOfDay('2026-02-30')).toThrow(RangeError)
    expect(() => kyivDate(new Date('nonsense'))).toThrow(RangeError)
  })

  it('counts Mon–Fri as working unless configured otherwise', () => {
    expect(isWorkingDay('2021-08-13', AUGUST_2021)).toBe(true) // Friday
    expect(isWorkingDay('2021-08-14', AUGUST_2021)).toBe(true) // transferred working Saturday
    expect(isWorkingDay('2021-08-15', AUGUST_2021)).toBe(false) // Sunday
    expect(isWorkingDay('2021-08-23', AUGUST_2021)).toBe(false) // day-off Monday
    expect(isWorkingDay('2021-08-21', none)).toBe(false)
    expect(previousWorkingDay('2021-08-16', AUGUST_2021)).toBe('2021-08-14')
    expect(nextWorkingDay('2021-08-20', AUGUST_2021)).toBe('2021-08-25')
    expect(previousWorkingDay('2026-03-30', none)).toBe('2026-03-27')
  })
})

describe('approval deadlines in working days', () => {
  it('Friday + 2 working days is the end of Tuesday (here across the March DST change)', () => {
    const due = addWorkingDays(kyiv('2026-03-27T10:00', 2), 2, none)
    expect(kyivDate(due)).toBe('2026-03-31')
    expect(iso(due)).toBe('2026-03-31T20:59:59.999Z')
  })

  it('skips a day-off Monday and the holiday after it', () => {
    expect(kyivDate(addWorkingDays(kyiv('2021-08-20T15:00', 3), 1, AUGUST_2021))).toBe('2021-08-25')
    expect(kyivDate(addWorkingDays(kyiv('2021-08-20T15:00', 3), 2, AUGUST_2021))).toBe('2021-08-26')
    // A martial-law year without days off for holidays: the same dates are ordinary days.
    expect(kyivDate(addWorkingDays(kyiv('2021-08-20T15:00', 3), 1, none))).toBe('2021-08-23')
  })

  it('counts a transferred working Saturday', () => {
    expect(kyivDate(addWorkingDays(kyiv('2021-08-13T09:30', 3), 1, AUGUST_2021))).toBe('2021-08-14')
    expect(kyivDate(addWorkingDays(kyiv('2021-08-13T09:30', 3), 2, AUGUST_2021))).toBe('2021-08-16')
  })

  it('does not count the activation day, whatever the hour', () => {
    // 23:30 on Thursday: Friday is the first working day after it.
    expect(kyivDate(addWorkingDays(kyiv('2026-01-15T23:30', 2), 1, none))).toBe('2026-01-16')
    // 00:30 on Friday (still Thursday in UTC): the first working day after it is Monday.
    expect(kyivDate(addWorkingDays(kyiv('2026-01-16T00:30', 2), 1, none))).toBe('2026-01-19')
  })

  it('handles activation during the October night that has 01:00–04:00 twice', () => {
    const first = new Date('2026-10-25T00:30:00Z') // 03:30 summer time
    const second = new Date('2026-10-25T01:30:00Z') // 03:30 winter time
    expect(kyivDate(first)).toBe('2026-10-25')
    expect(kyivDate(second)).toBe('2026-10-25')
    expect(iso(addWorkingDays(first, 1, none))).toBe('2026-10-26T21:59:59.999Z')
    expect(iso(addWorkingDays(second, 1, none))).toBe('2026-10-26T21:59:59.999Z')
  })

  it('refuses nonsense terms', () => {
    expect(() => addWorkingDays(new Date(), 0, none)).toThrow(RangeError)
    expect(() => addWorkingDays(new Date(), 1.5, none)).toThrow(RangeError)
    expect(() => calendarDeadline(new Date(), -1, none)).toThrow(RangeError)
  })
})

describe('instruction deadlines in calendar days', () => {
  it('landing on a Sunday moves back to Friday', () => {
    const due = calendarDeadline(kyiv('2026-03-02T11:00', 2), 6, none) // Monday + 6 = Sunday 8 March
    expect(kyivDate(due)).toBe('2026-03-06')
    expect(iso(due)).toBe('2026-03-06T21:59:59.999Z')
  })

  it('landing on a day-off Monday moves back to Friday', () => {
    expect(kyivDate(calendarDeadline(kyiv('2021-08-13T12:00', 3), 10, AUGUST_2021))).toBe('2021-08-20')
  })

  it('landing on Sunday after a transferred working Saturday moves back to that Saturday', () => {
    expect(kyivDate(calendarDeadline(kyiv('2021-08-05T12:00', 3), 10, AUGUST_2021))).toBe('2021-08-14')
  })

  it('landing on a working day stays there; zero days means the same day', () => {
    expect(kyivDate(calendarDeadline(kyiv('2026-03-27T10:00', 2), 3, none))).toBe('2026-03-30')
    expect(iso(calendarDeadline(kyiv('2026-03-27T10:00', 2), 0, none))).toBe('2026-03-27T21:59:59.999Z')
  })
})

describe('counting and reminders', () => {
  it('counts working days in (a, b]', () => {
    const fri = kyiv('2021-08-13T10:00', 3)
    // Sat 14 (transferred), Mon 16 – Fri 20, then Wed 25 and Thu 26 after the two days off.
    expect(workingDaysBetween(fri, kyiv('2021-08-26T10:00', 3), AUGUST_2021)).toBe(8)
    expect(workingDaysBetween(fri, kyiv('2021-08-13T23:00', 3), AUGUST_2021)).toBe(0)
    expect(workingDaysBetween(fri, fri, AUGUST_2021)).toBe(0)
    expect(workingDaysBetween(kyiv('2021-08-26T10:00', 3), fri, AUGUST_2021)).toBe(0)
  })

  it('reminds at 09:00 Kyiv on the due day, or on the last working day before it', () => {
    expect(iso(reminderAt(endOfDay('2026-03-31'), none))).toBe('2026-03-31T06:00:00.000Z')
    expect(iso(reminderAt(endOfDay('2026-03-29'), none))).toBe('2026-03-27T07:00:00.000Z') // Sunday → Friday, winter time
    expect(kyivDate(reminderAt(endOfDay('2021-08-24'), AUGUST_2021))).toBe('2021-08-20')
  })

  it('stops with a clear error on a calendar without working days', () => {
    const allOff = new Map<string, DayKind>()
    for (let d = '2020-01-01'; d <= '2034-12-31'; d = addCalendarDays(d, 1)) allOff.set(d, 'day_off')
    expect(() => addWorkingDays(kyiv('2026-06-01T10:00', 3), 1, allOff)).toThrow(/no working day within/)
    expect(() => calendarDeadline(kyiv('2026-06-01T10:00', 3), 5, allOff)).toThrow(/no working day within/)
    expect(() => reminderAt(endOfDay('2027-06-01'), allOff)).toThrow(/no working day within/)
  })
})

// Instants from 2000 to 2099 and exceptions scattered around them, as an admin might set
// them (and some they should not: the functions must hold for any map).
const instant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
const exceptionsNear = (from: Date) =>
  fc
    .array(fc.tuple(fc.integer({ min: -40, max: 400 }), fc.constantFrom<DayKind>('day_off', 'working')), { maxLength: 60 })
    .map((xs) => new Map(xs.map(([offset, kind]) => [addCalendarDays(kyivDate(from), offset), kind])) as CalendarExceptions)
const scenario = instant.chain((from) => fc.record({ from: fc.constant(from), ex: exceptionsNear(from), days: fc.integer({ min: 1, max: 60 }) }))

describe('properties', () => {
  it('kyivDate agrees with ICU, and a day ends 1 ms before the next one starts', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const d = kyivDate(t)
        expect(d).toBe(icuKyivDate.format(t))
        expect(kyivDate(endOfDay(d))).toBe(d)
        expect(kyivDate(new Date(endOfDay(d).getTime() + 1))).toBe(addCalendarDays(d, 1))
        expect(kyivDate(startOfWorkday(d))).toBe(d)
        expect(endOfDay(d).getTime()).toBeGreaterThanOrEqual(t.getTime())
      }),
      { numRuns: 500 },
    )
  })

  it('addWorkingDays lands at the end of a working day after the start, with exactly `days` working days in between', () => {
    fc.assert(
      fc.property(scenario, ({ from, ex, days }) => {
        const due = addWorkingDays(from, days, ex)
        const d = kyivDate(due)
        expect(due.getTime()).toBe(endOfDay(d).getTime())
        expect(isWorkingDay(d, ex)).toBe(true)
        expect(d > kyivDate(from)).toBe(true)
        expect(workingDaysBetween(from, due, ex)).toBe(days)
      }),
      { numRuns: 300 },
    )
  })

  it('addWorkingDays is strictly monotonic in days', () => {
    fc.assert(
      fc.property(scenario, ({ from, ex, days }) => {
        expect(addWorkingDays(from, days + 1, ex).getTime()).toBeGreaterThan(addWorkingDays(from, days, ex).getTime())
      }),
      { numRuns: 200 },
    )
  })

  it('calendarDeadline lands on the last working day on or before from + days', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 60 }), ({ from, ex }, days) => {
        const due = calendarDeadline(from, days, ex)
        const d = kyivDate(due)
        const target = addCalendarDays(kyivDate(from), days)
        expect(due.getTime()).toBe(endOfDay(d).getTime())
        expect(isWorkingDay(d, ex)).toBe(true)
        expect(d <= target).toBe(true)
        for (let x = addCalendarDays(d, 1); x <= target; x = addCalendarDays(x, 1)) expect(isWorkingDay(x, ex)).toBe(false)
        expect(calendarDeadline(from, days + 1, ex).getTime()).toBeGreaterThanOrEqual(due.getTime())
      }),
      { numRuns: 300 },
    )
  })

  it('previous and next working days are the nearest ones', () => {
    fc.assert(
      fc.property(scenario, ({ from, ex }) => {
        const d = kyivDate(from)
        const next = nextWorkingDay(d, ex)
        const prev = previousWorkingDay(d, ex)
        expect(isWorkingDay(next, ex) && isWorkingDay(prev, ex)).toBe(true)
        expect(prev < d && d < next).toBe(true)
        for (let x = addCalendarDays(prev, 1); x < next; x = addCalendarDays(x, 1)) if (x !== d) expect(isWorkingDay(x, ex)).toBe(false)
        expect(kyivDate(reminderAt(endOfDay(d), ex))).toBe(isWorkingDay(d, ex) ? d : prev)
      }),
      { numRuns: 300 },
    )
  })
})
