import type { App } from '../app.ts'
import { AppError } from '../errors.ts'
import { actorOf } from '../plugins/auth.ts'
import { errors, Ok } from '../schemas.ts'
import { calendarFor, listDays, removeDay, setDay } from './calendar.service.ts'
import { CalendarDateParams, CalendarDayBody, CalendarDayOut, CalendarYearOut, CalendarYearQuery, DeadlineOut, DeadlineQuery } from './schemas.ts'
import { addWorkingDays, calendarDeadline, kyivDate, MAX_DATE, MIN_DATE } from './working-days.ts'

const ADMIN = ['admin'] as const

/** The working-day calendar (readable by everyone signed in), its administration, and a deadline helper. */
export default async function calendarRoutes(app: App) {
  app.get(
    '/calendar',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['calendar'], summary: 'Days off and transferred working days of a year', querystring: CalendarYearQuery, response: { 200: CalendarYearOut, ...errors(400, 401) } },
    },
    async (req) => ({ year: req.query.year, days: await listDays(app.prisma, req.query.year) }),
  )

  app.get(
    '/calendar/deadline',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['calendar'],
        summary: 'Deadline from an instant: N working days (approvals) or N calendar days moved back to a working day (instructions)',
        querystring: DeadlineQuery,
        response: { 200: DeadlineOut, ...errors(400, 401) },
      },
    },
    async (req) => {
      const { workingDays, calendarDays } = req.query
      if ((workingDays === undefined) === (calendarDays === undefined)) {
        throw new AppError('VALIDATION_FAILED', 'вкажіть рівно один із параметрів workingDays або calendarDays')
      }
      const from = new Date(req.query.from)
      if (Number.isNaN(from.getTime())) throw new AppError('VALIDATION_FAILED', 'from: некоректний момент часу')
      const start = kyivDate(from)
      if (start < MIN_DATE || start > MAX_DATE) throw new AppError('VALIDATION_FAILED', `from: дата поза межами ${MIN_DATE} – ${MAX_DATE}`)
      // Enough calendar ahead for the longest term even with many configured days off.
      const horizon = workingDays !== undefined ? Math.max(400, 2 * workingDays + 60) : calendarDays!
      const ex = await calendarFor(app.prisma, from, horizon)
      const dueAt = workingDays !== undefined ? addWorkingDays(from, workingDays, ex) : calendarDeadline(from, calendarDays!, ex)
      return { dueAt: dueAt.toISOString() }
    },
  )

  app.put(
    '/admin/calendar/:date',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['admin'],
        summary: 'Mark a date as a day off (Mon–Fri) or a transferred working day (Sat/Sun)',
        params: CalendarDateParams,
        body: CalendarDayBody,
        response: { 200: CalendarDayOut, ...errors(400, 401, 403, 409) },
      },
    },
    async (req) => setDay(app.prisma, actorOf(req), req.params.date, req.body.kind, req.body.name),
  )

  app.delete(
    '/admin/calendar/:date',
    {
      config: { access: ADMIN },
      schema: { tags: ['admin'], summary: 'Remove a date’s exception (the Mon–Fri week applies again)', params: CalendarDateParams, response: { 200: Ok, ...errors(400, 401, 403, 404) } },
    },
    async (req) => {
      await removeDay(app.prisma, actorOf(req), req.params.date)
      return { ok: true as const }
    },
  )
}
