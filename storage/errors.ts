// statusCode lets Fastify's default error handler map these to sensible HTTP responses.

/** put received more than PutOptions.maxBytes bytes. */
export class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLargeError'
  readonly statusCode = 413
  readonly limit: number
  constructor(limit: number) {
    super(`object exceeds the limit of ${limit} bytes`)
    this.limit = limit
  }
}

/** get was asked for a key that does not exist. */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError'
  readonly statusCode = 404
  readonly key: string
  constructor(key: string, options?: { cause?: unknown }) {
    super(`object not found: ${key}`, options)
    this.key = key
  }
}

/** A key (or list prefix) outside the allowed grammar, e.g. an attempt at path traversal. */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError'
  readonly statusCode = 400
  readonly key: string
  constructor(key: string) {
    // JSON.stringify keeps control characters from an attacker-supplied key out of log lines.
    super(`invalid object key: ${JSON.stringify(key)}`)
    this.key = key
  }
}
