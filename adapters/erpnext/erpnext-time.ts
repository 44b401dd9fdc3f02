/**
 * Frappe's times are wall-clock times of the site's time zone (System Settings →
 * `time_zone`), without an offset: `modified` is `2026-12-05 11:31:02.123456`, a date
 * field is `2026-12-05`. These helpers turn them into UTC instants and back, with the
 * zone's rules from Intl (so daylight saving, where a zone has it, is right).
 *
 * @module
 */

const FRAPPE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone's wall-clock fields at an instant. */
function wallClock(epochMs: number, timeZone: string): number[] {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  return [Number(parts.year), Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)];
}

/** Milliseconds the zone is ahead of UTC at an instant. */
function offsetAt(epochMs: number, timeZone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(epochMs, timeZone) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - Math.floor(epochMs / 1000) * 1000;
}

/** Whether Intl knows the zone (a site may name one this runtime lacks). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** A Frappe datetime or date (wall clock of `timeZone`) as an ISO 8601 UTC instant; undefined when malformed. */
export function frappeTimeToIso(value: unknown, timeZone: string): string | undefined {
  const m = typeof value === 'string' ? FRAPPE_TIME.exec(value.trim()) : null;
  if (!m) return undefined;
  const [y, mo, d, h = '0', mi = '0', s = '0'] = m.slice(1, 7).map((x) => x ?? '0');
  const ms = Math.floor(Number((m[7] ?? '0').padEnd(6, '0')) / 1000);
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (Number.isNaN(asUtc)) return undefined;
  // The offset at the guess, then again at the result: right on both sides of a DST change.
  const guess = asUtc - offsetAt(asUtc, timeZone);
  return new Date(asUtc - offsetAt(guess, timeZone)).toISOString();
}

/** An instant as Frappe writes `modified` in `timeZone` (`YYYY-MM-DD HH:MM:SS.ffffff`); `micros` adds sub-millisecond digits. */
export function frappeTimestamp(at: Date, timeZone: string, micros = 0): string {
  const [y, mo, d, h, mi, s] = wallClock(at.getTime(), timeZone);
  const pad = (n: number | undefined, w = 2) => String(n).padStart(w, '0');
  const fraction = at.getUTCMilliseconds() * 1000 + (micros % 1000);
  return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(fraction, 6)}`;
}
