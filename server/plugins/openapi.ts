import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { Problem } from '../schemas.ts'

/** The OpenAPI document at /api/docs/json, generated from the routes' TypeBox schemas, and its UI at /api/docs. */
export default fp(
  async function openapiPlugin(app: FastifyInstance) {
    app.addSchema(Problem)
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Hromada EDMS API',
          version: '0.1.0',
          description:
            'Electronic document workflow for Ukrainian local self-government. Errors are application/problem+json with a stable `code` (list: GET /api/problems). State-changing requests need the session cookie and the X-CSRF-Token header from GET /api/auth/session.',
        },
        components: {
          securitySchemes: {
            session: { type: 'apiKey', in: 'cookie', name: 'hromada_session' },
            csrf: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token' },
          },
        },
      },
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    })
    await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  },
  { name: 'openapi' },
)
