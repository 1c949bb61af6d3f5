import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { approvalWorld, type World } from '../approvals/testkit.ts'
import { openDatabase, type Database, type Db } from '../db/client.ts'
import { AppError } from '../errors.ts'
import type { DocumentKind } from '../generated/prisma/client.ts'
import type { Actor } from '../audit/record.ts'
import { createJournal } from './journals.service.ts'
import { buildIndex, checkIndexPattern, kyivYear } from './index-pattern.ts'
import { registerDocument, registrationOf } from './registration.service.ts'
import { DEFAULT_FILES, DEFAULT_JOURNALS, ensureRegistrationDefaults } from './seed.ts'

let w: World
let db: Database
let prisma: Db
let actor: Actor
let units: Map<string, string>
const YEAR = kyivYear(new Date())

async function newDocument(kind: DocumentKind, unitCode = '02', title = 'Документ для реєстрації') {
  const d = await prisma.document.create({ data: { kind, title, authorUnitId: units.get(unitCode)!, createdById: actor.userId! } })
  return d.id
}

const register = (documentId: string, at = new Date()) => prisma.$transaction((tx) => registerDocument(tx, actor, { documentId, at }))

async function codeOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(AppError)
  return (e as AppError).code
}

beforeAll(async () => {
  w = await approvalWorld()
  // A pool of its own, large enough for real concurrency (the app's pool has 5 connections).
  db = openDatabase(w.t.config.databaseUrl!, { max: 30 })
  prisma = db.prisma
  const clerk = await prisma.user.findUniqueOrThrow({ where: { login: 'clerk' } })
  actor = { userId: clerk.id, ip: '127.0.0.1' }
  units = new Map((await prisma.unit.findMany()).map((u) => [u.code, u.id]))
})

afterAll(async () => {
  await db?.close()
  await w?.close()
})

describe('index patterns', () => {
  it('accept {seq} once with the known parts only', () => {
    for (const ok of ['{seq}', '{seq}-р', '{seq}/{file}', '{file}/{seq}', '{seq}/{unit}/{year}']) expect(() => checkIndexPattern(ok)).not.toThrow()
    for (const bad of ['{year}', '{seq}/{seq}', '{seq}/{foo}', '{seq}}', '{{seq}', '{SEQ}', '{seq}/{}']) {
      expect(() => checkIndexPattern(bad), bad).toThrow(AppError)
    }
  })
  it('build the index from the parts', () => {
    expect(buildIndex('{seq}/{file}', { seq: 865, year: 2026, unit: '03', file: '03-08' })).toBe('865/03-08')
    expect(buildIndex('{seq}-р', { seq: 7, year: 2026, unit: '01', file: '01-03' })).toBe('7-р')
    expect(buildIndex('{unit}/{seq}/{year}', { seq: 1, year: 2027, unit: '02-01', file: '' })).toBe('02-01/1/2027')
  })
  it('take the year of the Kyiv calendar', () => {
    expect(kyivYear(new Date('2026-12-31T21:59:59Z'))).toBe(2026) // 23:59:59 in Kyiv
    expect(kyivYear(new Date('2026-12-31T22:00:00Z'))).toBe(2027) // midnight in Kyiv, still 2026 in UTC
  })
})

describe('defaults', () => {
  it('seed the journals and the nomenclature of this year and the next, once, even when instances start together', async () => {
    await Promise.all([ensureRegistrationDefaults(prisma), ensureRegistrationDefaults(prisma), ensureRegistrationDefaults(w.t.db.prisma)])
    const journals = await prisma.journal.findMany()
    expect(journals).toHaveLength(DEFAULT_JOURNALS.length)
    expect(journals.find((j) => j.kinds.includes('mayor_order'))?.indexPattern).toBe('{seq}-р')
    for (const year of [YEAR, YEAR + 1]) {
      const files = await prisma.nomenclatureFile.findMany({ where: { year }, orderBy: { index: 'asc' } })
      expect(files.map((f) => f.index)).toEqual(DEFAULT_FILES.map((f) => f.index).sort())
      const jd = files.find((f) => f.index === '02-13')!
      expect(jd).toMatchObject({ retention: '5 р. після заміни новими', retentionYears: 5, article: 'ст. 43', unitId: units.get('02') })
    }
    // Every default journal's file exists in both years.
    for (const j of DEFAULT_JOURNALS) expect(await prisma.nomenclatureFile.count({ where: { index: j.defaultFile, year: { in: [YEAR, YEAR + 1] } } })).toBe(2)
    expect(await prisma.auditEvent.count({ where: { action: 'journal.created' } })).toBe(DEFAULT_JOURNALS.length)
  })

  it("carry the previous year's nomenclature, edits included, into a new year and leave retired journals alone", async () => {
    const later = new Date(Date.UTC(YEAR + 2, 5, 1))
    await prisma.nomenclatureFile.update({ where: { year_index: { year: YEAR + 1, index: '02-05' } }, data: { title: 'Листування з питань цифрової трансформації' } })
    await prisma.nomenclatureFile.create({ data: { year: YEAR + 1, index: '02-20', title: 'Плани роботи управління', retention: '1 р.', retentionYears: 1 } })
    const letters = await prisma.journal.findFirstOrThrow({ where: { kinds: { has: 'letter' } } })
    await prisma.journal.update({ where: { id: letters.id }, data: { active: false } })
    try {
      await ensureRegistrationDefaults(prisma, later)
      const next = await prisma.nomenclatureFile.findMany({ where: { year: YEAR + 2 } })
      expect(next.map((f) => f.index).sort()).toEqual([...DEFAULT_FILES.map((f) => f.index), '02-20'].sort())
      expect(next.find((f) => f.index === '02-05')?.title).toBe('Листування з питань цифрової трансформації')
      expect(await prisma.nomenclatureFile.count({ where: { year: YEAR + 3 } })).toBe(next.length)
      // The retired journal is not replaced by a new default one.
      expect(await prisma.journal.count({ where: { kinds: { has: 'letter' } } })).toBe(1)
    } finally {
      await prisma.journal.update({ where: { id: letters.id }, data: { active: true } })
    }
  })
})

describe('registerDocument', () => {
  it('gives 100 concurrent registrations the numbers 1..100 without gaps or repeats', async () => {
    const ids = await Promise.all(Array.from({ length: 100 }, (_, i) => newDocument('council_decision_draft', '02', `Рішення ${i}`)))
    const results = await Promise.all(ids.map((id) => register(id)))
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(new Set(results.map((r) => r.index)).size).toBe(100)
    for (const r of results) {
      expect(r.index).toBe(String(r.seq))
      expect(r).toMatchObject({ year: YEAR, journalName: 'Журнал реєстрації рішень міської ради', fileIndex: '01-01' })
    }
    const counter = await prisma.journalCounter.findFirstOrThrow({ where: { journalId: results[0]!.journalId, year: YEAR } })
    expect(counter.last).toBe(100)
    expect(await prisma.auditEvent.count({ where: { action: 'registration.created', targetId: { in: results.map((r) => r.id) } } })).toBe(100)
  })

  it('gives back the number of a transaction that rolled back', async () => {
    const [a, b, c] = await Promise.all([newDocument('executive_decision_draft'), newDocument('executive_decision_draft'), newDocument('executive_decision_draft')])
    expect((await register(a)).seq).toBe(1)
    let taken = 0
    await expect(
      prisma.$transaction(async (tx) => {
        taken = (await registerDocument(tx, actor, { documentId: b, at: new Date() })).seq
        throw new Error('signing failed after registration')
      }),
    ).rejects.toThrow('signing failed')
    expect(taken).toBe(2)
    expect(await registrationOf(prisma, b)).toBeNull()
    expect((await register(c)).seq).toBe(2)
    expect((await register(b)).seq).toBe(3)
  })

  it('starts every year at 1 by the Kyiv calendar', async () => {
    const docs = await Promise.all([1, 2, 3, 4].map(() => newDocument('job_description')))
    const dec = (d: number, h: number) => new Date(Date.UTC(YEAR, 11, d, h))
    const first = await register(docs[0]!, dec(30, 10))
    const second = await register(docs[1]!, dec(31, 21)) // 23:00 in Kyiv on 31 December
    const third = await register(docs[2]!, dec(31, 22)) // midnight in Kyiv: 1 January
    const fourth = await register(docs[3]!, new Date(Date.UTC(YEAR + 1, 0, 2, 9)))
    expect([first, second, third, fourth].map((r) => [r.year, r.seq, r.index])).toEqual([
      [YEAR, 1, '1/02-13'],
      [YEAR, 2, '2/02-13'],
      [YEAR + 1, 1, '1/02-13'],
      [YEAR + 1, 2, '2/02-13'],
    ])
    // Each year's registration goes into that year's file.
    const files = await prisma.nomenclatureFile.findMany({ where: { id: { in: [first.fileId, third.fileId] } } })
    expect(files.map((f) => f.year).sort()).toEqual([YEAR, YEAR + 1])
  })

  it("builds the index from the journal's pattern with the author unit's code and the file", async () => {
    await createJournal(prisma, actor, { name: 'Журнал реєстрації положень', kinds: ['regulation'], indexPattern: '{unit}/{seq}/{file}/{year}', defaultFile: '02-05' })
    const id = await newDocument('regulation', '02-01')
    const r = await register(id)
    expect(r.index).toBe(`02-01/1/02-05/${YEAR}`)
    expect(await registrationOf(prisma, id)).toEqual(r)
    const row = await prisma.registration.findUniqueOrThrow({ where: { documentId: id } })
    expect(row).toMatchObject({ registeredById: actor.userId, correspondent: '', resolution: '', attachments: '', receivedAt: null })
  })

  it('refuses a second registration, a kind without a journal and a year without the file', async () => {
    const id = await newDocument('instruction')
    const r = await register(id)
    expect(r.index).toBe('1/02-01')
    expect(await codeOf(register(id))).toBe('ALREADY_REGISTERED')
    // Two at once: one wins, the other is refused, and no number is lost.
    const twin = await newDocument('instruction')
    const both = await Promise.allSettled([register(twin), register(twin)])
    expect(both.filter((x) => x.status === 'fulfilled')).toHaveLength(1)
    const lost = both.find((x) => x.status === 'rejected') as PromiseRejectedResult
    expect((lost.reason as AppError).code).toBe('ALREADY_REGISTERED')
    expect((await register(await newDocument('instruction'))).seq).toBe(3)

    expect(await codeOf(register(await newDocument('appeal')))).toBe('NO_JOURNAL')
    expect(await codeOf(register(await newDocument('letter'), new Date(Date.UTC(YEAR + 10, 3, 1))))).toBe('NO_NOMENCLATURE_FILE')
    // An inactive journal registers nothing.
    const letters = await prisma.journal.findFirstOrThrow({ where: { kinds: { has: 'letter' } } })
    await prisma.journal.update({ where: { id: letters.id }, data: { active: false } })
    try {
      expect(await codeOf(register(await newDocument('letter')))).toBe('NO_JOURNAL')
    } finally {
      await prisma.journal.update({ where: { id: letters.id }, data: { active: true } })
    }
    // None of the refusals took a number.
    expect(await prisma.journalCounter.findUnique({ where: { journalId_year: { journalId: letters.id, year: YEAR + 10 } } })).toBeNull()
  })
})
