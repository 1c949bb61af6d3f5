import { randomBytes } from 'node:crypto'
import type { Db } from '../db/client.ts'
import { audit } from '../audit/record.ts'
import { hashPassword } from '../people/passwords.ts'
import { ADMIN_LOGIN, DEMO_PASSWORD, SEED_UNITS } from './org.ts'

export interface SeedResult {
  seeded: boolean
  /** How to sign in, when this run created the accounts. */
  logins: { login: string; password: string; fullName: string; position: string }[]
}

/**
 * Seeds the organisation on the first start only (when there are no units yet), in one
 * transaction. With `demo`, every position gets a demo person sharing DEMO_PASSWORD;
 * otherwise only the administrator is created, with the given or a random password.
 */
export async function seedIfEmpty(db: Db, opts: { demo: boolean; adminPassword: string | null }): Promise<SeedResult> {
  if ((await db.unit.count()) > 0) return { seeded: false, logins: [] }
  const adminPassword = opts.demo ? DEMO_PASSWORD : (opts.adminPassword ?? randomBytes(12).toString('base64url'))
  const people = SEED_UNITS.flatMap((u) => u.positions.filter((p) => p.demo && (opts.demo || p.demo.login === ADMIN_LOGIN)))
  const hashes = new Map<string, string>()
  const demoHash = await hashPassword(DEMO_PASSWORD)
  for (const p of people) hashes.set(p.demo!.login, opts.demo ? demoHash : await hashPassword(adminPassword))

  const logins: SeedResult['logins'] = []
  const result = await db.$transaction(
    async (tx) => {
      // Another instance may be seeding at the same moment: the first one to lock wins.
      await tx.$executeRaw`LOCK TABLE unit IN EXCLUSIVE MODE`
      if ((await tx.unit.count()) > 0) return false
      const ids = new Map<string, string>()
      let order = 0
      for (const u of SEED_UNITS) {
        const unit = await tx.unit.create({
          data: { code: u.code, name: u.name, shortName: u.shortName ?? null, kind: u.kind, parentId: u.parent ? ids.get(u.parent)! : null, sortOrder: order++ },
        })
        ids.set(u.key, unit.id)
        let pOrder = 0
        for (const p of u.positions) {
          const position = await tx.position.create({ data: { unitId: unit.id, title: p.title, roles: p.roles, isHead: p.isHead ?? false, sortOrder: pOrder++ } })
          const demo = p.demo
          if (!demo || !hashes.has(demo.login)) continue
          // Demo people get addresses under the reserved .example domain, so configured mail goes nowhere real.
          const email = demo.email ?? (opts.demo ? `${demo.login}@drohobych-rada.example` : null)
          const user = await tx.user.create({ data: { login: demo.login, fullName: demo.fullName, email, passwordHash: hashes.get(demo.login)! } })
          await tx.positionHolder.create({ data: { positionId: position.id, userId: user.id, since: new Date('2026-01-01T00:00:00Z') } })
          logins.push({ login: demo.login, password: demo.login === ADMIN_LOGIN ? adminPassword : DEMO_PASSWORD, fullName: demo.fullName, position: p.title })
        }
      }
      await audit(tx, { userId: null, ip: null }, { action: 'seed.applied', targetType: 'system', after: { units: SEED_UNITS.length, accounts: logins.map((l) => l.login), demo: opts.demo } })
      return true
    },
    { timeout: 60_000 },
  )
  return result ? { seeded: true, logins } : { seeded: false, logins: [] }
}
