// Recomputes the audit log's hash chain and names the first broken link.
// Usage: npx tsx scripts/verify-audit.ts   (or: npm run verify-audit)
// Exit code 0 when the chain is intact, 1 when it is broken, 2 on a usage/config error.
import { ConfigError, loadConfig } from '../server/config.ts'
import { verifyAuditChain } from '../server/audit/verify.ts'
import { connectForScript } from './db.ts'

async function main(): Promise<number> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(err.message + '\n')
      return 2
    }
    throw err
  }
  const { client, close } = await connectForScript(config)
  try {
    const r = await verifyAuditChain(client)
    if (r.ok) {
      process.stdout.write(`Audit chain intact: ${r.checked} events, head #${r.headSeq} ${r.headHash}\n`)
      return 0
    }
    const b = r.firstBroken!
    process.stdout.write(`Audit chain BROKEN at event #${b.seq} (${b.reason}): ${b.detail}\n${r.checked} events before it verified.\n`)
    return 1
  } finally {
    await close()
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`verify-audit failed: ${(err as Error).message}\n`)
    process.exit(2)
  },
)
