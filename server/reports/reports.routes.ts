import type { App } from '../app.ts'

/** (being written) */
export default async function routes(_app: App) {}
