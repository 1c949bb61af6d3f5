import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { scratchDatabase, testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { makePerson, makeUnit } from '../testing/factories.ts'
import { seedIfEmpty } from '../seed/seed.ts'

let t: TestApp
let admin: ApiClient
let staff: ApiClient
let head: ApiClient

// The whole file runs on a database of its own, seeded like a first start: the tests count
// rows and change system-wide rules, which other files running at the same time must not see.
let scratch: Awaited<ReturnType<typeof scratchDatabase>>
beforeAll(async () => {
  scratch = await scratchDatabase()
  t = await testApp({ databaseUrl: scratch.url })
  await seedIfEmpty(t.db.prisma, { demo: true, adminPassword: null })
  admin = await t.login((await makePerson(t.db.prisma, { roles: ['admin'] })).login)
  staff = await t.login((await makePerson(t.db.prisma)).login)
  head = await t.login((await makePerson(t.db.prisma, { roles: ['directorate_head', 'unit_head'] })).login)
})
afterAll(async () => {
  await t.close()
  await scratch.drop()
})

const uniq = () => Math.random().toString(36).slice(2, 8)
const counts = async () => ({
  units: await t.db.prisma.unit.count(),
  positions: await t.db.prisma.position.count(),
  users: await t.db.prisma.user.count(),
  holders: await t.db.prisma.positionHolder.count(),
  audit: await t.db.prisma.auditEvent.count(),
})

describe('administration of the org structure', () => {
  it('creates a unit, a position with roles, an account, and appoints the person; all audited', async () => {
    const unit = await admin.post('/api/admin/units', { parentId: null, code: `ц-${uniq()}`, name: 'Відділ цифрових сервісів', kind: 'department' })
    expect(unit.statusCode).toBe(201)
    const pos = await admin.post('/api/admin/positions', { unitId: unit.json().id, title: 'Начальник відділу цифрових сервісів', roles: ['unit_head', 'staff'], isHead: true })
    expect(pos.statusCode).toBe(201)
    expect(pos.json()).toMatchObject({ roles: ['unit_head', 'staff'], isHead: true, holder: null })
    const login = `new.${uniq()}`
    const user = await admin.post('/api/admin/users', { login, fullName: 'Нова Працівниця Іванівна', password: 'first-password', email: 'nova@example.org' })
    expect(user.statusCode).toBe(201)
    const appointed = await admin.post(`/api/admin/positions/${pos.json().id}/holder`, { userId: user.json().id })
    expect(appointed.statusCode).toBe(200)
    expect(appointed.json().holder.fullName).toBe('Нова Працівниця Іванівна')

    const c = await t.login(login, 'first-password')
    expect(c.session!.roles.sort()).toEqual(['staff', 'unit_head'])
    expect(c.session!.positions[0]!.unitName).toBe('Відділ цифрових сервісів')

    const actions = (await t.db.prisma.auditEvent.findMany({ where: { actorId: admin.session!.user.id }, orderBy: { seq: 'asc' } })).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['unit.created', 'position.created', 'user.created', 'holder.assigned']))
  })

  it('changes roles of a position; the holder gets them on the next request', async () => {
    const p = await makePerson(t.db.prisma, { roles: ['staff'] })
    const c = await t.login(p.login)
    const res = await admin.patch(`/api/admin/positions/${p.position.id}`, { roles: ['staff', 'expert_reviewer'] })
    expect(res.statusCode).toBe(200)
    expect((await c.get('/api/auth/session')).json().roles.sort()).toEqual(['expert_reviewer', 'staff'])
    const event = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { targetId: p.position.id, action: 'position.updated' } })
    expect(event.before).toMatchObject({ roles: ['staff'] })
    expect(event.after).toMatchObject({ roles: ['staff', 'expert_reviewer'] })
  })

  it('re-appointing a position ends the previous holding', async () => {
    const first = await makePerson(t.db.prisma)
    const second = await makePerson(t.db.prisma)
    const res = await admin.post(`/api/admin/positions/${first.position.id}/holder`, { userId: second.user.id })
    expect(res.json().holder.userId).toBe(second.user.id)
    const c = await t.login(first.login)
    expect(c.session!.positions).toEqual([])
    const again = await admin.post(`/api/admin/positions/${first.position.id}/holder`, { userId: second.user.id })
    expect(again.statusCode).toBe(409)
  })

  it('deactivating an account ends its sessions', async () => {
    const p = await makePerson(t.db.prisma)
    const c = await t.login(p.login)
    expect((await admin.patch(`/api/admin/users/${p.user.id}`, { active: false })).statusCode).toBe(200)
    expect((await c.get('/api/auth/session')).json()).toBeNull()
  })

  it('never leaves the system without an administrator', async () => {
    // A database of its own: the rule is about every admin in the system.
    const scratch = await scratchDatabase()
    const own = await testApp({ databaseUrl: scratch.url })
    try {
      const lone = await makePerson(own.db.prisma, { roles: ['admin'] })
      const c = await own.login(lone.login)
      const count = () => own.db.prisma.auditEvent.count()
      const before = await count()
      const res = await c.patch(`/api/admin/positions/${lone.position.id}`, { roles: ['staff'] })
      expect(res.statusCode).toBe(409)
      expect(res.json().code).toBe('LAST_ADMIN')
      expect((await c.patch(`/api/admin/users/${lone.user.id}`, { active: false })).json().code).toBe('LAST_ADMIN')
      expect((await c.patch(`/api/admin/positions/${lone.position.id}`, { archived: true })).json().code).toBe('LAST_ADMIN')
      expect(await count()).toBe(before)
      expect((await own.db.prisma.position.findUniqueOrThrow({ where: { id: lone.position.id } })).roles).toEqual(['admin'])
      // With a second admin, the first may step down.
      const second = await makePerson(own.db.prisma, { roles: ['admin'] })
      expect((await c.patch(`/api/admin/positions/${lone.position.id}`, { roles: ['staff'] })).statusCode).toBe(200)
      expect(second.user.id).toBeTruthy()
    } finally {
      await own.close()
      await scratch.drop()
    }
  })

  it('refuses a unit that would be its own ancestor', async () => {
    const a = await makeUnit(t.db.prisma)
    const b = await makeUnit(t.db.prisma, { parentId: a.id })
    const res = await admin.patch(`/api/admin/units/${a.id}`, { parentId: b.id })
    expect(res.statusCode).toBe(409)
    expect(res.json().code).toBe('UNIT_CYCLE')
    expect((await t.db.prisma.unit.findUniqueOrThrow({ where: { id: a.id } })).parentId).toBeNull()
  })

  it.each([
    ['a duplicate unit code', '/api/admin/units', () => ({ parentId: null, code: '02', name: 'Дублікат', kind: 'department' }), 409, 'UNIT_CODE_TAKEN'],
    ['a duplicate login', '/api/admin/users', () => ({ login: 'admin', fullName: 'Двійник', password: 'long-enough-password' }), 409, 'LOGIN_TAKEN'],
    ['an unknown role', '/api/admin/positions', async () => ({ unitId: (await makeUnit(t.db.prisma)).id, title: 'Посада', roles: ['superuser'] }), 400, 'VALIDATION_FAILED'],
    ['HTML in a unit name', '/api/admin/units', () => ({ parentId: null, code: `x-${uniq()}`, name: '<b>Відділ</b>', kind: 'department' }), 400, 'VALIDATION_FAILED'],
    ['an invalid login', '/api/admin/users', () => ({ login: 'Пан Адмін', fullName: 'Х', password: 'long-enough-password' }), 400, 'VALIDATION_FAILED'],
    ['a short password', '/api/admin/users', () => ({ login: `ok.${uniq()}`, fullName: 'Х', password: 'short' }), 400, 'VALIDATION_FAILED'],
    ['a position in a missing unit', '/api/admin/positions', () => ({ unitId: '00000000-0000-4000-8000-000000000000', title: 'Посада', roles: ['staff'] }), 404, 'UNIT_NOT_FOUND'],
  ])('refuses %s and changes nothing', async (_name, url, body, status, code) => {
    const payload = await body()
    const before = await counts()
    const res = await admin.post(url, payload)
    expect(res.statusCode).toBe(status)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json().code).toBe(code)
    expect(await counts()).toEqual(before)
  })

  it.each([
    ['POST', '/api/admin/units', { parentId: null, code: 'zz', name: 'Х', kind: 'department' }],
    ['POST', '/api/admin/users', { login: 'zz.zz', fullName: 'Х', password: 'long-enough-password' }],
    ['POST', '/api/admin/positions', { unitId: '00000000-0000-4000-8000-000000000000', title: 'Х', roles: ['admin'] }],
    ['PATCH', '/api/admin/positions/00000000-0000-4000-8000-000000000000', { roles: ['admin'] }],
    ['PATCH', '/api/admin/users/00000000-0000-4000-8000-000000000000', { active: false }],
    ['DELETE', '/api/admin/holders/00000000-0000-4000-8000-000000000000', undefined],
    ['GET', '/api/admin/audit', undefined],
    ['GET', '/api/admin/audit/verify', undefined],
  ])('refuses %s %s to people without the admin role', async (method, url, payload) => {
    const before = await counts()
    for (const c of [staff, head]) {
      const res = await c.request({ method: method as 'GET', url, ...(payload ? { payload } : {}) })
      expect(res.statusCode).toBe(403)
      expect(res.json().code).toBe('FORBIDDEN')
    }
    expect((await t.anonymous().request({ method: method as 'GET', url, ...(payload ? { payload } : {}) })).statusCode).toBe(401)
    expect(await counts()).toEqual(before)
  })

  it('lets everyone signed in read the structure', async () => {
    const units = (await staff.get('/api/units')).json()
    expect(units.map((u: { name: string }) => u.name)).toContain('Управління цифровізації, інформаційної політики та комунікацій')
    const positions = (await staff.get('/api/positions')).json()
    expect(positions.some((p: { roles: string[] }) => p.roles.includes('deputy_mayor'))).toBe(true)
    const people = (await staff.get('/api/users?q=Мельник')).json()
    expect(people[0].fullName).toBe('Мельник Оксана Ігорівна')
    expect(people[0].email).toBeNull()
  })
})
