import { uk } from './uk.ts'

/** Every message key; the Ukrainian dictionary is the reference. */
export type MessageKey = keyof typeof uk
/** What a locale must provide: a string for every key (see uk.ts). */
export type Dictionary = { readonly [K in MessageKey]: string }
export type Params = Record<string, string | number>

/**
 * The locale registry. To add English: create en.ts exporting `en: Dictionary`, add it
 * here with its BCP 47 tag, and call setLocale('en').
 */
const LOCALES = {
  uk: { tag: 'uk-UA', messages: uk as Dictionary },
} satisfies Record<string, { tag: string; messages: Dictionary }>

export type Locale = keyof typeof LOCALES

let current: Locale = 'uk'

export function setLocale(locale: Locale): void {
  current = locale
  document.documentElement.lang = locale
}

/** The BCP 47 tag for Intl formatting, e.g. "uk-UA". */
export const localeTag = (): string => LOCALES[current].tag

/** Translates a key, replacing {name} placeholders with the given parameters. */
export function t(key: MessageKey, params?: Params): string {
  const text = LOCALES[current].messages[key] ?? key
  if (!params) return text
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

/** Whether a key exists (for codes that come from the server, e.g. error codes). */
export const hasKey = (key: string): key is MessageKey => key in LOCALES[current].messages

/** Keys that have plural forms: "{base}.one", ".few", ".many", ".other". */
type PluralBase = MessageKey extends infer K ? (K extends `${infer B}.other` ? B : never) : never

/** Translates a plural message by Intl.PluralRules for `n` (which is also the {n} parameter). */
export function tn(base: PluralBase, n: number, params?: Params): string {
  const rule = new Intl.PluralRules(localeTag()).select(n)
  const key = `${base}.${rule}`
  return t(hasKey(key) ? key : (`${base}.other` as MessageKey), { n, ...params })
}
