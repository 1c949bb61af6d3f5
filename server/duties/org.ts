import type { Db, Tx } from '../db/client.ts'
import type { Role, Unit } from '../generated/prisma/client.ts'
import type { Auth } from '../people/sessions.ts'
import { activeHolding } from '../people/sessions.ts'
import type { JobDescriptionPdfInput } from '../pdf/job-description.ts'
import type { JobSections } from './schemas.ts'

/** The deputy mayor's title as the regulation names it (4.9), when the organisation has no such position. */
export const APPROVER_TITLE = 'Заступник міського голови з питань діяльності виконавчих органів, керуючий справами виконавчого комітету'

type UnitRow = Pick<Unit, 'id' | 'parentId' | 'name' | 'kind' | 'code'>

/** Every unit (an organisation has dozens, not thousands), for walking the tree in memory. */
const allUnits = (db: Db | Tx): Promise<UnitRow[]> => db.unit.findMany({ select: { id: true, parentId: true, name: true, kind: true, code: true }, orderBy: { sortOrder: 'asc' } })

/** The unit and its ancestors, nearest first. */
function chainOf(units: UnitRow[], unitId: string): UnitRow[] {
  const byId = new Map(units.map((u) => [u.id, u]))
  const out: UnitRow[] = []
  let u = byId.get(unitId)
  while (u && !out.includes(u)) {
    out.push(u)
    u = u.parentId ? byId.get(u.parentId) : undefined
  }
  return out
}

function subtreeOf(units: UnitRow[], rootIds: string[]): Set<string> {
  const out = new Set(rootIds)
  let grew = true
  while (grew) {
    grew = false
    for (const u of units) {
      if (u.parentId && out.has(u.parentId) && !out.has(u.id)) {
        out.add(u.id)
        grew = true
      }
    }
  }
  return out
}

/**
 * The units whose job descriptions the person drafts: for the head of a directorate, the
 * directorate and every unit under it (regulation 4.3, 4.8); admins may draft for any unit.
 */
export async function draftingScope(db: Db | Tx, auth: Auth): Promise<Set<string> | 'all'> {
  if (auth.roles.includes('admin')) return 'all'
  const roots = auth.positions.filter((p) => p.roles.includes('directorate_head')).map((p) => p.unitId)
  if (roots.length === 0) return new Set()
  return subtreeOf(await allUnits(db), roots)
}

export const inScope = (scope: Set<string> | 'all', unitId: string) => scope === 'all' || scope.has(unitId)

/** The current holder of the first position with the role (not archived), for stamps and signatures. */
async function holderOfRole(db: Db | Tx, role: Role, unitIds?: string[]): Promise<{ positionTitle: string; fullName: string | null } | null> {
  const now = new Date()
  const positions = await db.position.findMany({
    where: { roles: { has: role }, archivedAt: null, ...(unitIds ? { unitId: { in: unitIds } } : {}) },
    orderBy: [{ sortOrder: 'asc' }, { title: 'asc' }],
    include: { holders: { where: activeHolding(now), include: { user: true }, orderBy: { since: 'desc' } } },
  })
  if (unitIds) positions.sort((a, b) => unitIds.indexOf(a.unitId) - unitIds.indexOf(b.unitId))
  const p = positions.find((x) => x.holders.some((h) => h.user.active)) ?? positions[0]
  if (!p) return null
  return { positionTitle: p.title, fullName: p.holders.find((h) => h.user.active)?.user.fullName ?? null }
}

export interface PositionContext {
  position: { id: string; title: string; isHead: boolean; roles: Role[]; unitId: string }
  unit: UnitRow
  /** The nearest directorate above (or equal to) the unit, if any. */
  directorate: UnitRow | null
  organisation: string
  issuer: string | undefined
}

export async function positionContext(db: Db | Tx, position: PositionContext['position']): Promise<PositionContext> {
  const units = await allUnits(db)
  const chain = chainOf(units, position.unitId)
  const root = chain.at(-1)
  // The body the instruction is issued in: the root's child on the way down (the executive committee).
  const issuer = chain.length >= 3 ? chain.at(-2) : undefined
  return {
    position,
    unit: chain[0]!,
    directorate: chain.find((u) => u.kind === 'directorate') ?? null,
    organisation: root?.name ?? 'Міська рада',
    issuer: issuer?.name,
  }
}

/** What the PDF renderer needs besides the sections: names from the organisation as it is now. */
export async function pdfInputFor(db: Db | Tx, ctx: PositionContext, sections: JobSections, opts: { date: Date; version: number; approvedAt?: Date | null }): Promise<JobDescriptionPdfInput> {
  const chain = chainOf(await allUnits(db), ctx.unit.id).map((u) => u.id)
  const approver = await holderOfRole(db, 'deputy_mayor')
  const drafter = (await holderOfRole(db, 'directorate_head', chain)) ?? (await holderOfRole(db, 'directorate_head'))
  return {
    organisation: ctx.organisation,
    ...(ctx.issuer ? { issuer: ctx.issuer } : {}),
    positionTitle: ctx.position.title,
    unitName: ctx.unit.name,
    sections,
    approver: approver ?? { positionTitle: APPROVER_TITLE, fullName: null },
    approvedAt: opts.approvedAt ?? null,
    drafter: drafter?.fullName ? { positionTitle: drafter.positionTitle, fullName: drafter.fullName } : null,
    version: opts.version,
    date: opts.date,
  }
}

const lowerFirst = (s: string) => s.charAt(0).toLocaleLowerCase('uk') + s.slice(1)

/** The position's immediate superior: the head of its unit, else of the nearest unit above with one, else the deputy mayor. */
async function supervisorTitle(db: Db | Tx, ctx: PositionContext): Promise<string> {
  const chain = chainOf(await allUnits(db), ctx.unit.id)
  for (const [i, u] of chain.entries()) {
    if (i === 0 && ctx.position.isHead) continue
    const head = await db.position.findFirst({ where: { unitId: u.id, isHead: true, archivedAt: null, id: { not: ctx.position.id } }, orderBy: { sortOrder: 'asc' } })
    if (head) return head.title
  }
  return (await holderOfRole(db, 'deputy_mayor'))?.positionTitle ?? APPROVER_TITLE
}

/**
 * A first draft for a position without a previous version: general provisions after the
 * regulation (unit, subordination, appointment by the mayor's order per 4.4/4.6, what the
 * person is guided by, who stands in per 4.8), the unit's tasks from the duty catalogue, and
 * the usual rights, responsibility (6.4), knowledge and qualification requirements.
 */
export async function defaultSections(db: Db | Tx, ctx: PositionContext): Promise<JobSections> {
  const { position, unit, directorate } = ctx
  const regulation = directorate ? 'Положення про управління' : 'положення про структурний підрозділ'
  const supervisor = await supervisorTitle(db, ctx)
  const headOfDirectorate = position.roles.includes('directorate_head')
  const general = [
    `Ця інструкція визначає завдання, обовʼязки, права, відповідальність та кваліфікаційні вимоги до посади «${position.title}» (далі — посадова особа), структурний підрозділ: ${unit.name}.`,
    `Посадова особа є посадовою особою місцевого самоврядування. Безпосередній керівник — ${lowerFirst(supervisor)}.`,
    headOfDirectorate
      ? `Посадова особа призначається на посаду і звільняється з посади розпорядженням міського голови відповідно до вимог чинного законодавства України (пункт 4.4 ${regulation}).`
      : directorate
        ? `Посадова особа призначається на посаду розпорядженням міського голови за результатами конкурсного відбору та звільняється з посади розпорядженням міського голови за поданням начальника управління та заступника міського голови з питань діяльності виконавчих органів, керуючого справами виконавчого комітету (пункт 4.6 ${regulation}).`
        : 'Посадова особа призначається на посаду і звільняється з посади розпорядженням міського голови відповідно до вимог чинного законодавства України.',
    `У своїй діяльності посадова особа керується Конституцією та законами України, актами Президента України, Кабінету Міністрів України, рішеннями міської ради та її виконавчого комітету, розпорядженнями міського голови, ${regulation}, правилами внутрішнього трудового розпорядку та цією посадовою інструкцією.`,
    directorate
      ? `На час відсутності посадової особи (відпустка, відрядження, тимчасова непрацездатність) її обовʼязки виконує працівник, визначений начальником управління (пункт 4.8 ${regulation}).`
      : 'На час відсутності посадової особи (відпустка, відрядження, тимчасова непрацездатність) її обовʼязки виконує працівник, визначений керівником структурного підрозділу.',
  ].join('\n')

  // The unit's tasks from the catalogue: the head of a directorate gets its head's powers (4.3),
  // other positions of the directorate itself its functions (3), a department's staff its list (4.3.x).
  const items = await db.dutyCatalogItem.findMany({ where: { unitId: unit.id }, orderBy: [{ sortOrder: 'asc' }, { createdAt: 'asc' }] })
  const functions = items.filter((x) => x.sourceClause.startsWith('3.'))
  const lists = items.filter((x) => !x.sourceClause.startsWith('3.'))
  const picked = (position.isHead || functions.length === 0) && lists.length > 0 ? lists : functions
  const tasks: JobSections['tasks'] = picked.map((x) => ({ text: x.text, dutyId: x.id }))
  if (position.isHead && !headOfDirectorate && (unit.kind === 'department' || unit.kind === 'sector')) {
    tasks.unshift({ text: `Здійснює керівництво ${unit.kind === 'sector' ? 'сектором' : 'відділом'}, планує його роботу, розподіляє обовʼязки між працівниками та контролює їх виконання.` })
  }

  return {
    general,
    tasks,
    rights: [
      'Брати участь у нарадах, семінарах, засіданнях та робочих зустрічах, що проводяться в міській раді, при обговоренні питань, що належать до його компетенції.',
      'Одержувати від структурних підрозділів міської ради, підприємств, установ та організацій інформацію, документи та інші матеріали, необхідні для виконання покладених на нього обовʼязків.',
      'Вносити керівництву пропозиції щодо вдосконалення роботи, повʼязаної з обовʼязками, передбаченими цією посадовою інструкцією.',
      'На належні умови праці, професійне навчання та підвищення кваліфікації.',
    ],
    responsibility: [
      'Порушення термінів та порядку підготовки документів.',
      'Порушення термінів та порядку виконання рішень міської ради, виконавчого комітету та розпоряджень міського голови.',
      'Невиконання або неналежне виконання обовʼязків, визначених цією посадовою інструкцією, та доручень керівника.',
      'Порушення правил внутрішнього трудового розпорядку, трудової та виконавської дисципліни.',
      'Розголошення інформації з обмеженим доступом, що стала відома у звʼязку з виконанням посадових обовʼязків.',
    ],
    mustKnow: [
      'Конституцію України, закони України «Про місцеве самоврядування в Україні», «Про службу в органах місцевого самоврядування», «Про запобігання корупції», «Про доступ до публічної інформації», «Про звернення громадян».',
      `${directorate ? 'Положення про управління' : 'Положення про структурний підрозділ'}, правила внутрішнього трудового розпорядку, правила ділового етикету.`,
      'Інструкцію з діловодства, вимоги ДСТУ 4163:2020 до оформлення документів.',
      'Основи роботи з компʼютерною технікою, системою електронного документообігу та кваліфікованим електронним підписом.',
    ],
    qualification: position.isHead
      ? 'Вища освіта ступеня магістра.\nСтаж служби в органах місцевого самоврядування або на державній службі на посадах провідного спеціаліста чи вищих не менше трьох років або стаж роботи на керівних посадах в інших сферах не менше пʼяти років.\nВільне володіння державною мовою.'
      : 'Вища освіта ступеня не нижче бакалавра.\nБез вимог до стажу роботи.\nВільне володіння державною мовою.',
  }
}
