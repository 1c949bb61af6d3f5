import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built workspace the browser tests serve (Fastify serves it from here). */
export const CLIENT_DIST = fileURLToPath(new URL('../dist', import.meta.url))

/** Headless Chromium as the browser tests run it: no network of its own, no sandbox (CI runs as root). */
export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']

/** Debian's Chromium (or CHROMIUM_PATH), after checking that it and the built client are there. */
export function chromiumPath(): string {
  if (!existsSync(join(CLIENT_DIST, 'index.html'))) {
    throw new Error(`The client is not built (${join(CLIENT_DIST, 'index.html')} is missing). Run: npx vite build --config client/vite.config.ts`)
  }
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!existsSync(executablePath)) throw new Error(`Chromium not found at ${executablePath}; install it or set CHROMIUM_PATH`)
  return executablePath
}
