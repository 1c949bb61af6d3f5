import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { approvalWorld, type ApiClient, type World } from '../approvals/testkit.ts'
import { insertAssignments, orgIds, type AssignmentSpec } from './fixtures.ts'
import { csvField, neutralise } from './csv.ts'
import type { DisciplineOut, DisciplineRow, Figures } from './schemas.ts'

// One seeded organisation; March 2025 (Kyiv) holds the discipline fixture, April 2025 the
// export fixture with awkward names, May 2025 the approval-stage fixture. "Open" assignments
// are due in 2099 so the figures do not depend on the day the tests run.

let w: World
let admin: ApiClient
let headDigital: ApiClient
let headIt: ApiClient
let itStaff: ApiClient
let clerk: ApiClient
let deputy: ApiClient
let ids: Awaited<ReturnType<typeof orgIds>>
let dir = ''

const MARCH = 'from=2025-03-01&to=2025-04-01'
const FUTURE = '2099-01-01T00:00:00Z'
const PAST_DUE = '2025-03-20T12:00:00Z'

const march: AssignmentSpec[] = [
  // IT department, it.staff: 5 on time (two on the period's Kyiv boundaries), 2 late, 2 overdue, 2 open, 1 cancelled.
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-03T08:00:00Z', dueAt: '2025-03-10T21:59:59Z', extensions: ['granted'] },
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-04T08:00:00Z', dueAt: '2025-03-11T21:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-05T08:00:00Z', dueAt: '2025-03-12T21:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-02-28T22:00:00.000Z', dueAt: '2025-03-07T21:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-31T20:59:59.999Z', dueAt: '2025-04-07T20:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'done_late', issuedAt: '2025-03-06T08:00:00Z', dueAt: '2025-03-13T21:59:59Z', extensions: ['granted', 'granted'] },
  { unit: '02-01', executor: 'it.staff', status: 'done_late', issuedAt: '2025-03-07T08:00:00Z', dueAt: '2025-03-14T21:59:59Z', extensions: ['refused'] },
  { unit: '02-01', executor: 'it.staff', status: 'overdue', issuedAt: '2025-03-10T08:00:00Z', dueAt: PAST_DUE },
  { unit: '02-01', executor: 'it.staff', status: 'in_work', issuedAt: '2025-03-11T08:00:00Z', dueAt: PAST_DUE },
  { unit: '02-01', executor: 'it.staff', status: 'new', issuedAt: '2025-03-12T08:00:00Z', dueAt: FUTURE },
  { unit: '02-01', executor: 'it.staff', status: 'on_check', issuedAt: '2025-03-13T08:00:00Z', dueAt: FUTURE, extensions: ['pending'] },
  { unit: '02-01', executor: 'it.staff', status: 'cancelled', issuedAt: '2025-03-14T08:00:00Z', dueAt: FUTURE, extensions: ['granted'] },
  // Just outside March in Kyiv (23:59:59.999 on 28 February; 00:00 on 1 April), though inside it in UTC.
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-02-28T21:59:59.999Z', dueAt: '2025-03-07T21:59:59Z' },
  { unit: '02-01', executor: 'it.staff', status: 'done', issuedAt: '2025-03-31T21:00:00.000Z', dueAt: '2025-04-07T20:59:59Z' },
  // IT department, expert: 1 on time, 1 overdue (on_check past its deadline).
  { unit: '02-01', executor: 'expert', status: 'done', issuedAt: '2025-03-15T08:00:00Z', dueAt: '2025-03-22T21:59:59Z' },
  { unit: '02-01', executor: 'expert', status: 'on_check', issuedAt: '2025-03-16T08:00:00Z', dueAt: PAST_DUE },
  // Information policy: its own person (1 late, 1 open and extended) and it.staff while still working there.
  { unit: '02-02', executor: 'infopolicy', status: 'done_late', issuedAt: '2025-03-17T08:00:00Z', dueAt: '2025-03-24T21:59:59Z' },
  { unit: '02-02', executor: 'infopolicy', status: 'new', issuedAt: '2025-03-18T08:00:00Z', dueAt: FUTURE, extensions: ['granted'] },
  { unit: '02-02', executor: 'it.staff', status: 'done', issuedAt: '2025-03-01T09:00:00Z', dueAt: '2025-03-08T21:59:59Z' },
  // Public relations: only a cancelled one.
  { unit: '02-03', executor: 'public', status: 'cancelled', issuedAt: '2025-03-19T08:00:00Z', dueAt: FUTURE },
  // The Directorate itself: its head has one overdue.
  { unit: '02', executor: 'head.digital', status: 'overdue', issuedAt: '2025-03-20T08:00:00Z', dueAt: PAST_DUE },
  // Housing, outside the Directorate: 2 on time.
  { unit: '05', executor: 'housing', status: 'done', issuedAt: '2025-03-21T08:00:00Z', dueAt: '2025-03-28T21:59:59Z' },
  { unit: '05', executor: 'housing', status: 'done', issuedAt: '2025-03-22T08:00:00Z', dueAt: '2025-03-29T21:59:59Z' },
]

const fig = (assigned: number, doneOnTime: number, doneLate: number, overdue: number, open: number, extended: number, cancelled: number, onTimeRate: number | null): Figures => ({
  assigned,
  doneOnTime,
  doneLate,
  overdue,
  open,
  extended,
  cancelled,
  onTimeRate,
})
const figuresOf = (r: Figures): Figures => fig(r.assigned, r.doneOnTime, r.doneLate, r.overdue, r.open, r.extended, r.cancelled, r.onTimeRate)

const IT = fig(13, 6, 2, 3, 2, 2, 1, 0.5455)
const INFOPOLICY = fig(3, 1, 1, 0, 1, 1, 0, 0.5)
const PUBLIC = fig(0, 0, 0, 0, 0, 0, 1, null)
const DIRECTORATE_OWN = fig(1, 0, 0, 1, 0, 0, 0, 0)
const HOUSING = fig(2, 2, 0, 0, 0, 0, 0, 1)
const ZERO = fig(0, 0, 0, 0, 0, 0, 0, null)
const DIRECTORATE_TREE = fig(17, 7, 3, 4, 3, 3, 2, 0.5)
const EVERYTHING = fig(19, 9, 3, 4, 3, 3, 2, 0.5625)

const byCode = (r: DisciplineOut) => Object.fromEntries(r.rows.map((x) => [x.unitCode, figuresOf(x)]))

async function report(c: ApiClient, query: string): Promise<DisciplineOut> {
  const res = await c.get(`/api/reports/discipline?${query}`)
  expect(res.statusCode, res.body).toBe(200)
  return res.json()
}

beforeAll(async () => {
  w = await approvalWorld()
  ids = await orgIds(w.t.db.prisma)
  await insertAssignments(w.t.db.prisma, march, ids)
  ;[admin, headDigital, headIt, itStaff, clerk, deputy] = (await Promise.all(['admin', 'head.digital', 'head.it', 'it.staff', 'clerk', 'deputy'].map((l) => w.as(l)))) as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
  dir = mkdtempSync(join(tmpdir(), 'hromada-reports-'))
})
afterAll(async () => {
  await w?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('GET /api/reports/discipline by unit', () => {
  it('gives the figures of every unit of the organisation to an administrator, in tree order, with totals', async () => {
    const r = await report(admin, MARCH)
    expect(r).toMatchObject({ from: '2025-03-01', to: '2025-04-01', groupBy: 'unit', rollup: false, unitId: null, fromAt: '2025-02-28T22:00:00.000Z', toAt: '2025-03-31T21:00:00.000Z' })
    expect(r.rows.map((x) => [x.unitCode, x.depth])).toEqual([
      ['01', 0],
      ['01-01', 1],
      ['01-02', 1],
      ['02', 2],
      ['02-01', 3],
      ['02-02', 3],
      ['02-03', 3],
      ['03', 2],
      ['04', 2],
      ['05', 2],
      ['06', 2],
    ])
    const f = byCode(r)
    expect(f['02-01']).toEqual(IT)
    expect(f['02-02']).toEqual(INFOPOLICY)
    expect(f['02-03']).toEqual(PUBLIC)
    expect(f['02']).toEqual(DIRECTORATE_OWN)
    expect(f['05']).toEqual(HOUSING)
    expect(f['06']).toEqual(ZERO)
    expect(figuresOf(r.totals)).toEqual(EVERYTHING)
    expect(r.rows.every((x) => x.executorId === null && x.executorName === null)).toBe(true)
    // The identity the report promises on every row.
    for (const x of [...r.rows, r.totals]) expect(x.assigned).toBe(x.doneOnTime + x.doneLate + x.overdue + x.open)
  })

  it('counts by Kyiv days: the instants just outside the period in Kyiv are left out, those just inside are in', async () => {
    // Only the boundary rows differ between March and a window shifted by one millisecond each way.
    const r = await report(admin, `${MARCH}&unitId=${ids.unit('02-01')}`)
    expect(r.rows[0]!.doneOnTime).toBe(6)
    const feb = await report(admin, `from=2025-02-01&to=2025-03-01&unitId=${ids.unit('02-01')}`)
    expect(figuresOf(feb.totals)).toEqual(fig(1, 1, 0, 0, 0, 0, 0, 1))
    const apr = await report(admin, `from=2025-04-01&to=2025-05-01&unitId=${ids.unit('02-01')}`)
    expect(figuresOf(apr.totals)).toEqual(fig(1, 1, 0, 0, 0, 0, 0, 1))
    // One day: 1 March (Kyiv) holds the boundary assignment issued at 22:00 UTC on 28 February.
    const first = await report(admin, `from=2025-03-01&to=2025-03-02&unitId=${ids.unit('02-01')}`)
    expect(figuresOf(first.totals)).toEqual(fig(1, 1, 0, 0, 0, 0, 0, 1))
  })

  it('rolls sub-units up into their units on request, while the totals still count each assignment once', async () => {
    const r = await report(admin, `${MARCH}&rollup=true`)
    expect(r.rollup).toBe(true)
    const f = byCode(r)
    expect(f['02']).toEqual(DIRECTORATE_TREE)
    expect(f['01-02']).toEqual(fig(19, 9, 3, 4, 3, 3, 2, 0.5625))
    expect(f['01']).toEqual(EVERYTHING)
    expect(f['02-01']).toEqual(IT)
    expect(figuresOf(r.totals)).toEqual(EVERYTHING)
  })

  it('filters to a unit and everything under it', async () => {
    const r = await report(admin, `${MARCH}&unitId=${ids.unit('02')}`)
    expect(r.unitName).toBe('Управління цифровізації, інформаційної політики та комунікацій')
    expect(r.rows.map((x) => [x.unitCode, x.depth])).toEqual([
      ['02', 0],
      ['02-01', 1],
      ['02-02', 1],
      ['02-03', 1],
    ])
    expect(figuresOf(r.totals)).toEqual(DIRECTORATE_TREE)
  })

  it('gives the clerk and the deputy mayor the whole organisation', async () => {
    expect(figuresOf((await report(clerk, MARCH)).totals)).toEqual(EVERYTHING)
    expect(figuresOf((await report(deputy, MARCH)).totals)).toEqual(EVERYTHING)
  })

  it('gives the head of the Directorate the Directorate tree only, without a filter', async () => {
    const r = await report(headDigital, MARCH)
    expect(r.rows.map((x) => x.unitCode)).toEqual(['02', '02-01', '02-02', '02-03'])
    expect(figuresOf(r.totals)).toEqual(DIRECTORATE_TREE)
    const it_ = await report(headDigital, `${MARCH}&unitId=${ids.unit('02-01')}`)
    expect(figuresOf(it_.totals)).toEqual(IT)
  })

  it('gives a department head their department only, and 403 for a unit above or beside it', async () => {
    const r = await report(headIt, MARCH)
    expect(r.rows.map((x) => x.unitCode)).toEqual(['02-01'])
    expect(figuresOf(r.totals)).toEqual(IT)
    for (const code of ['02', '02-02', '05', '01']) {
      for (const path of ['discipline', 'discipline.csv', 'discipline.xlsx', 'discipline.pdf']) {
        const res = await headIt.get(`/api/reports/${path}?${MARCH}&unitId=${ids.unit(code)}`)
        expect(res.statusCode, `${path} ${code}`).toBe(403)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(res.json().code).toBe('FORBIDDEN')
      }
    }
    // An unknown unit looks the same as a foreign one to a head of unit, and is a 404 for the others.
    const unknown = '00000000-0000-4000-8000-000000000000'
    expect((await headIt.get(`/api/reports/discipline?${MARCH}&unitId=${unknown}`)).statusCode).toBe(403)
    const res = await admin.get(`/api/reports/discipline?${MARCH}&unitId=${unknown}`)
    expect(res.statusCode).toBe(404)
    expect(res.json().code).toBe('UNIT_NOT_FOUND')
  })

  it('refuses staff, and people who are not signed in', async () => {
    for (const path of ['discipline', 'discipline.csv', 'discipline.xlsx', 'discipline.pdf', 'approvals', 'scope']) {
      const res = await itStaff.get(`/api/reports/${path}?${path === 'scope' ? '' : MARCH}`)
      expect(res.statusCode, path).toBe(403)
      expect(res.json().code).toBe('FORBIDDEN')
      expect((await w.t.anonymous().get(`/api/reports/${path}?${MARCH}`)).statusCode).toBe(401)
    }
  })
})

describe('GET /api/reports/discipline by person', () => {
  it('gives one row per executor and the unit they were in when the assignment was issued', async () => {
    const r = await report(headDigital, `${MARCH}&groupBy=person`)
    expect(r.groupBy).toBe('person')
    const rows = r.rows.map((x: DisciplineRow) => [x.unitCode, x.executorName, figuresOf(x)])
    expect(rows).toEqual([
      ['02', 'Мельник Оксана Ігорівна', DIRECTORATE_OWN],
      ['02-01', 'Савчук Денис Олегович', fig(11, 5, 2, 2, 2, 2, 1, 0.5556)],
      ['02-01', 'Ткачук Марія Степанівна', fig(2, 1, 0, 1, 0, 0, 0, 0.5)],
      ['02-02', 'Лисенко Наталія Петрівна', fig(2, 0, 1, 0, 1, 1, 0, 0)],
      ['02-02', 'Савчук Денис Олегович', fig(1, 1, 0, 0, 0, 0, 0, 1)],
      ['02-03', 'Олійник Василь Степанович', PUBLIC],
    ])
    expect(r.rows.every((x) => x.executorId !== null)).toBe(true)
    expect(r.rows[1]!.executorId).toBe(ids.user('it.staff'))
    expect(figuresOf(r.totals)).toEqual(DIRECTORATE_TREE)
  })

  it('keeps a department head to their department, and answers an empty period with no rows', async () => {
    const r = await report(headIt, `${MARCH}&groupBy=person`)
    expect(r.rows.map((x) => x.executorName)).toEqual(['Савчук Денис Олегович', 'Ткачук Марія Степанівна'])
    expect(figuresOf(r.totals)).toEqual(IT)
    const empty = await report(headIt, 'from=2020-01-01&to=2021-01-01&groupBy=person')
    expect(empty.rows).toEqual([])
    expect(figuresOf(empty.totals)).toEqual(ZERO)
    const res = await headIt.get(`/api/reports/discipline?${MARCH}&groupBy=person&unitId=${ids.unit('02')}`)
    expect(res.statusCode).toBe(403)
    const filtered = await report(admin, `${MARCH}&groupBy=person&unitId=${ids.unit('05')}`)
    expect(filtered.unitName).toBe('Управління житлово-комунального господарства')
    expect(filtered.rows.map((x) => [x.executorName, figuresOf(x)])).toEqual([['Мороз Світлана Олексіївна', HOUSING]])
  })
})

describe('bad input', () => {
  const cases: [string, string, string][] = [
    ['from=2025-04-01&to=2025-03-01', 'REPORT_PERIOD_INVALID', 'from after to'],
    ['from=2025-03-01&to=2025-03-01', 'REPORT_PERIOD_INVALID', 'an empty period'],
    ['from=2025-02-30&to=2025-03-01', 'CALENDAR_DATE_INVALID', 'no such date'],
    ['from=1999-12-31&to=2000-03-01', 'CALENDAR_DATE_INVALID', 'before the calendar'],
    ['from=2020-01-01&to=2025-01-02', 'REPORT_PERIOD_TOO_LONG', 'longer than five years'],
    ['from=01.03.2025&to=2025-04-01', 'VALIDATION_FAILED', 'not ISO'],
    ['from=2025-03-01', 'VALIDATION_FAILED', 'no end'],
    [`${MARCH}&groupBy=month`, 'VALIDATION_FAILED', 'unknown grouping'],
    [`${MARCH}&unitId=42`, 'VALIDATION_FAILED', 'not a uuid'],
    [`${MARCH}&rollup=maybe`, 'VALIDATION_FAILED', 'not a boolean'],
    [`${MARCH}&colour=red`, 'VALIDATION_FAILED', 'unknown parameter'],
  ]
  for (const [query, code, what] of cases) {
    it(`answers 400 ${code} for ${what}`, async () => {
      for (const path of ['discipline', 'discipline.csv', 'discipline.pdf']) {
        const res = await admin.get(`/api/reports/${path}?${query}`)
        expect(res.statusCode, `${path}?${query}: ${res.body}`).toBe(400)
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
        expect(res.json().code).toBe(code)
      }
    })
  }

  it('takes exactly five years', async () => {
    expect((await admin.get('/api/reports/discipline?from=2020-01-01&to=2025-01-01')).statusCode).toBe(200)
    expect((await admin.get('/api/reports/discipline?from=2020-02-29&to=2025-03-01')).statusCode).toBe(200)
    expect((await admin.get('/api/reports/discipline?from=2020-02-29&to=2025-03-02')).statusCode).toBe(400)
  })

  it('checks the approvals report the same way', async () => {
    for (const [query, code] of [
      ['from=2025-06-01&to=2025-05-01', 'REPORT_PERIOD_INVALID'],
      ['from=2025-05-01&to=2025-06-01&kind=nap', 'VALIDATION_FAILED'],
      ['from=2025-05-01&to=2025-06-01&limit=0', 'VALIDATION_FAILED'],
      ['from=2025-05-01&to=2025-06-01&limit=101', 'VALIDATION_FAILED'],
    ]) {
      const res = await admin.get(`/api/reports/approvals?${query}`)
      expect(res.statusCode, query).toBe(400)
      expect(res.json().code).toBe(code)
    }
  })
})

describe('GET /api/reports/scope', () => {
  it('lists the units a person may report on', async () => {
    const all = (await admin.get('/api/reports/scope')).json()
    expect(all.all).toBe(true)
    expect(all.units).toHaveLength(11)
    const mine = (await headDigital.get('/api/reports/scope')).json()
    expect(mine.all).toBe(false)
    expect(mine.units.map((u: { code: string; depth: number }) => [u.code, u.depth])).toEqual([
      ['02', 0],
      ['02-01', 1],
      ['02-02', 1],
      ['02-03', 1],
    ])
    expect((await headIt.get('/api/reports/scope')).json().units.map((u: { code: string }) => u.code)).toEqual(['02-01'])
  })
})

// ---------------------------------------------------------------------------------------------
// Exports

/** An independent RFC 4180 reader (quoted fields, doubled quotes, separators and line breaks inside quotes). */
function parseCsv(text: string, sep: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (ch === '"') quoted = true
    else if (ch === sep) {
      row.push(field)
      field = ''
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      i++
    } else field += ch
  }
  if (field || row.length) rows.push([...row, field])
  return rows
}

function pdfText(bytes: Buffer): { check: string; text: string; info: string } {
  const file = join(dir, `r-${Math.random().toString(36).slice(2)}.pdf`)
  writeFileSync(file, bytes)
  const check = execFileSync('qpdf', ['--check', file], { encoding: 'utf8' })
  const text = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8' })
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' })
  return { check, text, info }
}

const APRIL = 'from=2025-04-01&to=2025-05-01'

describe('exports', () => {
  beforeAll(async () => {
    const db = w.t.db.prisma
    const odd = await db.user.create({ data: { login: 'odd.name', fullName: 'Коваль; "Сокіл" Марта', passwordHash: 'x' } })
    const formula = await db.user.create({ data: { login: 'formula.name', fullName: '=СУМ(1;2) Формула', passwordHash: 'x' } })
    const more = { user: (l: string) => (l === 'odd.name' ? odd.id : l === 'formula.name' ? formula.id : ids.user(l)), unit: ids.unit }
    await insertAssignments(
      db,
      [
        { unit: '02-03', executor: 'odd.name', status: 'done', issuedAt: '2025-04-02T08:00:00Z', dueAt: '2025-04-09T20:59:59Z' },
        { unit: '02-03', executor: 'odd.name', status: 'done_late', issuedAt: '2025-04-03T08:00:00Z', dueAt: '2025-04-10T20:59:59Z', extensions: ['granted'] },
        { unit: '02-03', executor: 'formula.name', status: 'overdue', issuedAt: '2025-04-04T08:00:00Z', dueAt: '2025-04-11T20:59:59Z' },
      ],
      more,
    )
  })

  it('CSV: UTF-8 with BOM, ";" between fields, quoted names, the totals row, a Ukrainian file name', async () => {
    const res = await headDigital.get(`/api/reports/discipline.csv?${APRIL}&groupBy=person`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    const cd = String(res.headers['content-disposition'])
    expect(cd).toMatch(/^attachment; filename="/)
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(cd)![1]!)).toBe('Виконавська дисципліна 2025-04-01 — 2025-04-30 (за виконавцями).csv')
    const raw = res.rawPayload
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = raw.subarray(3).toString('utf8')
    expect(text).toContain('"Коваль; ""Сокіл"" Марта"')
    const rows = parseCsv(text, ';')
    expect(rows[0]).toEqual(['Виконавець', 'Підрозділ', 'Доручень видано', 'Виконано вчасно', 'Виконано із запізненням', 'Прострочено', 'На виконанні', 'Продовжено строк', 'Скасовано', 'Виконано вчасно, %'])
    // April (Kyiv) also holds the March fixture's boundary assignment issued at 00:00 on 1 April in Kyiv
    // (21:00 UTC on 31 March): it.staff's row comes first, in unit order.
    expect(rows.slice(1)).toEqual([
      ['Савчук Денис Олегович', 'Відділ інформаційних технологій, аналізу та цифрової трансформації', '1', '1', '0', '0', '0', '0', '0', '100,0'],
      ["'=СУМ(1;2) Формула", 'Сектор роботи з громадськістю', '1', '0', '0', '1', '0', '0', '0', '0,0'],
      ['Коваль; "Сокіл" Марта', 'Сектор роботи з громадськістю', '2', '1', '1', '0', '0', '1', '0', '50,0'],
      ['Разом', '', '4', '2', '1', '1', '0', '1', '0', '50,0'],
    ])
  })

  it('CSV cells: formulas neutralised (also after spaces, tabs and line breaks), quotes doubled, separators quoted', () => {
    expect(['=1+2', '+380', '-5', '@SUM(A1)', '  =1', '\t=1', '\rx', 'Коваль', '1-й відділ'].map(neutralise)).toEqual(["'=1+2", "'+380", "'-5", "'@SUM(A1)", "'  =1", "'\t=1", "'\rx", 'Коваль', '1-й відділ'])
    expect(['a;b', 'a"b', 'a\nb', ' a', 'a', 3].map(csvField)).toEqual(['"a;b"', '"a""b"', '"a\nb"', '" a"', 'a', '3'])
  })

  it('CSV by unit matches the JSON report', async () => {
    const json = await report(admin, `${MARCH}&unitId=${ids.unit('02')}`)
    const res = await admin.get(`/api/reports/discipline.csv?${MARCH}&unitId=${ids.unit('02')}`)
    const rows = parseCsv(res.rawPayload.subarray(3).toString('utf8'), ';')
    expect(rows[0]!.slice(0, 2)).toEqual(['Код', 'Підрозділ'])
    expect(rows.slice(1, -1).map((r) => [r[0], Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), Number(r[6]), Number(r[7]), Number(r[8])])).toEqual(
      json.rows.map((r) => [r.unitCode, r.assigned, r.doneOnTime, r.doneLate, r.overdue, r.open, r.extended, r.cancelled]),
    )
    expect(rows.at(-1)).toEqual(['Разом', '', '17', '7', '3', '4', '3', '3', '2', '50,0'])
  })

  it('XLSX opens with exceljs: a Ukrainian sheet name, a bold header, number formats, the figures and a bold totals row', async () => {
    const res = await headDigital.get(`/api/reports/discipline.xlsx?${MARCH}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(String(res.headers['content-disposition']))![1]!)).toBe('Виконавська дисципліна 2025-03-01 — 2025-03-31.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Виконавська дисципліна')!
    expect(ws).toBeDefined()
    expect(String(ws.getCell('A1').value)).toBe('Дрогобицька міська рада')
    expect(String(ws.getCell('A3').value)).toContain('з 01.03.2025 по 31.03.2025')
    expect(String(ws.getCell('A4').value)).toContain('Мельник Оксана Ігорівна')
    const header = ws.getRow(5)
    expect(header.font?.bold).toBe(true)
    expect(header.getCell(1).value).toBe('Код')
    expect(header.getCell(10).value).toBe('Виконано вчасно, %')
    expect(ws.getColumn(2).width).toBeGreaterThan(30)
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1)
    expect(values(6)).toEqual(['02', 'Управління цифровізації, інформаційної політики та комунікацій', 1, 0, 0, 1, 0, 0, 0, 0])
    expect(values(7)).toEqual(['02-01', 'Відділ інформаційних технологій, аналізу та цифрової трансформації', 13, 6, 2, 3, 2, 2, 1, 6 / 11])
    expect(ws.getRow(7).getCell(2).alignment?.indent).toBe(1)
    expect(values(9)).toEqual(['02-03', 'Сектор роботи з громадськістю', 0, 0, 0, 0, 0, 0, 1, null].slice(0, 9))
    const total = ws.getRow(10)
    expect(values(10)).toEqual(['Разом', '', 17, 7, 3, 4, 3, 3, 2, 0.5])
    expect(total.font?.bold).toBe(true)
    expect(ws.getRow(7).getCell(3).numFmt).toBe('0')
    expect(ws.getRow(7).getCell(10).numFmt).toBe('0.0%')
    expect(ws.rowCount).toBe(10)
  })

  it('XLSX keeps a name that looks like a formula as text, never as a formula', async () => {
    const res = await headDigital.get(`/api/reports/discipline.xlsx?${APRIL}&groupBy=person`)
    expect(res.statusCode, res.body).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    const ws = wb.getWorksheet('Виконавська дисципліна')!
    expect(ws.getRow(5).getCell(1).value).toBe('Виконавець')
    const names = [6, 7, 8].map((n) => ws.getRow(n).getCell(1))
    expect(names.map((c) => c.value)).toEqual(['Савчук Денис Олегович', '=СУМ(1;2) Формула', 'Коваль; "Сокіл" Марта'])
    expect(names[1]!.type).toBe(ExcelJS.ValueType.String)
    expect(names[1]!.formula).toBeUndefined()
    expect((ws.getRow(9).values as unknown[]).slice(1)).toEqual(['Разом', '', 4, 2, 1, 1, 0, 1, 0, 0.5])
  })

  it('PDF: passes qpdf --check, A4 landscape, header, period, table and totals, who generated it', async () => {
    const res = await headDigital.get(`/api/reports/discipline.pdf?${MARCH}`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('application/pdf')
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(String(res.headers['content-disposition']))![1]!)).toBe('Виконавська дисципліна 2025-03-01 — 2025-03-31.pdf')
    const { check, text, info } = pdfText(res.rawPayload)
    expect(check).toMatch(/No syntax or stream encoding errors found/)
    expect(info).toMatch(/Page size:\s+841\.89 x 595\.28 pts \(A4\)/)
    const flat = text.replace(/\s+/g, ' ')
    expect(flat).toContain('ДРОГОБИЦЬКА МІСЬКА РАДА')
    expect(flat).toContain('про стан виконавської дисципліни з 01.03.2025 по 31.03.2025')
    expect(flat).toContain('Сформував(ла): Мельник Оксана Ігорівна')
    const totals = text.split('\n').find((l) => /^\s*Разом\s/.test(l))!
    expect(totals.trim().split(/\s+/)).toEqual(['Разом', '17', '7', '3', '4', '3', '3', '2', '50,0'])
    const itLine = text.split('\n').find((l) => l.includes('02-01'))!
    expect(itLine.trim().split(/\s{2,}/).slice(-8)).toEqual(['13', '6', '2', '3', '2', '2', '1', '54,5'])
    // The approval-stage section follows, empty for March.
    expect(flat).toContain('Тривалість етапів погодження')
    expect(flat).toContain('За цей період жоден етап погодження не завершився.')
  })

  it('PDF of an empty period still has its header and zero totals', async () => {
    const res = await headIt.get('/api/reports/discipline.pdf?from=2019-01-01&to=2019-02-01&groupBy=person')
    expect(res.statusCode).toBe(200)
    const { text } = pdfText(res.rawPayload)
    expect(text.replace(/\s+/g, ' ')).toContain('Доручень за цей період немає')
    expect(text.split('\n').find((l) => /^\s*Разом\s/.test(l))!.trim().split(/\s+/)).toEqual(['Разом', '0', '0', '0', '0', '0', '0', '0', '—'])
  })
})

// ---------------------------------------------------------------------------------------------
// Approval stages

describe('GET /api/reports/approvals', () => {
  let docA = ''
  let docB = ''
  beforeAll(async () => {
    const db = w.t.db.prisma
    const template = await db.routeTemplate.findFirstOrThrow({ where: { current: true } })
    const legalPosition = await db.position.findFirstOrThrow({ where: { title: 'Начальник юридичного відділу' } })
    const headItPosition = await db.position.findFirstOrThrow({ where: { title: { startsWith: 'Начальник відділу інформаційних технологій' } } })
    const a = await db.document.create({ data: { kind: 'council_decision_draft', title: 'Про Програму цифрової трансформації', authorUnitId: ids.unit('02-01'), createdById: ids.user('it.staff'), accessMark: 'public' } })
    const b = await db.document.create({ data: { kind: 'letter', title: 'Лист про тарифи (службовий)', authorUnitId: ids.unit('05'), createdById: ids.user('housing'), accessMark: 'internal' } })
    docA = a.id
    docB = b.id
    const version = await db.version.create({ data: { documentId: a.id, number: 1, sha256: 'a'.repeat(64), size: 10n, mediaType: 'application/pdf', fileName: 'a.pdf', createdById: ids.user('it.staff') } })
    const appA = await db.approval.create({ data: { documentId: a.id, templateId: template.id, startedById: ids.user('it.staff'), startedAt: new Date('2025-05-05T07:00:00Z') } })
    const appB = await db.approval.create({ data: { documentId: b.id, templateId: template.id, startedById: ids.user('housing'), startedAt: new Date('2025-05-12T07:00:00Z') } })
    const stage = (approvalId: string, index: number, name: string, kind: 'visa' | 'legal_review' | 'expert_review', state: 'done' | 'returned' | 'active' | 'skipped', activated: string | null, finished: string | null, due: string | null) =>
      db.approvalStage.create({
        data: { approvalId, index, name, kind, rule: 'all', deadlineDays: 2, state, activatedAt: activated ? new Date(activated) : null, finishedAt: finished ? new Date(finished) : null, dueAt: due ? new Date(due) : null },
      })
    const s1 = await stage(appA.id, 0, 'Начальник підрозділу', 'visa', 'done', '2025-05-05T07:00:00Z', '2025-05-05T17:00:00Z', '2025-05-07T15:00:00Z') // 10 h
    const s2 = await stage(appA.id, 1, 'Юридичний відділ', 'legal_review', 'done', '2025-05-05T17:00:00Z', '2025-05-08T17:00:00Z', '2025-05-07T17:00:00Z') // 72 h, late
    await stage(appA.id, 2, 'Експертиза', 'expert_review', 'returned', '2025-05-08T17:00:00Z', '2025-05-09T05:00:00Z', '2025-05-10T17:00:00Z') // 12 h
    await stage(appB.id, 0, 'Начальник підрозділу', 'visa', 'done', '2025-05-12T07:00:00Z', '2025-05-13T03:00:00Z', '2025-05-14T07:00:00Z') // 20 h
    await stage(appB.id, 1, 'Юридичний відділ', 'legal_review', 'done', '2025-05-13T03:00:00Z', '2025-05-14T09:00:00Z', '2025-05-14T03:00:00Z') // 30 h, late
    // Not counted: finished on 1 June in Kyiv (21:00 UTC on 31 May), skipped, still active.
    await stage(appB.id, 2, 'Експертиза', 'expert_review', 'done', '2025-05-20T07:00:00Z', '2025-05-31T21:00:00Z', '2025-05-22T07:00:00Z')
    await stage(appB.id, 3, 'Заступник міського голови', 'visa', 'skipped', null, null, null)
    await stage(appA.id, 3, 'Заступник міського голови', 'visa', 'active', '2025-05-09T05:00:00Z', null, '2025-05-12T05:00:00Z')
    const pHead = await db.approvalParticipant.create({ data: { stageId: s1.id, positionId: headItPosition.id } })
    await db.approvalParticipant.create({ data: { stageId: s2.id, positionId: legalPosition.id } })
    await db.visa.create({
      data: {
        approvalId: appA.id, stageId: s1.id, participantId: pHead.id, round: 1, decision: 'approve', userId: ids.user('head.it'),
        positionTitle: headItPosition.title, fullName: 'Бойко Андрій Миколайович', versionId: version.id, versionNumber: 1, versionSha256: version.sha256, at: new Date('2025-05-05T17:00:00Z'),
      },
    })
  })

  const MAY = 'from=2025-05-01&to=2025-06-01'

  it('gives per-stage counts, average and median hours and the share finished late, with the slowest instances', async () => {
    const res = await admin.get(`/api/reports/approvals?${MAY}&limit=3`)
    expect(res.statusCode, res.body).toBe(200)
    const r = res.json()
    expect(r.stages).toEqual([
      { name: 'Начальник підрозділу', kind: 'visa', finished: 2, avgHours: 15, medianHours: 15, late: 0, lateShare: 0 },
      { name: 'Експертиза', kind: 'expert_review', finished: 1, avgHours: 12, medianHours: 12, late: 0, lateShare: 0 },
      { name: 'Юридичний відділ', kind: 'legal_review', finished: 2, avgHours: 51, medianHours: 51, late: 2, lateShare: 1 },
    ])
    expect(r.totals).toEqual({ finished: 5, avgHours: 28.8, medianHours: 20, late: 2 })
    expect(r.slowest.map((s: { documentId: string; stageName: string; hours: number; late: boolean; who: string[] }) => [s.documentId, s.stageName, s.hours, s.late, s.who])).toEqual([
      [docA, 'Юридичний відділ', 72, true, ['Начальник юридичного відділу']],
      [docB, 'Юридичний відділ', 30, true, []],
      [docB, 'Начальник підрозділу', 20, false, []],
    ])
    expect(r.slowest[0]).toMatchObject({ documentTitle: 'Про Програму цифрової трансформації', activatedAt: '2025-05-05T17:00:00.000Z', finishedAt: '2025-05-08T17:00:00.000Z', dueAt: '2025-05-07T17:00:00.000Z', state: 'done', kind: 'legal_review' })
    // Administrators see every title, restricted ones included.
    expect(r.slowest[1].documentTitle).toBe('Лист про тарифи (службовий)')
  })

  it('names who acted from the visas given while the stage was active', async () => {
    const r = (await admin.get(`/api/reports/approvals?${MAY}&kind=visa`)).json()
    expect(r.slowest.map((s: { hours: number; who: string[] }) => [s.hours, s.who])).toEqual([
      [20, []],
      [10, ['Бойко Андрій Миколайович']],
    ])
  })

  it('hides the title of a restricted document from those who may not see it', async () => {
    const r = (await deputy.get(`/api/reports/approvals?${MAY}`)).json()
    const b = r.slowest.find((s: { documentId: string }) => s.documentId === docB)
    expect(b.documentTitle).toBeNull()
    expect(r.slowest.find((s: { documentId: string }) => s.documentId === docA).documentTitle).toBe('Про Програму цифрової трансформації')
  })

  it('filters by stage kind and document kind', async () => {
    const legal = (await admin.get(`/api/reports/approvals?${MAY}&kind=legal_review`)).json()
    expect(legal.stages.map((s: { name: string }) => s.name)).toEqual(['Юридичний відділ'])
    expect(legal.totals.finished).toBe(2)
    const letters = (await admin.get(`/api/reports/approvals?${MAY}&documentKind=letter`)).json()
    expect(letters.totals).toEqual({ finished: 2, avgHours: 25, medianHours: 25, late: 1 })
  })

  it('keeps a unit head to the documents of their unit tree', async () => {
    const r = (await headIt.get(`/api/reports/approvals?${MAY}`)).json()
    expect(r.totals).toEqual({ finished: 3, avgHours: 31.33, medianHours: 12, late: 1 })
    expect(r.slowest.every((s: { documentId: string }) => s.documentId === docA)).toBe(true)
  })

  it('filters by the unit tree the documents were authored in, within the viewer\'s scope', async () => {
    const it_ = (await admin.get(`/api/reports/approvals?${MAY}&unitId=${ids.unit('02')}`)).json()
    expect(it_.totals).toEqual({ finished: 3, avgHours: 31.33, medianHours: 12, late: 1 })
    expect(it_.slowest.every((s: { documentId: string }) => s.documentId === docA)).toBe(true)
    const housing = (await admin.get(`/api/reports/approvals?${MAY}&unitId=${ids.unit('05')}`)).json()
    expect(housing.totals.finished).toBe(2)
    expect((await headIt.get(`/api/reports/approvals?${MAY}&unitId=${ids.unit('02-01')}`)).json().totals.finished).toBe(3)
    for (const [c, unit, status, code] of [
      [headIt, ids.unit('05'), 403, 'FORBIDDEN'],
      [headIt, ids.unit('02'), 403, 'FORBIDDEN'],
      [headIt, '00000000-0000-4000-8000-000000000000', 403, 'FORBIDDEN'],
      [admin, '00000000-0000-4000-8000-000000000000', 404, 'UNIT_NOT_FOUND'],
    ] as const) {
      const res = await c.get(`/api/reports/approvals?${MAY}&unitId=${unit}`)
      expect(res.statusCode).toBe(status)
      expect(res.json().code).toBe(code)
    }
  })

  it('prints the stages after the discipline table in the PDF, and puts them on a second XLSX sheet', async () => {
    const pdf = await admin.get(`/api/reports/discipline.pdf?${MAY}`)
    expect(pdf.statusCode, pdf.body).toBe(200)
    const { check, text } = pdfText(pdf.rawPayload)
    expect(check).toMatch(/No syntax or stream encoding errors found/)
    const lines = text.split('\n')
    expect(text.replace(/\s+/g, ' ')).toContain('Тривалість етапів погодження')
    expect(lines.find((l) => l.includes('Юридичний відділ') && l.includes('Правова експертиза'))!.trim().split(/\s{2,}/)).toEqual(['Юридичний відділ', 'Правова експертиза', '2', '51', '51', '2', '100,0'])
    const totals = lines.filter((l) => /^\s*Разом\s/.test(l)).map((l) => l.trim().split(/\s+/))
    expect(totals).toEqual([
      ['Разом', '0', '0', '0', '0', '0', '0', '0', '—'],
      ['Разом', '5', '28,8', '20', '2', '40,0'],
    ])
    const slow = lines.find((l) => l.includes('05.05.2025 20:00'))!
    expect(slow).toContain('Про Програму цифрової трансформації')
    for (const part of ['Юридичний відділ', 'Начальник юридичного відділу', '08.05.2025 20:00']) expect(slow).toContain(part)
    expect(slow).toMatch(/08\.05\.2025 20:00\s+72\s+порушено\s*$/)

    const xlsx = await admin.get(`/api/reports/discipline.xlsx?${MAY}`)
    expect(xlsx.statusCode, xlsx.body).toBe(200)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer)
    expect(wb.worksheets.map((x) => x.name)).toEqual(['Виконавська дисципліна', 'Етапи погодження'])
    const ws = wb.getWorksheet('Етапи погодження')!
    const values = (n: number) => (ws.getRow(n).values as unknown[]).slice(1)
    expect(values(5)).toEqual(['Етап', 'Вид', 'Завершено', 'Середня тривалість, год', 'Медіана, год', 'З порушенням строку', 'Частка з порушенням, %'])
    expect(values(6)).toEqual(['Начальник підрозділу', 'Віза', 2, 15, 15, 0, 0])
    expect(values(8)).toEqual(['Юридичний відділ', 'Правова експертиза', 2, 51, 51, 2, 1])
    expect(values(9)).toEqual(['Разом', '', 5, 28.8, 20, 2, 0.4])
    expect(ws.getRow(9).font?.bold).toBe(true)
    expect(ws.getRow(6).getCell(7).numFmt).toBe('0.0%')
    expect(values(11)).toEqual(['Найдовші етапи'])
    expect(values(13).slice(0, 2)).toEqual(['Про Програму цифрової трансформації', 'Юридичний відділ'])
    expect(values(13).slice(3)).toEqual(['05.05.2025 20:00', '08.05.2025 20:00', 72, 'порушено'])

    // A department head's files hold the stages of their own department only.
    const mine = await headIt.get(`/api/reports/discipline.xlsx?${MAY}`)
    const wb2 = new ExcelJS.Workbook()
    await wb2.xlsx.load(mine.rawPayload as unknown as ArrayBuffer)
    expect((wb2.getWorksheet('Етапи погодження')!.getRow(9).values as unknown[]).slice(1)).toEqual(['Разом', '', 3, 31.33, 12, 1, 1 / 3])
  })

  it('answers an empty period with empty lists and null averages', async () => {
    const r = (await admin.get('/api/reports/approvals?from=2019-01-01&to=2019-02-01')).json()
    expect(r).toMatchObject({ stages: [], slowest: [], totals: { finished: 0, avgHours: null, medianHours: null, late: 0 } })
  })
})
