/** Measures a string's advance width in points (for one font at one size). */
export type Measure = (text: string) => number

/** Normalises input text: NFC (so "ї" is one glyph), no CR or tabs, no control characters. */
export function cleanText(text: string): string {
  return (
    text
      .normalize('NFC')
      .replace(/\r\n?/g, '\n')
      .replace(/\t/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f\u200b\ufeff]/g, '')
  )
}

const isAllCaps = (w: string) => w.length > 1 && w === w.toLocaleUpperCase('uk') && w !== w.toLocaleLowerCase('uk')

/**
 * "Ткачук Марія Степанівна" → "Марія ТКАЧУК": ДСТУ 4163:2020 writes the given name, then the
 * surname in capitals. Input already in that form ("Марія ТКАЧУК") is kept as it is.
 */
export function formatName(fullName: string): string {
  const words = cleanText(fullName).trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return ''
  if (words.length === 1) return words[0]!.toLocaleUpperCase('uk')
  // A word already in capitals is the surname; otherwise the register order "Surname Given Patronymic" applies.
  const capsAt = words.findIndex(isAllCaps)
  if (capsAt > 0) return `${words.slice(0, capsAt).join(' ')} ${words[capsAt]}`
  return `${words[1]} ${words[0]!.toLocaleUpperCase('uk')}`
}

const kyivDate = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', day: '2-digit', month: '2-digit', year: 'numeric' })

/** The calendar date in Kyiv as "28.11.2026" (a UTC instant late in the evening is already the next day there). */
export function formatDate(d: Date): string {
  const parts = Object.fromEntries(kyivDate.formatToParts(d).map((p) => [p.type, p.value]))
  return `${parts.day}.${parts.month}.${parts.year}`
}

// Genitive of the first words of a kind label, for "до проєкту …": labels come in the nominative.
const GENITIVE: Record<string, string> = {
  проєкт: 'проєкту',
  посадова: 'посадової',
  інструкція: 'інструкції',
  лист: 'листа',
  висновок: 'висновку',
  програма: 'програми',
}

/**
 * A draft of this kind, in the genitive, for "до …" and "експертизу …": "проєкт рішення міської
 * ради" → "проєкту рішення міської ради"; "розпорядження" → "проєкту розпорядження".
 */
export function draftOf(kindLabel: string): string {
  const words = cleanText(kindLabel).trim().split(/\s+/).filter(Boolean)
  if (words.length === 0) return 'проєкту'
  const first = words[0]!.toLocaleLowerCase('uk')
  // Only the head noun and its adjective change; the rest ("міської ради") is already genitive.
  const out = words.map((w, i) => (i < 2 ? (GENITIVE[w.toLocaleLowerCase('uk')] ?? w) : w))
  out[0] = out[0]!.toLocaleLowerCase('uk')
  return first === 'проєкт' ? out.join(' ') : `проєкту ${out.join(' ')}`
}

/** A SHA-256 digest as 64 lower-case hex digits; anything else is a caller's bug, not a document. */
export function normaliseSha256(sha: string): string {
  const hex = sha.trim().toLowerCase()
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`not a SHA-256 hex digest: ${JSON.stringify(sha)}`)
  return hex
}

/** Wraps a title in «», turning quotes inside it into „“ as Ukrainian typography nests them. */
export function quoteTitle(title: string): string {
  let t = cleanText(title).trim().replace(/\s+/g, ' ')
  if (t.startsWith('«') && t.endsWith('»')) t = t.slice(1, -1)
  t = t.replace(/\.$/, '').replace(/«/g, '„').replace(/»/g, '“')
  return `«${t}»`
}

/**
 * Greedy word wrap. Spaces break lines, U+00A0 does not ("м. Дрогобич", "с. 3" stay together);
 * a word wider than the line is split after a hyphen or slash if one fits, else between letters.
 * `widthOf(i)` gives the width available to line i, so first-line indents and labels work.
 * Explicit "\n" starts a new line; an empty line between paragraphs is kept as "".
 */
export function wrapText(text: string, measure: Measure, widthOf: (line: number) => number): string[] {
  const lines: string[] = []
  const spaceW = measure(' ')
  for (const para of cleanText(text).split('\n')) {
    const words = para.split(/ +/).filter(Boolean)
    if (words.length === 0) {
      lines.push('')
      continue
    }
    let current = ''
    let currentW = 0
    const queue = [...words]
    while (queue.length > 0) {
      const word = queue.shift()!
      const w = measure(word)
      const max = widthOf(lines.length)
      if (current === '') {
        if (w <= max) {
          current = word
          currentW = w
        } else {
          const [head, tail] = splitWord(word, measure, max)
          lines.push(head)
          queue.unshift(tail)
        }
      } else if (currentW + spaceW + w <= max) {
        current += ' ' + word
        currentW += spaceW + w
      } else {
        lines.push(current)
        current = ''
        currentW = 0
        queue.unshift(word)
      }
    }
    if (current !== '') lines.push(current)
  }
  return lines
}

function splitWord(word: string, measure: Measure, max: number): [string, string] {
  const chars = Array.from(word)
  let fit = 1 // at least one character per line, or a very narrow column would loop forever
  while (fit < chars.length && measure(chars.slice(0, fit + 1).join('')) <= max) fit++
  const head = chars.slice(0, fit)
  // Prefer a natural break (after "-", "/", "_") in the last part of what fits.
  for (let i = head.length - 1; i >= Math.ceil(head.length / 2); i--) {
    if ('-/_'.includes(head[i]!)) return [chars.slice(0, i + 1).join(''), chars.slice(i + 1).join('')]
  }
  return [head.join(''), chars.slice(fit).join('')]
}
