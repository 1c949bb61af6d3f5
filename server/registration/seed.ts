import type { Db } from '../db/client.ts'

/** Journals and the nomenclature of files a first start needs (idempotent). (being written) */
export async function ensureRegistrationDefaults(_db: Db): Promise<void> {}
