import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { verifyAuditChain } from '../audit/verify.ts'
import { sweepOrphans } from '../documents/orphans.ts'
import { approvalWorld, draftWithVersion, uploadPdf, type ApiClient, type World } from './testkit.ts'
import { lockApproval, readApproval } from './load.ts'
import { actorsOf } from './people.ts'
import { pgSql, pgTransaction } from '../db/sql.ts'

let w: World
let author: ApiClient
let headIt: ApiClient
let legal: ApiClient
let headLegal: ApiClient
let expert: ApiClient
let deputy: ApiClient
let mayor: ApiClient
let outsider: ApiClient

beforeAll(async () => {
  w = await approvalWorld()
  const c = await Promise.all(['it.staff', 'head.it', 'legal', 'head.legal', 'expert', 'deputy', 'mayor', 'housing'].map((l) => w.as(l)))
  ;[author, headIt, legal, headLegal, expert, deputy, mayor, outsider] = c as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
})
afterAll(() => w.close())

const pdfText = (bytes: Buffer) => {
  const dir = mkdtempSync(join(tmpdir(), 'approval-pdf-'))
  const file = join(dir, 'x.pdf')
  writeFileSync(file, bytes)
  execFileSync('qpdf', ['--check', file])
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })
}

const visa = async (c: ApiClient, approvalId: string, sha: string, decision: string, comment?: string) => {
  const res = await c.post(`/api/approvals/${approvalId}/decisions`, { decision, versionSha256: sha, ...(comment ? { comment } : {}) })
  // The answer is built from what the transaction wrote, not read back: it must equal a fresh read.
  if (res.statusCode === 200) expect(res.json()).toEqual((await c.get(`/api/approvals/${approvalId}`)).json())
  return res
}

const inbox = async (c: ApiClient) => (await c.get('/api/inbox')).json()

describe('a draft council decision touching e-services, through the whole route', () => {
  it('goes author → unit head → legal → expert review (returned, revised) → deputy mayor → the signing stage, and the sheet lists every visa', async () => {
    const { id, sha256: v1 } = await draftWithVersion(author, { topics: ['it_services'] })

    const preview = (await author.get(`/api/documents/${id}/approval/preview`)).json()
    expect(preview.expertReviewRequired).toBe(true)
    expect(preview.stages.map((s: { key: string; skipped: boolean }) => [s.key, s.skipped])).toEqual([
      ['unit_head', false],
      ['legal', false],
      ['expert_review', false],
      ['deputy_mayor', false],
      ['signing', false],
    ])
    expect(preview.stages[0].participants[0].holder.fullName).toBe('Бойко Андрій Миколайович')

    const started = await author.post(`/api/documents/${id}/approval`, {})
    expect(started.statusCode).toBe(201)
    const approval = started.json()
    expect(approval.state).toBe('running')
    expect(approval.stages[0]).toMatchObject({ state: 'active', overdue: false })
    expect(approval.stages[0].dueAt).not.toBeNull()
    expect((await author.get(`/api/documents/${id}`)).json().status).toBe('in_approval')
    // The unit head sees the task, and nobody else yet.
    expect((await inbox(headIt)).items.map((i: { documentId: string }) => i.documentId)).toContain(id)
    expect((await inbox(deputy)).items.map((i: { documentId: string }) => i.documentId)).not.toContain(id)
    const aid = approval.id as string

    expect((await visa(headIt, aid, v1, 'approve')).statusCode).toBe(200)
    const afterLegal = await visa(legal, aid, v1, 'approve_with_remarks', 'Уточнити посилання на закон')
    expect(afterLegal.statusCode).toBe(200)
    expect(afterLegal.json().stages[2].state).toBe('active')
    const expertInbox = await inbox(expert)
    expect(expertInbox.counts.toReview).toBeGreaterThanOrEqual(1)

    // The expert review is a conclusion, not a bare visa.
    expect((await visa(expert, aid, v1, 'approve')).json().code).toBe('WRONG_STAGE_KIND')
    const negative = await expert.post(`/api/approvals/${aid}/conclusion`, {
      result: 'negative',
      summary: 'Проєкт не враховує вимог щодо захисту інформації.',
      remarks: [{ text: 'Додати розділ про кіберзахист', page: 1 }, { text: 'Узгодити з Програмою інформатизації' }],
      versionSha256: v1,
    })
    expect(negative.statusCode).toBe(200)
    const returned = negative.json()
    expect(returned.state).toBe('returned')
    expect(returned.conclusions).toHaveLength(1)
    expect((await author.get(`/api/documents/${id}`)).json().status).toBe('draft')
    expect((await inbox(author)).counts.returned).toBe(1)

    const conclusionPdf = await author.get(`/api/conclusions/${returned.conclusions[0].id}/pdf`)
    expect(conclusionPdf.statusCode).toBe(200)
    const ctext = pdfText(conclusionPdf.rawPayload)
    expect(ctext).toContain('ВИСНОВОК')
    expect(ctext).toContain('Додати розділ про кіберзахист')
    expect(ctext).toContain(v1)
    // The conclusion's PDF is named by its row, not by a version: a sweep long after keeps it.
    await sweepOrphans(w.t.db.prisma, w.t.store, { graceMs: 3600_000, now: new Date(Date.now() + 48 * 3600_000) })
    expect((await author.get(`/api/conclusions/${returned.conclusions[0].id}/pdf`)).statusCode).toBe(200)

    // Resubmitting needs a new version first.
    expect((await author.post(`/api/approvals/${aid}/resubmit`)).json().code).toBe('NEW_VERSION_REQUIRED')
    expect((await outsider.post(`/api/approvals/${aid}/resubmit`)).statusCode).toBe(403)
    const v2 = (await uploadPdf(author, id, 'Version two with cyber security')).sha256 as string
    const resubmitted = await author.post(`/api/approvals/${aid}/resubmit`)
    expect(resubmitted.statusCode).toBe(200)
    expect(resubmitted.json()).toMatchObject({ state: 'running', round: 2 })
    // The route restarts from the returning stage: the expert review.
    expect(resubmitted.json().stages.map((s: { state: string }) => s.state)).toEqual(['done', 'done', 'active', 'pending', 'pending'])
    const diff = (await expert.get(`/api/documents/${id}/diff?from=1&to=2`)).json()
    expect(diff.hunks.some((h: { kind: string }) => h.kind === 'added')).toBe(true)

    expect((await visa(deputy, aid, v2, 'approve')).json().code).toBe('OUT_OF_TURN')
    const positive = await expert.post(`/api/approvals/${aid}/conclusion`, { result: 'positive_with_remarks', remarks: [{ text: 'Рекомендовано передбачити відкриті дані' }], versionSha256: v2 })
    expect(positive.statusCode).toBe(200)
    expect((await visa(deputy, aid, v1, 'approve')).json().code).toBe('STALE_VERSION')
    const done = await visa(deputy, aid, v2, 'approve')
    expect(done.statusCode).toBe(200)
    // Now it waits for the signature (server/approvals/sign.test.ts signs it); a bare visa will not do.
    expect(done.json().stages.map((s: { state: string }) => s.state)).toEqual(['done', 'done', 'done', 'done', 'active'])
    expect((await visa(mayor, aid, v2, 'approve')).json().code).toBe('WRONG_STAGE_KIND')

    // Every visa on record, each bound to the version it covers.
    const visas = done.json().visas as { fullName: string; versionNumber: number; round: number; decision: string }[]
    expect(visas.map((v) => [v.fullName, v.versionNumber, v.round, v.decision])).toEqual([
      ['Бойко Андрій Миколайович', 1, 1, 'approve'],
      ['Поліщук Олена Василівна', 1, 1, 'approve_with_remarks'],
      ['Ткачук Марія Степанівна', 1, 1, 'return'],
      ['Ткачук Марія Степанівна', 2, 2, 'approve_with_remarks'],
      ['Коваленко Віктор Богданович', 2, 2, 'approve'],
    ])
    const sheet = await author.get(`/api/approvals/${aid}/sheet.pdf`)
    expect(sheet.statusCode).toBe(200)
    const text = pdfText(sheet.rawPayload)
    expect(text).toContain('АРКУШ ПОГОДЖЕННЯ')
    for (const name of ['Андрій БОЙКО', 'Олена ПОЛІЩУК', 'Марія ТКАЧУК', 'Віктор КОВАЛЕНКО']) expect(text).toContain(name)
    expect(text).toContain(v1)
    expect(text).toContain(v2)

    const actions = (await w.t.db.prisma.auditEvent.findMany({ where: { targetId: id }, orderBy: { seq: 'asc' } })).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['approval.started', 'approval.visa', 'conclusion.issued', 'approval.returned', 'approval.resubmitted']))
    expect((await verifyAuditChain(w.t.db.pool)).ok).toBe(true)
  })

  it('skips the expert review when no competence topic is marked', async () => {
    const { id } = await draftWithVersion(author)
    const a = (await author.post(`/api/documents/${id}/approval`, {})).json()
    expect(a.stages.map((s: { state: string }) => s.state)).toEqual(['active', 'pending', 'skipped', 'pending', 'pending'])
  })
})

describe('refusals', () => {
  it('answers conflicts with 409 and strangers with 403, changing nothing', async () => {
    const { id, sha256 } = await draftWithVersion(author)
    const aid = (await author.post(`/api/documents/${id}/approval`, {})).json().id
    expect((await author.post(`/api/documents/${id}/approval`, {})).json().code).toBe('APPROVAL_ALREADY_RUNNING')
    const count = () => w.t.db.prisma.visa.count({ where: { approvalId: aid } })
    expect((await visa(outsider, aid, sha256, 'approve')).json()).toMatchObject({ status: 403, code: 'NOT_A_PARTICIPANT' })
    expect((await visa(legal, aid, sha256, 'approve')).json()).toMatchObject({ status: 403, code: 'OUT_OF_TURN' })
    expect((await visa(headIt, aid, sha256, 'return')).json()).toMatchObject({ status: 400, code: 'COMMENT_REQUIRED' })
    expect((await visa(headIt, aid, sha256, 'approve_with_remarks', '   ')).json()).toMatchObject({ status: 400, code: 'COMMENT_REQUIRED' })
    expect((await visa(headIt, aid, 'f'.repeat(64), 'approve')).json().code).toBe('STALE_VERSION')
    for (const bad of [{ decision: 'maybe', versionSha256: sha256 }, { decision: 'approve' }, { decision: 'approve', versionSha256: sha256, extra: 1 }, { decision: 'approve', versionSha256: 'abc' }]) {
      const r = await headIt.post(`/api/approvals/${aid}/decisions`, bad)
      expect(r.statusCode).toBe(400)
      expect(r.headers['content-type']).toContain('application/problem+json')
    }
    expect((await headIt.post('/api/approvals/not-a-uuid/decisions', { decision: 'approve', versionSha256: sha256 })).statusCode).toBe(400)
    expect((await headIt.post('/api/approvals/00000000-0000-4000-8000-000000000000/decisions', { decision: 'approve', versionSha256: sha256 })).json().code).toBe('APPROVAL_NOT_FOUND')
    expect(await count()).toBe(0)
  })

  it('gives exactly one transition when approvers act at once or one acts twice', async () => {
    const { id, sha256 } = await draftWithVersion(author)
    const aid = (await author.post(`/api/documents/${id}/approval`, {})).json().id
    // A double click.
    const twice = await Promise.all([visa(headIt, aid, sha256, 'approve'), visa(headIt, aid, sha256, 'approve')])
    expect(twice.map((r) => r.statusCode).sort()).toEqual([200, 409])
    // Two legal reviewers on an "any" stage at once: one visa closes it, the other is refused.
    const race = await Promise.all([visa(legal, aid, sha256, 'approve'), visa(headLegal, aid, sha256, 'approve')])
    expect(race.map((r) => r.statusCode).sort()).toEqual([200, 409])
    expect(race.find((r) => r.statusCode === 409)!.json().code).toMatch(/STAGE_CLOSED|ALREADY_DECIDED/)
    const a = (await author.get(`/api/approvals/${aid}`)).json()
    expect(a.visas).toHaveLength(2)
    expect(a.stages[3].state).toBe('active')
  })

  it('accepts nothing after a withdrawal', async () => {
    const { id, sha256 } = await draftWithVersion(author)
    const aid = (await author.post(`/api/documents/${id}/approval`, {})).json().id
    expect((await headIt.post(`/api/approvals/${aid}/withdraw`, {})).statusCode).toBe(403)
    const w1 = await author.post(`/api/approvals/${aid}/withdraw`, { reason: 'Питання знято з розгляду' })
    expect(w1.json().state).toBe('withdrawn')
    expect((await author.get(`/api/documents/${id}`)).json().status).toBe('withdrawn')
    expect((await visa(headIt, aid, sha256, 'approve')).json().code).toBe('APPROVAL_FINISHED')
    expect((await author.post(`/api/approvals/${aid}/withdraw`, {})).json().code).toBe('APPROVAL_FINISHED')
    expect((await inbox(headIt)).items.map((i: { approvalId: string }) => i.approvalId)).not.toContain(aid)
  })

  it('refuses to start without a version', async () => {
    const unitId = author.session!.positions[0]!.unitId
    const doc = (await author.post('/api/documents', { kind: 'council_decision_draft', title: 'Порожній проєкт', authorUnitId: unitId })).json()
    expect((await author.post(`/api/documents/${doc.id}/approval`, {})).json().code).toBe('NO_VERSION')
    expect((await outsider.post(`/api/documents/${doc.id}/approval`, {})).statusCode).toBe(403)
  })
})

describe('authorization and bad input on every approval action', () => {
  it('keeps restricted drafts hidden from people off the route, and shows them to participants', async () => {
    const { id, sha256 } = await draftWithVersion(author, { title: 'Службовий проєкт' })
    await author.patch(`/api/documents/${id}`, { accessMark: 'internal' })
    const aid = (await author.post(`/api/documents/${id}/approval`, {})).json().id
    for (const url of [`/api/documents/${id}`, `/api/documents/${id}/approval`, `/api/documents/${id}/approval/preview`, `/api/approvals/${aid}`, `/api/approvals/${aid}/sheet.pdf`]) {
      const r = await outsider.get(url)
      expect(r.statusCode, url).toBe(404)
    }
    // The unit head, and later approvers, see it because they are on the route.
    expect((await headIt.get(`/api/documents/${id}`)).statusCode).toBe(200)
    expect((await deputy.get(`/api/documents/${id}`)).statusCode).toBe(200)
    expect((await headIt.post(`/api/approvals/${aid}/decisions`, { decision: 'approve', versionSha256: sha256 })).statusCode).toBe(200)
  })

  it('refuses conclusions from people who are not the expert, and bad conclusions', async () => {
    const { id, sha256 } = await draftWithVersion(author, { topics: ['open_data'] })
    const aid = (await author.post(`/api/documents/${id}/approval`, {})).json().id
    await visa(headIt, aid, sha256, 'approve')
    await visa(legal, aid, sha256, 'approve')
    const before = await w.t.db.prisma.expertConclusion.count({ where: { approvalId: aid } })
    expect((await outsider.post(`/api/approvals/${aid}/conclusion`, { result: 'positive', remarks: [], versionSha256: sha256 })).json().code).toBe('NOT_A_PARTICIPANT')
    expect((await deputy.post(`/api/approvals/${aid}/conclusion`, { result: 'positive', remarks: [], versionSha256: sha256 })).json()).toMatchObject({ status: 403, code: 'NOT_A_PARTICIPANT' })
    for (const [body, code] of [
      [{ result: 'negative', remarks: [], versionSha256: sha256 }, 'REMARKS_REQUIRED'],
      [{ result: 'positive_with_remarks', remarks: [{ text: '   ' }], versionSha256: sha256 }, 'REMARKS_REQUIRED'],
      [{ result: 'so-so', remarks: [], versionSha256: sha256 }, 'VALIDATION_FAILED'],
      [{ result: 'negative', remarks: [{ text: 'x', page: 0 }], versionSha256: sha256 }, 'VALIDATION_FAILED'],
      [{ result: 'negative', remarks: [{ text: 'x'.repeat(2001) }], versionSha256: sha256 }, 'VALIDATION_FAILED'],
      [{ result: 'positive', remarks: [], versionSha256: sha256, signedBy: 'me' }, 'VALIDATION_FAILED'],
      [{ result: 'positive', remarks: [], versionSha256: 'e'.repeat(64) }, 'STALE_VERSION'],
    ] as const) {
      const r = await expert.post(`/api/approvals/${aid}/conclusion`, body)
      expect(r.json().code, JSON.stringify(body)).toBe(code)
      expect(r.headers['content-type']).toContain('application/problem+json')
    }
    expect(await w.t.db.prisma.expertConclusion.count({ where: { approvalId: aid } })).toBe(before)
    expect((await expert.post(`/api/approvals/${aid}/conclusion`, { result: 'positive', remarks: [], versionSha256: sha256 })).statusCode).toBe(200)
  })

  it('lists the inbox a page at a time, by card, with counts of everything, and refuses bad queries', async () => {
    for (let i = 0; i < 3; i++) {
      const { id } = await draftWithVersion(author)
      expect((await author.post(`/api/documents/${id}/approval`, {})).statusCode).toBe(201)
    }
    const all = await inbox(headIt)
    expect(all.filter).toBeNull()
    expect(all.total).toBe(all.counts.toApprove + all.counts.toReview + all.counts.returned)
    expect(all.total).toBeGreaterThanOrEqual(3)
    const page = (await headIt.get('/api/inbox?limit=2')).json()
    expect(page.items).toHaveLength(2)
    expect(page.total).toBe(all.total)
    expect(page.counts).toEqual(all.counts)
    // The first page is the head of the whole list, in the same order.
    expect(page.items).toEqual(all.items.slice(0, 2))
    const returned = (await headIt.get('/api/inbox?filter=returned')).json()
    expect(returned).toMatchObject({ filter: 'returned', total: 0, items: [], counts: all.counts })
    const approve = (await headIt.get('/api/inbox?filter=approve&limit=500')).json()
    expect(approve.total).toBe(all.counts.toApprove)
    expect(approve.items.every((i: { task: string }) => i.task === 'approve')).toBe(true)
    // Nobody signed in: refused before anything is read.
    const anonymous = await w.t.anonymous().get('/api/inbox?limit=2')
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.headers['content-type']).toContain('application/problem+json')
    for (const q of ['limit=0', 'limit=501', 'limit=x', 'filter=nope', 'other=1']) {
      const r = await headIt.get(`/api/inbox?${q}`)
      expect(r.statusCode, q).toBe(400)
      expect(r.headers['content-type']).toContain('application/problem+json')
      expect(r.json().code).toBe('VALIDATION_FAILED')
    }
  })

  it('refuses bad start requests', async () => {
    const { id } = await draftWithVersion(author)
    for (const body of [{ extra: true }, { extraParticipants: [{ stageKey: 'legal', positionId: 'nope' }] }, { extraParticipants: [{ stageKey: 'legal' }] }]) {
      const r = await author.post(`/api/documents/${id}/approval`, body)
      expect(r.statusCode).toBe(400)
      expect(r.json().code).toBe('VALIDATION_FAILED')
    }
    expect((await author.post(`/api/documents/${id}/approval`, { extraParticipants: [{ stageKey: 'legal', positionId: '00000000-0000-4000-8000-000000000000' }] })).json().code).toBe('POSITION_NOT_FOUND')
    expect(await w.t.db.prisma.approval.count({ where: { documentId: id } })).toBe(0)
    expect((await author.get(`/api/documents/${id}`)).json().status).toBe('draft')
  })
})

describe('the inbox flags', () => {
  it('mark exactly the undecided participants of active stages of running routes, after everything above', async () => {
    // approval_participant.open is what «Сьогодні» reads; it must agree with the routes themselves.
    const [flags] = await w.t.db.prisma.$queryRaw<{ wrong: number; open: number }[]>`
      SELECT count(*) FILTER (WHERE p.open <> (a.state = 'running' AND s.state = 'active' AND NOT EXISTS (
               SELECT 1 FROM visa v WHERE v.participant_id = p.id AND v.round = a.round)))::int AS wrong,
             count(*) FILTER (WHERE p.open)::int AS open
        FROM approval_participant p JOIN approval_stage s ON s.id = p.stage_id JOIN approval a ON a.id = s.approval_id`
    expect(flags!.wrong).toBe(0)
    expect(flags!.open).toBeGreaterThan(0)
  })
})

describe('the approval read (load.ts, hand-written SQL)', () => {
  it('gives what Prisma reads for every approval above, field by field', async () => {
    // The author is away, with a colleague standing in: the read must name the substitute too.
    const now = Date.now()
    const away = await author.post('/api/substitutions', { substituteId: headIt.session!.user.id, startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 86400_000).toISOString(), reason: 'Відрядження' })
    expect(away.statusCode).toBe(201)
    const ids = (await w.t.db.prisma.approval.findMany({ select: { id: true }, orderBy: { startedAt: 'asc' } })).map((a) => a.id)
    expect(ids.length).toBeGreaterThan(5)
    let visas = 0
    let substitutes = 0
    for (const id of ids) {
      const ours = await readApproval(pgSql(w.t.db.pool), id)
      const p = await w.t.db.prisma.approval.findUniqueOrThrow({
        where: { id },
        include: {
          template: { select: { id: true, name: true, version: true, restartFromFirst: true } },
          startedBy: { select: { id: true, fullName: true } },
          document: {
            select: {
              id: true, kind: true, title: true, status: true, createdById: true, authorUnitId: true, authorUnit: { select: { name: true } },
              versions: { orderBy: { number: 'desc' }, take: 1, select: { id: true, number: true, sha256: true, fileName: true, mediaType: true } },
            },
          },
          stages: { orderBy: { index: 'asc' }, include: { participants: { orderBy: { id: 'asc' }, include: { visas: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } } } } },
        },
      })
      const { authorUnit, ...document } = p.document
      const { people, calendar, ...rest } = ours!
      expect(calendar).toBeNull()
      expect(rest).toEqual({ ...p, document: { ...document, authorUnitName: authorUnit.name } })
      // Who acts for the positions and the author, read with it: as actorsOf() and the substitutions say.
      const positions = [...new Set(p.stages.flatMap((s) => s.participants.map((x) => x.positionId)))]
      expect(people.actors).toEqual(await actorsOf(w.t.db.prisma, positions, people.at))
      const subs = await w.t.db.prisma.substitution.findMany({ where: { userId: p.document.createdById, cancelledAt: null, startsAt: { lte: people.at }, endsAt: { gt: people.at } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
      expect(people.authorSide).toEqual([p.document.createdById, ...subs.map((x) => x.substituteId)])
      substitutes += subs.length
      visas += p.stages.reduce((n, s) => n + s.participants.reduce((m, x) => m + x.visas.length, 0), 0)
    }
    // Not vacuous: the runs above left visas, finished stages and several states behind.
    expect(visas).toBeGreaterThan(10)
    expect(substitutes).toBeGreaterThan(0)
    expect(await readApproval(pgSql(w.t.db.pool), '00000000-0000-4000-8000-000000000000')).toBeNull()
  })
})

describe('lockApproval', () => {
  it('waits for a transaction changing the approval and reads what it committed, not the older snapshot', async () => {
    const { id } = await draftWithVersion(author)
    const approvalId = (await author.post(`/api/documents/${id}/approval`, {})).json().id as string
    const pool = w.t.db.pool
    // Another transition in progress: it holds the approval's row.
    const other = await pool.connect()
    try {
      await other.query('BEGIN')
      await other.query('UPDATE approval SET row_version = row_version + 1 WHERE id = $1', [approvalId])
      await other.query("UPDATE approval_stage SET name = name || ' (змінено)' WHERE approval_id = $1", [approvalId])
      // This transaction's snapshot is taken before the other commits; its lock waits.
      const waiting = pgTransaction(pool, (tx) => lockApproval(tx, approvalId))
      await vi.waitFor(async () => {
        // (The statement's text is longer than pg_stat_activity keeps: look for its start.)
        const r = await pool.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%SELECT json_build_object%'")
        expect(r.rows[0].n).toBe(1)
      })
      await other.query('COMMIT')
      const locked = await waiting
      const fresh = await readApproval(pgSql(pool), approvalId)
      expect(locked.rowVersion).toBe(fresh!.rowVersion)
      expect(locked.stages.map((s) => s.name)).toEqual(fresh!.stages.map((s) => s.name))
      expect(locked.stages.every((s) => s.name.endsWith(' (змінено)'))).toBe(true)
      // Read for a transition: the calendar comes with it.
      expect(locked.calendar).toBeInstanceOf(Map)
    } finally {
      other.release()
    }
  })
})
