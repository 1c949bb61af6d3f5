import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { addCalendarDays, endOfDay, kyivDate, weekday } from '../calendar/working-days.ts'
import { stageOverdueTask, stageReminderTask } from './reminders.ts'
import { approvalWorld, draftWithVersion, type ApiClient, type World } from './testkit.ts'

let w: World
let author: ApiClient
let headIt: ApiClient
let admin: ApiClient
let headInfo: ApiClient
let legal: ApiClient

beforeAll(async () => {
  w = await approvalWorld()
  const c = await Promise.all(['it.staff', 'head.it', 'admin', 'head.infopolicy', 'legal'].map((l) => w.as(l)))
  ;[author, headIt, admin, headInfo, legal] = c as [ApiClient, ApiClient, ApiClient, ApiClient, ApiClient]
})
afterAll(() => w.close())

const helpers = { logger: pino({ level: 'silent' }) } as never

describe('substitution (clause 4.8)', () => {
  it('sends the absent person’s tasks to the substitute, and the visa says so', async () => {
    const now = Date.now()
    const sub = await headIt.post('/api/substitutions', { substituteId: headInfo.session!.user.id, startsAt: new Date(now - 60_000).toISOString(), endsAt: new Date(now + 86400_000).toISOString(), reason: 'Відпустка' })
    expect(sub.statusCode).toBe(201)
    expect(sub.json()).toMatchObject({ active: true, substitute: { fullName: 'Гнатюк Ірина Романівна' } })
    expect(await w.t.db.prisma.auditEvent.count({ where: { action: 'substitution.created', targetId: sub.json().id } })).toBe(1)
    const note = await w.t.db.prisma.notification.findFirst({ where: { userId: headInfo.session!.user.id, kind: 'substitution' } })
    expect(note?.title).toContain('Бойко')
    try {
      const { id, sha256 } = await draftWithVersion(author)
      const a = (await author.post(`/api/documents/${id}/approval`, {})).json()
      const box = (await headInfo.get('/api/inbox')).json()
      const task = box.items.find((i: { approvalId: string }) => i.approvalId === a.id)
      expect(task).toMatchObject({ task: 'approve', onBehalfOf: 'Бойко Андрій Миколайович' })
      const view = (await headInfo.get(`/api/approvals/${a.id}`)).json()
      expect(view.can.decide).toEqual([expect.objectContaining({ stageIndex: 0, onBehalfOf: 'Бойко Андрій Миколайович' })])
      const res = await headInfo.post(`/api/approvals/${a.id}/decisions`, { decision: 'approve', versionSha256: sha256 })
      expect(res.statusCode).toBe(200)
      expect(res.json().visas[0]).toMatchObject({ fullName: 'Гнатюк Ірина Романівна', onBehalfOfName: 'Бойко Андрій Миколайович', positionTitle: expect.stringContaining('Начальник відділу інформаційних технологій') })
    } finally {
      expect((await headIt.post(`/api/substitutions/${sub.json().id}/cancel`)).json().active).toBe(false)
    }
  })

  it('refuses bad substitutions, and setting one for someone else unless admin', async () => {
    const now = Date.now()
    const body = { substituteId: headInfo.session!.user.id, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3600_000).toISOString() }
    const before = await w.t.db.prisma.substitution.count()
    expect((await headIt.post('/api/substitutions', { ...body, substituteId: headIt.session!.user.id })).json().code).toBe('VALIDATION_FAILED')
    expect((await headIt.post('/api/substitutions', { ...body, endsAt: body.startsAt })).json().code).toBe('VALIDATION_FAILED')
    expect((await headIt.post('/api/substitutions', { ...body, startsAt: 'tomorrow' })).json().code).toBe('VALIDATION_FAILED')
    expect((await legal.post('/api/substitutions', { ...body, userId: headIt.session!.user.id })).statusCode).toBe(403)
    expect(await w.t.db.prisma.substitution.count()).toBe(before)
    const byAdmin = await admin.post('/api/substitutions', { ...body, userId: legal.session!.user.id })
    expect(byAdmin.statusCode).toBe(201)
    expect((await author.post(`/api/substitutions/${byAdmin.json().id}/cancel`)).statusCode).toBe(404)
  })
})

describe('deadlines on the working-day calendar', () => {
  it('counts working days past weekends and an admin-set holiday', async () => {
    // A day off on the first working day after today: the 2-day deadline moves one day later.
    let d = addCalendarDays(kyivDate(new Date()), 1)
    while (weekday(d) === 0 || weekday(d) === 6) d = addCalendarDays(d, 1)
    const holiday = d
    expect((await admin.request({ method: 'PUT', url: `/api/admin/calendar/${holiday}`, payload: { kind: 'day_off', name: 'Вихідний (тест)' } })).statusCode).toBe(200)
    try {
      const { id } = await draftWithVersion(author)
      const a = (await author.post(`/api/documents/${id}/approval`, {})).json()
      // Expected by hand: the two weekdays after the holiday.
      const days: string[] = []
      for (let x = addCalendarDays(holiday, 1); days.length < 2; x = addCalendarDays(x, 1)) if (weekday(x) !== 0 && weekday(x) !== 6) days.push(x)
      expect(a.stages[0].deadlineDays).toBe(2)
      expect(a.stages[0].dueAt).toBe(endOfDay(days[1]!).toISOString())
      // Reminder and overdue jobs wait in the queue for their moments.
      const stageId = a.stages[0].id as string
      const jobs = await w.t.db.pool.query(`SELECT key, run_at FROM graphile_worker.jobs WHERE key = ANY($1) ORDER BY key`, [[`stage_overdue:${stageId}:1`, `stage_reminder:${stageId}:1`]])
      expect(jobs.rows.map((r: { key: string }) => r.key.split(':')[0])).toEqual(['stage_overdue', 'stage_reminder'])
      expect(new Date(jobs.rows[0].run_at).toISOString()).toBe(a.stages[0].dueAt)
    } finally {
      await admin.request({ method: 'DELETE', url: `/api/admin/calendar/${holiday}` })
    }
  })
})

describe('reminders and escalation', () => {
  it('reminds the stage, escalates an overdue one to the unit head, once however often the job runs', async () => {
    const { id } = await draftWithVersion(author)
    const a = (await author.post(`/api/documents/${id}/approval`, {})).json()
    const stageId = a.stages[0].id
    const db = w.t.db.prisma
    await stageReminderTask({ prisma: db })({ stageId, round: 1 }, helpers)
    await stageReminderTask({ prisma: db })({ stageId, round: 1 }, helpers)
    const reminders = await db.notification.findMany({ where: { kind: 'stage_reminder', link: `/documents/${id}` } })
    expect(reminders.map((n) => n.userId)).toEqual([headIt.session!.user.id])

    await stageOverdueTask({ prisma: db })({ stageId, round: 1 }, helpers)
    await stageOverdueTask({ prisma: db })({ stageId, round: 1 }, helpers)
    const overdue = await db.notification.findMany({ where: { kind: { in: ['stage_overdue', 'escalation'] }, link: `/documents/${id}` } })
    // head.it is late; the head of the Directorate above the IT department hears of it.
    const headDigital = await db.user.findUniqueOrThrow({ where: { login: 'head.digital' } })
    expect(overdue.map((n) => [n.kind, n.userId]).sort()).toEqual([['escalation', headDigital.id], ['stage_overdue', headIt.session!.user.id]].sort())
    expect(await db.auditEvent.count({ where: { action: 'approval.escalated', targetId: id } })).toBe(1)

    // Once the stage is done, a late job does nothing.
    await headIt.post(`/api/approvals/${a.id}/decisions`, { decision: 'approve', versionSha256: (await author.get(`/api/documents/${id}`)).json().latestVersion.sha256 })
    await stageOverdueTask({ prisma: db })({ stageId: a.stages[1].id, round: 2 }, helpers)
    expect(await db.notification.count({ where: { kind: 'stage_overdue', link: `/documents/${id}` } })).toBe(1)
  })
})

describe('route templates', () => {
  it('are versioned: an edit makes a new version, a running route keeps its own', async () => {
    const { id: running, sha256 } = await draftWithVersion(author)
    const ra = (await author.post(`/api/documents/${running}/approval`, {})).json()
    const current = (await author.get('/api/route-templates')).json().find((t: { kind: string }) => t.kind === 'council_decision_draft')
    const edited = { kind: current.kind, name: current.name, restartFromFirst: true, expertReviewAlways: true, stages: current.stages.filter((s: { key: string }) => s.key !== 'signing') }
    expect((await author.post('/api/admin/route-templates', edited)).statusCode).toBe(403)
    expect((await admin.post('/api/admin/route-templates', { ...edited, stages: [] })).statusCode).toBe(400)
    expect((await admin.post('/api/admin/route-templates', { ...edited, stages: [edited.stages[0], edited.stages[0]] })).json().code).toBe('VALIDATION_FAILED')
    const saved = await admin.post('/api/admin/route-templates', edited)
    expect(saved.statusCode).toBe(201)
    expect(saved.json()).toMatchObject({ version: current.version + 1, current: true, restartFromFirst: true })
    const all = (await author.get('/api/route-templates?all=true')).json().filter((t: { kind: string }) => t.kind === 'council_decision_draft')
    expect(all.map((t: { version: number; current: boolean }) => [t.version, t.current])).toEqual([[current.version + 1, true], [current.version, false]])

    // The running route still has its five stages and its template version.
    const view = (await headIt.post(`/api/approvals/${ra.id}/decisions`, { decision: 'approve', versionSha256: sha256 })).json()
    expect(view.template.version).toBe(current.version)
    expect(view.stages).toHaveLength(5)
    // A new draft takes the new version: four stages, expert review always.
    const { id } = await draftWithVersion(author)
    const na = (await author.post(`/api/documents/${id}/approval`, {})).json()
    expect(na.template.version).toBe(current.version + 1)
    expect(na.stages.map((s: { kind: string; state: string }) => `${s.kind}:${s.state}`)).toEqual(['visa:active', 'legal_review:pending', 'expert_review:pending', 'visa:pending'])
  })

  it('lets the author add participants, who are not mandatory, and never drop mandatory ones', async () => {
    const { id } = await draftWithVersion(author, { kind: 'mayor_order' })
    const finance = await w.t.db.prisma.position.findFirstOrThrow({ where: { title: 'Начальник фінансового управління' } })
    const bad = await author.post(`/api/documents/${id}/approval`, { extraParticipants: [{ stageKey: 'no_such_stage', positionId: finance.id }] })
    expect(bad.json().code).toBe('VALIDATION_FAILED')
    const a = (await author.post(`/api/documents/${id}/approval`, { extraParticipants: [{ stageKey: 'legal', positionId: finance.id }] })).json()
    const legalStage = a.stages[1]
    expect(legalStage.participants.map((p: { positionTitle: string; mandatory: boolean }) => [p.positionTitle, p.mandatory])).toEqual(
      expect.arrayContaining([['Начальник фінансового управління', false], ['Начальник юридичного відділу', true]]),
    )
    expect(await w.t.db.prisma.auditEvent.count({ where: { action: 'approval.participant_added', targetId: id } })).toBe(1)
  })
})
