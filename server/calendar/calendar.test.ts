import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDatabase, testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson } from '../testing/factories.ts'
import { calendarFor, loadCalendar } from './calendar.service.ts'

let t: TestApp
let admin: ApiClient
let staff: ApiClient

// calendar_day is one table for the whole organisation: this file counts its rows and its
// days change every deadline, so it runs on a database of its own.
let scratch: Awaited<ReturnType<typeof scratchDatabase>>
beforeAll(async () => {
  scratch = await scratchDatabase()
  t = await testApp({ databaseUrl: scratch.url, storage: 'disk' })
  admin = await t.login((await makePerson(t.db.prisma, { roles: ['admin'] })).login)
  staff = await t.login((await makePerson(t.db.prisma, { roles: ['staff', 'unit_head'] })).login)
})
afterAll(async () => {
  await t.close()
  await scratch.drop()
})

const put = (c: ApiClient, date: string, payload: unknown) => c.request({ method: 'PUT', url: `/api/admin/calendar/${date}`, payload: payload as object })
const counts = async () => ({ days: await t.db.prisma.calendarDay.count(), audit: await t.db.prisma.auditEvent.count() })
const events = (date: string) => t.db.prisma.auditEvent.findMany({ where: { targetType: 'calendar', targetId: date }, orderBy: { seq: 'asc' } })

describe('administering the calendar', () => {
  it('sets, renames and removes a day off; every change is audited with before and after', async () => {
    const date = '2026-06-01' // Monday after Trinity Sunday
    const set = await put(admin, date, { kind: 'day_off', name: 'Трійця (перенесений вихідний)' })
    expect(set.statusCode).toBe(200)
    expect(set.json()).toEqual({ date, kind: 'day_off', name: 'Трійця (перенесений вихідний)' })

    const year = await staff.get('/api/calendar?year=2026')
    expect(year.statusCode).toBe(200)
    expect(year.json()).toEqual({ year: 2026, days: [{ date, kind: 'day_off', name: 'Трійця (перенесений вихідний)' }] })

    expect((await put(admin, date, { kind: 'day_off', name: '  Трійця  ' })).json().name).toBe('Трійця')
    // The same value again changes nothing, so it leaves no event either.
    expect((await put(admin, date, { kind: 'day_off', name: 'Трійця' })).statusCode).toBe(200)

    const del = await admin.delete(`/api/admin/calendar/${date}`)
    expect(del.statusCode).toBe(200)
    expect(del.json()).toEqual({ ok: true })
    expect((await staff.get('/api/calendar?year=2026')).json().days).toEqual([])

    const log = await events(date)
    expect(log.map((e) => e.action)).toEqual(['calendar.day_set', 'calendar.day_set', 'calendar.day_removed'])
    expect(log.every((e) => e.actorId === admin.session!.user.id)).toBe(true)
    expect(log[0]!.before).toBeNull()
    expect(log[0]!.after).toEqual({ date, kind: 'day_off', name: 'Трійця (перенесений вихідний)' })
    expect(log[1]!.before).toEqual({ date, kind: 'day_off', name: 'Трійця (перенесений вихідний)' })
    expect(log[1]!.after).toEqual({ date, kind: 'day_off', name: 'Трійця' })
    expect(log[2]!.before).toEqual({ date, kind: 'day_off', name: 'Трійця' })
    expect(log[2]!.after).toBeNull()

    const again = await admin.delete(`/api/admin/calendar/${date}`)
    expect(again.statusCode).toBe(404)
    expect(again.json().code).toBe('CALENDAR_DAY_NOT_FOUND')
  })

  it('lists a year sorted by date, without the neighbouring years', async () => {
    await put(admin, '2027-12-31', { kind: 'day_off', name: 'Новорічний' })
    await put(admin, '2027-01-09', { kind: 'working', name: 'Відпрацювання 8 січня' })
    await put(admin, '2027-01-08', { kind: 'day_off', name: 'Перенесений вихідний' })
    await put(admin, '2028-01-03', { kind: 'day_off', name: 'Наступного року' })
    const res = await staff.get('/api/calendar?year=2027')
    expect(res.json().days.map((d: { date: string }) => d.date)).toEqual(['2027-01-08', '2027-01-09', '2027-12-31'])
    expect(res.json().days[1]).toEqual({ date: '2027-01-09', kind: 'working', name: 'Відпрацювання 8 січня' })
  })

  it('turns a weekend day into a working day and back', async () => {
    const sat = '2029-03-10'
    expect((await put(admin, sat, { kind: 'working', name: 'Робоча субота' })).statusCode).toBe(200)
    expect((await loadCalendar(t.db.prisma, '2029-03-01', '2029-03-31')).get(sat)).toBe('working')
    expect((await admin.delete(`/api/admin/calendar/${sat}`)).statusCode).toBe(200)
    expect((await loadCalendar(t.db.prisma, '2029-03-01', '2029-03-31')).has(sat)).toBe(false)
  })

  it('refuses people without the admin role, and changes nothing', async () => {
    await put(admin, '2030-05-06', { kind: 'day_off', name: 'Існуючий вихідний' })
    const before = await counts()
    const denied = [
      await put(staff, '2030-05-07', { kind: 'day_off', name: 'Хочу вихідний' }),
      await put(staff, '2030-05-06', { kind: 'day_off', name: 'Перейменування' }),
      await staff.delete('/api/admin/calendar/2030-05-06'),
    ]
    for (const res of denied) {
      expect(res.statusCode).toBe(403)
      expect(res.json().code).toBe('FORBIDDEN')
    }
    const anon = await put(t.anonymous(), '2030-05-07', { kind: 'day_off', name: 'x' })
    expect(anon.statusCode).toBe(401)
    expect((await t.anonymous().get('/api/calendar?year=2030')).statusCode).toBe(401)
    expect(await counts()).toEqual(before)
    expect((await staff.get('/api/calendar?year=2030')).json().days).toEqual([{ date: '2030-05-06', kind: 'day_off', name: 'Існуючий вихідний' }])
  })

  const badInput: [string, string, unknown, number, string][] = [
    ['not a date', 'tomorrow', { kind: 'day_off', name: 'x' }, 400, 'VALIDATION_FAILED'],
    ['30 February', '2026-02-30', { kind: 'day_off', name: 'x' }, 400, 'CALENDAR_DATE_INVALID'],
    ['month 13', '2026-13-01', { kind: 'day_off', name: 'x' }, 400, 'CALENDAR_DATE_INVALID'],
    ['before 2000', '1999-12-31', { kind: 'day_off', name: 'x' }, 400, 'CALENDAR_DATE_INVALID'],
    ['after 2100', '2101-01-03', { kind: 'day_off', name: 'x' }, 400, 'CALENDAR_DATE_INVALID'],
    ['working on a Tuesday', '2026-03-31', { kind: 'working', name: 'x' }, 409, 'CALENDAR_DAY_REDUNDANT'],
    ['day off on a Sunday', '2026-03-29', { kind: 'day_off', name: 'x' }, 409, 'CALENDAR_DAY_REDUNDANT'],
    ['unknown kind', '2026-03-30', { kind: 'holiday', name: 'x' }, 400, 'VALIDATION_FAILED'],
    ['extra field', '2026-03-30', { kind: 'day_off', name: 'x', paid: true }, 400, 'VALIDATION_FAILED'],
    ['HTML in the name', '2026-03-30', { kind: 'day_off', name: '<img src=x onerror=alert(1)>' }, 400, 'VALIDATION_FAILED'],
    ['blank name', '2026-03-30', { kind: 'day_off', name: '   ' }, 400, 'VALIDATION_FAILED'],
    ['name too long', '2026-03-30', { kind: 'day_off', name: 'я'.repeat(201) }, 400, 'VALIDATION_FAILED'],
    ['no name', '2026-03-30', { kind: 'day_off' }, 400, 'VALIDATION_FAILED'],
    ['name not a string', '2026-03-30', { kind: 'day_off', name: 42 }, 400, 'VALIDATION_FAILED'],
  ]
  it.each(badInput)('refuses %s with a stable code, and changes nothing', async (_what, date, body, status, code) => {
    const before = await counts()
    const res = await put(admin, date, body)
    expect(res.statusCode).toBe(status)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json().code).toBe(code)
    expect(await counts()).toEqual(before)
  })

  it('refuses bad dates and years on the other routes', async () => {
    const cases: [Promise<{ statusCode: number; json(): { code: string } }>, number, string][] = [
      [admin.delete('/api/admin/calendar/2026-02-30'), 400, 'CALENDAR_DATE_INVALID'],
      [admin.delete('/api/admin/calendar/26-01-01'), 400, 'VALIDATION_FAILED'],
      [admin.delete('/api/admin/calendar/2031-01-06'), 404, 'CALENDAR_DAY_NOT_FOUND'],
      [staff.get('/api/calendar?year=1999'), 400, 'VALIDATION_FAILED'],
      [staff.get('/api/calendar?year=abc'), 400, 'VALIDATION_FAILED'],
      [staff.get('/api/calendar'), 400, 'VALIDATION_FAILED'],
    ]
    for (const [req, status, code] of cases) {
      const res = await req
      expect([res.statusCode, res.json().code]).toEqual([status, code])
    }
  })
})

describe('deadlines through the API', () => {
  const deadline = (q: Record<string, string | number>) =>
    staff.get(`/api/calendar/deadline?${Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}`)

  it('counts working days with the configured days: a day-off Monday, a working Saturday', async () => {
    // Friday 9 October 2026, 16:00 Kyiv; Monday 12 October off, Saturday 17 October worked.
    const from = '2026-10-09T16:00:00+03:00'
    expect((await deadline({ from, workingDays: 2 })).json()).toEqual({ dueAt: '2026-10-13T20:59:59.999Z' })
    await put(admin, '2026-10-12', { kind: 'day_off', name: 'Перенесений вихідний' })
    await put(admin, '2026-10-17', { kind: 'working', name: 'Відпрацювання 12 жовтня' })
    expect((await deadline({ from, workingDays: 2 })).json()).toEqual({ dueAt: '2026-10-14T20:59:59.999Z' })
    // Tue 13 … Fri 16 are the 1st…4th, the worked Saturday the 5th, Monday 19th the 6th.
    expect((await deadline({ from, workingDays: 5 })).json()).toEqual({ dueAt: '2026-10-17T20:59:59.999Z' })
    expect((await deadline({ from, workingDays: 6 })).json()).toEqual({ dueAt: '2026-10-19T20:59:59.999Z' })
    // Across the October DST change: Fri 23 + 1 working day is Mon 26, in winter time.
    expect((await deadline({ from: '2026-10-23T12:00:00+03:00', workingDays: 1 })).json()).toEqual({ dueAt: '2026-10-26T21:59:59.999Z' })
  })

  it('counts calendar days and moves back from a day off to the previous working day', async () => {
    await put(admin, '2026-11-16', { kind: 'day_off', name: 'Вихідний понеділок' })
    // Friday 6 November + 10 days = Monday 16 November, a day off: back to Friday 13th.
    expect((await deadline({ from: '2026-11-06T10:00:00+02:00', calendarDays: 10 })).json()).toEqual({ dueAt: '2026-11-13T21:59:59.999Z' })
    // + 9 days = Sunday 15th: also back to Friday 13th.
    expect((await deadline({ from: '2026-11-06T10:00:00+02:00', calendarDays: 9 })).json()).toEqual({ dueAt: '2026-11-13T21:59:59.999Z' })
    expect((await deadline({ from: '2026-11-06T10:00:00Z', calendarDays: 11 })).json()).toEqual({ dueAt: '2026-11-17T21:59:59.999Z' })
  })

  it('loads the exceptions it needs around the start', async () => {
    await put(admin, '2032-01-05', { kind: 'day_off', name: 'Перед' })
    await put(admin, '2032-02-09', { kind: 'day_off', name: 'Після' })
    await put(admin, '2032-03-01', { kind: 'day_off', name: 'Поза горизонтом' })
    // A month back (a calendar-day term may move before its start) through 30 days ahead.
    const ex = await calendarFor(t.db.prisma, new Date('2032-01-20T10:00:00Z'), 30)
    expect([...ex.entries()].sort()).toEqual([['2032-01-05', 'day_off'], ['2032-02-09', 'day_off']])
  })

  it('refuses a query without exactly one term, or with a bad one', async () => {
    const from = '2026-10-09T16:00:00Z'
    const bad = [
      await deadline({ from }),
      await deadline({ from, workingDays: 1, calendarDays: 1 }),
      await deadline({ from, workingDays: 0 }),
      await deadline({ from, workingDays: 251 }),
      await deadline({ from, calendarDays: -1 }),
      await deadline({ from, workingDays: 'two' }),
      await deadline({ from: 'yesterday', workingDays: 1 }),
      await deadline({ from: '9999-12-31T12:00:00Z', workingDays: 250 }),
      await deadline({ from: '1990-01-01T12:00:00Z', calendarDays: 1 }),
      await deadline({ workingDays: 1 }),
      await deadline({ from, workingDays: 1, extra: 1 }),
    ]
    for (const res of bad) {
      expect(res.statusCode).toBe(400)
      expect(res.json().code).toBe('VALIDATION_FAILED')
    }
    expect((await t.anonymous().get(`/api/calendar/deadline?from=${from}&workingDays=1`)).statusCode).toBe(401)
  })
})
