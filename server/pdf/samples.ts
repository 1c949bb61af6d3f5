import { createHash } from 'node:crypto'
import type { ApprovalSheetInput } from './approval-sheet.ts'
import type { ConclusionPdfInput } from './conclusion.ts'

// Realistic Ukrainian inputs for tests and for looking at the layout by eye: apostrophes of
// both kinds (ʼ and '), «», №, і ї є ґ, long titles, substitutes and several rounds.

/** The SHA-256 a sample version of the draft would have. */
export const sampleSha = (version: number): string => createHash('sha256').update(`draft-version-${version}`).digest('hex')

export const SAMPLE_TITLE =
  'Про затвердження Програми цифрової трансформації Дрогобицької міської територіальної громади на 2027–2029 роки ' +
  'та внесення змін до Положення про офіційний вебсайт «Дрогобич — місто з історією» і порядку обʼєднання реєстрів'

/** An expert conclusion with remarks, some tied to pages. */
export function sampleConclusion(overrides: Partial<ConclusionPdfInput> = {}): ConclusionPdfInput {
  return {
    organisation: 'Дрогобицька міська рада',
    issuer: 'Управління цифровізації, інформаційної політики та комунікацій',
    documentTitle: SAMPLE_TITLE,
    documentKindLabel: 'проєкт рішення міської ради',
    authorUnit: "Відділ інформаційних технологій, аналізу та цифрової трансформації (об'єднаний сервісний центр)",
    versionNumber: 3,
    versionSha256: sampleSha(3),
    result: 'positive_with_remarks',
    summary:
      'Проєкт відповідає завданням управління у сфері електронного урядування та інформаційної безпеки. ' +
      'Пропонуємо врахувати зауваження до подання проєкту на розгляд сесії; їх урахування не потребує повторної експертизи, ' +
      'якщо зміни не зачіпають положень про захист персональних даних.',
    remarks: [
      { n: 1, text: 'У пункті 2.4 Програми уточнити джерела фінансування заходів із кіберзахисту та зазначити обсяги на кожен рік.', page: 4 },
      { n: 2, text: "Додаток 2 доповнити переліком обʼєктів інформатизації, що під'єднуються до системи електронної взаємодії «Трембіта»." },
      { n: 3, text: 'Узгодити терміни «електронний сервіс» і «електронна послуга» з Законом України «Про адміністративні послуги»;', page: 12 },
      { n: 4, text: 'Вилучити дублювання повноважень ґрунтовно: пункти 5.1 та 5.7 описують одне й те саме завдання.' },
    ],
    reviewer: { fullName: "Пʼятничко Марʼяна Ігорівна", positionTitle: 'Головний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації' },
    date: new Date('2026-11-28T09:30:00Z'),
    ...overrides,
  }
}

const PEOPLE: [string, string][] = [
  ['Ткачук Марія Степанівна', 'Начальник юридичного відділу'],
  ["Дем'яненко Олег Іванович", 'Заступник міського голови з питань діяльності виконавчих органів'],
  ['Ґудзь Євгенія Юріївна', 'Начальник фінансового управління'],
  ['Їжак Ірина Євгенівна', 'Начальник управління цифровізації, інформаційної політики та комунікацій'],
  ['Шевчук Петро Андрійович', 'Начальник відділу бухгалтерського обліку та звітності — головний бухгалтер'],
  ['Коваль Богдан', 'Секретар міської ради'],
]
const STAGES = ['Юридична експертиза', 'Погодження керівниками структурних підрозділів', 'Фінансова експертиза', 'Експертиза управління цифровізації']
const COMMENTS = [
  '',
  'Уточнити формулювання пункту 3: «забезпечити» замість «сприяти».',
  "Потребує узгодження з бюджетом на 2027 рік; обсяг фінансування в додатку 1 не збігається з паспортом Програми, а строки виконання заходів пʼятого розділу виходять за межі дії Програми.",
]

/** An approval sheet with `count` visas over three rounds, so the table spans several pages. */
export function sampleApprovalSheet(count = 40, overrides: Partial<ApprovalSheetInput> = {}): ApprovalSheetInput {
  const visas: ApprovalSheetInput['visas'] = []
  for (let i = 0; i < count; i++) {
    const round = i < count / 3 ? 1 : i < (2 * count) / 3 ? 2 : 3
    const [fullName, positionTitle] = PEOPLE[i % PEOPLE.length]!
    const lastRound = round === 3
    visas.push({
      stageName: STAGES[i % STAGES.length]!,
      positionTitle,
      fullName,
      onBehalfOfName: i % 7 === 3 ? 'Іваненко Ганна Олексіївна' : null,
      decision: lastRound ? (i % 2 ? 'approve' : 'approve_with_remarks') : i % 5 === 4 ? 'return' : i % 3 === 1 ? 'approve_with_remarks' : 'approve',
      comment: COMMENTS[i % COMMENTS.length]!,
      at: new Date(Date.UTC(2026, 10, 2 + Math.floor(i / 2), 7 + (i % 9), 15)),
      versionNumber: round,
      versionSha256: sampleSha(round),
      round,
    })
  }
  return {
    organisation: 'Дрогобицька міська рада',
    documentTitle: SAMPLE_TITLE,
    documentKindLabel: 'проєкт рішення міської ради',
    author: { fullName: 'Ткачук Марія Степанівна', unitName: 'Управління цифровізації, інформаційної політики та комунікацій' },
    visas,
    generatedAt: new Date('2026-11-28T10:00:00Z'),
    ...overrides,
  }
}
