import type { Db } from '../db/client.ts'
import { audit } from '../audit/record.ts'
import { DUTY_CATALOG } from './catalog-data.ts'

const keyOf = (clause: string, text: string) => `${clause}\u0000${text}`

/**
 * The duty catalogue from the Directorate's regulation (sections 3, 4.3, 4.3.1, 4.3.3, 4.3.4),
 * created on every start when missing. Idempotent and safe with several instances: one
 * transaction under an advisory lock adds the items not yet present (an upgrade that brings
 * new items adds just those), links items to their units when those exist, and audits what
 * it added. Items are identified by clause and text; ones already referenced by job
 * descriptions are never changed.
 */
export async function ensureDutyCatalog(db: Db): Promise<void> {
  // The usual case (every start after the first) answers from one cheap read, without a lock.
  const [count, unlinked] = await Promise.all([db.dutyCatalogItem.count(), db.dutyCatalogItem.count({ where: { unitId: null } })])
  if (count >= DUTY_CATALOG.length && unlinked === 0) return

  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('duty_catalog'))`
    const existing = await tx.dutyCatalogItem.findMany({ select: { id: true, sourceClause: true, text: true, unitId: true } })
    const codes = [...new Set(DUTY_CATALOG.map((x) => x.unitCode))]
    const units = new Map((await tx.unit.findMany({ where: { code: { in: codes }, archivedAt: null }, select: { id: true, code: true } })).map((u) => [u.code, u.id]))
    const seedByKey = new Map(DUTY_CATALOG.map((x, i) => [keyOf(x.clause, x.text), { ...x, sortOrder: i }]))
    const have = new Set(existing.map((x) => keyOf(x.sourceClause, x.text)))

    const missing = [...seedByKey.entries()].filter(([k]) => !have.has(k)).map(([, x]) => x)
    if (missing.length > 0) {
      await tx.dutyCatalogItem.createMany({
        data: missing.map((x) => ({ text: x.text, sourceClause: x.clause, unitId: units.get(x.unitCode) ?? null, sortOrder: x.sortOrder })),
      })
    }
    // Items seeded before their unit existed (an organisation created by hand) are linked once it does.
    let linked = 0
    for (const row of existing) {
      if (row.unitId) continue
      const unitId = units.get(seedByKey.get(keyOf(row.sourceClause, row.text))?.unitCode ?? '')
      if (!unitId) continue
      await tx.dutyCatalogItem.update({ where: { id: row.id }, data: { unitId } })
      linked++
    }
    if (missing.length > 0 || linked > 0) {
      const clauses = [...new Set(missing.map((x) => x.clause.replace(/^3\.\d+$/, '3')))]
      await audit(tx, { userId: null, ip: null }, { action: 'duty_catalog.created', targetType: 'duty', after: { added: missing.length, linked, clauses } })
    }
  })
}
