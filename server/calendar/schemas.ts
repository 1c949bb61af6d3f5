import { Type, type Static } from 'typebox'
import { DateTime, Line } from '../schemas.ts'

export const DAY_KINDS = ['day_off', 'working'] as const

// The pattern only checks the shape; the service refuses dates such as 2026-02-30.
export const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Calendar date YYYY-MM-DD (Kyiv)' })
export const DayKindT = Type.Enum(DAY_KINDS, { description: 'day_off: a Mon–Fri that is not worked; working: a Sat/Sun that is worked' })

export const CalendarDayOut = Type.Object({ date: IsoDate, kind: DayKindT, name: Type.String() })
export type CalendarDayOut = Static<typeof CalendarDayOut>

export const CalendarYearQuery = Type.Object({ year: Type.Integer({ minimum: 2000, maximum: 2100 }) }, { additionalProperties: false })
export type CalendarYearQuery = Static<typeof CalendarYearQuery>

export const CalendarYearOut = Type.Object({ year: Type.Integer(), days: Type.Array(CalendarDayOut) })
export type CalendarYearOut = Static<typeof CalendarYearOut>

export const CalendarDateParams = Type.Object({ date: IsoDate })
export type CalendarDateParams = Static<typeof CalendarDateParams>

export const CalendarDayBody = Type.Object({ kind: DayKindT, name: Line(200) }, { additionalProperties: false })
export type CalendarDayBody = Static<typeof CalendarDayBody>

/** Longest terms the deadline helper accepts; the calendar it loads covers them. */
export const MAX_WORKING_DAYS = 250
export const MAX_CALENDAR_DAYS = 366

export const DeadlineQuery = Type.Object(
  {
    from: Type.String({ format: 'date-time', description: 'Start instant (ISO 8601 with offset; encode "+" in URLs)' }),
    workingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_WORKING_DAYS, description: 'Approval term; give this or calendarDays' })),
    calendarDays: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_CALENDAR_DAYS, description: 'Instruction term; give this or workingDays' })),
  },
  { additionalProperties: false },
)
export type DeadlineQuery = Static<typeof DeadlineQuery>

export const DeadlineOut = Type.Object({ dueAt: DateTime })
export type DeadlineOut = Static<typeof DeadlineOut>
