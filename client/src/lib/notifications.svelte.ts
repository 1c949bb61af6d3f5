import { isAbort } from '../api/http.ts'
import { notificationsApi } from '../api/endpoints.ts'
import type { NotificationOut } from '../api/types.ts'
import { onLive } from './live.svelte.ts'

const PAGE = 20

/** The person's notifications: the unread count for the bell, and the list its panel shows. */
class NotificationsStore {
  #unread = $state(0)
  #items = $state<NotificationOut[]>([])
  #hasMore = $state(false)
  #loading = $state(false)
  #error = $state<unknown>(null)
  #listed = false
  #stopLive: (() => void) | null = null
  #controller: AbortController | null = null

  get unread(): number {
    return this.#unread
  }
  get items(): NotificationOut[] {
    return this.#items
  }
  get hasMore(): boolean {
    return this.#hasMore
  }
  get loading(): boolean {
    return this.#loading
  }
  get error(): unknown {
    return this.#error
  }

  /** Begins following the count (on sign-in); live events keep it current. */
  start(): void {
    if (this.#stopLive) return
    this.#stopLive = onLive((e) => e.type === 'notification' || e.type === 'notification.read', () => void this.refresh())
    void this.refresh()
  }

  stop(): void {
    this.#stopLive?.()
    this.#stopLive = null
    this.#controller?.abort()
    this.#unread = 0
    this.#items = []
    this.#listed = false
  }

  /** Reloads the count, and the list too if it has been shown. */
  async refresh(): Promise<void> {
    if (this.#listed) return this.list()
    try {
      this.#unread = (await notificationsApi.list({ unread: true, limit: 1 })).unread
    } catch (err) {
      if (!isAbort(err)) console.warn('notifications: count failed', err)
    }
  }

  /** The newest page of the list (with the count). */
  async list(): Promise<void> {
    this.#controller?.abort()
    const controller = (this.#controller = new AbortController())
    this.#loading = true
    this.#error = null
    try {
      const page = await notificationsApi.list({ limit: PAGE }, controller.signal)
      this.#items = page.items
      this.#unread = page.unread
      this.#hasMore = page.items.length === PAGE
      this.#listed = true
    } catch (err) {
      if (!isAbort(err)) this.#error = err
    } finally {
      if (this.#controller === controller) this.#loading = false
    }
  }

  async more(): Promise<void> {
    const last = this.#items.at(-1)
    if (!last) return this.list()
    this.#loading = true
    try {
      const page = await notificationsApi.list({ limit: PAGE, before: last.id })
      this.#items = [...this.#items, ...page.items]
      this.#unread = page.unread
      this.#hasMore = page.items.length === PAGE
    } catch (err) {
      this.#error = err
    } finally {
      this.#loading = false
    }
  }

  async markRead(id: string): Promise<void> {
    const updated = await notificationsApi.read(id)
    const was = this.#items.find((n) => n.id === id)
    this.#items = this.#items.map((n) => (n.id === id ? updated : n))
    if (was && !was.readAt) this.#unread = Math.max(0, this.#unread - 1)
  }

  async readAll(): Promise<void> {
    const { unread } = await notificationsApi.readAll()
    const now = new Date().toISOString()
    this.#items = this.#items.map((n) => (n.readAt ? n : { ...n, readAt: now }))
    this.#unread = unread
  }
}

export const notifications = new NotificationsStore()
