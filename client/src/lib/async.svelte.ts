import { isAbort } from '../api/http.ts'

/**
 * One asynchronous value: data, error and a loading flag, all reactive. A new load aborts
 * the previous one, and a late answer to an old request never overwrites a newer one.
 * Stale data stays visible while a reload runs (the UI marks it aria-busy).
 */
export class AsyncValue<T> {
  #data = $state<T | undefined>(undefined)
  #error = $state<unknown>(null)
  #loading = $state(false)
  #controller: AbortController | null = null
  #seq = 0

  constructor(load?: (signal: AbortSignal) => Promise<T>, initial?: T) {
    this.#data = initial
    if (load) void this.load(load)
  }

  get data(): T | undefined {
    return this.#data
  }
  get error(): unknown {
    return this.#error
  }
  get loading(): boolean {
    return this.#loading
  }

  async load(fn: (signal: AbortSignal) => Promise<T>): Promise<void> {
    this.#controller?.abort()
    const controller = new AbortController()
    this.#controller = controller
    const seq = ++this.#seq
    this.#loading = true
    this.#error = null
    try {
      const data = await fn(controller.signal)
      if (seq === this.#seq) this.#data = data
    } catch (err) {
      if (seq === this.#seq && !isAbort(err)) this.#error = err
    } finally {
      if (seq === this.#seq) {
        this.#loading = false
        this.#controller = null
      }
    }
  }

  /** Replaces the data (e.g. with the answer to a change the person just made). */
  set(data: T): void {
    this.#data = data
  }

  abort(): void {
    this.#controller?.abort()
  }
}
