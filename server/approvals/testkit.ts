import { scratchDatabase, testApp, type ApiClient, type TestApp } from '../testing/harness.ts'
import { seedIfEmpty } from '../seed/seed.ts'
import { DEMO_PASSWORD } from '../seed/org.ts'
import { ensureDefaults } from '../defaults.ts'
import { tinyPdf } from '../testing/factories.ts'

/**
 * An approvals test world: a database of its own, seeded like a first start (the
 * Directorate's org, demo people, default route templates), since the templates name
 * participants by role across the whole organisation.
 */
export async function approvalWorld(opts: { env?: Record<string, string> } = {}) {
  const scratch = await scratchDatabase()
  const t = await testApp({ databaseUrl: scratch.url, env: opts.env })
  await seedIfEmpty(t.db.prisma, { demo: true, adminPassword: null })
  await ensureDefaults(t.db.prisma)
  const as = (login: string) => t.login(login, DEMO_PASSWORD)
  return {
    t,
    as,
    async close() {
      await t.close()
      await scratch.drop()
    },
  }
}

export type World = Awaited<ReturnType<typeof approvalWorld>>

/** A draft council decision with one uploaded version, created through the API. */
export async function draftWithVersion(author: ApiClient, opts: { title?: string; topics?: string[]; kind?: string; text?: string } = {}) {
  const unitId = author.session!.positions[0]!.unitId
  const doc = await author.post('/api/documents', { kind: opts.kind ?? 'council_decision_draft', title: opts.title ?? 'Про затвердження Програми цифрової трансформації громади', authorUnitId: unitId, topics: opts.topics ?? [] })
  if (doc.statusCode !== 201) throw new Error(`create failed: ${doc.body}`)
  const id = doc.json().id as string
  const v = await uploadPdf(author, id, opts.text ?? 'Version one')
  return { id, sha256: v.sha256 as string }
}

export async function uploadPdf(author: ApiClient, documentId: string, text: string) {
  const res = await author.post(`/api/documents/${documentId}/versions?name=${encodeURIComponent('проєкт.pdf')}`, tinyPdf(text), { headers: { 'content-type': 'application/pdf' } })
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.body}`)
  return res.json()
}

export type { ApiClient, TestApp }
