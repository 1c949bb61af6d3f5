import type { ParticipantSpec, PositionOut, StageKind, StageRule, StageTemplate, TemplateCreate, TemplateOut, UnitOut } from '../../api/types.ts'
import { t } from '../../i18n/index.ts'
import { roleLabel, type DocumentKind, type Role } from '../../i18n/labels.ts'

/** A route template as the editor holds it: every row has a local id for keyed lists and focus. */
export type SpecType = ParticipantSpec['type']
export interface SpecDraft {
  uid: number
  type: SpecType
  positionId: string
  role: Role | ''
  unitId: string
}
export interface StageDraft {
  uid: number
  key: string
  name: string
  kind: StageKind
  rule: StageRule
  deadlineDays: number | null
  onlyWithReview: boolean
  participants: SpecDraft[]
}
export interface TemplateDraft {
  kind: DocumentKind
  name: string
  restartFromFirst: boolean
  expertReviewAlways: boolean
  stages: StageDraft[]
}

export const SPEC_TYPES: readonly SpecType[] = ['author_unit_head', 'position', 'role']
export const MAX_STAGES = 20
export const MAX_PARTICIPANTS = 20

let seq = 0
export const nextUid = (): number => ++seq

export function specDraft(spec?: ParticipantSpec): SpecDraft {
  return {
    uid: nextUid(),
    type: spec?.type ?? 'author_unit_head',
    positionId: spec?.type === 'position' ? spec.positionId : '',
    role: spec?.type === 'role' ? spec.role : '',
    unitId: spec?.type === 'role' ? (spec.unitId ?? '') : '',
  }
}

/** A stage key that the template does not use yet ("stage_3"). */
export function freshKey(stages: { key: string }[]): string {
  const used = new Set(stages.map((s) => s.key))
  let n = stages.length + 1
  while (used.has(`stage_${n}`)) n++
  return `stage_${n}`
}

export function stageDraft(stages: { key: string }[], s?: StageTemplate): StageDraft {
  return {
    uid: nextUid(),
    key: s?.key ?? freshKey(stages),
    name: s?.name ?? '',
    kind: s?.kind ?? 'visa',
    rule: s?.rule ?? 'any',
    deadlineDays: s?.deadlineDays ?? 2,
    onlyWithReview: s?.condition === 'expert_review_required',
    participants: s ? s.participants.map(specDraft) : [specDraft()],
  }
}

export function templateDraft(from: TemplateOut | { kind: DocumentKind; name: string }): TemplateDraft {
  if (!('stages' in from)) return { kind: from.kind, name: from.name, restartFromFirst: false, expertReviewAlways: false, stages: [stageDraft([])] }
  const stages: StageDraft[] = []
  for (const s of from.stages) stages.push(stageDraft(stages, s))
  return { kind: from.kind, name: from.name, restartFromFirst: from.restartFromFirst, expertReviewAlways: from.expertReviewAlways, stages }
}

/**
 * Checks the draft and builds the request body. Errors are keyed by field id, in page order,
 * so the first one can take the focus.
 */
export function toTemplateCreate(d: TemplateDraft): { body: TemplateCreate | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  if (!d.name.trim()) errors['tpl-name'] = t('tpl.err.name')
  if (d.stages.length === 0) errors['tpl-add-stage'] = t('tpl.err.noStages')
  const stages: StageTemplate[] = []
  for (const s of d.stages) {
    if (!s.name.trim()) errors[`st-${s.uid}-name`] = t('tpl.err.stageName')
    const days = s.deadlineDays
    if (days === null || !Number.isInteger(days) || days < 1 || days > 60) errors[`st-${s.uid}-days`] = t('tpl.err.days')
    if (s.participants.length === 0) errors[`st-${s.uid}-add`] = t('tpl.err.noParticipants')
    const participants: ParticipantSpec[] = []
    for (const p of s.participants) {
      if (p.type === 'author_unit_head') participants.push({ type: 'author_unit_head' })
      else if (p.type === 'position') {
        if (!p.positionId) errors[`sp-${p.uid}-position`] = t('tpl.err.position')
        else participants.push({ type: 'position', positionId: p.positionId })
      } else {
        if (!p.role) errors[`sp-${p.uid}-role`] = t('tpl.err.role')
        else participants.push({ type: 'role', role: p.role, ...(p.unitId ? { unitId: p.unitId } : {}) })
      }
    }
    stages.push({
      key: s.key,
      name: s.name.trim(),
      kind: s.kind,
      rule: s.rule,
      deadlineDays: days ?? 0,
      participants,
      ...(s.onlyWithReview ? { condition: 'expert_review_required' as const } : {}),
    })
  }
  if (Object.keys(errors).length) return { body: null, errors }
  return { body: { kind: d.kind, name: d.name.trim(), restartFromFirst: d.restartFromFirst, expertReviewAlways: d.expertReviewAlways, stages }, errors }
}

/** "Керівник підрозділу автора", "Посада: …", "Роль: … (підрозділ …)". */
export function describeSpec(spec: ParticipantSpec, positions: Map<string, PositionOut>, units: Map<string, UnitOut>): string {
  if (spec.type === 'author_unit_head') return t('tpl.spec.author_unit_head')
  if (spec.type === 'position') {
    const p = positions.get(spec.positionId)
    return t('tpl.spec.positionIs', { title: p ? `${p.title}, ${p.unitName}` : spec.positionId })
  }
  const unit = spec.unitId ? units.get(spec.unitId)?.name ?? spec.unitId : null
  return unit ? t('tpl.spec.roleInUnit', { role: roleLabel(spec.role), unit }) : t('tpl.spec.roleIs', { role: roleLabel(spec.role) })
}
