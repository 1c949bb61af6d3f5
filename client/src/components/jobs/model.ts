import type { JobSections } from '../../api/types.ts'

/**
 * The editor's model of a job description: list items carry a key so that reordering keeps
 * each item's text field (and focus) with it. Limits mirror server/duties/schemas.ts (JD_LIMITS).
 */
export interface EditItem {
  key: number
  text: string
  /** The duty catalogue item this one came from, if any. */
  dutyId?: string
}

export interface EditModel {
  general: string
  tasks: EditItem[]
  rights: EditItem[]
  responsibility: EditItem[]
  mustKnow: EditItem[]
  qualification: string
}

export type ListName = 'tasks' | 'rights' | 'responsibility' | 'mustKnow'

export const LIMITS = { itemLength: 2000, tasks: 80, listItems: 40, general: 10_000, qualification: 5000 } as const

/** Section numbers of the instruction: 1 general … 6 qualification. */
export const SECTION_NUMBERS = { general: 1, tasks: 2, rights: 3, responsibility: 4, mustKnow: 5, qualification: 6 } as const

/** Element ids of the editor's fields, so validation can focus the field at fault. */
export const fieldId = (list: ListName | 'general' | 'qualification', key?: number): string => (key === undefined ? `jd-${list}` : `jd-${list}-${key}-text`)

let nextKey = 1
export const newItem = (text = '', dutyId?: string): EditItem => ({ key: nextKey++, text, ...(dutyId ? { dutyId } : {}) })

export function toModel(s: JobSections): EditModel {
  return {
    general: s.general,
    tasks: s.tasks.map((t) => newItem(t.text, t.dutyId)),
    rights: s.rights.map((x) => newItem(x)),
    responsibility: s.responsibility.map((x) => newItem(x)),
    mustKnow: s.mustKnow.map((x) => newItem(x)),
    qualification: s.qualification,
  }
}

/** One line per item (the server keeps items as single paragraphs); empty items are dropped. */
const oneLine = (x: string) => x.replace(/\s+/g, ' ').trim()

export function toSections(m: EditModel): JobSections {
  const list = (items: EditItem[]) => items.map((i) => oneLine(i.text)).filter(Boolean)
  return {
    general: m.general.trim(),
    tasks: m.tasks.filter((t) => oneLine(t.text)).map((t) => ({ text: oneLine(t.text), ...(t.dutyId ? { dutyId: t.dutyId } : {}) })),
    rights: list(m.rights),
    responsibility: list(m.responsibility),
    mustKnow: list(m.mustKnow),
    qualification: m.qualification.trim(),
  }
}

/** A problem the editor shows before saving: the id of the field to focus, and why. */
export interface ModelError {
  fieldId: string
  kind: 'markup' | 'tooLong' | 'tooMany'
  /** The item's number ("2.3") or the section's. */
  label: string
  max?: number
}

const MARKUP = /[<>]/

/** The checks the server makes, done first so people see them next to the field. */
export function validateModel(m: EditModel, idOf = fieldId): ModelError[] {
  const out: ModelError[] = []
  for (const f of ['general', 'qualification'] as const) {
    const max = f === 'general' ? LIMITS.general : LIMITS.qualification
    if (MARKUP.test(m[f])) out.push({ fieldId: idOf(f), kind: 'markup', label: String(SECTION_NUMBERS[f]) })
    else if (m[f].length > max) out.push({ fieldId: idOf(f), kind: 'tooLong', label: String(SECTION_NUMBERS[f]), max })
  }
  for (const list of ['tasks', 'rights', 'responsibility', 'mustKnow'] as const) {
    const max = list === 'tasks' ? LIMITS.tasks : LIMITS.listItems
    const items = m[list]
    if (items.length > max) out.push({ fieldId: idOf(list), kind: 'tooMany', label: String(SECTION_NUMBERS[list]), max })
    items.forEach((item, i) => {
      const label = `${SECTION_NUMBERS[list]}.${i + 1}`
      if (MARKUP.test(item.text)) out.push({ fieldId: idOf(list, item.key), kind: 'markup', label })
      else if (oneLine(item.text).length > LIMITS.itemLength) out.push({ fieldId: idOf(list, item.key), kind: 'tooLong', label, max: LIMITS.itemLength })
    })
  }
  return out
}

/** Whether two models say the same (for "unsaved changes"). */
export const sameContent = (a: EditModel, b: EditModel): boolean => JSON.stringify(toSections(a)) === JSON.stringify(toSections(b))
