import type { Db } from './db/client.ts'
import { ensureDefaultTemplates } from './approvals/templates.ts'
import { ensureRegistrationDefaults } from './registration/seed.ts'
import { ensureDutyCatalog } from './duties/seed.ts'

/**
 * Reference data every installation needs, created when missing on each start (so an
 * upgrade adds what a new version brings): route templates, registration journals and the
 * nomenclature, the duty catalogue. Each part is idempotent and safe with several instances.
 */
export async function ensureDefaults(db: Db): Promise<void> {
  await ensureDefaultTemplates(db)
  await ensureRegistrationDefaults(db)
  await ensureDutyCatalog(db)
}
