import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { allowed, cascade, isClosed, STATUSES, transition, type Capacity, type Command, type Context, type Outcome, type Snapshot, type Status } from './machine.ts'

const DAY = 86_400_000
const T0 = Date.UTC(2030, 0, 7, 9)
const fresh = (over: Partial<Snapshot> = {}): Snapshot => ({ status: 'new', dueAt: T0 + 10 * DAY, startedAt: null, openChildren: 0, pendingExtension: false, ...over })
const as = (...c: Capacity[]): Context => ({ as: c, now: T0 })
const at = (now: number, ...c: Capacity[]): Context => ({ as: c, now })

const ok = (o: Outcome) => {
  if (!o.ok) throw new Error(`refused: ${o.reason}`)
  return o
}

describe('assignment lifecycle: examples', () => {
  it('new → in_work → on_check → done, on time', () => {
    let s = ok(transition(fresh(), { type: 'start' }, as('executor'))).next
    expect(s).toMatchObject({ status: 'in_work', startedAt: T0 })
    s = ok(transition(s, { type: 'report' }, as('executor'))).next
    expect(s.status).toBe('on_check')
    const done = ok(transition(s, { type: 'accept' }, as('controller')))
    expect(done.next.status).toBe('done')
    expect(done.effects).toEqual([{ type: 'accepted', late: false }])
    // A closed assignment accepts nothing, from anyone.
    for (const cmd of [{ type: 'report' }, { type: 'cancel' }, { type: 'return' }, { type: 'accept' }] as Command[]) {
      expect(transition(done.next, cmd, as('executor', 'controller', 'issuer'))).toEqual({ ok: false, reason: 'ASSIGNMENT_CLOSED' })
    }
  })

  it('the first report starts the work by itself', () => {
    const out = ok(transition(fresh(), { type: 'report' }, as('executor')))
    expect(out.next).toMatchObject({ status: 'on_check', startedAt: T0 })
    expect(out.effects).toEqual([{ type: 'started' }, { type: 'reported', as: 'executor' }])
  })

  it('a co-executor reports a part without moving the state; only the responsible report goes on check', () => {
    const s = fresh({ status: 'in_work', startedAt: T0 })
    const part = ok(transition(s, { type: 'report' }, as('co_executor')))
    expect(part.next).toEqual(s)
    expect(part.effects).toEqual([{ type: 'reported', as: 'co_executor' }])
    expect(transition(s, { type: 'start' }, as('co_executor'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_EXECUTOR' })
    expect(transition(s, { type: 'report' }, as('controller', 'issuer'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_EXECUTOR' })
  })

  it('returns go back to work, or to overdue when the deadline has passed; acceptance after the deadline is late', () => {
    const onCheck = fresh({ status: 'on_check', startedAt: T0 })
    expect(ok(transition(onCheck, { type: 'return' }, as('controller'))).next.status).toBe('in_work')
    const lateReturn = ok(transition(onCheck, { type: 'return' }, at(onCheck.dueAt + 1, 'controller')))
    expect(lateReturn.next.status).toBe('overdue')
    expect(lateReturn.effects).toEqual([{ type: 'returned' }, { type: 'became_overdue' }])
    expect(ok(transition(onCheck, { type: 'accept' }, at(onCheck.dueAt, 'controller'))).next.status).toBe('done')
    expect(ok(transition(onCheck, { type: 'accept' }, at(onCheck.dueAt + 1, 'controller'))).next.status).toBe('done_late')
    expect(transition(onCheck, { type: 'accept' }, as('executor', 'issuer'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_CONTROLLER' })
    expect(transition(fresh(), { type: 'accept' }, as('controller'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_ON_CHECK' })
    expect(transition(onCheck, { type: 'report' }, as('executor'))).toEqual({ ok: false, reason: 'ASSIGNMENT_ON_CHECK' })
  })

  it('the deadline job: overdue when not reported, the controller told when the report waits, nothing twice', () => {
    const job = as('system')
    const od = ok(transition(fresh({ status: 'in_work', startedAt: T0 }), { type: 'deadline_passed' }, job))
    expect(od.next.status).toBe('overdue')
    expect(od.effects).toEqual([{ type: 'became_overdue' }])
    expect(ok(transition(od.next, { type: 'deadline_passed' }, job)).effects).toEqual([])
    expect(ok(transition(fresh({ status: 'on_check' }), { type: 'deadline_passed' }, job)).effects).toEqual([{ type: 'check_overdue' }])
    expect(transition(fresh(), { type: 'deadline_passed' }, as('controller', 'executor', 'issuer')).ok).toBe(false)
    // Reporting is still possible when overdue; acceptance then is late.
    const reported = ok(transition(od.next, { type: 'report' }, at(od.next.dueAt + DAY, 'executor'))).next
    expect(ok(transition(reported, { type: 'accept' }, at(od.next.dueAt + DAY, 'controller'))).next.status).toBe('done_late')
  })

  it('extensions: one request at a time, later than the deadline, decided by the controller only', () => {
    const s = fresh({ status: 'in_work', startedAt: T0 })
    expect(transition(s, { type: 'request_extension', dueAt: s.dueAt }, as('executor'))).toEqual({ ok: false, reason: 'EXTENSION_NOT_LATER' })
    expect(transition(s, { type: 'request_extension', dueAt: s.dueAt + DAY }, as('co_executor'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_EXECUTOR' })
    const asked = ok(transition(s, { type: 'request_extension', dueAt: s.dueAt + DAY }, as('executor'))).next
    expect(transition(asked, { type: 'request_extension', dueAt: s.dueAt + 2 * DAY }, as('executor'))).toEqual({ ok: false, reason: 'EXTENSION_PENDING' })
    expect(transition(asked, { type: 'grant_extension', dueAt: s.dueAt + DAY }, as('executor'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_CONTROLLER' })
    expect(transition(asked, { type: 'extend', dueAt: s.dueAt + DAY }, as('controller'))).toEqual({ ok: false, reason: 'EXTENSION_PENDING' })
    const granted = ok(transition(asked, { type: 'grant_extension', dueAt: s.dueAt + DAY }, as('controller')))
    expect(granted.next).toMatchObject({ dueAt: s.dueAt + DAY, pendingExtension: false, status: 'in_work' })
    expect(granted.effects).toEqual([{ type: 'extension_granted', from: s.dueAt, to: s.dueAt + DAY }])
    expect(transition(granted.next, { type: 'refuse_extension' }, as('controller'))).toEqual({ ok: false, reason: 'EXTENSION_NOT_PENDING' })
    // Overdue and given time again: back in work (or new, when never started).
    const od = fresh({ status: 'overdue', dueAt: T0 - DAY })
    expect(ok(transition(od, { type: 'extend', dueAt: T0 + DAY }, as('controller'))).next.status).toBe('new')
    expect(ok(transition({ ...od, startedAt: T0 - 2 * DAY }, { type: 'extend', dueAt: T0 + DAY }, as('controller'))).next.status).toBe('in_work')
    // Closing drops a pending request.
    const closed = ok(transition({ ...asked, status: 'on_check' }, { type: 'accept' }, as('controller')))
    expect(closed.effects).toEqual([{ type: 'accepted', late: false }, { type: 'extension_dropped' }])
    expect(closed.next.pendingExtension).toBe(false)
  })

  it('cancellation by the issuer or the controller only; delegation within the parent deadline; no report over open parts', () => {
    expect(transition(fresh(), { type: 'cancel' }, as('executor', 'co_executor'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_ISSUER' })
    expect(ok(transition(fresh(), { type: 'cancel' }, as('issuer'))).next.status).toBe('cancelled')
    expect(ok(transition(fresh({ status: 'on_check' }), { type: 'cancel' }, as('controller'))).next.status).toBe('cancelled')
    const s = fresh()
    expect(transition(s, { type: 'delegate', childDueAt: s.dueAt + 1 }, as('executor'))).toEqual({ ok: false, reason: 'DEADLINE_AFTER_PARENT' })
    expect(transition(s, { type: 'delegate', childDueAt: s.dueAt }, as('controller'))).toEqual({ ok: false, reason: 'ASSIGNMENT_NOT_EXECUTOR' })
    const d = ok(transition(s, { type: 'delegate', childDueAt: s.dueAt }, as('executor')))
    expect(d.next).toMatchObject({ status: 'in_work', openChildren: 1, startedAt: T0 })
    expect(transition(d.next, { type: 'report' }, as('executor'))).toEqual({ ok: false, reason: 'ASSIGNMENT_SUBTASKS_OPEN' })
  })

  it('cascades a cancellation to open sub-assignments all the way down', () => {
    const nodes: { id: string; parentId: string | null; status: Status }[] = [
      { id: 'root', parentId: null, status: 'in_work' },
      { id: 'a', parentId: 'root', status: 'in_work' },
      { id: 'a1', parentId: 'a', status: 'on_check' },
      { id: 'a2', parentId: 'a', status: 'done' },
      { id: 'b', parentId: 'root', status: 'cancelled' },
      { id: 'c', parentId: 'root', status: 'overdue' },
    ]
    expect(cascade(nodes, 'root').sort()).toEqual(['a', 'a1', 'c'])
    expect(cascade(nodes, 'a')).toEqual(['a1'])
    expect(cascade(nodes, 'a1')).toEqual([])
  })

  it('tells each person which actions are open to them', () => {
    const s = fresh({ status: 'on_check', startedAt: T0, pendingExtension: true })
    expect(allowed(s, as('controller'))).toEqual({ start: false, report: false, reportPart: false, accept: true, return: true, cancel: true, delegate: false, requestExtension: false, extend: false, decideExtension: true })
    expect(allowed(fresh(), as('executor'))).toMatchObject({ start: true, report: true, reportPart: false, delegate: true, requestExtension: true, accept: false, cancel: false })
    expect(allowed(fresh(), as('co_executor'))).toMatchObject({ start: false, report: false, reportPart: true })
    expect(Object.values(allowed(fresh({ status: 'done' }), as('executor', 'controller', 'issuer'))).every((v) => v === false)).toBe(true)
  })
})

// ---- properties -------------------------------------------------------------------------

const capacityArb = fc.subarray(['executor', 'co_executor', 'controller', 'issuer', 'system'] as Capacity[], { minLength: 0, maxLength: 3 })
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  fc.constant<Command>({ type: 'start' }),
  fc.constant<Command>({ type: 'report' }),
  fc.constant<Command>({ type: 'accept' }),
  fc.constant<Command>({ type: 'return' }),
  fc.constant<Command>({ type: 'cancel' }),
  fc.constant<Command>({ type: 'refuse_extension' }),
  fc.constant<Command>({ type: 'deadline_passed' }),
  fc.integer({ min: -5, max: 5 }).map<Command>((d) => ({ type: 'delegate', childDueAt: d })),
  fc.integer({ min: -5, max: 10 }).map<Command>((d) => ({ type: 'request_extension', dueAt: d })),
  fc.integer({ min: -5, max: 10 }).map<Command>((d) => ({ type: 'grant_extension', dueAt: d })),
  fc.integer({ min: -5, max: 10 }).map<Command>((d) => ({ type: 'extend', dueAt: d })),
)
/** Steps: a command (its dates relative to the current deadline, in days), who acts, and how much time passes first. */
const stepsArb = fc.array(fc.record({ cmd: commandArb, as: capacityArb, advanceDays: fc.integer({ min: 0, max: 4 }) }), { maxLength: 40 })

const relative = (cmd: Command, s: Snapshot): Command => {
  if (cmd.type === 'delegate') return { ...cmd, childDueAt: s.dueAt + cmd.childDueAt * DAY }
  if (cmd.type === 'request_extension' || cmd.type === 'grant_extension' || cmd.type === 'extend') return { ...cmd, dueAt: s.dueAt + cmd.dueAt * DAY }
  return cmd
}

describe('assignment lifecycle: properties', () => {
  it('holds its invariants over any sequence of commands by anyone', () => {
    fc.assert(
      fc.property(stepsArb, fc.constantFrom<Status>('new', 'in_work', 'overdue'), (steps, start) => {
        let s = fresh({ status: start, startedAt: start === 'in_work' ? T0 : null })
        let now = T0
        for (const step of steps) {
          now += step.advanceDays * DAY
          const cmd = relative(step.cmd, s)
          const before = structuredClone(s)
          const out = transition(s, cmd, { as: step.as, now })
          expect(s).toEqual(before) // pure: the input is never changed
          if (!out.ok) {
            // A closed assignment refuses everything, and refuses it as closed.
            if (isClosed(s.status)) expect(out.reason).toBe('ASSIGNMENT_CLOSED')
            continue
          }
          const n = out.next
          expect(STATUSES).toContain(n.status)
          // Who may cause what.
          if (n.status === 'on_check' && s.status !== 'on_check') expect(step.as).toContain('executor')
          if (n.status === 'done' || n.status === 'done_late') {
            expect(step.as).toContain('controller')
            expect(s.status).toBe('on_check')
            expect(n.status === 'done_late').toBe(now > s.dueAt)
          }
          if (n.status === 'cancelled') expect(step.as.includes('issuer') || step.as.includes('controller')).toBe(true)
          if (n.dueAt !== s.dueAt) expect(step.as).toContain('controller')
          if (n.status === 'overdue' && s.status !== 'overdue') expect(now > s.dueAt || step.as.includes('system')).toBe(true)
          // Deadlines only move later; started work stays started; closed work has no pending request.
          expect(n.dueAt).toBeGreaterThanOrEqual(s.dueAt)
          if (s.startedAt !== null) expect(n.startedAt).toBe(s.startedAt)
          if (['in_work', 'on_check', 'done', 'done_late'].includes(n.status)) expect(n.startedAt).not.toBeNull()
          if (isClosed(n.status)) expect(n.pendingExtension).toBe(false)
          // Only the responsible executor's report leaves the state; a co-executor's changes nothing.
          if (out.effects.some((e) => e.type === 'reported' && e.as === 'co_executor')) expect(n).toEqual(s)
          if (n.pendingExtension && !s.pendingExtension) expect(step.as).toContain('executor')
          s = n
        }
      }),
      { numRuns: 1000 },
    )
  })

  it('what `allowed` offers is exactly what `transition` accepts', () => {
    fc.assert(
      fc.property(
        fc.record({
          status: fc.constantFrom(...STATUSES),
          startedAt: fc.option(fc.constant(T0 - DAY)),
          openChildren: fc.integer({ min: 0, max: 2 }),
          pendingExtension: fc.boolean(),
          dueAt: fc.constant(T0),
        }),
        capacityArb,
        fc.integer({ min: -2, max: 2 }),
        (s, caps, d) => {
          const ctx = { as: caps, now: T0 + d * DAY }
          const a = allowed(s, ctx)
          expect(a.accept).toBe(transition(s, { type: 'accept' }, ctx).ok)
          expect(a.cancel).toBe(transition(s, { type: 'cancel' }, ctx).ok)
          expect(a.report || a.reportPart).toBe(transition(s, { type: 'report' }, ctx).ok)
          expect(a.report && a.reportPart).toBe(false)
          if (isClosed(s.status)) expect(Object.values(a).some(Boolean)).toBe(false)
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('a cascade never names the root, a closed node, or anything outside the subtree', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.constantFrom(...STATUSES)), { minLength: 1, maxLength: 25 }), (spec) => {
        const nodes = spec.map(([p, status], i) => ({ id: `n${i}`, parentId: i === 0 ? null : `n${p % i}`, status }))
        const out = cascade(nodes, 'n0')
        expect(out).not.toContain('n0')
        expect(new Set(out).size).toBe(out.length)
        for (const id of out) expect(isClosed(nodes.find((n) => n.id === id)!.status)).toBe(false)
        expect(out.length).toBe(nodes.filter((n) => n.id !== 'n0' && !isClosed(n.status)).length)
      }),
    )
  })
})
