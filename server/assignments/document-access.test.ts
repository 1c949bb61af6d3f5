import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { registerDocument } from '../registration/registration.service.ts'
import { uploadPdf } from '../approvals/testkit.ts'
import { assignmentWorld, expectOk, type AssignmentWorld } from './testkit.ts'

/**
 * A resolution on a document with a restricted access mark: the people it tells to act
 * (executor, co-executor, controller, and those a part is delegated to) may read the
 * document; everybody else still gets the same 404 as for a missing one.
 */
describe('a resolution on a restricted document', () => {
  let k: AssignmentWorld
  beforeAll(async () => {
    k = await assignmentWorld()
  })
  afterAll(async () => {
    await k?.close()
  })

  it('opens the document to the people working on it, and to nobody else', async () => {
    // A letter with personal data, kept within the housing department; the clerk, who sees
    // every registered document, writes the deputy mayor's resolution on it.
    const author = k.as('head.housing')
    const clerk = await k.w.as('clerk')
    const doc = await author.post('/api/documents', { kind: 'letter', title: 'Про захист персональних даних у ЦНАП', authorUnitId: author.session!.positions[0]!.unitId, accessMark: 'personal_data' })
    expect(doc.statusCode, doc.body).toBe(201)
    const documentId = doc.json().id as string
    await uploadPdf(author, documentId, 'Restricted letter')
    await k.db().$transaction((tx) => registerDocument(tx, { userId: k.id('head.general'), ip: null }, { documentId, at: new Date() }))

    const readers = ['head.it', 'it.staff', 'head.public'] as const
    for (const l of readers) expect((await k.as(l).get(`/api/documents/${documentId}`)).statusCode, l).toBe(404)

    const tree = expectOk(
      await clerk.post('/api/assignments', { text: 'Підготувати пропозиції щодо обробки персональних даних', executorId: k.id('head.it'), coExecutorIds: [k.id('head.public')], documentId, deadline: { termDays: 10, from: 'signing' } }),
      201,
    )
    expect((await k.as('head.it').get(`/api/documents/${documentId}`)).statusCode).toBe(200)
    expect((await k.as('head.public').get(`/api/documents/${documentId}/versions/1/content`)).statusCode).toBe(200)
    // Not yet the subordinate: nothing was delegated to them.
    expect((await k.as('it.staff').get(`/api/documents/${documentId}`)).statusCode).toBe(404)

    const delegated = await k.as('head.it').post(`/api/assignments/${tree.rootId}/delegate`, { text: 'Зібрати дані', executorId: k.id('it.staff'), deadline: { termDays: 5 }, rowVersion: tree.nodes[0]!.rowVersion })
    expect(delegated.statusCode, delegated.body).toBeLessThan(300)
    expect((await k.as('it.staff').get(`/api/documents/${documentId}`)).statusCode).toBe(200)
    // An outsider still sees nothing.
    expect((await k.as('legal').get(`/api/documents/${documentId}`)).statusCode).toBe(404)
  })
})
