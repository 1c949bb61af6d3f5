import { describe, expect, it } from 'vitest'
import { CONTEXT_LINES, diffTexts, MAX_HUNKS, MAX_OUTPUT_CHARS, type DiffHunk } from './diff.ts'

/** The text one side sees: unchanged plus removed (old) or added (new) hunks. */
const side = (hunks: DiffHunk[], which: 'old' | 'new') =>
  hunks
    .filter((h) => h.kind === 'same' || h.kind === (which === 'old' ? 'removed' : 'added'))
    .map((h) => h.text)
    .join('')
const changes = (hunks: DiffHunk[]) => hunks.filter((h) => h.kind !== 'same').map((h) => `${h.kind === 'added' ? '+' : '-'}${h.text}`)
const numbered = (n: number, prefix = 'Рядок') => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}`)

describe('diffTexts', () => {
  it('shows the changed words within a changed line', () => {
    const a = 'Проєкт рішення\nПро бюджет на 2025 рік\nПідпис'
    const b = 'Проєкт рішення\nПро бюджет громади на 2026 рік\nПідпис'
    const d = diffTexts(a, b)
    expect(changes(d.hunks)).toEqual(['+громади ', '-2025', '+2026'])
    expect(side(d.hunks, 'old')).toBe(a + '\n')
    expect(side(d.hunks, 'new')).toBe(b + '\n')
    expect(d.stats).toEqual({ added: 2, removed: 1, same: 7 })
    expect(d.truncated).toBe(false)
  })

  it('keeps Ukrainian words with apostrophes and hyphens whole', () => {
    const d = diffTexts("Об'єкт комунальної власності", "Об'єкти комунальної власності, будь-які")
    expect(changes(d.hunks)).toEqual(["-Об'єкт", "+Об'єкти", '+, будь-які'])
  })

  it('shows added and removed lines, and a whole text against an empty one', () => {
    const d = diffTexts('перший\nдругий\nтретій', 'перший\nвставлений\nдругий')
    expect(changes(d.hunks)).toEqual(['+вставлений\n', '-третій\n'])
    expect(diffTexts('', 'новий текст').hunks).toEqual([{ kind: 'added', text: 'новий текст\n' }])
    expect(diffTexts('старий текст', '').hunks).toEqual([{ kind: 'removed', text: 'старий текст\n' }])
    expect(diffTexts('', '')).toEqual({ hunks: [], stats: { added: 0, removed: 0, same: 0 }, truncated: false })
  })

  it('reads a rewritten phrase as one removal and one addition, not word confetti', () => {
    const d = diffTexts('Доручити відділу освіти, культури підготувати звіт', 'Доручити управлінню справами, юристам перевірити звіт')
    expect(changes(d.hunks)).toEqual(['-відділу освіти, культури підготувати', '+управлінню справами, юристам перевірити'])
  })

  it('collapses long unchanged runs to three lines of context around each change', () => {
    const a = numbered(40)
    const b = [...a]
    b[19] = 'Рядок змінений'
    const d = diffTexts(a.join('\n'), b.join('\n'))
    const collapsed = d.hunks.filter((h) => h.collapsed)
    expect(collapsed).toEqual([
      { kind: 'same', text: '…', collapsed: 19 - CONTEXT_LINES },
      { kind: 'same', text: '…', collapsed: 20 - CONTEXT_LINES },
    ])
    expect(d.hunks[0]!.collapsed).toBe(16)
    expect(d.hunks[d.hunks.length - 1]!.collapsed).toBe(17)
    const shown = d.hunks.filter((h) => !h.collapsed).map((h) => h.text).join('')
    expect(shown).toContain('Рядок 17\nРядок 18\nРядок 19\nРядок ')
    expect(shown).toContain('\nРядок 21\nРядок 22\nРядок 23\n')
    expect(shown).not.toContain('Рядок 16\n')
    expect(shown).not.toContain('Рядок 24')
    expect(d.stats.same).toBe(39 * 2 + 1)
  })

  it('collapses an identical text entirely, but never hides a single line behind "…"', () => {
    expect(diffTexts(numbered(10).join('\n'), numbered(10).join('\n')).hunks).toEqual([{ kind: 'same', text: '…', collapsed: 10 }])
    const a = numbered(8)
    const b = [...a]
    b[0] = 'Початок'
    b[7] = 'Кінець'
    // Between the two changes are 6 lines = 3 + 3 of context: nothing to hide.
    expect(diffTexts(a.join('\n'), b.join('\n')).hunks.some((h) => h.collapsed)).toBe(false)
  })

  it('gives page numbers from form feeds, on the side that has pages', () => {
    const a = 'Сторінка перша\nтекст\fСторінка друга\nстарий пункт\fСторінка третя'
    const b = 'Сторінка перша\nтекст\fСторінка друга\nновий пункт\fСторінка третя\nдодано в кінці'
    const d = diffTexts(a, b)
    expect(d.hunks.find((h) => h.kind === 'removed')).toEqual({ kind: 'removed', text: 'старий', oldPage: 2 })
    expect(d.hunks.find((h) => h.kind === 'added')).toEqual({ kind: 'added', text: 'новий', newPage: 2 })
    expect(d.hunks[d.hunks.length - 1]).toEqual({ kind: 'added', text: 'додано в кінці\n', newPage: 3 })
    expect(d.hunks.filter((h) => h.kind === 'same' && !h.collapsed).every((h) => h.oldPage !== undefined && h.newPage !== undefined)).toBe(true)
    // A page break moves page numbers on: the same line is on page 1 before and page 2 after.
    const moved = diffTexts('вступ\nпункт один\nпункт два', 'вступ\fпункт один\nпункт два\nпункт три')
    expect(moved.hunks.find((h) => h.text.startsWith('пункт один'))).toMatchObject({ kind: 'same', newPage: 2 })
    expect(moved.hunks.find((h) => h.text.startsWith('пункт один'))!.oldPage).toBeUndefined()
  })

  it('finds a few edits in a long document quickly, anchored on unique lines', () => {
    const a = numbered(10_000, 'Пункт')
    const b = [...a]
    for (let i = 500; i < b.length; i += 1000) b[i] = `${b[i]} (змінено)`
    b.splice(5_000, 0, 'Новий пункт')
    const started = Date.now()
    const d = diffTexts(a.join('\n'), b.join('\n'))
    expect(Date.now() - started).toBeLessThan(10_000) // generous: CI machines are shared
    expect(d.truncated).toBe(false)
    expect(d.stats.added).toBe(10 * 1 + 2)
    expect(d.stats.removed).toBe(0)
    expect(d.hunks.filter((h) => h.kind === 'added').map((h) => h.text)).toContain('Новий пункт\n')
  })

  it('stops at the hunk cap and says so, still counting every change', () => {
    const a = numbered(3000)
    const b = a.map((l, i) => (i % 2 ? `${l} нове` : l))
    const d = diffTexts(a.join('\n'), b.join('\n'))
    expect(d.truncated).toBe(true)
    expect(d.hunks.length).toBeLessThanOrEqual(MAX_HUNKS)
    expect(d.stats.added).toBe(1500)
  })

  it('stops at the output size cap and says so', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `Новий рядок номер ${i} з достатньо довгим текстом`).join('\n')
    const d = diffTexts('коротко', big)
    expect(d.truncated).toBe(true)
    expect(d.hunks.reduce((n, h) => n + h.text.length, 0)).toBeLessThanOrEqual(MAX_OUTPUT_CHARS + 200)
  })
})
