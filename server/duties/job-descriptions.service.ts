import { Readable } from 'node:stream'
import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { Prisma } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import { enqueue } from '../jobs/queue.ts'
import { notify } from '../notifications/notify.ts'
import { activeHolding, type Auth } from '../people/sessions.ts'
import type { ObjectStore } from '../../storage/index.ts'
import { canViewDocument } from '../documents/policy.ts'
import { isRouteParticipant } from '../documents/documents.service.ts'
import { startApproval } from '../approvals/start.ts'
import { resubmit } from '../approvals/decisions.ts'
import { renderJobDescription } from '../pdf/job-description.ts'
import { defaultSections, draftingScope, inScope, pdfInputFor, positionContext, type PositionContext } from './org.ts'
import { withDistributedDuties } from './distribution.service.ts'
import type { JdPositionOut, JobDescriptionOut, JobDescriptionStatus, JobSections, MyJobDescriptionOut, PositionJobDescriptionsOut } from './schemas.ts'

// ---------------------------------------------------------------------------------------------
// Loading and presenting

const jdInclude = {
  position: { include: { unit: true } },
  document: {
    include: {
      versions: { orderBy: { number: 'desc' as const }, take: 1 },
      approvals: { orderBy: { startedAt: 'desc' as const }, take: 1, select: { id: true, state: true } },
    },
  },
  acknowledgments: { orderBy: { at: 'asc' as const }, include: { user: { select: { id: true, fullName: true } } } },
} satisfies Prisma.JobDescriptionInclude
type JdRow = Prisma.JobDescriptionGetPayload<{ include: typeof jdInclude }>

/** What a presenter needs to know about the person asking. */
interface Viewer {
  auth: Auth
  scope: Set<string> | 'all'
  now: Date
}

const viewerOf = async (db: Db | Tx, auth: Auth): Promise<Viewer> => ({ auth, scope: await draftingScope(db, auth), now: new Date() })

const FINAL: JobDescriptionStatus[] = ['approved', 'superseded']

/**
 * The status as people should see it. Approval and supersession are stored by the signing hook;
 * before that the document's route decides: a withdrawn route withdraws the draft, a running
 * one (or one completed and awaiting its signature) means "in approval", a returned one is a draft again.
 */
function statusOf(jd: JdRow): JobDescriptionStatus {
  if (FINAL.includes(jd.status)) return jd.status
  if (jd.status === 'withdrawn' || jd.document.status === 'withdrawn') return 'withdrawn'
  if (jd.document.status === 'draft') return 'draft'
  return 'in_approval'
}

const inForceAt = (jd: Pick<JdRow, 'status' | 'inForceFrom' | 'inForceUntil'>, now: Date) =>
  jd.status === 'approved' && !!jd.inForceFrom && jd.inForceFrom <= now && (!jd.inForceUntil || jd.inForceUntil > now)

const holdsPosition = (auth: Auth, positionId: string) => auth.positions.some((p) => p.id === positionId)

/** Whether the person may manage (draft, edit, send) job descriptions of this unit. */
const canManage = (v: Viewer, unitId: string) => (v.auth.roles.includes('admin') || v.auth.roles.includes('directorate_head')) && inScope(v.scope, unitId)

/** Approved and superseded versions are the organisation's record, open to all staff; drafts follow their document. */
async function visible(db: Db | Tx, v: Viewer, jd: JdRow): Promise<boolean> {
  if (FINAL.includes(jd.status)) return true
  if (canManage(v, jd.position.unitId) || canViewDocument(v.auth, jd.document)) return true
  return isRouteParticipant(db, v.auth, jd.documentId)
}

async function holdersOf(db: Db | Tx, positionIds: string[], now: Date): Promise<Map<string, { id: string; fullName: string }[]>> {
  const rows = await db.positionHolder.findMany({
    where: { positionId: { in: positionIds }, ...activeHolding(now), user: { active: true } },
    include: { user: { select: { id: true, fullName: true } } },
    orderBy: { since: 'asc' },
  })
  const out = new Map<string, { id: string; fullName: string }[]>(positionIds.map((id) => [id, []]))
  for (const r of rows) out.get(r.positionId)!.push({ id: r.user.id, fullName: r.user.fullName })
  return out
}

function presentPosition(p: JdRow['position'], holders: { id: string; fullName: string }[]): JdPositionOut {
  return { id: p.id, title: p.title, unitId: p.unitId, unitName: p.unit.name, holders }
}

async function presentMany(db: Db | Tx, v: Viewer, rows: JdRow[]): Promise<JobDescriptionOut[]> {
  if (rows.length === 0) return []
  const holders = await holdersOf(db, [...new Set(rows.map((r) => r.positionId))], v.now)
  const creators = new Map((await db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.createdById))] } }, select: { id: true, fullName: true } })).map((u) => [u.id, u]))
  return rows.map((jd) => {
    const status = statusOf(jd)
    const latest = jd.document.versions[0]
    const approval = jd.document.approvals[0] ?? null
    const inForce = inForceAt(jd, v.now)
    const editable = (status === 'draft') && canManage(v, jd.position.unitId)
    return {
      id: jd.id,
      version: jd.version,
      position: presentPosition(jd.position, holders.get(jd.positionId) ?? []),
      documentId: jd.documentId,
      documentStatus: jd.document.status,
      status,
      returned: status === 'draft' && approval?.state === 'returned',
      approvalId: approval?.id ?? null,
      sections: jd.sections as unknown as JobSections,
      approvedAt: jd.approvedAt?.toISOString() ?? null,
      inForceFrom: jd.inForceFrom?.toISOString() ?? null,
      inForceUntil: jd.inForceUntil?.toISOString() ?? null,
      inForce,
      latestVersion: latest ? { number: latest.number, sha256: latest.sha256, fileName: latest.fileName, createdAt: latest.createdAt.toISOString() } : null,
      createdBy: creators.get(jd.createdById) ?? { id: jd.createdById, fullName: '' },
      createdAt: jd.createdAt.toISOString(),
      acknowledgments: jd.acknowledgments.map((a) => ({ user: a.user, fullName: a.fullName, at: a.at.toISOString(), versionSha256: a.versionSha256 })),
      can: {
        edit: editable,
        send: editable && jd.document.versionCount > 0,
        acknowledge: inForce && holdsPosition(v.auth, jd.positionId) && !jd.acknowledgments.some((a) => a.userId === v.auth.userId),
      },
    }
  })
}

async function loadVisible(db: Db | Tx, v: Viewer, id: string): Promise<JdRow> {
  const jd = await db.jobDescription.findUnique({ where: { id }, include: jdInclude })
  // A job description the person may not see answers exactly like a missing one.
  if (!jd || !(await visible(db, v, jd))) throw new AppError('JOB_DESCRIPTION_NOT_FOUND')
  return jd
}

export async function getJobDescription(db: Db, auth: Auth, id: string): Promise<JobDescriptionOut> {
  const v = await viewerOf(db, auth)
  const [out] = await presentMany(db, v, [await loadVisible(db, v, id)])
  return out!
}

/** A position's job descriptions, newest first, with their periods in force and acknowledgments. */
export async function positionHistory(db: Db, auth: Auth, positionId: string): Promise<PositionJobDescriptionsOut> {
  const v = await viewerOf(db, auth)
  const position = await db.position.findUnique({ where: { id: positionId }, include: { unit: true } })
  if (!position) throw new AppError('POSITION_NOT_FOUND')
  const rows = await db.jobDescription.findMany({ where: { positionId }, include: jdInclude, orderBy: { version: 'desc' } })
  const shown: JdRow[] = []
  for (const r of rows) if (await visible(db, v, r)) shown.push(r)
  const holders = await holdersOf(db, [positionId], v.now)
  return {
    position: presentPosition(position, holders.get(positionId) ?? []),
    canDraft: !position.archivedAt && canManage(v, position.unitId),
    items: await presentMany(db, v, shown),
  }
}

/** For each position I hold: the job description in force, and whether I acknowledged it. */
export async function myJobDescriptions(db: Db, auth: Auth): Promise<MyJobDescriptionOut[]> {
  const v = await viewerOf(db, auth)
  const out: MyJobDescriptionOut[] = []
  for (const p of auth.positions) {
    const jd = await db.jobDescription.findFirst({
      where: { positionId: p.id, status: 'approved', inForceFrom: { lte: v.now }, OR: [{ inForceUntil: null }, { inForceUntil: { gt: v.now } }] },
      include: jdInclude,
      orderBy: { version: 'desc' },
    })
    const [presented] = jd ? await presentMany(db, v, [jd]) : [null]
    const mine = jd?.acknowledgments.find((a) => a.userId === auth.userId)
    out.push({ position: { id: p.id, title: p.title, unitName: p.unitName }, jobDescription: presented ?? null, acknowledgedAt: mine?.at.toISOString() ?? null })
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Drafting and editing

const titleOf = (positionTitle: string) => `Посадова інструкція ${positionTitle}`.slice(0, 500)
const fileNameOf = (version: number) => `Посадова інструкція, редакція ${version}.pdf`

/** Every catalogue id the sections refer to must exist. */
async function assertDuties(db: Db | Tx, sections: JobSections): Promise<void> {
  const ids = [...new Set(sections.tasks.flatMap((t) => (t.dutyId ? [t.dutyId] : [])))]
  if (ids.length === 0) return
  const found = await db.dutyCatalogItem.findMany({ where: { id: { in: ids } }, select: { id: true } })
  if (found.length !== ids.length) {
    const known = new Set(found.map((f) => f.id))
    throw new AppError('DUTY_NOT_FOUND', `в каталозі немає: ${ids.filter((id) => !known.has(id)).join(', ')}`)
  }
}

/** Normalises what people typed: trimmed items, single spaces, CRLF as LF, no empty items. */
function normalise(s: JobSections): JobSections {
  const line = (x: string) => x.normalize('NFC').replace(/\s+/g, ' ').trim()
  const para = (x: string) =>
    x
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .split('\n')
      .map((l) => l.replace(/[ \t]+/g, ' ').trim())
      .filter(Boolean)
      .join('\n')
  return {
    general: para(s.general),
    tasks: s.tasks.map((t) => ({ text: line(t.text), ...(t.dutyId ? { dutyId: t.dutyId } : {}) })).filter((t) => t.text),
    rights: s.rights.map(line).filter(Boolean),
    responsibility: s.responsibility.map(line).filter(Boolean),
    mustKnow: s.mustKnow.map(line).filter(Boolean),
    qualification: para(s.qualification),
  }
}

async function renderAndStore(db: Db, store: ObjectStore, ctx: PositionContext, sections: JobSections, version: number, date: Date) {
  const pdf = await renderJobDescription(await pdfInputFor(db, ctx, sections, { date, version }))
  // The bytes go to the store before any transaction; a failure later leaves an orphan the sweep removes.
  return store.put(Readable.from([Buffer.from(pdf)]), { contentType: 'application/pdf' })
}

/** An open draft: not final and its document not withdrawn. */
const openDraftWhere = (positionId: string) => ({ positionId, status: { in: ['draft' as const, 'in_approval' as const] }, document: { status: { not: 'withdrawn' as const } } })

async function loadPosition(db: Db | Tx, positionId: string) {
  const position = await db.position.findUnique({ where: { id: positionId } })
  if (!position || position.archivedAt) throw new AppError('POSITION_NOT_FOUND')
  return position
}

/**
 * Starts version N+1 of a position's job description as a draft: a document of kind
 * 'job_description' with its first PDF version, and the job description row, prefilled from the
 * previous version (or the defaults of the position's unit) unless sections are given.
 */
export async function draftJobDescription(db: Db, store: ObjectStore, auth: Auth, actor: Actor, positionId: string, body: { sections?: JobSections | undefined }): Promise<JobDescriptionOut> {
  const v = await viewerOf(db, auth)
  const position = await loadPosition(db, positionId)
  if (!canManage(v, position.unitId)) throw new AppError('POSITION_OUT_OF_SCOPE')
  const open = await db.jobDescription.findFirst({ where: openDraftWhere(positionId), select: { id: true } })
  if (open) throw new AppError('JOB_DESCRIPTION_DRAFT_EXISTS', undefined, { jobDescriptionId: open.id })
  const ctx = await positionContext(db, position)
  const previous = await db.jobDescription.findFirst({ where: { positionId }, orderBy: { version: 'desc' } })
  // A draft takes the position's distributed duties (and who substitutes them) when it has any:
  // the distribution is where duties change, so a new edition follows it; the rest of the
  // previous edition (or the template, for a first one) stays as it was.
  const base = previous ? (previous.sections as unknown as JobSections) : await defaultSections(db, ctx)
  const sections = normalise(body.sections ?? (await withDistributedDuties(db, ctx, base)))
  await assertDuties(db, sections)
  const now = new Date()
  const nextVersion = (previous?.version ?? 0) + 1
  const put = await renderAndStore(db, store, ctx, sections, nextVersion, now)

  const id = await db.$transaction(async (tx) => {
    // One draft at a time per position, and dense version numbers.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('job_description'), hashtext(${positionId}))`
    const again = await tx.jobDescription.findFirst({ where: openDraftWhere(positionId), select: { id: true } })
    if (again) throw new AppError('JOB_DESCRIPTION_DRAFT_EXISTS', undefined, { jobDescriptionId: again.id })
    const last = await tx.jobDescription.findFirst({ where: { positionId }, orderBy: { version: 'desc' }, select: { version: true } })
    const version = (last?.version ?? 0) + 1
    const doc = await tx.document.create({
      data: {
        kind: 'job_description',
        title: titleOf(position.title),
        summary: `Редакція ${version}. ${ctx.unit.name}`,
        authorUnitId: position.unitId,
        accessMark: 'internal',
        createdById: auth.userId,
        versionCount: 1,
      },
    })
    const fileName = fileNameOf(version)
    const ver = await tx.version.create({
      data: { documentId: doc.id, number: 1, sha256: put.sha256, size: BigInt(put.size), mediaType: 'application/pdf', fileName, comment: `Проєкт редакції ${version}`, createdById: auth.userId },
    })
    const jd = await tx.jobDescription.create({
      data: { positionId, version, documentId: doc.id, sections: sections as unknown as Prisma.InputJsonValue, status: 'draft', createdById: auth.userId },
    })
    await enqueue(tx, 'extract_text', { versionId: ver.id }, { jobKey: `extract_text:${ver.id}` })
    await audit(tx, actor, {
      action: 'document.created',
      targetType: 'document',
      targetId: doc.id,
      after: { kind: doc.kind, title: doc.title, summary: doc.summary, accessMark: doc.accessMark, authorUnitId: doc.authorUnitId, status: doc.status, topics: [] },
    })
    await audit(tx, actor, { action: 'version.uploaded', targetType: 'document', targetId: doc.id, after: { versionId: ver.id, number: 1, sha256: put.sha256, size: put.size, mediaType: 'application/pdf', fileName } })
    await audit(tx, actor, {
      action: 'job_description.drafted',
      targetType: 'job_description',
      targetId: jd.id,
      after: { positionId, version, documentId: doc.id, from: body.sections ? 'body' : previous ? `version ${previous.version}` : 'defaults', sections },
    })
    return jd.id
  })
  return getJobDescription(db, auth, id)
}

/** Replaces the sections of a draft; the PDF is rendered again and stored as the document's next version. */
export async function updateJobDescription(db: Db, store: ObjectStore, auth: Auth, actor: Actor, id: string, input: JobSections): Promise<JobDescriptionOut> {
  const v = await viewerOf(db, auth)
  const jd = await loadVisible(db, v, id)
  if (!canManage(v, jd.position.unitId)) throw new AppError('POSITION_OUT_OF_SCOPE')
  if (statusOf(jd) !== 'draft') throw new AppError('JOB_DESCRIPTION_NOT_DRAFT')
  const sections = normalise(input)
  await assertDuties(db, sections)
  const ctx = await positionContext(db, jd.position)
  const put = await renderAndStore(db, store, ctx, sections, jd.version, new Date())

  await db.$transaction(async (tx) => {
    // Serialises saves to one document, as uploads do, so version numbers stay dense.
    const locked = await tx.$queryRaw<{ version_count: number; status: string }[]>`
      SELECT version_count, status::text FROM document WHERE id = ${jd.documentId}::uuid FOR UPDATE`
    const row = await tx.jobDescription.findUniqueOrThrow({ where: { id } })
    if (locked[0]?.status !== 'draft' || FINAL.includes(row.status) || row.status === 'withdrawn') throw new AppError('JOB_DESCRIPTION_NOT_DRAFT')
    const number = (locked[0]?.version_count ?? 0) + 1
    const fileName = fileNameOf(jd.version)
    const ver = await tx.version.create({
      data: { documentId: jd.documentId, number, sha256: put.sha256, size: BigInt(put.size), mediaType: 'application/pdf', fileName, comment: 'Зміни в редакторі посадової інструкції', createdById: auth.userId },
    })
    await tx.document.update({ where: { id: jd.documentId }, data: { versionCount: number } })
    await tx.jobDescription.update({ where: { id }, data: { sections: sections as unknown as Prisma.InputJsonValue, status: 'draft' } })
    await enqueue(tx, 'extract_text', { versionId: ver.id }, { jobKey: `extract_text:${ver.id}` })
    await audit(tx, actor, { action: 'version.uploaded', targetType: 'document', targetId: jd.documentId, after: { versionId: ver.id, number, sha256: put.sha256, size: put.size, mediaType: 'application/pdf', fileName } })
    await audit(tx, actor, { action: 'job_description.updated', targetType: 'job_description', targetId: id, before: { sections: row.sections }, after: { sections, versionNumber: number, sha256: put.sha256 } })
  })
  return getJobDescription(db, auth, id)
}

/**
 * Sends a draft along the job-description route (unit head → head of the Directorate → legal →
 * deputy mayor, who approves and signs); after a return for revision it resubmits the revised version.
 */
export async function sendJobDescription(db: Db, auth: Auth, actor: Actor, id: string): Promise<JobDescriptionOut> {
  const v = await viewerOf(db, auth)
  const jd = await loadVisible(db, v, id)
  if (!canManage(v, jd.position.unitId)) throw new AppError('POSITION_OUT_OF_SCOPE')
  const status = statusOf(jd)
  if (status === 'in_approval') throw new AppError('APPROVAL_ALREADY_RUNNING')
  if (status !== 'draft') throw new AppError('JOB_DESCRIPTION_NOT_DRAFT')
  const sections = jd.sections as unknown as JobSections
  if (sections.tasks.length === 0 || !sections.general.trim() || !sections.qualification.trim()) {
    throw new AppError('VALIDATION_FAILED', 'заповніть загальні положення, завдання та обовʼязки і кваліфікаційні вимоги')
  }
  const returned = await db.approval.findFirst({ where: { documentId: jd.documentId, state: 'returned' }, select: { id: true } })
  let approvalId: string
  if (returned) {
    await resubmit(db, auth, actor, returned.id)
    approvalId = returned.id
  } else {
    approvalId = await startApproval(db, auth, actor, jd.documentId, {})
  }
  await db.$transaction(async (tx) => {
    await tx.jobDescription.update({ where: { id }, data: { status: 'in_approval' } })
    await audit(tx, actor, { action: 'job_description.sent', targetType: 'job_description', targetId: id, after: { documentId: jd.documentId, approvalId, resubmitted: !!returned, versionNumber: jd.document.versions[0]?.number ?? null } })
  })
  return getJobDescription(db, auth, id)
}

// ---------------------------------------------------------------------------------------------
// Approval (the signing hook) and acknowledgment

/**
 * Called by the signing module, in its transaction, when a document's route completes with the
 * last signature. For a job description: it becomes approved and in force from `at`; the
 * position's previously approved version is superseded (in force until `at`); whoever holds
 * the position is asked to acknowledge it. Other documents are left alone; a second call is a no-op.
 */
export async function onDocumentSigned(tx: Tx, documentId: string, at: Date): Promise<void> {
  const found = await tx.jobDescription.findUnique({ where: { documentId }, select: { id: true, positionId: true } })
  if (!found) return
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('job_description'), hashtext(${found.positionId}))`
  const jd = await tx.jobDescription.findUniqueOrThrow({ where: { id: found.id }, include: { position: { include: { unit: true } }, document: { select: { title: true } } } })
  if (FINAL.includes(jd.status)) return

  const previous = await tx.jobDescription.findMany({ where: { positionId: jd.positionId, status: 'approved', id: { not: jd.id } }, select: { id: true, version: true } })
  if (previous.length > 0) {
    await tx.jobDescription.updateMany({ where: { id: { in: previous.map((p) => p.id) } }, data: { status: 'superseded', inForceUntil: at } })
  }
  await tx.jobDescription.update({ where: { id: jd.id }, data: { status: 'approved', approvedAt: at, inForceFrom: at, inForceUntil: null } })

  const holders = await tx.positionHolder.findMany({ where: { positionId: jd.positionId, ...activeHolding(new Date(Math.max(at.getTime(), Date.now()))), user: { active: true } }, select: { userId: true } })
  const userIds = [...new Set(holders.map((h) => h.userId))]
  if (userIds.length > 0) {
    await notify(
      tx,
      userIds.map((userId) => ({
        userId,
        kind: 'task_assigned' as const,
        title: `Ознайомтеся з посадовою інструкцією: ${jd.position.title}`,
        body: `Затверджено редакцію ${jd.version} посадової інструкції. Прочитайте її та підтвердьте ознайомлення на сторінці «Мої посадові інструкції».`,
        link: '/my/job-descriptions',
        dedupeKey: `jd_acknowledge:${jd.id}:${userId}`,
        email: true,
      })),
    )
  }
  await audit(tx, { userId: null, ip: null }, {
    action: 'job_description.approved',
    targetType: 'job_description',
    targetId: jd.id,
    after: { documentId, positionId: jd.positionId, version: jd.version, inForceFrom: at.toISOString(), superseded: previous.map((p) => ({ id: p.id, version: p.version })), notified: userIds },
  })
}

/** The signed version: the one the last signature produced, else the newest. */
async function signedSha(tx: Tx, documentId: string): Promise<string> {
  const sig = await tx.signature.findFirst({ where: { documentId }, orderBy: { createdAt: 'desc' }, select: { signedVersionId: true } })
  const version = sig
    ? await tx.version.findUnique({ where: { id: sig.signedVersionId }, select: { sha256: true } })
    : await tx.version.findFirst({ where: { documentId }, orderBy: { number: 'desc' }, select: { sha256: true } })
  if (!version) throw new AppError('NO_VERSION')
  return version.sha256
}

/** The holder of the position confirms they have read the job description in force. */
export async function acknowledgeJobDescription(db: Db, auth: Auth, actor: Actor, id: string): Promise<JobDescriptionOut> {
  const now = new Date()
  await db.$transaction(async (tx) => {
    const jd = await tx.jobDescription.findUnique({ where: { id }, select: { id: true, positionId: true, documentId: true, status: true, version: true, inForceFrom: true, inForceUntil: true } })
    if (!jd) throw new AppError('JOB_DESCRIPTION_NOT_FOUND')
    const holding = await tx.positionHolder.findFirst({ where: { positionId: jd.positionId, userId: auth.userId, ...activeHolding(now) }, select: { id: true } })
    if (!holding) {
      // Drafts stay hidden from people outside their circle; approved ones are public within the organisation.
      if (!FINAL.includes(jd.status)) {
        const row = await tx.jobDescription.findUniqueOrThrow({ where: { id }, include: jdInclude })
        if (!(await visible(tx, { auth, scope: await draftingScope(tx, auth), now }, row))) throw new AppError('JOB_DESCRIPTION_NOT_FOUND')
      }
      throw new AppError('NOT_POSITION_HOLDER')
    }
    if (!inForceAt(jd, now)) throw new AppError('JOB_DESCRIPTION_NOT_IN_FORCE')
    if (await tx.acknowledgment.findUnique({ where: { jobDescriptionId_userId: { jobDescriptionId: id, userId: auth.userId } }, select: { id: true } })) {
      throw new AppError('ALREADY_ACKNOWLEDGED')
    }
    const versionSha256 = await signedSha(tx, jd.documentId)
    try {
      const ack = await tx.acknowledgment.create({ data: { jobDescriptionId: id, userId: auth.userId, fullName: auth.fullName, versionSha256, at: now } })
      await audit(tx, actor, {
        action: 'job_description.acknowledged',
        targetType: 'job_description',
        targetId: id,
        after: { acknowledgmentId: ack.id, userId: auth.userId, fullName: auth.fullName, positionId: jd.positionId, version: jd.version, versionSha256, at: now.toISOString() },
      })
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') throw new AppError('ALREADY_ACKNOWLEDGED')
      throw e
    }
  })
  return getJobDescription(db, auth, id)
}

// ---------------------------------------------------------------------------------------------
// The catalogue

export async function listCatalog(db: Db, q: { unitId?: string | undefined; clause?: string | undefined }) {
  const clause = q.clause?.replace(/\.$/, '')
  // A section number without a dot ("3") means all of its clauses ("3.1" … "3.18").
  const clauseWhere = clause ? (clause.includes('.') ? { sourceClause: clause } : { OR: [{ sourceClause: clause }, { sourceClause: { startsWith: `${clause}.` } }] }) : {}
  return db.dutyCatalogItem.findMany({
    where: { ...(q.unitId ? { unitId: q.unitId } : {}), ...clauseWhere },
    orderBy: [{ sortOrder: 'asc' }, { createdAt: 'asc' }],
  })
}
