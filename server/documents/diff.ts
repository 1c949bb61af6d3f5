import { diffArrays, type ArrayChange } from 'diff'

/** A run of text that is unchanged, added or removed; pages are given for texts with page breaks ('\f'). */
export interface DiffHunk {
  kind: 'same' | 'added' | 'removed'
  /** Whole lines end with '\n'; inside changed lines the hunks are words and the spaces between them. */
  text: string
  oldPage?: number
  newPage?: number
  /** Set on a collapsed unchanged region: how many lines it hides (its text is '…'). */
  collapsed?: number
}

/** What approvers see between two versions. */
export interface VersionDiff {
  from: { number: number; sha256: string }
  to: { number: number; sha256: string }
  hunks: DiffHunk[]
  /** Counted in words. */
  stats: { added: number; removed: number; same: number }
  truncated: boolean
  error: string | null
}

/** Unchanged lines kept on each side of a change; longer unchanged runs are collapsed. */
export const CONTEXT_LINES = 3
/** Output caps: beyond either, the diff stops and says `truncated`. */
export const MAX_HUNKS = 2000
export const MAX_OUTPUT_CHARS = 500_000
/** Changed blocks with more tokens than this are shown line by line (word diff is quadratic at worst). */
const MAX_BLOCK_TOKENS = 20_000
/** A gap between anchors needing more line edits than this is shown as replaced (Myers costs O(length × edits)). */
const MAX_GAP_EDITS = 1000
/** Time budgets (ms) for the line pass and for all word passes: past them the diff is still correct, only coarser. */
const LINE_DIFF_MS = 2000
const WORD_DIFF_MS = 1500

interface Line {
  text: string
  page: number
}

/** Lines with their page numbers (pages are separated by '\f'); an empty text has no lines. */
function toLines(s: string): Line[] {
  if (s === '') return []
  return s.split('\f').flatMap((page, i) => page.split('\n').map((text) => ({ text, page: i + 1 })))
}

// Words (with inner apostrophes and hyphens: м'ясо, об’єкт, 2025-2026), runs of blanks, line ends, any other single character.
const TOKEN = /[\p{L}\p{N}\p{M}_]+(?:['’ʼ‐-][\p{L}\p{N}\p{M}_]+)*|[^\S\n]+|\n|[\s\S]/gu
const WORD = /[\p{L}\p{N}]/u
const tokens = (s: string) => s.match(TOKEN) ?? []

/**
 * Words in `s`, as the tokenizer sees them, without building tokens: statistics cover whole
 * documents, and a character loop is ten times faster than a Unicode regular expression.
 */
function countWords(s: string): number {
  let n = 0
  let inWord = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let w: boolean
    if (c < 128) w = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (inWord && (c === 39 || c === 45) && WORD.test(s[i + 1] ?? ''))
    else if (c >= 0x400 && c <= 0x52f) w = true // Cyrillic
    else if (c >= 0xd800 && c <= 0xdfff) w = inWord
    else w = WORD.test(s[i]!) || /\p{M}/u.test(s[i]!) || (inWord && /['’ʼ‐]/.test(s[i]!) && WORD.test(s[i + 1] ?? ''))
    if (w && !inWord) n++
    inWord = w
  }
  return n
}

/** Collects hunks, merging neighbours and enforcing the output caps. */
class Output {
  hunks: DiffHunk[] = []
  truncated = false
  stats = { added: 0, removed: 0, same: 0 }
  private chars = 0
  constructor(
    private readonly oldPaged: boolean,
    private readonly newPaged: boolean,
  ) {}

  push(kind: DiffHunk['kind'], text: string, oldPage: number, newPage: number, collapsed?: number) {
    if (text === '' || this.truncated) return
    const h: DiffHunk = { kind, text }
    if (kind !== 'added' && this.oldPaged) h.oldPage = oldPage
    if (kind !== 'removed' && this.newPaged) h.newPage = newPage
    if (collapsed !== undefined) h.collapsed = collapsed
    const last = this.hunks[this.hunks.length - 1]
    if (last && collapsed === undefined && last.collapsed === undefined && last.kind === kind && last.oldPage === h.oldPage && last.newPage === h.newPage) {
      last.text += text
    } else {
      if (this.hunks.length >= MAX_HUNKS) return void (this.truncated = true)
      this.hunks.push(h)
    }
    this.chars += text.length
    if (this.chars > MAX_OUTPUT_CHARS) this.truncated = true
  }

  /** Whole lines of one kind, one hunk per page. */
  lines(kind: DiffHunk['kind'], lines: Line[], counterpart?: Line[]) {
    lines.forEach((l, i) => {
      const other = counterpart?.[i]?.page ?? l.page
      this.push(kind, l.text + '\n', kind === 'added' ? 0 : l.page, kind === 'added' ? l.page : other)
    })
  }
}

/** An unchanged run: context next to changes, the middle collapsed when it hides at least two lines. */
function sameRun(out: Output, a: Line[], b: Line[], changeBefore: boolean, changeAfter: boolean) {
  out.stats.same += a.reduce((n, l) => n + countWords(l.text), 0)
  const head = changeBefore ? CONTEXT_LINES : 0
  const tail = changeAfter ? CONTEXT_LINES : 0
  const hidden = a.length - head - tail
  if (hidden < 2) return out.lines('same', a, b)
  out.lines('same', a.slice(0, head), b.slice(0, head))
  out.push('same', '…', a[head]!.page, b[head]!.page, hidden)
  out.lines('same', a.slice(a.length - tail), b.slice(b.length - tail))
}

/** The page of the line holding character `offset` of a block made of `lines`, each ending in '\n'. */
function pageAt(lines: Line[], offset: number): number {
  let at = 0
  for (const l of lines) {
    at += l.text.length + 1
    if (offset < at) return l.page
  }
  return lines[lines.length - 1]?.page ?? 1
}

/** A changed block: words compared within it when affordable, else all old lines then all new ones. */
function changedBlock(out: Output, a: Line[], b: Line[], deadline: number) {
  const oldText = a.map((l) => l.text + '\n').join('')
  const newText = b.map((l) => l.text + '\n').join('')
  const lineLevel = () => {
    out.stats.removed += countWords(oldText)
    out.stats.added += countWords(newText)
    out.lines('removed', a)
    out.lines('added', b)
  }
  // Past the output caps the words are still compared (within the time budget) so the statistics stay exact.
  if (a.length === 0 || b.length === 0) return lineLevel()
  const ta = tokens(oldText)
  const tb = tokens(newText)
  const budget = deadline - Date.now()
  if (ta.length > MAX_BLOCK_TOKENS || tb.length > MAX_BLOCK_TOKENS || budget <= 0) return lineLevel()
  const parts = diffArrays(ta, tb, { timeout: budget })
  if (!parts) return lineLevel()

  // A lone blank or punctuation mark between two changes is noise: fold it into both sides so
  // a rewritten phrase reads as one removal and one addition, not as confetti.
  const cleaned: { kind: DiffHunk['kind']; text: string }[] = []
  parts.forEach((p: ArrayChange<string>, i) => {
    const text = p.value.join('')
    const kind = p.added ? 'added' : p.removed ? 'removed' : 'same'
    const between = i > 0 && i < parts.length - 1 // jsdiff merges runs, so neighbours of a 'same' part are changes
    if (kind === 'same' && between && text.length <= 3 && !text.includes('\n') && !WORD.test(text)) cleaned.push({ kind: 'removed', text }, { kind: 'added', text })
    else cleaned.push({ kind, text })
  })
  // Within each change, removed text comes before added text.
  let oldAt = 0
  let newAt = 0
  let removed = ''
  let added = ''
  const flush = () => {
    if (removed) out.push('removed', removed, pageAt(a, oldAt), 0)
    if (added) out.push('added', added, 0, pageAt(b, newAt))
    oldAt += removed.length
    newAt += added.length
    out.stats.removed += countWords(removed)
    out.stats.added += countWords(added)
    removed = added = ''
  }
  for (const c of cleaned) {
    if (c.kind === 'removed') removed += c.text
    else if (c.kind === 'added') added += c.text
    else {
      flush()
      out.push('same', c.text, pageAt(a, oldAt), pageAt(b, newAt))
      out.stats.same += countWords(c.text)
      oldAt += c.text.length
      newAt += c.text.length
    }
  }
  flush()
}

type LineOp = { kind: 'same' | 'removed' | 'added'; count: number }

/** Longest increasing subsequence (patience sorting): the indices into `xs` of one such run. */
function lis(xs: number[]): number[] {
  const tails: number[] = []
  const prev = new Array<number>(xs.length)
  xs.forEach((x, i) => {
    let lo = 0
    let hi = tails.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (xs[tails[mid]!]! < x) lo = mid + 1
      else hi = mid
    }
    prev[i] = lo > 0 ? tails[lo - 1]! : -1
    tails[lo] = i
  })
  const out: number[] = []
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) out.push(i)
  return out.reverse()
}

/**
 * Line changes by patience diff: lines that occur once in both texts anchor the match, and
 * only the gaps between anchors go to Myers' algorithm (jsdiff). A long document with a few
 * edits thus costs little, and paragraphs that moved do not pull unrelated lines along. A
 * gap that exceeds the time budget is shown as replaced: coarser, never wrong.
 */
function lineChanges(a: string[], b: string[], deadline: number): LineOp[] {
  const ids = new Map<string, number>()
  const id = (s: string) => {
    let v = ids.get(s)
    if (v === undefined) ids.set(s, (v = ids.size))
    return v
  }
  const A = a.map(id)
  const B = b.map(id)
  const ops: LineOp[] = []
  const emit = (kind: LineOp['kind'], count: number) => {
    if (count <= 0) return
    const last = ops[ops.length - 1]
    if (last?.kind === kind) last.count += count
    else ops.push({ kind, count })
  }
  const myers = (a0: number, a1: number, b0: number, b1: number) => {
    const budget = deadline - Date.now()
    const parts = a0 < a1 && b0 < b1 && budget > 0 ? diffArrays(A.slice(a0, a1), B.slice(b0, b1), { timeout: budget, maxEditLength: MAX_GAP_EDITS }) : undefined
    if (!parts) return void (emit('removed', a1 - a0), emit('added', b1 - b0))
    for (const p of parts) emit(p.added ? 'added' : p.removed ? 'removed' : 'same', p.value.length)
  }
  const patience = (a0: number, a1: number, b0: number, b1: number, depth: number): void => {
    let pre = 0
    while (a0 + pre < a1 && b0 + pre < b1 && A[a0 + pre] === B[b0 + pre]) pre++
    let suf = 0
    while (suf < a1 - a0 - pre && suf < b1 - b0 - pre && A[a1 - 1 - suf] === B[b1 - 1 - suf]) suf++
    emit('same', pre)
    const [s0, s1, t0, t1] = [a0 + pre, a1 - suf, b0 + pre, b1 - suf]
    // Lines unique on both sides of this range: [count in a, index in a, count in b, index in b].
    const seen = new Map<number, [number, number, number, number]>()
    for (let i = s0; i < s1; i++) {
      const e = seen.get(A[i]!)
      if (e) e[0]++
      else seen.set(A[i]!, [1, i, 0, -1])
    }
    for (let j = t0; j < t1; j++) {
      const e = seen.get(B[j]!)
      if (e) (e[2]++, (e[3] = j))
    }
    const pairs = [...seen.values()].filter((e) => e[0] === 1 && e[2] === 1).sort((x, y) => x[1] - y[1])
    const anchors = lis(pairs.map((e) => e[3])).map((k) => pairs[k]!)
    // Deep recursion only happens on contrived input; Myers' algorithm takes over there.
    if (anchors.length === 0 || depth > 64) myers(s0, s1, t0, t1)
    else {
      let [i, j] = [s0, t0]
      for (const [, ai, , bj] of anchors) {
        patience(i, ai, j, bj, depth + 1)
        emit('same', 1)
        ;[i, j] = [ai + 1, bj + 1]
      }
      patience(i, s1, j, t1, depth + 1)
    }
    emit('same', suf)
  }
  patience(0, A.length, 0, B.length, 0)
  return ops
}

/** Compares two extracted texts: words within changed lines, unchanged runs collapsed to 3 lines of context, capped output. */
export function diffTexts(a: string, b: string): Omit<VersionDiff, 'from' | 'to' | 'error'> {
  const la = toLines(a)
  const lb = toLines(b)
  const out = new Output(a.includes('\f'), b.includes('\f'))
  const changes = lineChanges(
    la.map((l) => l.text),
    lb.map((l) => l.text),
    Date.now() + LINE_DIFF_MS,
  )
  const deadline = Date.now() + WORD_DIFF_MS
  let i = 0
  let j = 0
  for (let k = 0; k < changes.length; k++) {
    const c = changes[k]!
    if (c.kind === 'same') {
      sameRun(out, la.slice(i, i + c.count), lb.slice(j, j + c.count), k > 0, k < changes.length - 1)
      i += c.count
      j += c.count
      continue
    }
    // Consecutive removed/added changes form one block, compared word by word.
    let nA = 0
    let nB = 0
    for (; k < changes.length && changes[k]!.kind !== 'same'; k++) {
      if (changes[k]!.kind === 'removed') nA += changes[k]!.count
      else nB += changes[k]!.count
    }
    k--
    changedBlock(out, la.slice(i, i + nA), lb.slice(j, j + nB), deadline)
    i += nA
    j += nB
  }
  return { hunks: out.hunks, stats: out.stats, truncated: out.truncated }
}
