import type { Role, UnitKind } from '../generated/prisma/client.ts'

/**
 * The organisation shipped as seed data: Drohobych City Council's leadership, the
 * Directorate of Digitalization, Information Policy and Communications with its three
 * units (regulation, section 4.2), and the units its work touches. People are fictional.
 */
export interface SeedUnit {
  key: string
  parent: string | null
  code: string
  name: string
  shortName?: string
  kind: UnitKind
  positions: SeedPosition[]
}

export interface SeedPosition {
  title: string
  roles: Role[]
  isHead?: boolean
  /** A demo person holding the position (only seeded with SEED_DEMO). */
  demo?: { login: string; fullName: string; email?: string }
}

export const SEED_UNITS: SeedUnit[] = [
  { key: 'council', parent: null, code: '01', name: 'Дрогобицька міська рада', kind: 'council', positions: [] },
  {
    key: 'leadership',
    parent: 'council',
    code: '01-01',
    name: 'Керівництво міської ради',
    kind: 'leadership',
    positions: [
      { title: 'Міський голова', roles: ['mayor'], isHead: true, demo: { login: 'mayor', fullName: 'Петренко Ігор Васильович' } },
      {
        title: 'Заступник міського голови з питань діяльності виконавчих органів, керуючий справами виконавчого комітету',
        roles: ['deputy_mayor'],
        demo: { login: 'deputy', fullName: 'Коваленко Віктор Богданович' },
      },
      { title: 'Секретар міської ради', roles: ['staff'], demo: { login: 'secretary', fullName: 'Гордієнко Лариса Миколаївна' } },
    ],
  },
  { key: 'executive', parent: 'council', code: '01-02', name: 'Виконавчий комітет Дрогобицької міської ради', shortName: 'Виконавчий комітет', kind: 'council', positions: [] },
  {
    key: 'directorate',
    parent: 'executive',
    code: '02',
    name: 'Управління цифровізації, інформаційної політики та комунікацій',
    shortName: 'Управління цифровізації',
    kind: 'directorate',
    positions: [
      {
        title: 'Начальник управління цифровізації, інформаційної політики та комунікацій',
        roles: ['directorate_head', 'unit_head'],
        isHead: true,
        demo: { login: 'head.digital', fullName: 'Мельник Оксана Ігорівна' },
      },
    ],
  },
  {
    key: 'it',
    parent: 'directorate',
    code: '02-01',
    name: 'Відділ інформаційних технологій, аналізу та цифрової трансформації',
    shortName: 'Відділ ІТ та цифрової трансформації',
    kind: 'department',
    positions: [
      { title: 'Начальник відділу інформаційних технологій, аналізу та цифрової трансформації', roles: ['unit_head', 'expert_reviewer'], isHead: true, demo: { login: 'head.it', fullName: 'Бойко Андрій Миколайович' } },
      { title: 'Головний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації', roles: ['staff', 'expert_reviewer'], demo: { login: 'expert', fullName: 'Ткачук Марія Степанівна' } },
      { title: 'Провідний спеціаліст відділу інформаційних технологій, аналізу та цифрової трансформації', roles: ['staff'], demo: { login: 'it.staff', fullName: 'Савчук Денис Олегович' } },
      { title: 'Адміністратор системи електронного документообігу', roles: ['staff', 'admin'], demo: { login: 'admin', fullName: 'Білик Тарас Володимирович' } },
    ],
  },
  {
    key: 'infopolicy',
    parent: 'directorate',
    code: '02-02',
    name: 'Відділ інформаційної політики',
    kind: 'department',
    positions: [
      { title: 'Начальник відділу інформаційної політики', roles: ['unit_head'], isHead: true, demo: { login: 'head.infopolicy', fullName: 'Гнатюк Ірина Романівна' } },
      { title: 'Головний спеціаліст відділу інформаційної політики', roles: ['staff'], demo: { login: 'infopolicy', fullName: 'Лисенко Наталія Петрівна' } },
    ],
  },
  {
    key: 'public',
    parent: 'directorate',
    code: '02-03',
    name: 'Сектор роботи з громадськістю',
    kind: 'sector',
    positions: [
      { title: 'Завідувач сектору роботи з громадськістю', roles: ['unit_head'], isHead: true, demo: { login: 'head.public', fullName: 'Кравець Юлія Андріївна' } },
      { title: 'Головний спеціаліст сектору роботи з громадськістю', roles: ['staff'], demo: { login: 'public', fullName: 'Олійник Василь Степанович' } },
    ],
  },
  {
    key: 'legal',
    parent: 'executive',
    code: '03',
    name: 'Юридичний відділ',
    kind: 'department',
    positions: [
      { title: 'Начальник юридичного відділу', roles: ['unit_head', 'legal_reviewer'], isHead: true, demo: { login: 'head.legal', fullName: 'Шевчук Роман Іванович' } },
      { title: 'Головний спеціаліст юридичного відділу', roles: ['staff', 'legal_reviewer'], demo: { login: 'legal', fullName: 'Поліщук Олена Василівна' } },
    ],
  },
  {
    key: 'general',
    parent: 'executive',
    code: '04',
    name: 'Загальний відділ',
    kind: 'office',
    positions: [
      { title: 'Начальник загального відділу', roles: ['unit_head', 'clerk'], isHead: true, demo: { login: 'head.general', fullName: 'Савченко Галина Михайлівна' } },
      { title: 'Діловод загального відділу', roles: ['clerk'], demo: { login: 'clerk', fullName: 'Романюк Тетяна Ярославівна' } },
    ],
  },
  {
    key: 'housing',
    parent: 'executive',
    code: '05',
    name: 'Управління житлово-комунального господарства',
    shortName: 'Управління ЖКГ',
    kind: 'department',
    positions: [
      { title: 'Начальник управління житлово-комунального господарства', roles: ['unit_head'], isHead: true, demo: { login: 'head.housing', fullName: 'Захарченко Олег Петрович' } },
      { title: 'Головний спеціаліст управління житлово-комунального господарства', roles: ['staff'], demo: { login: 'housing', fullName: 'Мороз Світлана Олексіївна' } },
    ],
  },
  {
    key: 'finance',
    parent: 'executive',
    code: '06',
    name: 'Фінансове управління',
    kind: 'department',
    positions: [
      { title: 'Начальник фінансового управління', roles: ['unit_head'], isHead: true, demo: { login: 'head.finance', fullName: 'Кузьмич Ярослава Богданівна' } },
      { title: 'Головний спеціаліст фінансового управління', roles: ['staff'], demo: { login: 'finance', fullName: 'Дмитрук Павло Ігорович' } },
    ],
  },
]

/** The one account seeded without SEED_DEMO, so a production install can be administered. */
export const ADMIN_LOGIN = 'admin'
export const DEMO_PASSWORD = 'hromada-demo'
