import type { Db } from '../db/client.ts'

/** The duty catalogue from the Directorate's regulation (idempotent). (being written) */
export async function ensureDutyCatalog(_db: Db): Promise<void> {}
