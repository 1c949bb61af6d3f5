import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { AppError, PROBLEMS, type ProblemCode } from '../errors.ts'

// Fastify's own error codes that come from bad input, mapped to our stable codes.
const FASTIFY_CODES: Record<string, ProblemCode> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'BAD_REQUEST',
  FST_ERR_ASYNC_CONSTRAINT: 'BAD_REQUEST',
}

/** Sends an RFC 9457 problem+json answer with a stable code. */
export function sendProblem(reply: FastifyReply, code: ProblemCode, detail?: string, extra?: Record<string, unknown>) {
  const { status, title } = PROBLEMS[code]
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({ type: `/api/problems#${code}`, title, status, code, ...(detail ? { detail } : {}), instance: reply.request.url, ...extra })
}

function validationErrors(err: FastifyError) {
  return (err.validation ?? []).map((v) => {
    const path = `${err.validationContext ?? ''}${v.instancePath || ''}`
    const missing = (v.params as { missingProperty?: string } | undefined)?.missingProperty
    const extra = (v.params as { additionalProperty?: string } | undefined)?.additionalProperty
    return {
      path: missing ? `${path}/${missing}` : extra ? `${path}/${extra}` : path,
      message: extra ? `unknown property ${extra}` : (v.message ?? 'invalid'),
    }
  })
}

/** One error handler for the whole API: every failure becomes application/problem+json. */
export default fp(
  async function problemPlugin(app: FastifyInstance) {
    app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      if (err instanceof AppError) return sendProblem(reply, err.code, err.detail, err.extra)
      if (err.validation) {
        return sendProblem(reply, 'VALIDATION_FAILED', err.message, { errors: validationErrors(err) })
      }
      const mapped = err.code ? FASTIFY_CODES[err.code] : undefined
      if (mapped) return sendProblem(reply, mapped, err.message)
      if (err.statusCode === 429) return sendProblem(reply, 'RATE_LIMITED', err.message)
      if (err instanceof SyntaxError && err.statusCode === 400) return sendProblem(reply, 'MALFORMED_JSON', err.message)
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        req.log.info({ err }, 'client error without a mapped code')
        return sendProblem(reply, 'BAD_REQUEST', err.message)
      }
      req.log.error({ err }, 'unhandled error')
      return sendProblem(reply, 'INTERNAL')
    })
  },
  { name: 'problem' },
)
