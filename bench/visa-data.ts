/**
 * Test data for bench/visa.ts: the seeded organisation and default route templates, N extra
 * units (each with a head who approves and a specialist who authors) for the concurrent
 * approvers, and a history of documents with their approval routes and audit trail.
 *
 * Every approval is produced by driving the product's own state machine (machine.ts `begin`
 * and `transition`) and writing what persistTransition / decide / conclude / resubmit /
 * withdraw / startApproval would write for each step: stage states and deadlines (the
 * product's working-day calendar), visas bound to the then-latest version, expert conclusions,
 * notifications with the product's dedupe keys, pending reminder/overdue jobs of active stages,
 * and the audit events in product order. Route participants are resolved with the product's
 * `resolveSpecs` against the current templates. The rows are bulk-inserted
 * (json_populate_recordset). The history's audit events are staged and then chained in one
 * pass that computes what the chain trigger would (visa-audit.ts; verified afterwards by the
 * product's verifier); the few events of the fresh approvals and the service checks go
 * through the trigger as usual.
 *
 * Completed routes end with a visa on the signing stage, as they did before the product's
 * signing step (POST …/sign: registration number, stamped and signed PDF version, signature
 * row; commit 3f4f3d1) existed; those signing rows are not generated, so completed documents
 * stay 'approved' (what persistTransition writes) rather than 'registered'. Nothing measured
 * here reads them: the inbox and the visas touch running and returned routes only.
 *
 * `validateAgainstServices` checks the generator against the real startApproval/decide on a
 * few documents (row-shape signatures must be equal), and `checkInvariants` checks the
 * whole database for what the product maintains (version counts, one active stage per
 * running approval, document status per approval state, visas bound to their stage and
 * version, row_version per transition...).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import pg from 'pg'
import { openDatabase, type Database } from '../server/db/client.ts'
import type { DocumentKind, DocumentStatus } from '../server/generated/prisma/client.ts'
import { seedIfEmpty } from '../server/seed/seed.ts'
import { currentTemplate, ensureDefaultTemplates } from '../server/approvals/templates.ts'
import { actorsOf, resolveSpecs } from '../server/approvals/people.ts'
import { begin, transition, type ApprovalSnapshot, type Decision, type Effect } from '../server/approvals/machine.ts'
import { startApproval } from '../server/approvals/start.ts'
import { decide } from '../server/approvals/decisions.ts'
import type { StageTemplate } from '../server/approvals/schemas.ts'
import { documentLink } from '../server/approvals/persist.ts'
import { loadCalendar } from '../server/calendar/calendar.service.ts'
import { addCalendarDays, addWorkingDays, kyivDate, reminderAt, type CalendarExceptions } from '../server/calendar/working-days.ts'
import type { Auth } from '../server/people/sessions.ts'
import { SUMMARIES, TITLES } from './list-data.ts'
import { log } from './lib.ts'
import { AuditStager, chainStaged, createAuditStage, type StagedAudit } from './visa-audit.ts'
import { Prisma } from '../server/generated/prisma/client.ts'
import type { Db } from '../server/db/client.ts'
import { inbox } from '../server/approvals/inbox.ts'

const HOUR = 3600_000
const DAY = 24 * HOUR
const iso = (ms: number) => new Date(ms).toISOString()

/** A small, fast, seedable PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!

// ---------------------------------------------------------------------------------------------
// The organisation as the generator sees it

export interface Person {
  id: string
  login: string
  fullName: string
  /** Where notifications are mailed (notify() enqueues send_email for active people with one). */
  email: string | null
}
export interface Author {
  user: Person
  unitId: string
  positionId: string
}
interface Pos {
  id: string
  title: string
  holder: Person | null
}
interface Tpl {
  id: string
  name: string
  version: number
  restartFromFirst: boolean
  expertReviewAlways: boolean
  stages: StageTemplate[]
}
/** A bench unit: its head approves the drafts its specialist authors. */
export interface BenchPair {
  k: number
  head: Person & { positionId: string; positionTitle: string }
  author: Author
}

export interface Org {
  templates: Map<DocumentKind, Tpl>
  people: Map<string, Person>
  positions: Map<string, Pos>
  /** Positions per template stage index, resolved by the product for this author and kind. */
  routes: Map<string, string[][]>
  /** Seeded people whose drafts have a resolvable route (every stage has a held position). */
  authors: Author[]
  pairs: BenchPair[]
  ips: Map<string, string>
}

export const TEMPLATE_KINDS: DocumentKind[] = ['council_decision_draft', 'executive_decision_draft', 'mayor_order']
// Kinds without a route here (job descriptions have their own workflow and table).
const OTHER_KINDS: DocumentKind[] = ['instruction', 'regulation', 'letter', 'appeal']
const TOPICS = ['digitalization', 'it_services', 'information_security', 'information_policy', 'open_data'] as const

const REMARKS = [
  'Уточнити посилання на пункт 4.3.1 Регламенту.',
  'Додати фінансово-економічне обґрунтування.',
  'Узгодити строки виконання з відповідальними підрозділами.',
  'Виправити технічні помилки в додатку 2.',
]
const RETURNS = [
  'Проєкт не відповідає вимогам Закону України «Про місцеве самоврядування в Україні»: потрібне правове обґрунтування.',
  'Відсутній перелік відповідальних виконавців; доопрацювати.',
  'Невідповідність назви документа змісту; переробити преамбулу.',
]

// ---------------------------------------------------------------------------------------------
// Rows

type Row = Record<string, unknown>
type AuditRow = StagedAudit

/** Rows waiting to be inserted, in foreign-key order. */
class Sink {
  document: Row[] = []
  version: Row[] = []
  approval: Row[] = []
  approval_stage: Row[] = []
  approval_participant: Row[] = []
  visa: Row[] = []
  expert_conclusion: Row[] = []
  notification: Row[] = []
  jobs: { task: string; payload: unknown; run_at: string | null; job_key: string }[] = []
  audit: AuditRow[] = []
  get size() {
    return this.approval_stage.length + this.visa.length + this.notification.length + this.document.length
  }
}
const TABLES = ['document', 'version', 'approval', 'approval_stage', 'approval_participant', 'visa', 'expert_conclusion', 'notification'] as const

const AUDIT_INSERT = `
  INSERT INTO audit_event (actor_id, ip, action, target_type, target_id, after)
  SELECT x.actor_id, x.ip, x.action, x.target_type, x.target_id, x.after
    FROM json_to_recordset($1::json) AS x(n int, actor_id uuid, ip text, action text, target_type text, target_id text, after jsonb)
   ORDER BY x.n`

async function insertAudit(c: pg.Client, rows: AuditRow[]) {
  if (rows.length === 0) return
  const json = JSON.stringify(rows.map((r, n) => ({ n, actor_id: r.actor_id, ip: r.ip, action: r.action, target_type: r.target_type, target_id: r.target_id, after: r.after })))
  await c.query(AUDIT_INSERT, [json])
}

/**
 * Inserts everything in the sink (audit rows too unless keepAudit) and empties it. With
 * `bulk`, the plain tables are written with session_replication_role = replica, which skips
 * the foreign-key triggers (the generator keeps the references by construction, and
 * checkInvariants verifies every foreign key afterwards); indexes and unique keys still apply.
 * Jobs and audit events are always written normally (the audit chain trigger must run).
 */
/** Milliseconds spent inserting, per table (the staged audit events under 'audit'), for the load's log line. */
export const insertMs: Record<string, number> = {}
const timed = async <T>(what: string, p: Promise<T>): Promise<T> => {
  const t = performance.now()
  try {
    return await p
  } finally {
    insertMs[what] = (insertMs[what] ?? 0) + performance.now() - t
  }
}

async function flush(c: pg.Client, sink: Sink, keepAudit: boolean, bulk = false) {
  if (bulk) await c.query('SET session_replication_role = replica')
  try {
    for (const table of TABLES) {
      const rows = sink[table]
      if (rows.length === 0) continue
      await timed(table, c.query(`INSERT INTO "${table}" SELECT * FROM json_populate_recordset(NULL::"${table}", $1::json)`, [JSON.stringify(rows)]))
      sink[table] = []
    }
  } finally {
    if (bulk) await c.query('SET session_replication_role = origin')
  }
  if (sink.jobs.length) {
    await c.query(
      `SELECT graphile_worker.add_job(x.task, x.payload, run_at => x.run_at, job_key => x.job_key)
         FROM json_to_recordset($1::json) AS x(task text, payload json, run_at timestamptz, job_key text)`,
      [JSON.stringify(sink.jobs)],
    )
    sink.jobs = []
  }
  if (!keepAudit) {
    await insertAudit(c, sink.audit)
    sink.audit = []
  }
}

// ---------------------------------------------------------------------------------------------
// The generator: one document (and its approval) per `drive` call

export interface Plan {
  kind: DocumentKind
  title: string
  summary: string
  accessMark: 'public' | 'internal' | 'personal_data'
  topics: string[]
  author: Author
  /** none: a document without route (other kinds); draft: never sent. */
  outcome: 'none' | 'draft' | 'completed' | 'running' | 'returned' | 'withdrawn'
  /** Status of an outcome 'none' document. */
  status?: DocumentStatus
  /** Versions uploaded before sending. */
  versions: number
  /** Where a running / returned / withdrawn route stops (stage index). */
  progress: number | null
  /** Round 1 is returned at this stage, then resubmitted with a new version (round 2). */
  returnAt: number | null
  seed: number
}

/** What the bench needs to act on a prepared approval (and what the bare transaction writes). */
export interface Driven {
  documentId: string
  approvalId: string
  title: string
  authorId: string
  version: { id: string; number: number; sha256: string }
  round: number
  stages: { id: string; index: number; name: string; kind: string; deadlineDays: number; state: string; participants: { id: string; positionId: string }[] }[]
}

const DOCUMENT_STATUS = { running: 'in_approval', returned: 'draft', completed: 'approved', withdrawn: 'withdrawn' } as const

export class Generator {
  readonly dueFormat = new Intl.DateTimeFormat('uk-UA', { timeZone: 'Europe/Kyiv', dateStyle: 'long' })
  constructor(
    readonly org: Org,
    readonly cal: CalendarExceptions,
    readonly now: number,
  ) {}

  // The product's deadline arithmetic, memoized: a deadline depends only on the Kyiv date of
  // the start (constant within a UTC hour, Kyiv's offset being whole hours) and the term.
  readonly #due = new Map<number, Date>()
  readonly #remind = new Map<number, Date>()
  dueAt(from: number, days: number): Date {
    const key = Math.floor(from / HOUR) * 64 + days
    let d = this.#due.get(key)
    if (!d) this.#due.set(key, (d = addWorkingDays(new Date(from), days, this.cal)))
    return d
  }
  reminderAt(due: Date): Date {
    let d = this.#remind.get(due.getTime())
    if (!d) this.#remind.set(due.getTime(), (d = reminderAt(due, this.cal)))
    return d
  }

  route(author: Author, kind: DocumentKind): string[][] {
    const r = this.org.routes.get(`${kind}:${author.user.id}`)
    if (!r) throw new Error(`no route for ${author.user.login} / ${kind}`)
    return r
  }

  /**
   * Drives one document through its plan starting at t0 (ms). With `sink` null it only
   * walks the route (same decisions and durations, taken from the plot RNG) and returns the
   * end time, so the caller can place the timeline; otherwise it emits the rows.
   */
  drive(plan: Plan, t0: number, sink: Sink | null): { end: number; events: number; documentId: string; driven: Driven | null } {
    const plot = rng(plan.seed)
    const decor = rng(plan.seed ^ 0x5bd1e995)
    const emit = sink !== null
    const org = this.org
    const author = plan.author
    let t = t0
    const ipOf = (userId: string) => org.ips.get(userId) ?? '10.12.0.1'
    let events = 0
    const audit = (actor: string, action: string, after: unknown) => {
      events++
      if (emit) sink.audit.push({ t, actor_id: actor, ip: ipOf(actor), action, target_type: 'document', target_id: doc.id, after })
    }

    const doc = {
      id: randomUUID(),
      kind: plan.kind,
      title: plan.title,
      summary: plan.summary,
      author_unit_id: author.unitId,
      access_mark: plan.accessMark,
      status: 'draft' as DocumentStatus,
      created_by_id: author.user.id,
      created_at: iso(t),
      updated_at: iso(t),
      version_count: 0,
      topics: plan.topics,
    }
    audit(author.user.id, 'document.created', { topics: plan.topics, kind: plan.kind, title: plan.title, summary: plan.summary, accessMark: plan.accessMark, authorUnitId: author.unitId, status: 'draft' })

    const versions: { id: string; number: number; sha256: string }[] = []
    const upload = () => {
      t += (0.2 + plot() * 20) * HOUR
      const number = versions.length + 1
      const v = { id: randomUUID(), number, sha256: emit ? randomBytes(32).toString('hex') : '', size: Math.floor(20_000 + decor() * 3_000_000) }
      versions.push(v)
      if (!emit) {
        audit(author.user.id, 'version.uploaded', null)
        return
      }
      const pdf = number % 2 === 1
      const mediaType = pdf ? 'application/pdf' : 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
      const fileName = `Проєкт документа (версія ${number}).${pdf ? 'pdf' : 'docx'}`
      sink.version.push({ id: v.id, document_id: doc.id, number, sha256: v.sha256, size: v.size, media_type: mediaType, file_name: fileName, comment: number > 1 ? 'Враховано зауваження' : '', created_by_id: author.user.id, created_at: iso(t) })
      doc.version_count = number
      doc.updated_at = iso(t)
      audit(author.user.id, 'version.uploaded', { versionId: v.id, number, sha256: v.sha256, size: v.size, mediaType, fileName })
    }
    for (let i = 0; i < plan.versions; i++) upload()

    if (plan.outcome === 'none' || plan.outcome === 'draft') {
      if (emit) sink.document.push({ ...doc, status: plan.status ?? 'draft' })
      return { end: t, events, documentId: doc.id, driven: null }
    }

    // startApproval
    t += (0.5 + plot() * 24) * HOUR
    const tpl = org.templates.get(plan.kind)!
    const route = this.route(author, plan.kind)
    const required = tpl.expertReviewAlways || plan.topics.length > 0
    const approval = { id: randomUUID(), document_id: doc.id, template_id: tpl.id, state: 'running' as ApprovalSnapshot['state'], round: 1, row_version: 0, started_by_id: author.user.id, started_at: iso(t), finished_at: null as string | null }
    const stages = tpl.stages.map((s, index) => {
      const skipped = s.condition === 'expert_review_required' && !required
      const id = randomUUID()
      return {
        tpl: s,
        skipped,
        row: { id, approval_id: approval.id, index, name: s.name, kind: s.kind, rule: s.rule, deadline_days: s.deadlineDays, state: 'pending' as string, activated_at: null as string | null, due_at: null as string | null, finished_at: null as string | null },
        parts: (skipped ? [] : route[index]!).map((positionId) => ({ id: randomUUID(), stage_id: id, position_id: positionId, mandatory: true, added_by_id: null, open: false })),
      }
    })
    const decisions = new Map<string, Decision>()
    const snap = (): ApprovalSnapshot => ({
      state: approval.state,
      round: approval.round,
      restartFromFirst: tpl.restartFromFirst,
      stages: stages.map((s) => ({ index: s.row.index, kind: s.tpl.kind, rule: s.tpl.rule, state: s.row.state as ApprovalSnapshot['stages'][number]['state'], participants: s.parts.map((p) => ({ id: p.id, decision: decisions.get(`${p.id}:${approval.round}`) ?? null })) })),
    })
    const pendingJobs = new Map<string, { stageId: string; round: number; due: Date }>()

    // persistTransition
    const persist = (next: ApprovalSnapshot, effects: Effect[], actor: string) => {
      const activated = new Map<number, Date>()
      for (const s of stages) {
        const to = next.stages.find((x) => x.index === s.row.index)!.state
        const activates = effects.some((e) => e.type === 'stage_activated' && e.index === s.row.index)
        if (to === s.row.state && !activates) continue
        if (to === 'active') {
          if (emit) {
            const due = this.dueAt(t, s.row.deadline_days)
            activated.set(s.row.index, due)
            s.row.activated_at = iso(t)
            s.row.due_at = due.toISOString()
            pendingJobs.set(s.row.id, { stageId: s.row.id, round: next.round, due })
          }
          s.row.finished_at = null
        } else if (to === 'pending' || to === 'skipped') {
          s.row.activated_at = s.row.due_at = s.row.finished_at = null
        } else {
          s.row.finished_at = iso(t)
        }
        s.row.state = to
      }
      approval.state = next.state
      approval.round = next.round
      approval.row_version++
      approval.finished_at = next.state === 'completed' || next.state === 'withdrawn' ? iso(t) : null
      doc.status = DOCUMENT_STATUS[next.state]
      doc.updated_at = iso(t)
      if (!emit) {
        for (const e of effects) if (e.type === 'stage_activated') audit(actor, 'approval.stage_activated', null)
        return
      }
      const link = documentLink(doc.id)
      const note = (userId: string, kind: string, title: string, body: string, dedupe: string) => {
        // Read within a day or two, unless it is recent.
        const readAt = t < this.now - 3 * DAY ? t + (0.05 + decor() * 1.5) * DAY : null
        const id = randomUUID()
        // notify() enqueues a send_email job for a person with an address; the job mails it
        // and sets emailed_at (SMTP assumed configured), unless it is only minutes old.
        const mailed = !!org.people.get(userId)?.email
        const sent = mailed && t < this.now - 10 * 60_000
        sink.notification.push({ id, user_id: userId, kind, title: title.replace(/\s+/g, ' ').trim().slice(0, 300), body, link, dedupe_key: dedupe, created_at: iso(t), read_at: readAt === null ? null : iso(readAt), emailed_at: sent ? iso(t + 5000) : null })
        if (mailed && !sent) sink.jobs.push({ task: 'send_email', payload: { notificationId: id }, run_at: null, job_key: `send_email:${id}` })
      }
      for (const e of effects) {
        if (e.type === 'stage_activated') {
          const s = stages[e.index]!
          const people = new Set(s.parts.map((p) => org.positions.get(p.position_id)!.holder?.id).filter((x): x is string => !!x))
          const due = activated.get(e.index)!
          for (const userId of people) {
            note(userId, 'task_assigned', `${s.tpl.kind === 'expert_review' ? 'На експертизу' : 'На погодження'}: ${doc.title}`, `Етап «${s.tpl.name}». Строк — до ${this.dueFormat.format(due)}`, `task:${s.row.id}:${next.round}:${userId}`)
          }
        }
        if (e.type === 'stage_returned') note(author.user.id, 'returned', `Повернуто на доопрацювання: ${doc.title}`, 'Перегляньте зауваження, завантажте нову версію та надішліть повторно.', `returned:${approval.id}:${next.round}:${author.user.id}`)
        if (e.type === 'completed') note(author.user.id, 'completed', `Погодження завершено: ${doc.title}`, '', `completed:${approval.id}:${author.user.id}`)
      }
      for (const e of effects) {
        if (e.type === 'stage_activated') {
          const s = stages[e.index]!
          audit(actor, 'approval.stage_activated', { approvalId: approval.id, stage: s.tpl.name, index: e.index, round: next.round, dueAt: activated.get(e.index)!.toISOString() })
        }
      }
    }

    const skipped = new Set(stages.filter((s) => s.skipped).map((s) => s.row.index))
    const b = begin(
      stages.map((s) => ({ index: s.row.index, kind: s.tpl.kind, rule: s.tpl.rule, participants: s.parts.map((p) => ({ id: p.id, decision: null })) })),
      skipped,
      tpl.restartFromFirst,
    )
    persist(b.next, b.effects, author.user.id)
    audit(author.user.id, 'approval.started', { approvalId: approval.id, template: { id: tpl.id, name: tpl.name, version: tpl.version }, stages: stages.map((s) => ({ name: s.tpl.name, skipped: s.skipped, positions: s.parts.map((p) => p.position_id) })) })

    const rounds = plan.returnAt === null ? 1 : 2
    const visas: Row[] = []
    const conclusions: Row[] = []

    const act = (decision: Decision) => {
      const s = stages.find((x) => x.row.state === 'active')!
      const undecided = s.parts.filter((p) => !decisions.has(`${p.id}:${approval.round}`))
      const part = undecided[Math.floor(plot() * undecided.length)]!
      const pos = org.positions.get(part.position_id)!
      const holder = pos.holder!
      const version = versions[versions.length - 1]!
      const out = transition(snap(), { type: 'decide', participantId: part.id, decision })
      if (!out.ok) throw new Error(`generator bug: ${out.reason} at stage ${s.row.index} (${plan.outcome})`)
      decisions.set(`${part.id}:${approval.round}`, decision)
      const round = approval.round
      const expert = s.tpl.kind === 'expert_review'
      let comment = ''
      let conclusion: Row | null = null
      const visaId = randomUUID()
      if (emit) {
        if (expert) {
          const result = decision === 'approve' ? 'positive' : decision === 'approve_with_remarks' ? 'positive_with_remarks' : 'negative'
          const remarks = result === 'positive' ? [] : [{ n: 1, text: decision === 'return' ? pick(decor, RETURNS) : pick(decor, REMARKS) }]
          const summary = result === 'positive' ? 'Зауважень немає.' : 'Потребує доопрацювання відповідно до зауважень.'
          comment = [summary, ...remarks.map((r) => `${r.n}. ${r.text}`)].join('\n')
          conclusion = {
            id: randomUUID(),
            document_id: doc.id,
            approval_id: approval.id,
            visa_id: visaId,
            result,
            remarks,
            summary,
            version_id: version.id,
            version_sha256: version.sha256,
            pdf_sha256: randomBytes(32).toString('hex'),
            pdf_size: Math.floor(40_000 + decor() * 60_000),
            author_id: holder.id,
            created_at: iso(t),
          }
          conclusions.push(conclusion)
        } else {
          comment = decision === 'return' ? pick(decor, RETURNS) : decision === 'approve_with_remarks' ? pick(decor, REMARKS) : ''
        }
        visas.push({
          id: visaId,
          approval_id: approval.id,
          stage_id: s.row.id,
          participant_id: part.id,
          round,
          decision,
          comment,
          user_id: holder.id,
          on_behalf_of_id: null,
          position_title: pos.title,
          full_name: holder.fullName,
          on_behalf_of_name: null,
          version_id: version.id,
          version_number: version.number,
          version_sha256: version.sha256,
          at: iso(t),
        })
      }
      persist(out.next, out.effects, holder.id)
      if (conclusion) audit(holder.id, 'conclusion.issued', { approvalId: approval.id, conclusionId: conclusion.id, result: conclusion.result, remarks: (conclusion.remarks as unknown[]).length, versionNumber: version.number, versionSha256: version.sha256, pdfSha256: conclusion.pdf_sha256 })
      else audit(holder.id, 'approval.visa', { approvalId: approval.id, visaId, stage: s.tpl.name, decision, comment, round, versionNumber: version.number, versionSha256: version.sha256, onBehalfOf: null })
      for (const e of out.effects) {
        if (e.type === 'stage_returned') audit(holder.id, 'approval.returned', { approvalId: approval.id, stageIndex: e.index, round })
        if (e.type === 'completed') audit(holder.id, 'approval.completed', { approvalId: approval.id, round })
      }
    }

    for (let guard = 0; guard < 64; guard++) {
      if (approval.state === 'completed') break
      const active = stages.find((x) => x.row.state === 'active')!.row.index
      if (plan.outcome === 'running' && approval.round === rounds && active === plan.progress) break
      if (plan.outcome === 'withdrawn' && active === plan.progress) {
        t += (0.1 + plot() * 2) * DAY
        const out = transition(snap(), { type: 'withdraw' })
        if (!out.ok) throw new Error(`generator bug: withdraw ${out.reason}`)
        persist(out.next, out.effects, author.user.id)
        audit(author.user.id, 'approval.withdrawn', { approvalId: approval.id, reason: 'Документ втратив актуальність' })
        break
      }
      t += (0.05 + plot() * 1.5) * DAY
      const returning = (rounds === 2 && approval.round === 1 && active === plan.returnAt) || (plan.outcome === 'returned' && approval.round === rounds && active === plan.progress)
      act(returning ? 'return' : plot() < 0.15 ? 'approve_with_remarks' : 'approve')
      if (approval.state === 'returned') {
        if (plan.outcome === 'returned' && approval.round === rounds) break
        // resubmit with a new version
        t += (0.5 + plot() * 4) * DAY
        upload()
        t += (0.5 + plot() * 6) * HOUR
        const out = transition(snap(), { type: 'resubmit' })
        if (!out.ok) throw new Error(`generator bug: resubmit ${out.reason}`)
        persist(out.next, out.effects, author.user.id)
        const from = out.effects.find((e) => e.type === 'restarted')
        const v = versions[versions.length - 1]!
        audit(author.user.id, 'approval.resubmitted', { approvalId: approval.id, round: out.next.round, fromStage: from?.type === 'restarted' ? from.fromIndex : null, versionNumber: v.number, versionSha256: v.sha256 })
      }
    }
    if (plan.outcome === 'completed' && approval.state !== 'completed') throw new Error('generator bug: route did not complete')

    if (emit) {
      sink.document.push(doc)
      sink.approval.push(approval)
      for (const s of stages) {
        sink.approval_stage.push(s.row)
        // The product's inbox flag: the stage is active in a running route and the participant has not acted this round.
        for (const p of s.parts) p.open = approval.state === 'running' && s.row.state === 'active' && !decisions.has(`${p.id}:${approval.round}`)
        sink.approval_participant.push(...s.parts)
      }
      sink.visa.push(...visas)
      sink.expert_conclusion.push(...conclusions)
      // The reminder and overdue jobs of the active stage are still queued while their time
      // has not come (earlier ones have run; jobs of other stages found them moot and are gone).
      if (approval.state === 'running') {
        const s = stages.find((x) => x.row.state === 'active')!
        const j = pendingJobs.get(s.row.id)!
        const remind = this.reminderAt(j.due)
        if (remind.getTime() > this.now) sink.jobs.push({ task: 'stage_reminder', payload: { stageId: j.stageId, round: j.round }, run_at: remind.toISOString(), job_key: `stage_reminder:${j.stageId}:${j.round}` })
        if (j.due.getTime() > this.now) sink.jobs.push({ task: 'stage_overdue', payload: { stageId: j.stageId, round: j.round }, run_at: j.due.toISOString(), job_key: `stage_overdue:${j.stageId}:${j.round}` })
      }
    }
    const v = versions[versions.length - 1]!
    return {
      end: t,
      events,
      documentId: doc.id,
      driven: {
        documentId: doc.id,
        approvalId: approval.id,
        title: doc.title,
        authorId: author.user.id,
        version: { id: v.id, number: v.number, sha256: v.sha256 },
        round: approval.round,
        stages: stages.map((s) => ({ id: s.row.id, index: s.row.index, name: s.tpl.name, kind: s.tpl.kind, deadlineDays: s.tpl.deadlineDays, state: s.row.state, participants: s.parts.map((p) => ({ id: p.id, positionId: p.position_id })) })),
      },
    }
  }

  /** Places a plan so its route ends at `end` (ms) and emits it. */
  emitEndingAt(plan: Plan, end: number, sink: Sink): Driven | null {
    const dry = this.drive(plan, 0, null)
    return this.drive(plan, end - dry.end, sink).driven
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: seed, templates, bench units, routes

async function loadOrg(db: Database, c: pg.Client, benchUnits: number): Promise<Org> {
  const { rows: people } = await c.query<{ user_id: string; login: string; full_name: string; email: string | null; position_id: string; unit_id: string; unit_kind: string }>(`
    SELECT u.id AS user_id, u.login, u.full_name, CASE WHEN u.active AND btrim(u.email) <> '' THEN u.email END AS email, ph.position_id, p.unit_id, un.kind::text AS unit_kind
      FROM position_holder ph JOIN app_user u ON u.id = ph.user_id JOIN position p ON p.id = ph.position_id JOIN unit un ON un.id = p.unit_id
     WHERE ph.until IS NULL ORDER BY u.login`)
  const { rows: posRows } = await c.query<{ id: string; title: string }>('SELECT id, title FROM position')
  const person = (p: (typeof people)[number]): Person => ({ id: p.user_id, login: p.login, fullName: p.full_name, email: p.email })
  const holders = new Map(people.map((p) => [p.position_id, person(p)]))
  const positions = new Map(posRows.map((p) => [p.id, { id: p.id, title: p.title, holder: holders.get(p.id) ?? null }]))
  const ips = new Map(people.map((p, i) => [p.user_id, `10.12.${1 + (i >> 8)}.${1 + (i & 255)}`]))

  const templates = new Map<DocumentKind, Tpl>()
  for (const kind of TEMPLATE_KINDS) {
    const t = await currentTemplate(db.prisma, kind)
    templates.set(kind, { id: t.id, name: t.name, version: t.version, restartFromFirst: t.restartFromFirst, expertReviewAlways: t.expertReviewAlways, stages: t.stages as unknown as StageTemplate[] })
  }

  const toAuthor = (p: (typeof people)[number]): Author => ({ user: person(p), unitId: p.unit_id, positionId: p.position_id })
  const routes = new Map<string, string[][]>()
  const resolvable = async (a: Author) => {
    let ok = true
    for (const [kind, tpl] of templates) {
      const r: string[][] = []
      for (const s of tpl.stages) r.push(await resolveSpecs(db.prisma, s.participants, { authorUnitId: a.unitId, createdById: a.user.id }))
      routes.set(`${kind}:${a.user.id}`, r)
      const actors = await actorsOf(db.prisma, r.flat())
      // startApproval refuses a route with a stage nobody holds (ROUTE_UNRESOLVED).
      tpl.stages.forEach((s, i) => {
        const held = r[i]!.filter((id) => actors.get(id)?.holder)
        if (held.length === 0 || (s.rule === 'all' && held.length !== r[i]!.length)) ok = false
      })
    }
    return ok
  }
  const authors: Author[] = []
  const pairs: BenchPair[] = []
  for (const p of people) {
    const a = toAuthor(p)
    const bench = /^bench\.(head|author)\.(\d+)$/.exec(p.login)
    if (bench) {
      if (bench[1] === 'author') {
        if (!(await resolvable(a))) throw new Error(`route of ${p.login} does not resolve`)
        const k = Number(bench[2])
        const head = people.find((x) => x.login === `bench.head.${k}`)!
        pairs.push({ k, head: { ...person(head), positionId: head.position_id, positionTitle: positions.get(head.position_id)!.title }, author: a })
      }
      continue
    }
    // The leadership signs and approves; it does not author drafts here.
    if (p.unit_kind === 'leadership') continue
    if (await resolvable(a)) authors.push(a)
  }
  pairs.sort((x, y) => x.k - y.k)
  if (pairs.length !== benchUnits) throw new Error(`expected ${benchUnits} bench units, found ${pairs.length}`)
  return { templates, people: new Map(people.map((p) => [p.user_id, person(p)])), positions, routes, authors, pairs, ips }
}

/** N units under the executive committee, each with a head (approver) and a specialist (author), sharing the demo password. */
async function createBenchUnits(c: pg.Client, n: number) {
  const { rows } = await c.query<{ id: string }>(`SELECT id FROM unit WHERE code = '01-02'`)
  const parent = rows[0]?.id
  if (!parent) throw new Error('the seeded executive committee unit (01-02) is missing')
  await c.query(
    `WITH k AS (SELECT generate_series(1, $2::int) AS k),
     pw AS (SELECT password_hash FROM app_user WHERE login = 'it.staff'),
     u AS (
       INSERT INTO unit (id, parent_id, code, name, short_name, kind, sort_order, updated_at)
       SELECT gen_random_uuid(), $1::uuid, '90-' || lpad(k::text, 3, '0'), 'Відділ навантажувального тестування № ' || k, NULL, 'department', 100 + k, now() FROM k
       RETURNING id, code),
     uk AS (SELECT id, substr(code, 4)::int AS k FROM u),
     p AS (
       INSERT INTO position (id, unit_id, title, is_head, roles, sort_order, updated_at)
       SELECT gen_random_uuid(), uk.id, x.title || uk.k, x.is_head, x.roles::"Role"[], x.ord, now()
         FROM uk CROSS JOIN (VALUES ('Начальник відділу навантажувального тестування № ', true, '{unit_head}', 0), ('Головний спеціаліст відділу навантажувального тестування № ', false, '{staff}', 1)) AS x(title, is_head, roles, ord)
       RETURNING id, unit_id, is_head),
     a AS (
       INSERT INTO app_user (id, login, password_hash, full_name, email, updated_at)
       SELECT gen_random_uuid(), CASE WHEN p.is_head THEN 'bench.head.' ELSE 'bench.author.' END || uk.k, pw.password_hash,
              CASE WHEN p.is_head THEN 'Керівник Тестовий ' ELSE 'Спеціаліст Тестовий ' END || uk.k,
              CASE WHEN p.is_head THEN 'bench.head.' ELSE 'bench.author.' END || uk.k || '@drohobych-rada.example', now()
         FROM p JOIN uk ON uk.id = p.unit_id CROSS JOIN pw
       RETURNING id, login)
     INSERT INTO position_holder (id, position_id, user_id, since)
     SELECT gen_random_uuid(), p.id, a.id, '2026-01-01T00:00:00Z'
       FROM p JOIN uk ON uk.id = p.unit_id JOIN a ON a.login = CASE WHEN p.is_head THEN 'bench.head.' ELSE 'bench.author.' END || uk.k`,
    [parent, n],
  )
}

// ---------------------------------------------------------------------------------------------
// The world

export interface World {
  url: string
  db: Database
  client: pg.Client
  org: Org
  gen: Generator
  close(): Promise<void>
}

/** Seeds (like a first start), creates the bench units, and loads the organisation for the generator. */
export async function openWorld(url: string, benchUnits: number): Promise<World> {
  const db = openDatabase(url, { max: 3 })
  const client = new pg.Client({ connectionString: url })
  client.on('error', () => {})
  await client.connect()
  try {
    await seedIfEmpty(db.prisma, { demo: true, adminPassword: null })
    await ensureDefaultTemplates(db.prisma)
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM app_user WHERE login LIKE 'bench.head.%'`)
    if (Number(rows[0]!.n) === 0) await createBenchUnits(client, benchUnits)
    const org = await loadOrg(db, client, benchUnits)
    const now = Date.now()
    const today = kyivDate(new Date(now))
    const cal = await loadCalendar(db.prisma, addCalendarDays(today, -800), addCalendarDays(today, 400))
    return {
      url,
      db,
      client,
      org,
      gen: new Generator(org, cal, now),
      async close() {
        await client.end().catch(() => {})
        await db.close().catch(() => {})
      },
    }
  } catch (err) {
    await client.end().catch(() => {})
    await db.close().catch(() => {})
    throw err
  }
}

function planFor(w: World, r: () => number, author: Author, outcome: Plan['outcome'], opts: { kind?: DocumentKind; topics?: string[]; progress?: number | null; returnAt?: number | null; versions?: number } = {}): Plan {
  const kind = opts.kind ?? (outcome === 'none' ? pick(r, OTHER_KINDS) : pick(r, TEMPLATE_KINDS))
  const topics = opts.topics ?? (outcome !== 'none' && r() < 0.25 ? [...new Set([pick(r, TOPICS), pick(r, TOPICS)])] : [])
  const a = r()
  const open = outcome === 'none' || outcome === 'draft' ? [] : openStages(w, kind, topics)
  let progress = opts.progress ?? null
  let returnAt = opts.returnAt ?? null
  if (opts.progress === undefined && (outcome === 'running' || outcome === 'returned' || outcome === 'withdrawn')) progress = pick(r, open)
  if (opts.returnAt === undefined && (outcome === 'completed' || outcome === 'running' || outcome === 'returned') && r() < 0.12) {
    const candidates = outcome === 'completed' ? open : open.filter((i) => i <= progress!)
    returnAt = pick(r, candidates)
  }
  const title = pick(r, TITLES) + (r() < 0.6 ? ` (№ ${100 + Math.floor(r() * 90_000)})` : '')
  return {
    kind,
    title,
    summary: pick(r, SUMMARIES),
    accessMark: a < 0.7 ? 'public' : a < 0.92 ? 'internal' : 'personal_data',
    topics,
    author,
    outcome,
    status: outcome === 'none' ? (r() < 0.7 ? 'registered' : 'draft') : undefined,
    versions: opts.versions ?? (outcome === 'none' || outcome === 'draft' ? Math.floor(r() * 3) : 1 + (r() < 0.4 ? 1 : 0) + (r() < 0.1 ? 1 : 0)),
    progress,
    returnAt,
    seed: Math.floor(r() * 2 ** 32),
  }
}

function openStages(w: World, kind: DocumentKind, topics: string[]): number[] {
  const tpl = w.org.templates.get(kind)!
  const required = tpl.expertReviewAlways || topics.length > 0
  return tpl.stages.flatMap((s, i) => (s.condition === 'expert_review_required' && !required ? [] : [i]))
}

export interface HistoryStats {
  documents: number
  approvals: Record<string, number>
  rows: Record<string, number>
  auditEvents: number
  auditFromDocuments: number
  auditTopUp: number
  /** The pass that chained the staged events (included in loadSeconds). */
  chainSeconds: number
  loadSeconds: number
  analyzeSeconds: number
}

/**
 * Bulk-load settings: the secondary indexes of the loaded tables are dropped and built again
 * afterwards from their own definitions (faster than maintaining them row by row; unique ones
 * then re-check their uniqueness), and checkpoints are spread out while loading. Primary keys
 * and indexes that constraints use stay. `restore` puts everything back as it was.
 */
async function bulkLoadMode(c: pg.Client, tables: string[]): Promise<{ restore: () => Promise<{ indexes: number; seconds: number }> }> {
  const { rows } = await c.query<{ name: string; def: string }>(
    `SELECT quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
      WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace AND NOT i.indisprimary
        AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      ORDER BY 1`,
    [tables],
  )
  for (const r of rows) await c.query(`DROP INDEX ${r.name}`)
  await c.query(`ALTER SYSTEM SET max_wal_size = '8GB'`)
  await c.query(`ALTER SYSTEM SET checkpoint_timeout = '1h'`)
  await c.query('SELECT pg_reload_conf()')
  return {
    async restore() {
      const started = Date.now()
      await c.query(`SET maintenance_work_mem = '256MB'`)
      for (const r of rows) await c.query(r.def)
      await c.query('RESET maintenance_work_mem')
      await c.query('ALTER SYSTEM RESET max_wal_size')
      await c.query('ALTER SYSTEM RESET checkpoint_timeout')
      await c.query('SELECT pg_reload_conf()')
      return { indexes: rows.length, seconds: (Date.now() - started) / 1000 }
    },
  }
}

/**
 * The history: `docs` documents created over two years (recent ones still running, returned
 * or withdrawn), and exactly `auditTarget` audit events in the hash chain: the documents' own
 * trail (when the documents make more events than asked for, the trail of the oldest is left
 * out: they came over from the previous system), topped up with sign-ins when they make
 * fewer. One connection inserts a batch (its rows, and its audit events into the staging
 * table) while this process generates the next, with the tables' secondary indexes dropped
 * (bulkLoadMode); then the staged events are chained in time order in one pass (see
 * visa-audit.ts), the indexes are built again, then VACUUM ANALYZE.
 */
export async function generateHistory(w: World, docs: number, auditTarget: number): Promise<HistoryStats> {
  const c = w.client
  await c.query('SET synchronous_commit = off')
  await createAuditStage(c)
  const appender = new AuditStager(c)
  const bulk = await bulkLoadMode(c, [...TABLES, 'audit_event'])
  const started = Date.now()
  const r = rng(0x4242)
  const now = w.gen.now
  const plans: { plan: Plan; t0: number }[] = []
  const counts: Record<string, number> = {}
  let docEvents = 0
  for (let i = 0; i < docs; i++) {
    const author = pick(r, w.org.authors)
    const templ = r() < 0.85
    const x = r()
    // Shares among drafts of route kinds: 3.5% running, 1.2% returned, 0.6% withdrawn, 2.5% never sent, the rest completed.
    const outcome: Plan['outcome'] = !templ ? 'none' : x < 0.035 ? 'running' : x < 0.047 ? 'returned' : x < 0.053 ? 'withdrawn' : x < 0.078 ? 'draft' : 'completed'
    counts[outcome] = (counts[outcome] ?? 0) + 1
    const plan = planFor(w, r, author, outcome)
    // Live routes had their last transition within the last few days; finished ones over two years.
    const end = outcome === 'running' || outcome === 'returned' || outcome === 'withdrawn' || outcome === 'draft' ? now - r() * 3.5 * DAY - 0.1 * HOUR : now - 3 * DAY - r() * 730 * DAY
    // A dry walk of the route: how long it takes (to place it in time) and how many events it makes.
    const dry = w.gen.drive(plan, 0, null)
    docEvents += dry.events
    plans.push({ plan, t0: end - dry.end })
  }
  plans.sort((a, b) => a.t0 - b.t0)
  let skip = Math.max(0, docEvents - auditTarget)
  const topUp = Math.max(0, auditTarget - docEvents)
  const people = [...new Set([...w.org.positions.values()].flatMap((p) => (p.holder ? [p.holder.id] : [])))]
  const rl = rng(0x1234)
  let loginsDone = 0

  let sink = new Sink()
  const totals: Record<string, number> = {}
  let done = 0
  let inserting: Promise<void> = Promise.resolve()
  const flushNow = async () => {
    const full = sink
    sink = new Sink()
    for (const t of TABLES) totals[t] = (totals[t] ?? 0) + full[t].length
    totals.jobs = (totals.jobs ?? 0) + full.jobs.length
    const events = full.audit
    full.audit = []
    await inserting
    inserting = flush(c, full, true, true).then(() => timed('audit', appender.append(events)))
  }
  for (const { plan, t0 } of plans) {
    const before = sink.audit.length
    w.gen.drive(plan, t0, sink)
    done++
    if (skip > 0) skip -= sink.audit.splice(before, Math.min(skip, sink.audit.length - before)).length
    // Sign-ins, spread along the history.
    const logins = Math.floor((topUp * done) / docs) - loginsDone
    for (let i = 0; i < logins; i++) {
      const u = pick(rl, people)
      sink.audit.push({ t: t0, actor_id: u, ip: w.org.ips.get(u) ?? '10.12.0.1', action: 'auth.login', target_type: 'session', target_id: randomBytes(8).toString('hex'), after: null })
    }
    loginsDone += logins
    if (sink.size > 20_000 || sink.audit.length > 50_000) await flushNow()
    if (done % Math.max(1, Math.floor(docs / 10)) === 0) log(`  ${done}/${docs} documents generated; ${appender.staged} audit events staged (${((Date.now() - started) / 1000).toFixed(0)} s)`)
  }
  await flushNow()
  await inserting
  if (appender.staged !== auditTarget) throw new Error(`staged ${appender.staged} audit events instead of ${auditTarget}`)
  const chainStarted = Date.now()
  const chained = await chainStaged(c)
  const chainSeconds = (Date.now() - chainStarted) / 1000
  const rebuilt = await bulk.restore()
  const loadSeconds = (Date.now() - started) / 1000
  const fromDocuments = Math.min(docEvents, auditTarget)
  log(
    `inserted ${docs} documents with their routes and chained ${chained.appended} audit events (${fromDocuments} from the documents, ${topUp} sign-ins; the chain pass took ${chainSeconds.toFixed(1)} s, head now #${chained.headSeq}; ${rebuilt.indexes} secondary indexes built in ${rebuilt.seconds.toFixed(1)} s) in ${loadSeconds.toFixed(1)} s: ` +
      Object.entries(totals)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') +
      `; insert time per table (s): ${Object.entries(insertMs)
        .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
        .join(', ')}`,
  )

  const analyzeStarted = Date.now()
  await c.query('VACUUM ANALYZE')
  // Write the load out now, so its checkpoint does not run under the measurements.
  await c.query('CHECKPOINT')
  const analyzeSeconds = (Date.now() - analyzeStarted) / 1000
  await c.query('SET synchronous_commit = on')
  return { documents: docs, approvals: counts, rows: totals, auditEvents: chained.appended, chainSeconds, auditFromDocuments: fromDocuments, auditTopUp: topUp, loadSeconds, analyzeSeconds }
}

/**
 * Fresh approvals for the concurrent approvers: `perPair` council-decision drafts authored in
 * each bench unit, sent just now, their first stage (the unit head) active. Returned as
 * [pair][j]. Same generator as the history, so the same rows startApproval writes.
 */
export async function prepareFresh(w: World, perPair: number, seed: number): Promise<Driven[][]> {
  const r = rng(seed)
  const sink = new Sink()
  const out: Driven[][] = w.org.pairs.map(() => [])
  for (let j = 0; j < perPair; j++) {
    for (const [k, pair] of w.org.pairs.entries()) {
      const plan = planFor(w, r, pair.author, 'running', { kind: 'council_decision_draft', topics: [], progress: 0, returnAt: null, versions: 1 })
      out[k]!.push(w.gen.emitEndingAt(plan, Date.now() - 60_000, sink)!)
      if (sink.size > 10_000) await flush(w.client, sink, false)
    }
  }
  await flush(w.client, sink, false)
  return out
}

// ---------------------------------------------------------------------------------------------
// Checks

/** The Auth the product builds for a person (as lookupSession does), for calling services directly. */
async function authFor(c: pg.Client, login: string): Promise<Auth> {
  const { rows } = await c.query<{ id: string; login: string; full_name: string; positions: Auth['positions'] }>(
    `SELECT u.id, u.login, u.full_name,
            COALESCE(json_agg(json_build_object('id', p.id, 'title', p.title, 'unitId', p.unit_id, 'unitName', un.name, 'isHead', p.is_head, 'roles', p.roles)
                     ORDER BY p.sort_order, p.title) FILTER (WHERE p.id IS NOT NULL), '[]'::json) AS positions
       FROM app_user u
       LEFT JOIN position_holder ph ON ph.user_id = u.id AND ph.since <= now() AND (ph.until IS NULL OR ph.until > now())
       LEFT JOIN position p ON p.id = ph.position_id AND p.archived_at IS NULL
       LEFT JOIN unit un ON un.id = p.unit_id
      WHERE u.login = $1 GROUP BY u.id`,
    [login],
  )
  const u = rows[0]
  if (!u) throw new Error(`no user ${login}`)
  return { userId: u.id, login: u.login, fullName: u.full_name, roles: [...new Set(u.positions.flatMap((p) => p.roles))], positions: u.positions, sessionId: 'bench', csrfToken: 'bench', expiresAt: new Date(Date.now() + HOUR) }
}

/**
 * The shape of an approval and everything around it, without ids and instants: what a
 * product-made and a generated approval in the same situation must agree on.
 */
export async function signature(c: pg.Client, approvalId: string): Promise<unknown> {
  const { rows } = await c.query<{ s: unknown }>(
    `SELECT json_build_object(
       'state', a.state, 'round', a.round, 'rowVersion', a.row_version, 'finished', a.finished_at IS NOT NULL,
       'startedBy', a.started_by_id = d.created_by_id, 'template', t.kind = d.kind AND t.current,
       'docStatus', d.status, 'versionCount', d.version_count, 'versions', (SELECT count(*) FROM version v WHERE v.document_id = d.id),
       'stages', (SELECT json_agg(json_build_object(
           'i', st.index, 'name', st.name, 'kind', st.kind, 'rule', st.rule, 'deadline', st.deadline_days, 'state', st.state,
           'activated', st.activated_at IS NOT NULL, 'due', st.due_at IS NOT NULL, 'finished', st.finished_at IS NOT NULL,
           'dueAfterActivation', st.due_at > st.activated_at,
           'participants', (SELECT json_agg(json_build_object('pos', ap.position_id, 'mandatory', ap.mandatory, 'addedBy', ap.added_by_id, 'open', ap.open) ORDER BY ap.position_id)
                              FROM approval_participant ap WHERE ap.stage_id = st.id),
           'visas', (SELECT json_agg(json_build_object('round', vi.round, 'decision', vi.decision, 'approval', vi.approval_id = a.id,
                       'holder', EXISTS (SELECT 1 FROM approval_participant ap JOIN position_holder ph ON ph.position_id = ap.position_id AND ph.until IS NULL
                                          JOIN position p ON p.id = ap.position_id JOIN app_user u ON u.id = ph.user_id
                                         WHERE ap.id = vi.participant_id AND ap.stage_id = st.id AND ph.user_id = vi.user_id AND p.title = vi.position_title AND u.full_name = vi.full_name),
                       'version', EXISTS (SELECT 1 FROM version v WHERE v.id = vi.version_id AND v.document_id = d.id AND v.number = vi.version_number AND v.sha256 = vi.version_sha256),
                       'comment', vi.comment <> '', 'onBehalfOf', vi.on_behalf_of_id) ORDER BY vi.round, vi.at)
                       FROM visa vi WHERE vi.stage_id = st.id),
           'jobs', CASE WHEN st.state = 'active' THEN (SELECT json_agg(j.task_identifier || '@' || (j.run_at > now()) ORDER BY j.task_identifier)
                                                         FROM graphile_worker.jobs j WHERE j.key IN ('stage_reminder:' || st.id || ':' || a.round, 'stage_overdue:' || st.id || ':' || a.round)) END,
           'tasks', (SELECT count(*) FROM notification n WHERE n.dedupe_key LIKE 'task:' || st.id || ':%')
         ) ORDER BY st.index) FROM approval_stage st WHERE st.approval_id = a.id),
       'notifications', (SELECT json_agg(json_build_object('kind', n.kind, 'title', replace(n.title, d.title, '<title>'),
                           'body', regexp_replace(n.body, '\\d{1,2} \\S+ \\d{4} р\\.', '<date>', 'g'),
                           'mailed', n.emailed_at IS NOT NULL OR EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j.key = 'send_email:' || n.id))
                         ORDER BY n.kind, n.body, n.user_id) FROM notification n WHERE n.link = '/documents/' || d.id),
       'audit', (SELECT json_agg(e.action ORDER BY e.seq) FROM audit_event e WHERE e.target_type = 'document' AND e.target_id = d.id::text AND (e.action LIKE 'approval.%' OR e.action LIKE 'conclusion.%'))
     ) AS s
       FROM approval a JOIN document d ON d.id = a.document_id JOIN route_template t ON t.id = a.template_id
      WHERE a.id = $1`,
    [approvalId],
  )
  if (!rows[0]) throw new Error(`no approval ${approvalId}`)
  return rows[0].s
}

function sameShape(what: string, real: unknown, generated: unknown) {
  const a = JSON.stringify(real)
  const b = JSON.stringify(generated)
  if (a !== b) throw new Error(`generated rows differ from the product's (${what}):\nproduct:   ${a}\ngenerated: ${b}`)
}

/**
 * Runs the real services (startApproval, decide) on a few drafts of bench unit 1 and checks
 * that generated approvals in the same situations have exactly the same shape.
 */
export async function validateAgainstServices(w: World): Promise<string[]> {
  const c = w.client
  const pair = w.org.pairs[0]!
  const r = rng(0x77)
  const sink = new Sink()
  const actor = (a: Auth) => ({ userId: a.userId, ip: '127.0.0.1' })
  const authorAuth = await authFor(c, pair.author.user.login)
  const headAuth = await authFor(c, pair.head.login)
  const legalAuth = await authFor(c, 'legal')
  const deputyAuth = await authFor(c, 'deputy')
  const draft = async (topics: string[]) => {
    const d = w.gen.drive(planFor(w, r, pair.author, 'draft', { kind: 'council_decision_draft', topics, versions: 1 }), Date.now() - HOUR, sink)
    await flush(c, sink, false)
    const { rows } = await c.query<{ sha256: string }>(`SELECT sha256 FROM version WHERE document_id = $1 ORDER BY number DESC LIMIT 1`, [d.documentId])
    return { id: d.documentId, sha256: rows[0]!.sha256 }
  }
  // The generator picks approvers, remarks and comments at random: generate until one took the
  // same plain path as the product run (a mismatch in structure never converges and fails).
  const compare = async (what: string, approvalId: string, outcome: Plan['outcome'], opts: { topics?: string[]; progress?: number | null }) => {
    const real = await signature(c, approvalId)
    let gen: unknown = null
    for (let i = 0; i < 60 && JSON.stringify(gen) !== JSON.stringify(real); i++) {
      const driven = w.gen.emitEndingAt(planFor(w, r, pair.author, outcome, { kind: 'council_decision_draft', topics: opts.topics ?? [], progress: opts.progress ?? null, returnAt: null, versions: 1 }), Date.now() - 60_000, sink)!
      await flush(c, sink, false)
      gen = await signature(c, driven.approvalId)
    }
    sameShape(what, real, gen)
  }
  const checked: string[] = []

  // Started; then one visa (the next stage activates); then up to the signing stage. (The
  // signing stage itself is closed by POST …/sign, which needs a certificate; see the header.)
  const d1 = await draft([])
  const a1 = await startApproval(w.db.prisma, authorAuth, actor(authorAuth), d1.id, {})
  await compare('just started', a1, 'running', { progress: 0 })
  checked.push('started (unit head active)')
  await decide(w.db.pool, headAuth, actor(headAuth), a1, { decision: 'approve', versionSha256: d1.sha256 })
  await compare('after the unit head’s visa', a1, 'running', { progress: 1 })
  checked.push('one visa (legal review active)')
  for (const who of [legalAuth, deputyAuth]) await decide(w.db.pool, who, actor(who), a1, { decision: 'approve', versionSha256: d1.sha256 })
  await compare('at the signing stage', a1, 'running', { progress: w.org.templates.get('council_decision_draft')!.stages.findIndex((st) => st.kind === 'signing') })
  checked.push('visas up to the signing stage')

  // Returned by the legal department.
  const d2 = await draft([])
  const a2 = await startApproval(w.db.prisma, authorAuth, actor(authorAuth), d2.id, {})
  await decide(w.db.pool, headAuth, actor(headAuth), a2, { decision: 'approve', versionSha256: d2.sha256 })
  await decide(w.db.pool, legalAuth, actor(legalAuth), a2, { decision: 'return', comment: 'Доопрацювати', versionSha256: d2.sha256 })
  await compare('returned', a2, 'returned', { progress: 1 })
  checked.push('returned at legal review')

  // With a competence topic the expert review stage is not skipped.
  const d3 = await draft(['digitalization'])
  const a3 = await startApproval(w.db.prisma, authorAuth, actor(authorAuth), d3.id, {})
  await compare('started with a topic', a3, 'running', { topics: ['digitalization'], progress: 0 })
  checked.push('started with expert review')
  return checked
}

/** Database-wide invariants the product maintains; throws with the violated ones. */
export async function checkInvariants(c: pg.Client): Promise<void> {
  const checks: [string, string][] = [
    ['version_count = number of versions', `SELECT count(*) FROM document d LEFT JOIN (SELECT document_id, count(*) n, max(number) m FROM version GROUP BY 1) v ON v.document_id = d.id WHERE d.version_count <> COALESCE(v.n, 0) OR d.version_count <> COALESCE(v.m, 0)`],
    ['running: one active stage, none returned', `SELECT count(*) FROM approval a WHERE a.state = 'running' AND ((SELECT count(*) FROM approval_stage s WHERE s.approval_id = a.id AND s.state = 'active') <> 1 OR EXISTS (SELECT 1 FROM approval_stage s WHERE s.approval_id = a.id AND s.state = 'returned'))`],
    ['returned: one returned stage, none active', `SELECT count(*) FROM approval a WHERE a.state = 'returned' AND ((SELECT count(*) FROM approval_stage s WHERE s.approval_id = a.id AND s.state = 'returned') <> 1 OR EXISTS (SELECT 1 FROM approval_stage s WHERE s.approval_id = a.id AND s.state = 'active'))`],
    ['completed: all stages done or skipped', `SELECT count(*) FROM approval a WHERE a.state = 'completed' AND (a.finished_at IS NULL OR EXISTS (SELECT 1 FROM approval_stage s WHERE s.approval_id = a.id AND s.state NOT IN ('done', 'skipped')))`],
    ['finished_at iff completed/withdrawn', `SELECT count(*) FROM approval WHERE (finished_at IS NOT NULL) <> (state IN ('completed', 'withdrawn'))`],
    ['document status follows its approval', `SELECT count(*) FROM approval a JOIN document d ON d.id = a.document_id WHERE d.status::text <> CASE a.state WHEN 'running' THEN 'in_approval' WHEN 'returned' THEN 'draft' WHEN 'completed' THEN 'approved' ELSE 'withdrawn' END`],
    ['at most one live approval per document', `SELECT count(*) FROM (SELECT document_id FROM approval WHERE state IN ('running', 'returned') GROUP BY 1 HAVING count(*) > 1) x`],
    ['in_approval documents have a running approval', `SELECT count(*) FROM document d WHERE d.status = 'in_approval' AND NOT EXISTS (SELECT 1 FROM approval a WHERE a.document_id = d.id AND a.state = 'running')`],
    ['visa bound to its participant, stage, approval', `SELECT count(*) FROM visa v JOIN approval_participant p ON p.id = v.participant_id JOIN approval_stage s ON s.id = p.stage_id WHERE v.stage_id <> s.id OR v.approval_id <> s.approval_id OR v.round < 1`],
    ['visa bound to a version of the document', `SELECT count(*) FROM visa vi JOIN approval a ON a.id = vi.approval_id LEFT JOIN version v ON v.id = vi.version_id WHERE v.id IS NULL OR v.document_id <> a.document_id OR v.number <> vi.version_number OR v.sha256 <> vi.version_sha256`],
    ['visa round not after the approval round', `SELECT count(*) FROM visa v JOIN approval a ON a.id = v.approval_id WHERE v.round > a.round`],
    ['row_version = transitions', `SELECT count(*) FROM approval a WHERE a.row_version <> 1 + (SELECT count(*) FROM visa v WHERE v.approval_id = a.id) + (a.round - 1) + CASE WHEN a.state = 'withdrawn' THEN 1 ELSE 0 END`],
    ['active stage of a running route undecided this round', `SELECT count(*) FROM approval a JOIN approval_stage s ON s.approval_id = a.id AND s.state = 'active' JOIN visa v ON v.stage_id = s.id AND v.round = a.round WHERE a.state = 'running'`],
    ['participant open iff active stage of a running route, undecided this round', `SELECT count(*) FROM approval_participant p JOIN approval_stage s ON s.id = p.stage_id JOIN approval a ON a.id = s.approval_id WHERE p.open <> (a.state = 'running' AND s.state = 'active' AND NOT EXISTS (SELECT 1 FROM visa v WHERE v.participant_id = p.id AND v.round = a.round))`],
    ['done stages have an approving visa', `SELECT count(*) FROM approval_stage s WHERE s.state = 'done' AND NOT EXISTS (SELECT 1 FROM visa v WHERE v.stage_id = s.id AND v.decision <> 'return')`],
    ['skipped stages have no participants, others some', `SELECT count(*) FROM approval_stage s WHERE (s.state = 'skipped') = EXISTS (SELECT 1 FROM approval_participant p WHERE p.stage_id = s.id)`],
    ['stage timestamps', `SELECT count(*) FROM approval_stage WHERE (state IN ('pending', 'skipped') AND (activated_at IS NOT NULL OR due_at IS NOT NULL OR finished_at IS NOT NULL)) OR (state = 'active' AND (activated_at IS NULL OR due_at IS NULL OR finished_at IS NOT NULL)) OR (state IN ('done', 'returned') AND (activated_at IS NULL OR finished_at IS NULL OR finished_at < activated_at))`],
    ['expert conclusions bound to an expert visa', `SELECT count(*) FROM expert_conclusion c JOIN visa v ON v.id = c.visa_id JOIN approval_stage s ON s.id = v.stage_id WHERE s.kind <> 'expert_review' OR c.approval_id <> v.approval_id OR c.version_id <> v.version_id`],
    ['expert visas have a conclusion', `SELECT count(*) FROM visa v JOIN approval_stage s ON s.id = v.stage_id WHERE s.kind = 'expert_review' AND NOT EXISTS (SELECT 1 FROM expert_conclusion c WHERE c.visa_id = v.id)`],
    ['running routes have the template’s stages', `SELECT count(*) FROM approval a JOIN route_template t ON t.id = a.template_id WHERE (SELECT count(*) FROM approval_stage s WHERE s.approval_id = a.id) <> jsonb_array_length(t.stages)`],
  ]
  // Every single-column foreign key of the public schema, as an anti-join (the bulk load skipped the FK triggers).
  const { rows: fks } = await c.query<{ t: string; col: string; r: string; rcol: string; name: string }>(`
    SELECT c.conrelid::regclass::text AS t, a.attname AS col, c.confrelid::regclass::text AS r, af.attname AS rcol, c.conname AS name
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
      JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
     WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND cardinality(c.conkey) = 1`)
  for (const fk of fks) checks.push([`foreign key ${fk.name}`, `SELECT count(*) FROM ${fk.t} x WHERE x."${fk.col}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${fk.r} y WHERE y."${fk.rcol}" = x."${fk.col}")`])
  const bad: string[] = []
  for (const [name, sql] of checks) {
    const { rows } = await c.query<{ count: string }>(sql)
    const n = Number(rows[0]!.count)
    if (n !== 0) bad.push(`${name}: ${n} violations`)
  }
  if (bad.length) throw new Error(`the data breaks product invariants:\n  ${bad.join('\n  ')}`)
}

/** The product's inbox SQL for a person (first page, no filter), captured by handing inbox() a stand-in for Prisma. */
export async function inboxSql(userId: string, now: Date): Promise<{ text: string; values: unknown[] }> {
  let captured: Prisma.Sql | null = null
  const fake = {
    $queryRaw: (strings: TemplateStringsArray, ...values: unknown[]) => {
      captured = Prisma.sql(strings, ...(values as Prisma.Sql[]))
      // One row of totals without a task: what the statement answers for an empty inbox.
      return Promise.resolve([{ n_approve: 0, n_review: 0, n_returned: 0, n_overdue: 0, n_matching: 0, task: null }])
    },
  }
  await inbox(fake as unknown as Db, userId, { now })
  if (!captured) throw new Error('inbox() ran no SQL')
  const q = captured as Prisma.Sql
  return { text: q.text, values: q.values as unknown[] }
}
