import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export default defineConfig({
  root,
  test: {
    include: ['server/**/*.test.ts', 'storage/**/*.test.ts', 'scripts/**/*.test.ts', 'client/**/*.test.ts'],
    globalSetup: ['server/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // The machine has two cores; the browser test and the storage memory test need room.
    maxWorkers: 2,
    reporters: ['default'],
    // Node 20 is what this project supports today; the SDK's notice about Node 22 is for operators, not test logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
})
