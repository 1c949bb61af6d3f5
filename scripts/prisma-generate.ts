// Generates the Prisma 7 client (server/generated/prisma). Prisma's CLI insists on finding
// a schema-engine binary even for `generate`, which never runs it, and the binary cannot be
// downloaded on every machine we build on (shared/FACTS.md): any existing file satisfies it.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const cli = require.resolve('prisma/build/index.js')
const env: NodeJS.ProcessEnv = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' }
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath
const r = spawnSync(process.execPath, [cli, 'generate', '--schema', 'prisma/schema.prisma'], { stdio: 'inherit', env })
process.exit(r.status ?? 1)
