import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { scratchDatabase } from '../testing/harness.ts'
import { openDatabase } from '../db/client.ts'
import { seedIfEmpty } from '../seed/seed.ts'
import { cleanItem, parseRegulation, renderDataModule } from './catalog-build.ts'
import { DUTY_CATALOG } from './catalog-data.ts'
import { ensureDutyCatalog } from './seed.ts'

const SOURCE = '/work/shared/seed/polozhennia-upravlinnia.txt'

describe('the catalogue builder', () => {
  it('joins lines, keeps compound-word hyphens, skips page-break blank lines, fixes a missing space after a comma', () => {
    expect(cleanItem(['правовими актами нормативно-', 'правовими, прийнятими'])).toBe('Правовими актами нормативно-правовими, прийнятими.')
    expect(cleanItem(['Виконує доручення', '', '', '', 'керівника;'])).toBe('Виконує доручення керівника.')
    expect(cleanItem(['- не ', ' тут,отриманої  від '])).toBe('- не тут, отриманої від.')
    expect(cleanItem(['організації контакт-', 'центрів (1, 2).'])).toBe('Організації контакт-центрів (1, 2).')
  })

  it('parses section 3 by clause and the dash lists of 4.3, 4.3.1, 4.3.3, 4.3.4 up to the next clause', () => {
    const text = [
      '3. Основній функції управління',
      '3.1. Перша функція.',
      '3.2. Друга функція, що переходить',
      'на інший рядок;',
      '',
      '',
      '4. Структура',
      '4.3. Начальника управління:',
      '- керує управлінням;',
      '- звітує перед міським',
      'головою.',
      '4.3.1. Завдання відділу інформаційних технологій, аналізу та цифрової',
      'трансформації:',
      '- Виконує доручення.',
      '',
      '',
      '- Розглядає листи, заяви скарги.',
      '4.3.3. Завдання відділу інформаційної політики:',
      '- Інформує громаду. Готує планово-поперджувальних з громадським об’єднаннями',
      '4.3.4. Завдання сектору роботи з громадськістю:',
      '- Формує звіти на основі забраної інформації.',
      '- Забезпечує протидію (спростування) фейковій чи дизінформації.',
      '4.4. Управління очолює начальник',
    ].join('\n')
    expect(parseRegulation(text)).toEqual([
      { clause: '3.1', unitCode: '02', text: 'Перша функція.' },
      { clause: '3.2', unitCode: '02', text: 'Друга функція, що переходить на інший рядок.' },
      { clause: '4.3', unitCode: '02', text: 'Керує управлінням.' },
      { clause: '4.3', unitCode: '02', text: 'Звітує перед міським головою.' },
      { clause: '4.3.1', unitCode: '02-01', text: 'Виконує доручення.' },
      { clause: '4.3.1', unitCode: '02-01', text: 'Розглядає листи, заяви, скарги.' },
      { clause: '4.3.3', unitCode: '02-02', text: 'Інформує громаду. Готує планово-попереджувальних з громадськими об’єднаннями.' },
      { clause: '4.3.4', unitCode: '02-03', text: 'Формує звіти на основі зібраної інформації.' },
      { clause: '4.3.4', unitCode: '02-03', text: 'Забезпечує протидію (спростування) фейковій інформації чи дезінформації.' },
    ])
  })

  it('fails loudly when a correction no longer matches the text', () => {
    expect(() => parseRegulation('3. Ф\n3.1. Щось.\n4. Структура\n4.3. Н:\n- а\n4.3.1. В:\n- б\n4.3.3. В:\n- в\n4.3.4. С:\n- г\n4.4. Кінець')).toThrow(/correction/)
  })

  it('the shipped data has every list of the regulation, in its order, without conversion artefacts', () => {
    const count = (c: string) => DUTY_CATALOG.filter((x) => (c === '3' ? x.clause.startsWith('3.') : x.clause === c)).length
    expect([count('3'), count('4.3'), count('4.3.1'), count('4.3.3'), count('4.3.4')]).toEqual([18, 13, 20, 16, 9])
    expect(DUTY_CATALOG.filter((x) => x.clause.startsWith('3.')).map((x) => x.clause)).toEqual(Array.from({ length: 18 }, (_, i) => `3.${i + 1}`))
    for (const x of DUTY_CATALOG) {
      expect(x.text).not.toMatch(/\n|\s{2}|,\S|^\p{Ll}|[;,]$/u)
      expect(x.text).toMatch(/[.!?…]$/)
    }
  })

  // The regulation's text lives outside the repository (in the workspace it came with); where it
  // is present, the shipped data must be exactly what the builder makes of it.
  it.skipIf(!existsSync(SOURCE))('catalog-data.ts is the builder’s output for the regulation', () => {
    const shipped = readFileSync(fileURLToPath(new URL('./catalog-data.ts', import.meta.url)), 'utf8')
    expect(shipped).toBe(renderDataModule(parseRegulation(readFileSync(SOURCE, 'utf8'))))
  })
})

describe('ensureDutyCatalog', () => {
  it('seeds once with several instances at the same moment, and links items to units created later', async () => {
    const scratch = await scratchDatabase()
    const db = openDatabase(scratch.url, { max: 6 })
    try {
      // An installation whose organisation does not exist yet: items come without units.
      await Promise.all([ensureDutyCatalog(db.prisma), ensureDutyCatalog(db.prisma), ensureDutyCatalog(db.prisma)])
      expect(await db.prisma.dutyCatalogItem.count()).toBe(DUTY_CATALOG.length)
      expect(await db.prisma.dutyCatalogItem.count({ where: { unitId: null } })).toBe(DUTY_CATALOG.length)

      await seedIfEmpty(db.prisma, { demo: false, adminPassword: 'x-admin-password-1' })
      await Promise.all([ensureDutyCatalog(db.prisma), ensureDutyCatalog(db.prisma)])
      await ensureDutyCatalog(db.prisma)
      expect(await db.prisma.dutyCatalogItem.count()).toBe(DUTY_CATALOG.length)
      const it = await db.prisma.unit.findUniqueOrThrow({ where: { code: '02-01' } })
      const directorate = await db.prisma.unit.findUniqueOrThrow({ where: { code: '02' } })
      expect(await db.prisma.dutyCatalogItem.count({ where: { unitId: it.id } })).toBe(20)
      expect(await db.prisma.dutyCatalogItem.count({ where: { unitId: directorate.id } })).toBe(31)
      expect(await db.prisma.dutyCatalogItem.count({ where: { unitId: null } })).toBe(0)

      // One event for the first seeding, one for linking; nothing for the no-op runs.
      const events = await db.prisma.auditEvent.findMany({ where: { action: 'duty_catalog.created' }, orderBy: { seq: 'asc' } })
      expect(events.map((e) => e.after)).toEqual([
        { added: DUTY_CATALOG.length, linked: 0, clauses: ['3', '4.3', '4.3.1', '4.3.3', '4.3.4'] },
        { added: 0, linked: DUTY_CATALOG.length, clauses: [] },
      ])
    } finally {
      await db.close()
      await scratch.drop()
    }
  })
})
