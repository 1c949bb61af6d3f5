import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import type { Auth } from '../people/sessions.ts'
import { getVisibleDocument } from '../documents/documents.service.ts'
import { seesAll, unitIdsOf } from '../documents/policy.ts'
import { buildIndex, kyivYear } from './index-pattern.ts'
import type { RegistrationCard, RegistrationListQuery, RegistrationPatch } from './schemas.ts'

export interface RegistrationResult {
  id: string
  index: string
  seq: number
  year: number
  registeredAt: Date
  journalId: string
  journalName: string
  fileId: string
  fileIndex: string
}

const resultInclude = { journal: { select: { name: true } }, file: { select: { index: true } } } satisfies Prisma.RegistrationInclude
type ResultRow = Prisma.RegistrationGetPayload<{ include: typeof resultInclude }>

const toResult = (r: ResultRow): RegistrationResult => ({
  id: r.id,
  index: r.index,
  seq: r.seq,
  year: r.year,
  registeredAt: r.registeredAt,
  journalId: r.journalId,
  journalName: r.journal.name,
  fileId: r.fileId,
  fileIndex: r.file.index,
})

/** The audit event of a registration (written by `registerDocument` unless the caller defers it). */
export async function auditRegistration(tx: Tx, actor: Actor, r: RegistrationResult & { documentId: string }): Promise<void> {
  await audit(tx, actor, {
    action: 'registration.created',
    targetType: 'registration',
    targetId: r.id,
    after: { documentId: r.documentId, journalId: r.journalId, journalName: r.journalName, year: r.year, seq: r.seq, index: r.index, fileId: r.fileId, fileIndex: r.fileIndex, registeredAt: r.registeredAt },
  })
}

/**
 * Registers a document in its kind's journal: takes the next number under a row lock on the
 * journal's counter (so numbering is gapless and never reused — a rollback of the caller's
 * transaction gives the number back), builds the index from the journal's pattern, creates the
 * Registration row (card fields from the document), and writes the audit event. Throws
 * AppError('NO_JOURNAL') when no active journal covers the kind, AppError('NO_NOMENCLATURE_FILE')
 * when the file for this year is missing, AppError('ALREADY_REGISTERED') when the document has
 * a registration.
 *
 * The counter row stays locked until the caller's transaction ends: other registrations in the
 * same journal wait for it, so keep the rest of that transaction short. With `audit: false` the
 * caller writes the event itself (`auditRegistration`), e.g. last in its transaction, because
 * the audit chain's head row is locked from the first audit write until commit.
 */
export async function registerDocument(tx: Tx, actor: Actor, input: { documentId: string; at: Date }, opts: { audit?: boolean } = {}): Promise<RegistrationResult> {
  if (!actor.userId) throw new Error('registerDocument: the actor must be a person (registeredById)')
  if (!(input.at instanceof Date) || Number.isNaN(input.at.getTime())) throw new Error('registerDocument: `at` is not a valid instant')
  // One registration per document even when two callers race: the second waits here, then sees the first.
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM document WHERE id = ${input.documentId}::uuid FOR UPDATE`
  if (locked.length === 0) throw new AppError('DOCUMENT_NOT_FOUND')
  const doc = await tx.document.findUniqueOrThrow({ where: { id: input.documentId }, include: { authorUnit: { select: { code: true } }, registration: { select: { index: true } } } })
  if (doc.registration) throw new AppError('ALREADY_REGISTERED', `документ уже зареєстровано за № ${doc.registration.index}`)

  const journal = await tx.journal.findFirst({ where: { active: true, kinds: { has: doc.kind } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
  if (!journal) throw new AppError('NO_JOURNAL', `немає активного журналу для виду «${doc.kind}»`)
  const year = kyivYear(input.at)
  const file = journal.defaultFile ? await tx.nomenclatureFile.findUnique({ where: { year_index: { year, index: journal.defaultFile } } }) : null
  if (!file) {
    throw new AppError(
      'NO_NOMENCLATURE_FILE',
      journal.defaultFile ? `у номенклатурі справ на ${year} рік немає справи ${journal.defaultFile} (журнал «${journal.name}»)` : `журнал «${journal.name}» не має справи за замовчуванням`,
    )
  }

  // The counter row is created on first use; a concurrent creator makes this wait, then do nothing.
  await tx.$executeRaw`INSERT INTO journal_counter (journal_id, year, last) VALUES (${journal.id}::uuid, ${year}, 0) ON CONFLICT (journal_id, year) DO NOTHING`
  const [counter] = await tx.$queryRaw<{ last: number }[]>`UPDATE journal_counter SET last = last + 1 WHERE journal_id = ${journal.id}::uuid AND year = ${year} RETURNING last`
  const seq = counter!.last
  const index = buildIndex(journal.indexPattern, { seq, year, unit: doc.authorUnit.code, file: file.index })

  const row = await tx.registration.create({
    data: { documentId: doc.id, journalId: journal.id, year, seq, index, registeredAt: input.at, registeredById: actor.userId, fileId: file.id },
    include: resultInclude,
  })
  const result = toResult(row)
  if (opts.audit !== false) await auditRegistration(tx, actor, { ...result, documentId: doc.id })
  return result
}

/** A document's registration, or null. */
export async function registrationOf(db: Db | Tx, documentId: string): Promise<RegistrationResult | null> {
  const r = await db.registration.findUnique({ where: { documentId }, include: resultInclude })
  return r ? toResult(r) : null
}

// ---- The registration card -------------------------------------------------------------

const cardInclude = {
  journal: { select: { id: true, name: true } },
  file: { select: { id: true, index: true, title: true, retention: true } },
  document: { select: { kind: true, title: true, summary: true, accessMark: true, authorUnit: { select: { id: true, code: true, name: true } } } },
} satisfies Prisma.RegistrationInclude
type CardRow = Prisma.RegistrationGetPayload<{ include: typeof cardInclude }>

// `registeredById` has no relation in the schema: the names are looked up alongside.
async function namesOf(db: Db | Tx, rows: { registeredById: string }[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.registeredById))]
  if (ids.length === 0) return new Map()
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, fullName: true } })
  return new Map(users.map((u) => [u.id, u.fullName]))
}

export async function presentCards(db: Db | Tx, rows: CardRow[]): Promise<RegistrationCard[]> {
  const names = await namesOf(db, rows)
  return rows.map((r) => presentCard(r, names.get(r.registeredById) ?? ''))
}

const presentCard = (r: CardRow, registeredByName: string): RegistrationCard => ({
  id: r.id,
  documentId: r.documentId,
  journal: r.journal,
  year: r.year,
  seq: r.seq,
  index: r.index,
  registeredAt: r.registeredAt.toISOString(),
  registeredBy: { id: r.registeredById, fullName: registeredByName },
  file: r.file,
  kind: r.document.kind,
  title: r.document.title,
  summary: r.document.summary,
  accessMark: r.document.accessMark,
  authorUnit: r.document.authorUnit,
  correspondent: r.correspondent,
  receivedAt: r.receivedAt?.toISOString() ?? null,
  resolution: r.resolution,
  attachments: r.attachments,
})

/** The card of a document the person may see; null while it is not registered. */
export async function cardOf(db: Db, auth: Auth, documentId: string): Promise<RegistrationCard | null> {
  await getVisibleDocument(db, auth, documentId)
  const r = await db.registration.findUnique({ where: { documentId }, include: cardInclude })
  return r ? (await presentCards(db, [r]))[0]! : null
}

const editable = (r: { correspondent: string; receivedAt: Date | null; resolution: string; attachments: string; fileId: string }) => ({
  correspondent: r.correspondent,
  receivedAt: r.receivedAt?.toISOString() ?? null,
  resolution: r.resolution,
  attachments: r.attachments,
  fileId: r.fileId,
})

/** Corrects the card's own fields (never the index, number, date or journal), audited with before and after. */
export async function updateCard(db: Db, auth: Auth, actor: Actor, documentId: string, patch: RegistrationPatch): Promise<RegistrationCard> {
  await getVisibleDocument(db, auth, documentId)
  return db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM registration WHERE document_id = ${documentId}::uuid FOR UPDATE`
    if (locked.length === 0) throw new AppError('NOT_REGISTERED')
    const before = await tx.registration.findUniqueOrThrow({ where: { documentId } })
    if (patch.fileId !== undefined && patch.fileId !== before.fileId) {
      const file = await tx.nomenclatureFile.findUnique({ where: { id: patch.fileId } })
      if (!file) throw new AppError('NOMENCLATURE_FILE_NOT_FOUND')
      if (file.year !== before.year) throw new AppError('NOMENCLATURE_YEAR_MISMATCH', `реєстрація ${before.year} року, справа — з номенклатури ${file.year} року`)
    }
    const after = await tx.registration.update({
      where: { documentId },
      data: {
        ...(patch.correspondent !== undefined ? { correspondent: patch.correspondent.trim() } : {}),
        ...(patch.receivedAt !== undefined ? { receivedAt: patch.receivedAt === null ? null : new Date(patch.receivedAt) } : {}),
        ...(patch.resolution !== undefined ? { resolution: patch.resolution.trim() } : {}),
        ...(patch.attachments !== undefined ? { attachments: patch.attachments.trim() } : {}),
        ...(patch.fileId !== undefined ? { fileId: patch.fileId } : {}),
      },
      include: cardInclude,
    })
    const card = (await presentCards(tx, [after]))[0]!
    await audit(tx, actor, { action: 'registration.updated', targetType: 'registration', targetId: after.id, before: { documentId, index: before.index, ...editable(before) }, after: { documentId, index: after.index, ...editable(after) } })
    return card
  })
}

/**
 * A journal's registrations for a year, newest first, that the person may see: restricted
 * documents only for clerks, admins, their author and their author unit's staff.
 */
export async function listRegistrations(db: Db, auth: Auth, journalId: string, q: RegistrationListQuery) {
  const journal = await db.journal.findUnique({ where: { id: journalId }, select: { id: true } })
  if (!journal) throw new AppError('JOURNAL_NOT_FOUND')
  const year = q.year ?? kyivYear(new Date())
  const limit = q.limit ?? 50
  const offset = q.offset ?? 0
  const and: Prisma.RegistrationWhereInput[] = [{ journalId, year }]
  if (!seesAll(auth)) {
    const units = unitIdsOf(auth)
    and.push({ document: { OR: [{ accessMark: 'public' }, { createdById: auth.userId }, ...(units.length ? [{ authorUnitId: { in: units } }] : [])] } })
  }
  const text = q.q?.trim()
  if (text) {
    // Prisma passes `contains` to ILIKE as is: "%" and "_" are escaped to mean themselves.
    const contains = { contains: text.replace(/[\\%_]/g, (c) => '\\' + c), mode: 'insensitive' as const }
    and.push({ OR: [{ index: contains }, { correspondent: contains }, { document: { title: contains } }, { document: { summary: contains } }] })
  }
  const where: Prisma.RegistrationWhereInput = { AND: and }
  const [rows, total] = await Promise.all([
    db.registration.findMany({ where, include: cardInclude, orderBy: { seq: 'desc' }, take: limit, skip: offset }),
    db.registration.count({ where }),
  ])
  return { items: await presentCards(db, rows), total, limit, offset }
}
