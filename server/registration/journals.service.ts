import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { Prisma, type DocumentKind, type Journal, type NomenclatureFile } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import { checkIndexPattern, kyivYear } from './index-pattern.ts'
import type { JournalCreate, JournalOut, JournalPatch, NomenclatureCreate, NomenclatureFileOut, NomenclaturePatch } from './schemas.ts'

const isUnique = (e: unknown) => e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002'

// ---- Journals ---------------------------------------------------------------------------

export const presentJournal = (j: Journal): JournalOut => ({
  id: j.id,
  name: j.name,
  kinds: j.kinds,
  indexPattern: j.indexPattern,
  defaultFile: j.defaultFile,
  active: j.active,
  createdAt: j.createdAt.toISOString(),
})

const journalAudit = (j: Journal) => ({ name: j.name, kinds: j.kinds, indexPattern: j.indexPattern, defaultFile: j.defaultFile, active: j.active })

export const listJournals = (db: Db) => db.journal.findMany({ orderBy: [{ active: 'desc' }, { createdAt: 'asc' }, { id: 'asc' }] })

/**
 * Each kind is registered in at most one active journal, so `registerDocument` never has to
 * choose. Journal edits are serialized by an advisory lock, so two edits cannot both pass.
 */
async function assertKindsFree(tx: Tx, kinds: DocumentKind[], exceptId: string | null): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('journal_kinds'))`
  const clash = await tx.journal.findFirst({ where: { active: true, kinds: { hasSome: kinds }, ...(exceptId ? { id: { not: exceptId } } : {}) } })
  if (clash) {
    const shared = clash.kinds.filter((k) => kinds.includes(k))
    throw new AppError('JOURNAL_KIND_TAKEN', `«${clash.name}» уже реєструє: ${shared.join(', ')}`, { journalId: clash.id })
  }
}

export async function createJournal(db: Db, actor: Actor, input: JournalCreate): Promise<Journal> {
  checkIndexPattern(input.indexPattern)
  const active = input.active ?? true
  return db.$transaction(async (tx) => {
    if (active) await assertKindsFree(tx, input.kinds, null)
    const j = await tx.journal.create({ data: { name: input.name.trim(), kinds: input.kinds, indexPattern: input.indexPattern, defaultFile: input.defaultFile, active } })
    await audit(tx, actor, { action: 'journal.created', targetType: 'journal', targetId: j.id, after: journalAudit(j) })
    return j
  })
}

export async function updateJournal(db: Db, actor: Actor, id: string, patch: JournalPatch): Promise<Journal> {
  if (patch.indexPattern !== undefined) checkIndexPattern(patch.indexPattern)
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM journal WHERE id = ${id}::uuid FOR UPDATE`
    if (locked.length === 0) throw new AppError('JOURNAL_NOT_FOUND')
    const before = await tx.journal.findUniqueOrThrow({ where: { id } })
    const kinds = patch.kinds ?? before.kinds
    const active = patch.active ?? before.active
    if (active) await assertKindsFree(tx, kinds, id)
    const after = await tx.journal.update({
      where: { id },
      data: {
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.kinds !== undefined ? { kinds: patch.kinds } : {}),
        ...(patch.indexPattern !== undefined ? { indexPattern: patch.indexPattern } : {}),
        ...(patch.defaultFile !== undefined ? { defaultFile: patch.defaultFile } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
      },
    })
    await audit(tx, actor, { action: 'journal.updated', targetType: 'journal', targetId: id, before: journalAudit(before), after: journalAudit(after) })
    return after
  })
}

// ---- The nomenclature of files ----------------------------------------------------------

type FileRow = NomenclatureFile & { _count: { registrations: number } }
const fileInclude = { _count: { select: { registrations: true } } } satisfies Prisma.NomenclatureFileInclude

// `unitId` has no relation in the schema: units are looked up alongside.
async function presentFiles(db: Db | Tx, rows: FileRow[]): Promise<NomenclatureFileOut[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.unitId ? [r.unitId] : [])))]
  const units = ids.length ? await db.unit.findMany({ where: { id: { in: ids } }, select: { id: true, code: true, name: true } }) : []
  const byId = new Map(units.map((u) => [u.id, u]))
  return rows.map((f) => ({
    id: f.id,
    year: f.year,
    index: f.index,
    title: f.title,
    unit: f.unitId ? (byId.get(f.unitId) ?? null) : null,
    retention: f.retention,
    retentionYears: f.retentionYears,
    article: f.article,
    registrations: f._count.registrations,
  }))
}

const fileAudit = (f: NomenclatureFile) => ({ year: f.year, index: f.index, title: f.title, unitId: f.unitId, retention: f.retention, retentionYears: f.retentionYears, article: f.article })

/** The nomenclature of one year (the current Kyiv year by default), in index order. */
export async function listNomenclature(db: Db, year?: number): Promise<NomenclatureFileOut[]> {
  const rows = await db.nomenclatureFile.findMany({ where: { year: year ?? kyivYear(new Date()) }, include: fileInclude, orderBy: [{ index: 'asc' }] })
  return presentFiles(db, rows)
}

async function assertUnit(tx: Tx, unitId: string | null | undefined) {
  if (!unitId) return
  if (!(await tx.unit.findUnique({ where: { id: unitId }, select: { id: true } }))) throw new AppError('UNIT_NOT_FOUND')
}

const taken = (year: number, index: string) => new AppError('NOMENCLATURE_INDEX_TAKEN', `справа ${index} у номенклатурі ${year} року вже є`)

export async function createNomenclatureFile(db: Db, actor: Actor, input: NomenclatureCreate): Promise<NomenclatureFileOut> {
  try {
    return await db.$transaction(async (tx) => {
      await assertUnit(tx, input.unitId)
      if (await tx.nomenclatureFile.findUnique({ where: { year_index: { year: input.year, index: input.index } }, select: { id: true } })) throw taken(input.year, input.index)
      const f = await tx.nomenclatureFile.create({
        data: { year: input.year, index: input.index, title: input.title.trim(), unitId: input.unitId, retention: input.retention.trim(), retentionYears: input.retentionYears, article: input.article?.trim() ?? '' },
        include: fileInclude,
      })
      const [out] = await presentFiles(tx, [f])
      await audit(tx, actor, { action: 'nomenclature.created', targetType: 'nomenclature', targetId: f.id, after: fileAudit(f) })
      return out!
    })
  } catch (e) {
    // Two clerks adding the same index at once: the unique index decides, the loser gets a 409.
    if (isUnique(e)) throw taken(input.year, input.index)
    throw e
  }
}

export async function updateNomenclatureFile(db: Db, actor: Actor, id: string, patch: NomenclaturePatch): Promise<NomenclatureFileOut> {
  let target: { year: number; index: string } | null = null
  try {
    return await db.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM nomenclature_file WHERE id = ${id}::uuid FOR UPDATE`
      if (locked.length === 0) throw new AppError('NOMENCLATURE_FILE_NOT_FOUND')
      const before = await tx.nomenclatureFile.findUniqueOrThrow({ where: { id }, include: fileInclude })
      const year = patch.year ?? before.year
      const index = patch.index ?? before.index
      target = { year, index }
      if (year !== before.year || index !== before.index) {
        // A file that holds documents keeps its place: their indices and cards point at it.
        if (before._count.registrations > 0) throw new AppError('NOMENCLATURE_FILE_IN_USE', `справа ${before.index} містить ${before._count.registrations} зареєстрованих документів`)
        if (await tx.nomenclatureFile.findUnique({ where: { year_index: { year, index } }, select: { id: true } })) throw taken(year, index)
      }
      if (patch.unitId !== undefined) await assertUnit(tx, patch.unitId)
      const after = await tx.nomenclatureFile.update({
        where: { id },
        data: {
          ...(patch.year !== undefined ? { year: patch.year } : {}),
          ...(patch.index !== undefined ? { index: patch.index } : {}),
          ...(patch.title !== undefined ? { title: patch.title.trim() } : {}),
          ...(patch.unitId !== undefined ? { unitId: patch.unitId } : {}),
          ...(patch.retention !== undefined ? { retention: patch.retention.trim() } : {}),
          ...(patch.retentionYears !== undefined ? { retentionYears: patch.retentionYears } : {}),
          ...(patch.article !== undefined ? { article: patch.article.trim() } : {}),
        },
        include: fileInclude,
      })
      const [out] = await presentFiles(tx, [after])
      await audit(tx, actor, { action: 'nomenclature.updated', targetType: 'nomenclature', targetId: id, before: fileAudit(before), after: fileAudit(after) })
      return out!
    })
  } catch (e) {
    if (isUnique(e) && target) throw taken((target as { year: number }).year, (target as { index: string }).index)
    throw e
  }
}
