import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Fastify from 'fastify'
import cookie from '@fastify/cookie'
import { testApp, type TestApp } from '../testing/harness.ts'
import authPlugin from '../plugins/auth.ts'
import problemPlugin from '../plugins/problem.ts'
import { PROBLEMS } from '../errors.ts'
import { startS3rver } from '../../storage/testing/s3rver.ts'

let t: TestApp
beforeAll(async () => {
  t = await testApp()
})
afterAll(() => t.close())

describe('system', () => {
  it('reports PostgreSQL and the object store in /api/health', async () => {
    const res = await t.anonymous().get('/api/health')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok', checks: { database: { status: 'ok' }, storage: { status: 'ok' } } })
  })

  it('answers 503 when the object store goes away, and a store that is down stops the start', async () => {
    const s3 = await startS3rver({ bucket: 'health-check' })
    const own = await testApp({ env: { S3_ENDPOINT: s3.endpoint, S3_ACCESS_KEY: s3.accessKeyId, S3_SECRET_KEY: s3.secretAccessKey } })
    try {
      expect((await own.anonymous().get('/api/health')).statusCode).toBe(200)
      await s3.stop()
      const res = await own.anonymous().get('/api/health')
      expect(res.statusCode).toBe(503)
      expect(res.json()).toMatchObject({ status: 'fail', checks: { database: { status: 'ok' }, storage: { status: 'fail' } } })
    } finally {
      await own.close()
      await s3.stop()
    }
    await expect(testApp({ env: { S3_ENDPOINT: s3.endpoint } })).rejects.toThrow()
  })

  it('serves the OpenAPI document with every route and the problem schema', async () => {
    const res = await t.anonymous().get('/api/docs/json')
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toMatch(/^3\.1/)
    for (const path of ['/api/documents', '/api/documents/{id}/versions', '/api/auth/login', '/api/admin/users', '/api/health']) {
      expect(Object.keys(doc.paths)).toContain(path)
    }
    expect(doc.components.schemas.Problem).toBeDefined()
    const ui = await t.anonymous().get('/api/docs/')
    expect([200, 302]).toContain(ui.statusCode)
  })

  it('lists every stable error code', async () => {
    const res = (await t.anonymous().get('/api/problems')).json()
    expect(res.map((p: { code: string }) => p.code).sort()).toEqual(Object.keys(PROBLEMS).sort())
  })

  it('answers unknown API paths with problem+json', async () => {
    const res = await t.anonymous().get('/api/no-such-thing')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toContain('application/problem+json')
    expect(res.json()).toMatchObject({ code: 'NOT_FOUND', status: 404 })
  })

  it('refuses to start when a route declares no access policy (default deny)', async () => {
    const app = Fastify()
    await app.register(problemPlugin)
    await app.register(cookie)
    await app.register(authPlugin)
    await expect(
      app.register(async (a) => {
        a.get('/api/forgotten', async () => ({ secret: true }))
      }).ready(),
    ).rejects.toThrow(/declares no config.access/)
  })
})
