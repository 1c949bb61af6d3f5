import type { LiveEventData } from '../api/types.ts'

/** The events GET /api/events sends by name (server/plugins/events.ts); each is a hint to reload. */
const EVENT_NAMES = ['ready', 'notification', 'notification.read', 'approval', 'assignment', 'resync'] as const
const RETRY_MIN_MS = 3_000
const RETRY_MAX_MS = 60_000

export type LiveListener = (event: LiveEventData) => void

/**
 * One EventSource('/api/events') for the whole workspace while someone is signed in.
 * EventSource reconnects by itself after a dropped stream; when the browser gives up (the
 * server refused the request) it is reopened here with backoff. After any reconnect the
 * listeners get a `resync`: events sent meanwhile are lost, so everything should reload.
 */
class LiveStore {
  #connected = $state(false)
  #source: EventSource | null = null
  #listeners = new Set<LiveListener>()
  #everReady = false
  #retry: ReturnType<typeof setTimeout> | undefined
  #retryDelay = RETRY_MIN_MS

  /** Whether the stream is open now. */
  get connected(): boolean {
    return this.#connected
  }

  start(): void {
    if (this.#source || this.#retry) return
    this.#open()
  }

  stop(): void {
    clearTimeout(this.#retry)
    this.#retry = undefined
    this.#source?.close()
    this.#source = null
    this.#connected = false
    this.#everReady = false
    this.#retryDelay = RETRY_MIN_MS
  }

  /** Calls `fn` for every event; returns the function that stops it. */
  subscribe(fn: LiveListener): () => void {
    this.#listeners.add(fn)
    return () => this.#listeners.delete(fn)
  }

  #open(): void {
    this.#retry = undefined
    const source = new EventSource('/api/events')
    this.#source = source
    for (const name of EVENT_NAMES) source.addEventListener(name, (m) => this.#receive(name, m as MessageEvent<string>))
    source.onerror = () => {
      this.#connected = false
      if (source.readyState !== EventSource.CLOSED || this.#source !== source) return
      // The browser will not retry by itself (e.g. 401, 5xx): try again later, more slowly each time.
      source.close()
      this.#source = null
      this.#retry = setTimeout(() => this.#open(), this.#retryDelay)
      this.#retryDelay = Math.min(RETRY_MAX_MS, this.#retryDelay * 2)
    }
  }

  #receive(name: string, m: MessageEvent<string>): void {
    let data: LiveEventData = { type: name }
    try {
      const parsed = JSON.parse(m.data) as Partial<LiveEventData>
      data = { type: name, ...(typeof parsed.documentId === 'string' ? { documentId: parsed.documentId } : {}) }
    } catch {
      // A hint without data is still a hint.
    }
    if (name === 'ready') {
      this.#connected = true
      this.#retryDelay = RETRY_MIN_MS
      const reconnected = this.#everReady
      this.#everReady = true
      if (!reconnected) return
      data = { type: 'resync' }
    }
    for (const fn of this.#listeners) fn(data)
  }
}

export const live = new LiveStore()

/**
 * Runs `reload` once, ~300 ms after the last matching event of a burst (a decision sends
 * several) — and after every `resync`. Returns the function that stops listening.
 */
export function onLive(matches: (e: LiveEventData) => boolean, reload: () => void, delayMs = 300): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined
  const stop = live.subscribe((e) => {
    if (e.type !== 'resync' && !matches(e)) return
    clearTimeout(timer)
    timer = setTimeout(reload, delayMs)
  })
  return () => {
    clearTimeout(timer)
    stop()
  }
}
