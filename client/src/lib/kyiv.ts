import { TIME_ZONE } from '../i18n/format.ts'

/**
 * Kyiv wall-clock time <-> instants, for <input type="datetime-local"> (which has no zone).
 * Uses Intl only: the offset is read for the instant itself, so DST changes are respected.
 */
const parts = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

function wallClock(at: Date): { y: number; mo: number; d: number; h: number; mi: number; s: number } {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, x.value]))
  return { y: Number(p.year), mo: Number(p.month), d: Number(p.day), h: Number(p.hour), mi: Number(p.minute), s: Number(p.second) }
}

/** Milliseconds Kyiv is ahead of UTC at an instant (+2 h in winter, +3 h in summer). */
function offsetAt(at: Date): number {
  const w = wallClock(at)
  return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(at.getTime() / 1000) * 1000
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/

/** "2026-03-02T09:00" (Kyiv) → ISO 8601 instant; null for an empty or malformed value. */
export function kyivLocalToIso(local: string): string | null {
  const m = LOCAL.exec(local)
  if (!m) return null
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0))
  let at = asUtc - offsetAt(new Date(asUtc))
  // Near a DST change the first guess can be an hour off; one more step settles it.
  at = asUtc - offsetAt(new Date(at))
  return Number.isFinite(at) ? new Date(at).toISOString() : null
}

const pad = (n: number) => String(n).padStart(2, '0')

/** An instant → "2026-03-02T09:00" on the Kyiv wall clock, for datetime-local inputs. */
export function isoToKyivLocal(iso: string | Date): string {
  const w = wallClock(new Date(iso))
  return `${w.y}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}`
}

/** Today's date in Kyiv, "YYYY-MM-DD". */
export const kyivToday = (): string => isoToKyivLocal(new Date()).slice(0, 10)
