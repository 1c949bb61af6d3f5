import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { activeStage, begin, transition, type ApprovalSnapshot, type Command, type StageSnapshot } from './machine.ts'

const stage = (index: number, rule: 'all' | 'any', ids: string[]): Omit<StageSnapshot, 'state'> => ({
  index,
  kind: 'visa',
  rule,
  participants: ids.map((id) => ({ id, decision: null })),
})

const ok = (o: ReturnType<typeof transition>) => {
  if (!o.ok) throw new Error(`refused: ${o.reason}`)
  return o
}

describe('approval state machine: examples', () => {
  const route = () => begin([stage(0, 'any', ['head']), stage(1, 'all', ['legal1', 'legal2']), stage(2, 'any', ['expert']), stage(3, 'any', ['deputy'])], new Set([2]), false).next

  it('walks a route, skipping a conditional stage', () => {
    let s = route()
    expect(activeStage(s)?.index).toBe(0)
    s = ok(transition(s, { type: 'decide', participantId: 'head', decision: 'approve' })).next
    expect(activeStage(s)?.index).toBe(1)
    const half = ok(transition(s, { type: 'decide', participantId: 'legal1', decision: 'approve_with_remarks' }))
    expect(half.effects).toEqual([])
    expect(activeStage(half.next)?.index).toBe(1)
    const both = ok(transition(half.next, { type: 'decide', participantId: 'legal2', decision: 'approve' }))
    expect(both.effects).toEqual([{ type: 'stage_done', index: 1 }, { type: 'stage_activated', index: 3 }])
    const done = ok(transition(both.next, { type: 'decide', participantId: 'deputy', decision: 'approve' }))
    expect(done.next.state).toBe('completed')
    expect(transition(done.next, { type: 'withdraw' })).toEqual({ ok: false, reason: 'APPROVAL_FINISHED' })
  })

  it('refuses out-of-turn, repeated and non-participant actions', () => {
    const s = route()
    expect(transition(s, { type: 'decide', participantId: 'deputy', decision: 'approve' })).toEqual({ ok: false, reason: 'OUT_OF_TURN' })
    expect(transition(s, { type: 'decide', participantId: 'stranger', decision: 'approve' })).toEqual({ ok: false, reason: 'NOT_A_PARTICIPANT' })
    const after = ok(transition(s, { type: 'decide', participantId: 'head', decision: 'approve' })).next
    expect(transition(after, { type: 'decide', participantId: 'head', decision: 'approve' })).toEqual({ ok: false, reason: 'STAGE_CLOSED' })
    const one = ok(transition(after, { type: 'decide', participantId: 'legal1', decision: 'approve' })).next
    expect(transition(one, { type: 'decide', participantId: 'legal1', decision: 'return' })).toEqual({ ok: false, reason: 'ALREADY_DECIDED' })
  })

  it('restarts from the returning stage, or from the first when the template says so', () => {
    let s = route()
    s = ok(transition(s, { type: 'decide', participantId: 'head', decision: 'approve' })).next
    s = ok(transition(s, { type: 'decide', participantId: 'legal1', decision: 'return' })).next
    expect(s.state).toBe('returned')
    expect(transition(s, { type: 'decide', participantId: 'legal2', decision: 'approve' })).toEqual({ ok: false, reason: 'APPROVAL_RETURNED' })
    const again = ok(transition(s, { type: 'resubmit' }))
    expect(again.next.round).toBe(2)
    expect(again.effects).toEqual([{ type: 'restarted', fromIndex: 1 }, { type: 'stage_activated', index: 1 }])
    expect(again.next.stages.map((st) => st.state)).toEqual(['done', 'active', 'skipped', 'pending'])

    const fromFirst = ok(transition({ ...s, restartFromFirst: true }, { type: 'resubmit' })).next
    expect(fromFirst.stages.map((st) => st.state)).toEqual(['active', 'pending', 'skipped', 'pending'])
    expect(transition(fromFirst, { type: 'resubmit' })).toEqual({ ok: false, reason: 'NOT_RETURNED' })
  })

  it('completes at once when every stage is skipped', () => {
    expect(begin([stage(0, 'any', ['x'])], new Set([0]), false).next.state).toBe('completed')
  })
})

/** Structural invariants every reachable snapshot must satisfy. */
function checkInvariants(s: ApprovalSnapshot) {
  const states = s.stages.map((st) => st.state)
  const active = states.filter((x) => x === 'active').length
  const returned = states.filter((x) => x === 'returned').length
  if (s.state === 'running') {
    expect(active).toBe(1)
    expect(returned).toBe(0)
    const i = states.indexOf('active')
    for (const [j, st] of s.stages.entries()) {
      if (j < i) expect(['done', 'skipped']).toContain(st.state)
      if (j > i) expect(['pending', 'skipped']).toContain(st.state)
    }
  }
  if (s.state === 'returned') {
    expect(active).toBe(0)
    expect(returned).toBe(1)
  }
  if (s.state === 'completed') expect(s.stages.every((st) => st.state === 'done' || st.state === 'skipped')).toBe(true)
}

const arbRoute = fc
  .array(fc.record({ rule: fc.constantFrom<'all' | 'any'>('all', 'any'), people: fc.integer({ min: 1, max: 3 }), skipped: fc.boolean() }), { minLength: 1, maxLength: 5 })
  .map((defs) => ({
    stages: defs.map((d, i) => stage(i, d.rule, Array.from({ length: d.people }, (_, k) => `p${i}.${k}`))),
    skipped: new Set(defs.flatMap((d, i) => (d.skipped ? [i] : []))),
  }))

const arbCommands = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ type: fc.constant('decide' as const), stage: fc.integer({ min: 0, max: 5 }), who: fc.integer({ min: 0, max: 3 }), decision: fc.constantFrom('approve' as const, 'approve_with_remarks' as const, 'return' as const) }) },
    { weight: 2, arbitrary: fc.constant({ type: 'resubmit' as const }) },
    { weight: 1, arbitrary: fc.constant({ type: 'withdraw' as const }) },
  ),
  { maxLength: 40 },
)

describe('approval state machine: properties', () => {
  it('keeps its invariants under any sequence of commands', () => {
    fc.assert(
      fc.property(arbRoute, fc.boolean(), arbCommands, (route, restartFromFirst, commands) => {
        let s = begin(route.stages, route.skipped, restartFromFirst).next
        checkInvariants(s)
        for (const c of commands) {
          const cmd: Command = c.type === 'decide' ? { type: 'decide', participantId: `p${c.stage}.${c.who}`, decision: c.decision } : c
          const before = s
          const out = transition(s, cmd)
          if (!out.ok) {
            // A refusal changes nothing.
            expect(s).toEqual(before)
            if (before.state === 'completed' || before.state === 'withdrawn') expect(out.reason).toBe('APPROVAL_FINISHED')
            continue
          }
          s = out.next
          checkInvariants(s)
          expect(s.round).toBe(before.round + (cmd.type === 'resubmit' ? 1 : 0))
          if (cmd.type === 'decide') {
            // Only a participant of the active stage who had not decided may act.
            const st = before.stages.find((x) => x.participants.some((p) => p.id === cmd.participantId))!
            expect(st.state).toBe('active')
            expect(st.participants.find((p) => p.id === cmd.participantId)!.decision).toBeNull()
            // The same action again is refused.
            expect(transition(s, cmd).ok).toBe(false)
          }
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('completes exactly when every open stage reached its rule, in order', () => {
    fc.assert(
      fc.property(arbRoute, (route) => {
        let s = begin(route.stages, route.skipped, false).next
        // Everyone approves, in turn: the route must complete, visiting open stages in order.
        const visited: number[] = []
        for (let guard = 0; s.state === 'running' && guard < 50; guard++) {
          const st = activeStage(s)!
          visited.push(st.index)
          const p = st.participants.find((x) => x.decision === null)!
          s = ok(transition(s, { type: 'decide', participantId: p.id, decision: 'approve' })).next
        }
        expect(s.state).toBe('completed')
        const open = route.stages.map((x) => x.index).filter((i) => !route.skipped.has(i))
        expect([...new Set(visited)]).toEqual(open)
      }),
      { numRuns: 1000 },
    )
  })
})
