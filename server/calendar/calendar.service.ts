import type { Db, Tx } from '../db/client.ts'
import { asSql, sql, type Conn } from '../db/sql.ts'
import { AppError } from '../errors.ts'
import { audit, type Actor } from '../audit/record.ts'
import type { CalendarDayOut } from './schemas.ts'
import { addCalendarDays, isValidIsoDate, isWeekend, kyivDate, MAX_DATE, MIN_DATE, type DayKind } from './working-days.ts'

// A calendar-day term may move back to an earlier working day, even before its start
// (see calendarDeadline); the exceptions loaded must reach that far back too.
const LOOKBEHIND_DAYS = 31

// `date` columns travel as instants at UTC midnight; these two keep that detail in one place.
const toDb = (isoDate: string) => new Date(`${isoDate}T00:00:00.000Z`)
const fromDb = (d: Date) => d.toISOString().slice(0, 10)

type Row = { date: Date; kind: DayKind; name: string }
const present = (r: Row): CalendarDayOut => ({ date: fromDb(r.date), kind: r.kind, name: r.name })

function checkDate(isoDate: string) {
  if (!isValidIsoDate(isoDate) || isoDate < MIN_DATE || isoDate > MAX_DATE) {
    throw new AppError('CALENDAR_DATE_INVALID', `дата ${isoDate} не існує або поза межами ${MIN_DATE} – ${MAX_DATE}`)
  }
}

// Serializes changes to one date, so that the audit event's `before` is what was really replaced.
const lockDate = (tx: Tx, isoDate: string) => tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`calendar_day:${isoDate}`}))`

/** Configured exceptions with dates in [fromIso, toIso]. */
export async function loadCalendar(db: Conn, fromIso: string, toIso: string): Promise<Map<string, DayKind>> {
  if (!isValidIsoDate(fromIso) || !isValidIsoDate(toIso)) throw new RangeError(`loadCalendar: bad range ${fromIso} .. ${toIso}`)
  // As text: pg and Prisma decode `date` columns differently (local vs UTC midnight).
  const rows = await asSql(db).query<{ date: string; kind: DayKind }>(sql`SELECT date::text AS date, kind FROM calendar_day WHERE date BETWEEN ${fromIso}::date AND ${toIso}::date`)
  return new Map(rows.map((r) => [r.date, r.kind]))
}

/** Exceptions around an instant: a month before its Kyiv date through `horizonDays` after it. */
export async function calendarFor(db: Conn, from: Date, horizonDays = 400): Promise<Map<string, DayKind>> {
  return loadCalendar(db, ...calendarSpan(from, horizonDays))
}

/** The dates calendarFor() reads: a month before `from`'s Kyiv date through `horizonDays` after it. */
export function calendarSpan(from: Date, horizonDays = 400): [string, string] {
  const start = kyivDate(from)
  return [addCalendarDays(start, -LOOKBEHIND_DAYS), addCalendarDays(start, horizonDays)]
}

/** The configured exceptions of one year, by date. */
export async function listDays(db: Db | Tx, year: number): Promise<CalendarDayOut[]> {
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError('CALENDAR_DATE_INVALID', `рік ${year} поза межами 2000–2100`)
  const rows = await db.calendarDay.findMany({ where: { date: { gte: toDb(`${year}-01-01`), lte: toDb(`${year}-12-31`) } }, orderBy: { date: 'asc' } })
  return rows.map(present)
}

/** Marks a date as a day off (Mon–Fri) or a working day (Sat/Sun); audited, idempotent. */
export async function setDay(db: Db, actor: Actor, isoDate: string, kind: DayKind, name: string): Promise<CalendarDayOut> {
  checkDate(isoDate)
  // An exception that agrees with the default week would change nothing and only confuse
  // whoever reads the calendar later.
  if (kind === 'working' && !isWeekend(isoDate)) throw new AppError('CALENDAR_DAY_REDUNDANT', `${isoDate} — будній день, він і так робочий`)
  if (kind === 'day_off' && isWeekend(isoDate)) throw new AppError('CALENDAR_DAY_REDUNDANT', `${isoDate} — субота чи неділя, вона і так вихідна`)
  const cleanName = name.trim()
  return db.$transaction(async (tx) => {
    await lockDate(tx, isoDate)
    const before = await tx.calendarDay.findUnique({ where: { date: toDb(isoDate) } })
    if (before && before.kind === kind && before.name === cleanName) return present(before)
    const row = await tx.calendarDay.upsert({
      where: { date: toDb(isoDate) },
      create: { date: toDb(isoDate), kind, name: cleanName },
      update: { kind, name: cleanName },
    })
    await audit(tx, actor, { action: 'calendar.day_set', targetType: 'calendar', targetId: isoDate, before: before ? present(before) : null, after: present(row) })
    return present(row)
  })
}

/** Removes a date's exception, so the default Mon–Fri week applies to it again; audited. */
export async function removeDay(db: Db, actor: Actor, isoDate: string): Promise<void> {
  checkDate(isoDate)
  await db.$transaction(async (tx) => {
    await lockDate(tx, isoDate)
    const before = await tx.calendarDay.findUnique({ where: { date: toDb(isoDate) } })
    if (!before) throw new AppError('CALENDAR_DAY_NOT_FOUND', `для ${isoDate} винятку немає`)
    await tx.calendarDay.delete({ where: { date: toDb(isoDate) } })
    await audit(tx, actor, { action: 'calendar.day_removed', targetType: 'calendar', targetId: isoDate, before: present(before), after: null })
  })
}
