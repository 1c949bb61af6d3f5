import type { Db, Tx } from '../db/client.ts'
import { AppError } from '../errors.ts'
import { Prisma, type DocumentKind, type RouteTemplate } from '../generated/prisma/client.ts'
import { audit, type Actor } from '../audit/record.ts'
import type { StageTemplate, TemplateCreate, TemplateOut } from './schemas.ts'

/**
 * The route every draft act takes by default (shared/DOMAIN.md, regulation 4.3.1): the head of
 * the author's unit, the legal department, the Directorate's expert review when the draft
 * touches its competence, the deputy mayor for executive bodies, then signing. Participants
 * are named by role, so the templates hold however the organisation's positions change.
 */
const ACT_STAGES: StageTemplate[] = [
  { key: 'unit_head', name: 'Погодження керівником структурного підрозділу-розробника', kind: 'visa', rule: 'any', deadlineDays: 2, participants: [{ type: 'author_unit_head' }] },
  { key: 'legal', name: 'Правова експертиза (юридичний відділ)', kind: 'legal_review', rule: 'any', deadlineDays: 3, participants: [{ type: 'role', role: 'legal_reviewer' }] },
  {
    key: 'expert_review',
    name: 'Експертиза управління цифровізації, інформаційної політики та комунікацій',
    kind: 'expert_review',
    rule: 'any',
    deadlineDays: 3,
    participants: [{ type: 'role', role: 'expert_reviewer' }],
    condition: 'expert_review_required',
  },
  { key: 'deputy_mayor', name: 'Погодження заступником міського голови з питань діяльності виконавчих органів', kind: 'visa', rule: 'any', deadlineDays: 2, participants: [{ type: 'role', role: 'deputy_mayor' }] },
  { key: 'signing', name: 'Підписання міським головою', kind: 'signing', rule: 'any', deadlineDays: 2, participants: [{ type: 'role', role: 'mayor' }] },
]

/**
 * Job descriptions (regulation 4.3, 4.9): the head of the position's unit, the head of the
 * Directorate, the legal department, then the deputy mayor for executive bodies approves
 * («ЗАТВЕРДЖУЮ») and signs.
 */
const JOB_DESCRIPTION_STAGES: StageTemplate[] = [
  { key: 'unit_head', name: 'Погодження керівником структурного підрозділу', kind: 'visa', rule: 'any', deadlineDays: 2, participants: [{ type: 'author_unit_head' }] },
  { key: 'directorate_head', name: 'Погодження начальником управління', kind: 'visa', rule: 'any', deadlineDays: 2, participants: [{ type: 'role', role: 'directorate_head' }] },
  { key: 'legal', name: 'Правова експертиза (юридичний відділ)', kind: 'legal_review', rule: 'any', deadlineDays: 3, participants: [{ type: 'role', role: 'legal_reviewer' }] },
  { key: 'deputy_mayor', name: 'Затвердження і підписання заступником міського голови з питань діяльності виконавчих органів', kind: 'signing', rule: 'any', deadlineDays: 3, participants: [{ type: 'role', role: 'deputy_mayor' }] },
]

export const DEFAULT_TEMPLATES: TemplateCreate[] = [
  { kind: 'council_decision_draft', name: 'Проєкт рішення міської ради', restartFromFirst: false, expertReviewAlways: false, stages: ACT_STAGES },
  { kind: 'executive_decision_draft', name: 'Проєкт рішення виконавчого комітету', restartFromFirst: false, expertReviewAlways: false, stages: ACT_STAGES },
  { kind: 'mayor_order', name: 'Розпорядження міського голови', restartFromFirst: false, expertReviewAlways: false, stages: ACT_STAGES },
  { kind: 'job_description', name: 'Посадова інструкція', restartFromFirst: false, expertReviewAlways: false, stages: JOB_DESCRIPTION_STAGES },
]

export function presentTemplate(t: RouteTemplate): TemplateOut {
  return {
    id: t.id,
    kind: t.kind,
    name: t.name,
    version: t.version,
    current: t.current,
    restartFromFirst: t.restartFromFirst,
    expertReviewAlways: t.expertReviewAlways,
    stages: t.stages as unknown as StageTemplate[],
    createdAt: t.createdAt.toISOString(),
  }
}

/** Creates version 1 of each default template whose kind has none yet (every start; idempotent). */
export async function ensureDefaultTemplates(db: Db): Promise<number> {
  let created = 0
  for (const t of DEFAULT_TEMPLATES) {
    if (await db.routeTemplate.findFirst({ where: { kind: t.kind }, select: { id: true } })) continue
    try {
      await db.$transaction(async (tx) => {
        const row = await tx.routeTemplate.create({ data: { ...t, version: 1, current: true, stages: t.stages as unknown as Prisma.InputJsonValue } })
        await audit(tx, { userId: null, ip: null }, { action: 'template.created', targetType: 'route_template', targetId: row.id, after: { kind: t.kind, version: 1 } })
      })
      created++
    } catch (e) {
      // Another instance created it first.
      if (!(e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')) throw e
    }
  }
  return created
}

/** The template new approvals of this kind start from. */
export async function currentTemplate(db: Db | Tx, kind: DocumentKind): Promise<RouteTemplate> {
  const t = await db.routeTemplate.findFirst({ where: { kind, current: true }, orderBy: { version: 'desc' } })
  if (!t) throw new AppError('NO_ROUTE_TEMPLATE', `для виду документа «${kind}» маршрут не налаштовано`)
  return t
}

export const listTemplates = (db: Db, all: boolean) =>
  db.routeTemplate.findMany({ where: all ? {} : { current: true }, orderBy: [{ kind: 'asc' }, { version: 'desc' }] })

/**
 * Saves an edited template as the next version of its kind; the previous version stops
 * being current, while approvals already running keep the version they started with.
 */
export async function createTemplateVersion(db: Db, actor: Actor, input: TemplateCreate): Promise<RouteTemplate> {
  const keys = input.stages.map((s) => s.key)
  if (new Set(keys).size !== keys.length) throw new AppError('VALIDATION_FAILED', 'ключі етапів мають бути унікальними')
  const positionIds = input.stages.flatMap((s) => s.participants.flatMap((p) => (p.type === 'position' ? [p.positionId] : [])))
  const unitIds = input.stages.flatMap((s) => s.participants.flatMap((p) => (p.type === 'role' && p.unitId ? [p.unitId] : [])))
  return db.$transaction(async (tx) => {
    if (positionIds.length) {
      const found = await tx.position.count({ where: { id: { in: positionIds }, archivedAt: null } })
      if (found !== new Set(positionIds).size) throw new AppError('POSITION_NOT_FOUND', 'маршрут посилається на посаду, якої немає')
    }
    if (unitIds.length) {
      const found = await tx.unit.count({ where: { id: { in: unitIds } } })
      if (found !== new Set(unitIds).size) throw new AppError('UNIT_NOT_FOUND', 'маршрут посилається на підрозділ, якого немає')
    }
    // Serialize versions of one kind.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('route_template'), hashtext(${input.kind}))`
    const last = await tx.routeTemplate.findFirst({ where: { kind: input.kind }, orderBy: { version: 'desc' } })
    await tx.routeTemplate.updateMany({ where: { kind: input.kind, current: true }, data: { current: false } })
    const row = await tx.routeTemplate.create({
      data: { ...input, version: (last?.version ?? 0) + 1, current: true, createdById: actor.userId, stages: input.stages as unknown as Prisma.InputJsonValue },
    })
    await audit(tx, actor, { action: 'template.created', targetType: 'route_template', targetId: row.id, before: last ? presentTemplate(last) : null, after: presentTemplate(row) })
    return row
  })
}
