/**
 * An assignment's lifecycle (control of execution, regulation section 6) as a pure state
 * machine: no database, no clock, no I/O. A service locks the assignment row, builds a
 * snapshot, asks `transition` what a command does for a person acting in some capacities
 * at some moment, and writes the outcome. machine.test.ts checks the rules exhaustively.
 *
 *   new ──start/report──▶ in_work ──report──▶ on_check ──accept──▶ done | done_late
 *    │                      ▲                    │
 *    │                      └──────return────────┘ (or overdue, when returned after the deadline)
 *    └─deadline─▶ overdue ──report──▶ on_check        any open state ──cancel──▶ cancelled
 */

export const STATUSES = ['new', 'in_work', 'on_check', 'done', 'done_late', 'overdue', 'cancelled'] as const
export type Status = (typeof STATUSES)[number]

/** States in which nothing more happens to an assignment. */
export const CLOSED: readonly Status[] = ['done', 'done_late', 'cancelled']
export const isClosed = (s: Status) => CLOSED.includes(s)
export const OPEN: readonly Status[] = ['new', 'in_work', 'on_check', 'overdue']

/**
 * How a person stands to an assignment (directly, or standing in for someone absent).
 * `system` is the deadline job.
 */
export type Capacity = 'executor' | 'co_executor' | 'controller' | 'issuer' | 'system'

export interface Snapshot {
  status: Status
  /** Epoch milliseconds. */
  dueAt: number
  startedAt: number | null
  /** Sub-assignments not yet closed or cancelled. */
  openChildren: number
  pendingExtension: boolean
}

export type Command =
  | { type: 'start' }
  /** The responsible executor reports (→ on_check); a co-executor reports their part (no change of state). */
  | { type: 'report' }
  | { type: 'accept' }
  | { type: 'return' }
  | { type: 'cancel' }
  | { type: 'delegate'; childDueAt: number }
  | { type: 'request_extension'; dueAt: number }
  /** The controller moves the deadline on their own initiative (a granted extension without a request). */
  | { type: 'extend'; dueAt: number }
  | { type: 'grant_extension'; dueAt: number }
  | { type: 'refuse_extension' }
  /** The deadline job: the assignment was not closed by its deadline. */
  | { type: 'deadline_passed' }

export type Effect =
  | { type: 'started' }
  | { type: 'reported'; as: 'executor' | 'co_executor' }
  | { type: 'accepted'; late: boolean }
  | { type: 'returned' }
  | { type: 'cancelled' }
  | { type: 'delegated' }
  | { type: 'became_overdue' }
  /** The deadline passed while the report waited for the controller: the controller is told. */
  | { type: 'check_overdue' }
  | { type: 'extension_requested' }
  | { type: 'extension_granted'; from: number; to: number }
  | { type: 'extension_refused' }
  /** A pending request that closing the assignment made moot. */
  | { type: 'extension_dropped' }

/** Why a command was refused; each maps to a stable problem code (see REFUSAL_CODES in the service). */
export type Refusal =
  | 'ASSIGNMENT_CLOSED' // done, done late or cancelled: accepts nothing
  | 'ASSIGNMENT_NOT_EXECUTOR' // only the executor(s) report, start, delegate, ask for more time
  | 'ASSIGNMENT_NOT_CONTROLLER' // only the controller accepts, returns, decides extensions
  | 'ASSIGNMENT_NOT_ISSUER' // only the issuer or the controller cancels
  | 'ASSIGNMENT_ALREADY_STARTED'
  | 'ASSIGNMENT_NOT_ON_CHECK' // accept/return without a report waiting
  | 'ASSIGNMENT_ON_CHECK' // the report already waits for the controller
  | 'ASSIGNMENT_SUBTASKS_OPEN' // the executor reports before their delegated parts are closed
  | 'EXTENSION_PENDING'
  | 'EXTENSION_NOT_PENDING'
  | 'EXTENSION_NOT_LATER' // a new deadline must be later than the current one
  | 'DEADLINE_AFTER_PARENT' // a sub-assignment cannot be due after its parent

export type Outcome = { ok: true; next: Snapshot; effects: Effect[] } | { ok: false; reason: Refusal }

export interface Context {
  as: readonly Capacity[]
  /** Epoch milliseconds. */
  now: number
}

const refuse = (reason: Refusal): Outcome => ({ ok: false, reason })
const has = (ctx: Context, c: Capacity) => ctx.as.includes(c)

/** Closing or cancelling drops a pending extension request. */
function close(s: Snapshot, status: Status, effects: Effect[]): Outcome {
  const next: Snapshot = { ...s, status, pendingExtension: false }
  if (s.pendingExtension) effects.push({ type: 'extension_dropped' })
  return { ok: true, next, effects }
}

/** What a command does to an assignment, or why it is refused. Never mutates its input. */
export function transition(s: Snapshot, cmd: Command, ctx: Context): Outcome {
  if (isClosed(s.status)) return refuse('ASSIGNMENT_CLOSED')
  const executor = has(ctx, 'executor')

  switch (cmd.type) {
    case 'start': {
      if (!executor) return refuse('ASSIGNMENT_NOT_EXECUTOR')
      if (s.startedAt !== null) return refuse('ASSIGNMENT_ALREADY_STARTED')
      // Overdue and never started: it is taken into work, and stays overdue.
      return { ok: true, next: { ...s, startedAt: ctx.now, status: s.status === 'new' ? 'in_work' : s.status }, effects: [{ type: 'started' }] }
    }
    case 'report': {
      if (executor) {
        if (s.status === 'on_check') return refuse('ASSIGNMENT_ON_CHECK')
        if (s.openChildren > 0) return refuse('ASSIGNMENT_SUBTASKS_OPEN')
        const effects: Effect[] = s.startedAt === null ? [{ type: 'started' }] : []
        effects.push({ type: 'reported', as: 'executor' })
        return { ok: true, next: { ...s, status: 'on_check', startedAt: s.startedAt ?? ctx.now }, effects }
      }
      if (has(ctx, 'co_executor')) return { ok: true, next: { ...s }, effects: [{ type: 'reported', as: 'co_executor' }] }
      return refuse('ASSIGNMENT_NOT_EXECUTOR')
    }
    case 'accept': {
      if (!has(ctx, 'controller')) return refuse('ASSIGNMENT_NOT_CONTROLLER')
      if (s.status !== 'on_check') return refuse('ASSIGNMENT_NOT_ON_CHECK')
      const late = ctx.now > s.dueAt
      return close(s, late ? 'done_late' : 'done', [{ type: 'accepted', late }])
    }
    case 'return': {
      if (!has(ctx, 'controller')) return refuse('ASSIGNMENT_NOT_CONTROLLER')
      if (s.status !== 'on_check') return refuse('ASSIGNMENT_NOT_ON_CHECK')
      const late = ctx.now > s.dueAt
      const effects: Effect[] = [{ type: 'returned' }]
      if (late) effects.push({ type: 'became_overdue' })
      return { ok: true, next: { ...s, status: late ? 'overdue' : 'in_work' }, effects }
    }
    case 'cancel': {
      if (!has(ctx, 'issuer') && !has(ctx, 'controller')) return refuse('ASSIGNMENT_NOT_ISSUER')
      return close(s, 'cancelled', [{ type: 'cancelled' }])
    }
    case 'delegate': {
      if (!executor) return refuse('ASSIGNMENT_NOT_EXECUTOR')
      if (s.status === 'on_check') return refuse('ASSIGNMENT_ON_CHECK')
      if (cmd.childDueAt > s.dueAt) return refuse('DEADLINE_AFTER_PARENT')
      // Handing out parts of the work is taking it into work.
      const effects: Effect[] = s.startedAt === null ? [{ type: 'started' }, { type: 'delegated' }] : [{ type: 'delegated' }]
      return {
        ok: true,
        next: { ...s, openChildren: s.openChildren + 1, startedAt: s.startedAt ?? ctx.now, status: s.status === 'new' ? 'in_work' : s.status },
        effects,
      }
    }
    case 'request_extension': {
      if (!executor) return refuse('ASSIGNMENT_NOT_EXECUTOR')
      if (s.pendingExtension) return refuse('EXTENSION_PENDING')
      if (cmd.dueAt <= s.dueAt) return refuse('EXTENSION_NOT_LATER')
      return { ok: true, next: { ...s, pendingExtension: true }, effects: [{ type: 'extension_requested' }] }
    }
    case 'extend':
    case 'grant_extension': {
      if (!has(ctx, 'controller')) return refuse('ASSIGNMENT_NOT_CONTROLLER')
      if (cmd.type === 'grant_extension' && !s.pendingExtension) return refuse('EXTENSION_NOT_PENDING')
      if (cmd.type === 'extend' && s.pendingExtension) return refuse('EXTENSION_PENDING')
      if (cmd.dueAt <= s.dueAt) return refuse('EXTENSION_NOT_LATER')
      // An overdue assignment given time again is back in work (or new, if never started).
      const status: Status = s.status === 'overdue' && cmd.dueAt >= ctx.now ? (s.startedAt === null ? 'new' : 'in_work') : s.status
      return { ok: true, next: { ...s, dueAt: cmd.dueAt, status, pendingExtension: false }, effects: [{ type: 'extension_granted', from: s.dueAt, to: cmd.dueAt }] }
    }
    case 'refuse_extension': {
      if (!has(ctx, 'controller')) return refuse('ASSIGNMENT_NOT_CONTROLLER')
      if (!s.pendingExtension) return refuse('EXTENSION_NOT_PENDING')
      return { ok: true, next: { ...s, pendingExtension: false }, effects: [{ type: 'extension_refused' }] }
    }
    case 'deadline_passed': {
      if (!has(ctx, 'system')) return refuse('ASSIGNMENT_NOT_CONTROLLER')
      if (s.status === 'overdue') return { ok: true, next: { ...s }, effects: [] }
      // The executor has reported; the report waits for the controller, who is told.
      if (s.status === 'on_check') return { ok: true, next: { ...s }, effects: [{ type: 'check_overdue' }] }
      return { ok: true, next: { ...s, status: 'overdue' }, effects: [{ type: 'became_overdue' }] }
    }
  }
}

/** What a person in these capacities may do now (for the workspace's buttons). */
export interface Allowed {
  start: boolean
  report: boolean
  /** Report as a co-executor (their part; the state does not change). */
  reportPart: boolean
  accept: boolean
  return: boolean
  cancel: boolean
  delegate: boolean
  requestExtension: boolean
  extend: boolean
  decideExtension: boolean
}

export function allowed(s: Snapshot, ctx: Context): Allowed {
  const ok = (cmd: Command, c: Context = ctx) => transition(s, cmd, c).ok
  const executor = ctx.as.includes('executor')
  return {
    start: ok({ type: 'start' }),
    report: executor && ok({ type: 'report' }),
    reportPart: !executor && ok({ type: 'report' }),
    accept: ok({ type: 'accept' }),
    return: ok({ type: 'return' }),
    cancel: ok({ type: 'cancel' }),
    delegate: ok({ type: 'delegate', childDueAt: s.dueAt }),
    requestExtension: ok({ type: 'request_extension', dueAt: Number.MAX_SAFE_INTEGER }),
    extend: ok({ type: 'extend', dueAt: Number.MAX_SAFE_INTEGER }),
    decideExtension: ok({ type: 'refuse_extension' }),
  }
}

/**
 * Cancelling an assignment cancels its open sub-assignments, all the way down. Given the
 * tree's nodes, the ids to cancel besides the root of the cascade, parents before children.
 */
export function cascade(nodes: readonly { id: string; parentId: string | null; status: Status }[], fromId: string): string[] {
  const children = new Map<string, string[]>()
  for (const n of nodes) if (n.parentId) children.set(n.parentId, [...(children.get(n.parentId) ?? []), n.id])
  const status = new Map(nodes.map((n) => [n.id, n.status]))
  const out: string[] = []
  const queue = [...(children.get(fromId) ?? [])]
  const seen = new Set<string>([fromId])
  while (queue.length) {
    const id = queue.shift()!
    if (seen.has(id)) continue
    seen.add(id)
    if (!isClosed(status.get(id)!)) out.push(id)
    // A closed (done) part keeps its history, but an open grandchild under it still goes.
    queue.push(...(children.get(id) ?? []))
  }
  return out
}
