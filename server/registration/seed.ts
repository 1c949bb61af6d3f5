import type { Db, Tx } from '../db/client.ts'
import type { DocumentKind } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import { kyivYear } from './index-pattern.ts'

/**
 * A file of the default nomenclature. The index is the keeping unit's code and the file's
 * number in it; `article` cites the List of standard documents with retention periods
 * (Наказ Мін'юсту від 12.04.2012 № 578/5) only where the article is certain.
 */
export interface DefaultFile {
  index: string
  title: string
  unitCode: string
  retention: string
  retentionYears: number | null
  article: string
}

export const DEFAULT_FILES: DefaultFile[] = [
  { index: '01-01', title: 'Рішення міської ради', unitCode: '01', retention: 'постійно', retentionYears: null, article: '' },
  { index: '01-02', title: 'Рішення виконавчого комітету міської ради', unitCode: '01', retention: 'постійно', retentionYears: null, article: '' },
  { index: '01-03', title: 'Розпорядження міського голови з основної діяльності', unitCode: '01', retention: 'постійно', retentionYears: null, article: 'ст. 16-а' },
  { index: '02-01', title: 'Доручення начальника управління та документи про їх виконання', unitCode: '02', retention: '5 р.', retentionYears: 5, article: '' },
  { index: '02-05', title: 'Листування з питань цифровізації, інформаційної політики та комунікацій', unitCode: '02', retention: '5 р.', retentionYears: 5, article: '' },
  { index: '02-13', title: 'Посадові інструкції працівників управління', unitCode: '02', retention: '5 р. після заміни новими', retentionYears: 5, article: 'ст. 43' },
]

export interface DefaultJournal {
  name: string
  kinds: DocumentKind[]
  indexPattern: string
  defaultFile: string
}

/**
 * Journals for the seeded kinds. Acts of the council and of the executive committee carry a
 * bare number («№ 865»), as they are cited; mayor's orders on the main activity take the
 * customary «-р» suffix («№ 245-р»), which keeps them apart from orders on personnel («-к»)
 * and on administrative matters («-аг»), numbered in journals of their own. Job descriptions,
 * letters and instructions carry the nomenclature file after the number («12/02-05»), so the
 * index alone says where the original is kept.
 */
export const DEFAULT_JOURNALS: DefaultJournal[] = [
  { name: 'Журнал реєстрації рішень міської ради', kinds: ['council_decision_draft'], indexPattern: '{seq}', defaultFile: '01-01' },
  { name: 'Журнал реєстрації рішень виконавчого комітету', kinds: ['executive_decision_draft'], indexPattern: '{seq}', defaultFile: '01-02' },
  { name: 'Журнал реєстрації розпоряджень міського голови з основної діяльності', kinds: ['mayor_order'], indexPattern: '{seq}-р', defaultFile: '01-03' },
  { name: 'Журнал реєстрації посадових інструкцій', kinds: ['job_description'], indexPattern: '{seq}/{file}', defaultFile: '02-13' },
  { name: 'Журнал реєстрації вихідної кореспонденції', kinds: ['letter'], indexPattern: '{seq}/{file}', defaultFile: '02-05' },
  { name: 'Журнал реєстрації доручень', kinds: ['instruction'], indexPattern: '{seq}/{file}', defaultFile: '02-01' },
]

const SYSTEM: Actor = { userId: null, ip: null }

/**
 * The nomenclature of `year` when that year has none yet: a copy of the previous year's (the
 * clerk's edits carry over, as a nomenclature is re-approved each year), else the defaults.
 * A year that has files is never touched.
 */
async function ensureYear(tx: Tx, year: number, units: Map<string, string>) {
  if ((await tx.nomenclatureFile.count({ where: { year } })) > 0) return []
  const previous = await tx.nomenclatureFile.findMany({ where: { year: year - 1 }, orderBy: { index: 'asc' } })
  const source = previous.length
    ? previous.map((f) => ({ index: f.index, title: f.title, unitId: f.unitId, retention: f.retention, retentionYears: f.retentionYears, article: f.article }))
    : DEFAULT_FILES.map(({ unitCode, ...f }) => ({ ...f, unitId: units.get(unitCode) ?? null }))
  const created = []
  for (const f of source) created.push(await tx.nomenclatureFile.create({ data: { ...f, year } }))
  return created
}

/**
 * Journals and the nomenclature of files a start needs (idempotent, safe with several
 * instances: one advisory lock serializes them). The nomenclature of the current Kyiv year and
 * the next one is created when missing; a default journal is created only for a kind that no
 * journal (active or not) lists, so a clerk's renamed or retired journals stay as they are.
 */
export async function ensureRegistrationDefaults(db: Db, now: Date = new Date()): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('registration_defaults'))`
      const units = new Map((await tx.unit.findMany({ select: { id: true, code: true } })).map((u) => [u.code, u.id]))
      const year = kyivYear(now)
      const files = [...(await ensureYear(tx, year, units)), ...(await ensureYear(tx, year + 1, units))]

      const existing = await tx.journal.findMany({ select: { kinds: true } })
      const covered = new Set(existing.flatMap((j) => j.kinds))
      const journals = []
      for (const j of DEFAULT_JOURNALS) {
        if (j.kinds.some((k) => covered.has(k))) continue
        journals.push(await tx.journal.create({ data: { ...j, active: true } }))
        j.kinds.forEach((k) => covered.add(k))
      }

      // Audit last: the chain's head stays locked from the first append until commit.
      for (const f of files) {
        await audit(tx, SYSTEM, { action: 'nomenclature.created', targetType: 'nomenclature', targetId: f.id, after: { year: f.year, index: f.index, title: f.title, unitId: f.unitId, retention: f.retention, retentionYears: f.retentionYears, article: f.article } })
      }
      for (const j of journals) {
        await audit(tx, SYSTEM, { action: 'journal.created', targetType: 'journal', targetId: j.id, after: { name: j.name, kinds: j.kinds, indexPattern: j.indexPattern, defaultFile: j.defaultFile, active: j.active } })
      }
    },
    { timeout: 60_000 },
  )
}
