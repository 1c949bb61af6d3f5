import { resolve } from 'node:path'

/** The validated, frozen configuration. Nothing else in the product reads process.env. */
export interface Config {
  port: number
  host: string
  /** Where embedded PostgreSQL data, the local object store and generated secrets live. */
  dataDir: string
  /** External PostgreSQL; when absent, an embedded cluster under dataDir is started. */
  databaseUrl: string | null
  /** S3/MinIO settings; when absent, the local-disk store under dataDir is used. */
  s3: S3Config | null
  uploadMaxBytes: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** JSON lines for log collectors, or readable lines for a person at a terminal. */
  logFormat: 'json' | 'pretty'
  /** Public base URL, e.g. https://edms.drohobych-rada.gov.ua; printed at start and used for secure cookies. */
  publicUrl: string | null
  cookieSecure: boolean
  sessionTtlHours: number
  trustProxy: boolean
  /** Seed demo users with a known password (on for the embedded default, off in production). */
  seedDemo: boolean
  /** Initial admin password for a production first start; a random one is printed when absent. */
  adminInitialPassword: string | null
  loginRateLimit: { max: number; windowMinutes: number }
  orphanGraceHours: number
  workerConcurrency: number
  /** Run background jobs in this instance (set false for web-only instances). */
  runJobs: boolean
  /** Outgoing mail; notifications stay in-app only when absent. */
  smtp: { url: string; from: string } | null
  /**
   * 32-byte key sealing uploaded PKCS#12 files (CERTIFICATE_KEY, base64). The embedded
   * default generates one under DATA_DIR; several instances must share one from the environment.
   */
  certificateKey: Buffer | null
  /** RFC 3161 timestamp authority; with it signatures are PAdES B-T, without it B-B. */
  tsaUrl: string | null
  /** Where the organisation's signatures say they were made (the PDF /Location). */
  signingLocation: string
  /** Days before an assignment's deadline when its executors are reminded (0 = the day itself). */
  reminderDays: number[]
}

export interface S3Config {
  endpoint: string
  bucket: string
  accessKeyId: string
  secretAccessKey: string
  region: string
  forcePathStyle: boolean
}

/** Raised with every problem found in the environment at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
  }
}

type Env = Record<string, string | undefined>

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 }

/** Parses the environment into a Config, collecting every problem before failing. */
export function loadConfig(env: Env = process.env, terminal = false): Config {
  const problems: string[] = []
  const str = (name: string): string | null => {
    const v = env[name]?.trim()
    return v ? v : null
  }
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = str(name)
    if (v === null) return def
    const n = Number(v)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}="${v}" must be a whole number from ${min} to ${max}`)
      return def
    }
    return n
  }
  const bool = (name: string, def: boolean): boolean => {
    const v = str(name)?.toLowerCase()
    if (v === undefined || v === null) return def
    if (['1', 'true', 'yes', 'on'].includes(v)) return true
    if (['0', 'false', 'no', 'off'].includes(v)) return false
    problems.push(`${name}="${env[name]}" must be true or false`)
    return def
  }
  const size = (name: string, def: number): number => {
    const v = str(name)
    if (v === null) return def
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v)
    const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined
    if (!m || unit === undefined || Number(m[1]) <= 0) {
      problems.push(`${name}="${v}" must be a size such as 104857600, 100MB or 1GB`)
      return def
    }
    return Math.floor(Number(m[1]) * unit)
  }
  const url = (name: string, protocols: string[]): string | null => {
    const v = str(name)
    if (v === null) return null
    try {
      const u = new URL(v)
      if (!protocols.includes(u.protocol)) throw new Error('protocol')
      return v
    } catch {
      problems.push(`${name} must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`)
      return null
    }
  }

  const databaseUrl = url('DATABASE_URL', ['postgres:', 'postgresql:'])
  const s3Names = ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY'] as const
  const s3Given = s3Names.filter((n) => str(n) !== null)
  let s3: S3Config | null = null
  if (s3Given.length > 0) {
    const missing = s3Names.filter((n) => str(n) === null)
    if (missing.length > 0) problems.push(`S3 storage needs ${missing.join(', ')} as well (given: ${s3Given.join(', ')})`)
    const endpoint = url('S3_ENDPOINT', ['http:', 'https:'])
    const bucket = str('S3_BUCKET')
    if (bucket !== null && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) problems.push(`S3_BUCKET="${bucket}" is not a valid bucket name`)
    if (missing.length === 0 && endpoint && bucket) {
      s3 = {
        endpoint,
        bucket,
        accessKeyId: str('S3_ACCESS_KEY')!,
        secretAccessKey: str('S3_SECRET_KEY')!,
        region: str('S3_REGION') ?? 'us-east-1',
        forcePathStyle: bool('S3_FORCE_PATH_STYLE', true),
      }
    }
  }
  const publicUrl = url('PUBLIC_URL', ['http:', 'https:'])
  const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
  const logLevel = (str('LOG_LEVEL') ?? 'info') as Config['logLevel']
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL="${logLevel}" must be one of ${logLevels.join(', ')}`)
  const logFormat = (str('LOG_FORMAT') ?? (terminal ? 'pretty' : 'json')) as Config['logFormat']
  if (logFormat !== 'json' && logFormat !== 'pretty') problems.push(`LOG_FORMAT="${logFormat}" must be json or pretty`)
  const smtpUrl = url('SMTP_URL', ['smtp:', 'smtps:'])
  const reminderText = str('REMINDER_DAYS') ?? '3,1,0'
  const reminderDays = [...new Set(reminderText.split(',').map((x) => Number(x.trim())))].sort((a, b) => b - a)
  if (reminderDays.some((d) => !Number.isInteger(d) || d < 0 || d > 60)) problems.push(`REMINDER_DAYS="${reminderText}" must be whole days from 0 to 60, comma-separated, e.g. 3,1,0`)
  const certKeyText = str('CERTIFICATE_KEY')
  let certificateKey: Buffer | null = null
  if (certKeyText !== null) {
    const k = Buffer.from(certKeyText, 'base64')
    if (k.length !== 32) problems.push('CERTIFICATE_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)')
    else certificateKey = k
  }
  const adminInitialPassword = str('ADMIN_INITIAL_PASSWORD')
  if (adminInitialPassword !== null && adminInitialPassword.length < 12) problems.push('ADMIN_INITIAL_PASSWORD must be at least 12 characters long')

  const config: Config = {
    port: int('PORT', 3000, 0, 65535),
    host: str('HOST') ?? '127.0.0.1',
    dataDir: resolve(str('DATA_DIR') ?? './data'),
    databaseUrl,
    s3,
    uploadMaxBytes: size('UPLOAD_MAX_BYTES', 100 * 1024 * 1024),
    logLevel,
    logFormat,
    publicUrl,
    cookieSecure: bool('COOKIE_SECURE', publicUrl?.startsWith('https:') ?? false),
    sessionTtlHours: int('SESSION_TTL_HOURS', 12, 1, 24 * 30),
    trustProxy: bool('TRUST_PROXY', false),
    seedDemo: bool('SEED_DEMO', databaseUrl === null),
    adminInitialPassword,
    loginRateLimit: { max: int('LOGIN_RATE_LIMIT', 10, 1, 10000), windowMinutes: int('LOGIN_RATE_WINDOW_MINUTES', 15, 1, 24 * 60) },
    orphanGraceHours: int('ORPHAN_GRACE_HOURS', 24, 1, 24 * 365),
    workerConcurrency: int('WORKER_CONCURRENCY', 2, 1, 64),
    runJobs: bool('RUN_JOBS', true),
    smtp: smtpUrl ? { url: smtpUrl, from: str('MAIL_FROM') ?? 'Hromada EDMS <edms@localhost>' } : null,
    certificateKey,
    tsaUrl: url('TSA_URL', ['http:', 'https:']),
    signingLocation: str('SIGNING_LOCATION') ?? 'м. Дрогобич',
    reminderDays,
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze(config)
}
