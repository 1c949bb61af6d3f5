/**
 * The approval route as a pure state machine: no database, no clock, no I/O. The service
 * loads a snapshot under a row lock, asks `transition` what a command does, and writes the
 * outcome. Keeping the rules here lets them be tested exhaustively (see machine.test.ts).
 */

export type StageKind = 'visa' | 'expert_review' | 'legal_review' | 'signing' | 'approval' | 'acknowledgment'
export type StageRule = 'all' | 'any'
export type StageState = 'pending' | 'active' | 'done' | 'returned' | 'skipped'
export type ApprovalState = 'running' | 'returned' | 'completed' | 'withdrawn'
export type Decision = 'approve' | 'approve_with_remarks' | 'return'

export interface ParticipantSnapshot {
  id: string
  /** This round's decision, if any. */
  decision: Decision | null
}

export interface StageSnapshot {
  index: number
  kind: StageKind
  rule: StageRule
  state: StageState
  participants: ParticipantSnapshot[]
}

export interface ApprovalSnapshot {
  state: ApprovalState
  round: number
  restartFromFirst: boolean
  stages: StageSnapshot[]
}

export type Command =
  | { type: 'decide'; participantId: string; decision: Decision }
  | { type: 'resubmit' }
  | { type: 'withdraw' }

export type Effect =
  | { type: 'stage_done'; index: number }
  | { type: 'stage_activated'; index: number }
  | { type: 'stage_returned'; index: number }
  | { type: 'completed' }
  | { type: 'withdrawn' }
  | { type: 'restarted'; fromIndex: number }

/** Why a command was refused; the service maps each to a stable problem code. */
export type Refusal =
  | 'APPROVAL_FINISHED' // completed or withdrawn: no more actions
  | 'APPROVAL_RETURNED' // waiting for the author's revision
  | 'NOT_RETURNED' // resubmit without a return
  | 'NOT_A_PARTICIPANT'
  | 'OUT_OF_TURN' // the participant's stage has not started
  | 'STAGE_CLOSED' // the participant's stage is already over (e.g. a colleague decided an "any" stage)
  | 'ALREADY_DECIDED'

export type Outcome = { ok: true; next: ApprovalSnapshot; effects: Effect[] } | { ok: false; reason: Refusal }

const clone = (s: ApprovalSnapshot): ApprovalSnapshot => ({
  ...s,
  stages: s.stages.map((st) => ({ ...st, participants: st.participants.map((p) => ({ ...p })) })),
})

/** The stage participants act on now, if any. */
export const activeStage = (s: ApprovalSnapshot) => s.stages.find((st) => st.state === 'active') ?? null

const nextOpenIndex = (s: ApprovalSnapshot, after: number) => s.stages.find((st) => st.index > after && st.state !== 'skipped')?.index ?? null

/** Whether a stage's rule is met by its participants' decisions this round. */
export function stageComplete(stage: StageSnapshot): boolean {
  const approved = stage.participants.filter((p) => p.decision === 'approve' || p.decision === 'approve_with_remarks').length
  return stage.rule === 'any' ? approved > 0 : approved === stage.participants.length && stage.participants.length > 0
}

/** A fresh route: conditional stages already marked skipped, the first open stage active. */
export function begin(stages: Omit<StageSnapshot, 'state'>[], skipped: Set<number>, restartFromFirst: boolean): { next: ApprovalSnapshot; effects: Effect[] } {
  const snapshot: ApprovalSnapshot = {
    state: 'running',
    round: 1,
    restartFromFirst,
    stages: stages.map((st) => ({ ...st, state: skipped.has(st.index) ? 'skipped' : 'pending', participants: st.participants.map((p) => ({ ...p, decision: null })) })),
  }
  const first = nextOpenIndex(snapshot, -1)
  if (first === null) return { next: { ...snapshot, state: 'completed' }, effects: [{ type: 'completed' }] }
  snapshot.stages.find((st) => st.index === first)!.state = 'active'
  return { next: snapshot, effects: [{ type: 'stage_activated', index: first }] }
}

/** What a command does to a route, or why it is refused. */
export function transition(current: ApprovalSnapshot, cmd: Command): Outcome {
  if (current.state === 'completed' || current.state === 'withdrawn') return { ok: false, reason: 'APPROVAL_FINISHED' }
  const s = clone(current)

  if (cmd.type === 'withdraw') {
    s.state = 'withdrawn'
    return { ok: true, next: s, effects: [{ type: 'withdrawn' }] }
  }

  if (cmd.type === 'resubmit') {
    if (s.state !== 'returned') return { ok: false, reason: 'NOT_RETURNED' }
    const returnedAt = s.stages.find((st) => st.state === 'returned')!.index
    const from = s.restartFromFirst ? nextOpenIndex(s, -1)! : returnedAt
    s.round += 1
    s.state = 'running'
    for (const st of s.stages) {
      if (st.state === 'skipped') continue
      for (const p of st.participants) p.decision = null
      if (st.index >= from) st.state = 'pending'
    }
    s.stages.find((st) => st.index === from)!.state = 'active'
    return { ok: true, next: s, effects: [{ type: 'restarted', fromIndex: from }, { type: 'stage_activated', index: from }] }
  }

  // decide
  const stage = s.stages.find((st) => st.participants.some((p) => p.id === cmd.participantId))
  if (!stage) return { ok: false, reason: 'NOT_A_PARTICIPANT' }
  if (s.state === 'returned') return { ok: false, reason: 'APPROVAL_RETURNED' }
  if (stage.state === 'pending') return { ok: false, reason: 'OUT_OF_TURN' }
  if (stage.state !== 'active') return { ok: false, reason: 'STAGE_CLOSED' }
  const participant = stage.participants.find((p) => p.id === cmd.participantId)!
  if (participant.decision !== null) return { ok: false, reason: 'ALREADY_DECIDED' }
  participant.decision = cmd.decision

  if (cmd.decision === 'return') {
    stage.state = 'returned'
    s.state = 'returned'
    return { ok: true, next: s, effects: [{ type: 'stage_returned', index: stage.index }] }
  }
  if (!stageComplete(stage)) return { ok: true, next: s, effects: [] }
  stage.state = 'done'
  const effects: Effect[] = [{ type: 'stage_done', index: stage.index }]
  const next = nextOpenIndex(s, stage.index)
  if (next === null) {
    s.state = 'completed'
    effects.push({ type: 'completed' })
  } else {
    s.stages.find((st) => st.index === next)!.state = 'active'
    effects.push({ type: 'stage_activated', index: next })
  }
  return { ok: true, next: s, effects }
}
