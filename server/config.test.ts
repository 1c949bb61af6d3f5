import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.ts'

describe('configuration', () => {
  it('defaults to the embedded set-up', () => {
    const c = loadConfig({})
    expect(c).toMatchObject({ port: 3000, databaseUrl: null, s3: null, seedDemo: true, uploadMaxBytes: 100 * 1024 * 1024, cookieSecure: false })
    expect(c.dataDir).toMatch(/\/data$/)
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('reads production settings', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgresql://edms:secret@db:5432/edms',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'hromada',
      S3_ACCESS_KEY: 'minio',
      S3_SECRET_KEY: 'minio-secret',
      S3_FORCE_PATH_STYLE: 'false',
      UPLOAD_MAX_BYTES: '250MB',
      PUBLIC_URL: 'https://edms.example.gov.ua',
    })
    expect(c.s3).toEqual({ endpoint: 'http://minio:9000', bucket: 'hromada', accessKeyId: 'minio', secretAccessKey: 'minio-secret', region: 'us-east-1', forcePathStyle: false })
    expect(c.uploadMaxBytes).toBe(250 * 1024 * 1024)
    expect(c.cookieSecure).toBe(true)
    expect(c.seedDemo).toBe(false)
  })

  it('names every wrong value at once', () => {
    let err: unknown
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', S3_BUCKET: 'Bad_Bucket', UPLOAD_MAX_BYTES: 'lots', COOKIE_SECURE: 'maybe', LOG_LEVEL: 'loud' })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    const problems = (err as ConfigError).problems.join('\n')
    for (const name of ['PORT', 'DATABASE_URL', 'S3 storage needs S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY', 'S3_BUCKET', 'UPLOAD_MAX_BYTES', 'COOKIE_SECURE', 'LOG_LEVEL']) {
      expect(problems).toContain(name)
    }
  })
})
