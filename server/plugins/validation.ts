import AjvModule from 'ajv'
import formatsModule from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

// CommonJS packages seen through ESM: the class and the function are on `.default`.
const Ajv = AjvModule.default
const addFormats = formatsModule.default

const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const

// JSON bodies are taken exactly as sent: 42 is not a title. Query strings and path
// parameters are text by nature, so they are coerced to the declared types.
const bodyAjv = addFormats(new Ajv({ ...common, coerceTypes: false }))
const textAjv = addFormats(new Ajv({ ...common, coerceTypes: 'array' }))

/** Fastify validator compiler: strict types for bodies, coercion for query, params and headers. */
export const validatorCompiler: FastifySchemaCompiler<object> = ({ schema, httpPart }) =>
  (httpPart === 'body' ? bodyAjv : textAjv).compile(schema) as ReturnType<FastifySchemaCompiler<object>>
