import { ConfigError, loadConfig, type Config } from './config.ts'
import { buildApp } from './app.ts'
import { startRuntime } from './runtime.ts'
import { seedIfEmpty, type SeedResult } from './seed/seed.ts'
import { startJobQueue, type JobQueue } from './jobs/queue.ts'
import { makeTasks } from './jobs/tasks.ts'
import { createMailer } from './notifications/mailer.ts'
import { ensureDefaults } from './defaults.ts'

const say = (line: string) => process.stdout.write(line + '\n')

function banner(config: Config, address: string, seed: SeedResult, embedded: boolean) {
  const url = config.publicUrl ?? address
  say('')
  say('  Hromada EDMS is running')
  say(`  Workspace:   ${url}/`)
  say(`  API docs:    ${url}/api/docs`)
  say(`  Database:    ${embedded ? `embedded PostgreSQL (data in ${config.dataDir})` : 'external PostgreSQL (DATABASE_URL)'}`)
  say(`  Files:       ${config.s3 ? `S3 bucket "${config.s3.bucket}" at ${config.s3.endpoint}` : `local disk (${config.dataDir}/objects)`}`)
  if (seed.seeded) {
    say('')
    say('  First start: the organisation was seeded. Sign in as:')
    const width = Math.max(...seed.logins.map((l) => l.login.length))
    for (const l of seed.logins) say(`    ${l.login.padEnd(width)}  ${l.fullName}: ${l.position}`)
    const pw = [...new Set(seed.logins.map((l) => l.password))]
    say(pw.length === 1 ? `  Password for every account above: ${pw[0]}` : '  Passwords: ' + seed.logins.map((l) => `${l.login}=${l.password}`).join(', '))
    if (!config.seedDemo) say('  Change the administrator password after the first sign-in; it is not shown again.')
  } else if (config.seedDemo) {
    say('  Demo accounts: admin, head.digital, expert, deputy, clerk ... (password: hromada-demo unless changed)')
  }
  say('  Stop with Ctrl-C.')
  say('')
}

async function main() {
  let config: Config
  try {
    config = loadConfig(process.env, process.stdout.isTTY === true)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n')
      process.exit(2)
    }
    throw err
  }
  say(`Starting Hromada EDMS (data: ${config.dataDir})...`)
  const runtime = await startRuntime(config, say)
  let jobs: JobQueue | null = null
  const app = await buildApp({ config, prisma: runtime.db.prisma, pool: runtime.db.pool, store: runtime.store })

  let stoppingSince = 0
  const shutdown = async (signal: string) => {
    // tsx and npm pass a terminal's Ctrl-C on as well, so one keypress can arrive twice;
    // only a later, deliberate second signal forces the exit.
    if (stoppingSince) {
      if (Date.now() - stoppingSince < 1500) return
      say('Stopping right away.')
      process.exit(1)
    }
    stoppingSince = Date.now()
    say(`\n${signal}: stopping the server, background jobs and database...`)
    const failures: unknown[] = []
    for (const step of [() => app.close(), () => jobs?.stop(), () => runtime.close()]) {
      try {
        await step()
      } catch (err) {
        failures.push(err)
      }
    }
    if (failures.length) process.stderr.write(`Shutdown problems: ${failures.map(String).join('; ')}\n`)
    else say('Stopped.')
    process.exit(failures.length ? 1 : 0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  try {
    const seed = await seedIfEmpty(runtime.db.prisma, { demo: config.seedDemo, adminPassword: config.adminInitialPassword })
    await ensureDefaults(runtime.db.prisma)
    if (config.runJobs) {
      jobs = await startJobQueue({
        pool: runtime.db.pool,
        tasks: makeTasks({ prisma: runtime.db.prisma, store: runtime.store, orphanGraceHours: config.orphanGraceHours, mailer: createMailer(config.smtp), publicUrl: config.publicUrl, reminderDays: config.reminderDays }),
        concurrency: config.workerConcurrency,
        log: app.log,
      })
    }
    const address = await app.listen({ port: config.port, host: config.host })
    banner(config, address.replace('127.0.0.1', 'localhost'), seed, runtime.embedded !== null)
  } catch (err) {
    process.stderr.write(`Start failed: ${(err as Error).stack ?? err}\n`)
    await app.close().catch(() => undefined /* already failing; the original error matters */)
    await jobs?.stop().catch(() => undefined)
    await runtime.close()
    process.exit(1)
  }
}

main().catch((err) => {
  process.stderr.write(`Start failed: ${(err as Error).stack ?? err}\n`)
  process.exit(1)
})
