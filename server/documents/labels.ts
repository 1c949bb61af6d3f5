import type { DocumentKind } from '../generated/prisma/client.ts'

/** Kind names as they appear inside documents ("до проєкту рішення міської ради ..."). */
export const KIND_LABELS: Record<DocumentKind, string> = {
  council_decision_draft: 'проєкт рішення міської ради',
  executive_decision_draft: 'проєкт рішення виконавчого комітету',
  mayor_order: 'проєкт розпорядження міського голови',
  instruction: 'доручення',
  job_description: 'посадова інструкція',
  regulation: 'положення',
  letter: 'лист',
  appeal: 'звернення',
  expert_conclusion: 'висновок експертизи',
}
