// Province-zone calendar days: every report day, rollup day and connected-time day is a date in config.provinceTz.
// Pure: instants in, dates out; no clock reads.
import { DateTime } from 'luxon';

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** The province-zone date (YYYY-MM-DD) of an instant. */
export function provinceDay(ms: number, tz: string): string {
  return DateTime.fromMillis(ms, { zone: tz }).toISODate()!;
}

/**
 * provinceDay for one zone, memoised per quarter hour (zone offsets only change on such boundaries): ingest calls
 * it per item, and luxon per item would cost more than the insert.
 */
export function memoProvinceDay(tz: string): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    const bucket = Math.floor(ms / 900_000);
    let d = cache.get(bucket);
    if (d === undefined) {
      if (cache.size > 50_000) cache.clear();
      d = provinceDay(bucket * 900_000, tz);
      cache.set(bucket, d);
    }
    return d;
  };
}

/** Epoch ms of 00:00 of a province date. Throws on a malformed or impossible date. */
export function dayStartMs(day: string, tz: string): number {
  if (!DAY_RE.test(day)) throw new Error(`"${day}" is not a date (YYYY-MM-DD)`);
  const dt = DateTime.fromISO(day, { zone: tz });
  if (!dt.isValid) throw new Error(`"${day}" is not a real date`);
  return dt.toMillis();
}

export function isDay(s: string): boolean {
  return DAY_RE.test(s) && DateTime.fromISO(s, { zone: 'UTC' }).isValid;
}

export function addDays(day: string, n: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days: n }).toISODate()!;
}

/** Whole days between two dates (b - a). */
export function daysBetween(a: string, b: string): number {
  return Math.round(DateTime.fromISO(b, { zone: 'UTC' }).diff(DateTime.fromISO(a, { zone: 'UTC' }), 'days').days);
}

/** Every date from `from` to `to`, both included. */
export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** The instant range [startMs, endMs) covering province dates from..to inclusive. */
export function rangeMs(from: string, to: string, tz: string): { startMs: number; endMs: number } {
  return { startMs: dayStartMs(from, tz), endMs: dayStartMs(addDays(to, 1), tz) };
}

/** Splits [startMs, endMs) at province midnights: the seconds that fall on each date. */
export function splitByDay(startMs: number, endMs: number, tz: string): Array<{ day: string; seconds: number }> {
  const out: Array<{ day: string; seconds: number }> = [];
  let t = startMs;
  while (t < endMs) {
    const day = provinceDay(t, tz);
    const next = Math.min(endMs, dayStartMs(addDays(day, 1), tz));
    out.push({ day, seconds: (next - t) / 1000 });
    t = next;
  }
  return out;
}

/**
 * splitByDay for one zone, remembering the last day's bounds: a heartbeat's stretch (a minute) almost always lies
 * inside the day of the one before, and luxon's zone arithmetic per heartbeat cost more than writing it.
 */
export function memoSplitByDay(tz: string): (startMs: number, endMs: number) => Array<{ day: string; seconds: number }> {
  let known: { day: string; startMs: number; endMs: number } | null = null;
  return (startMs, endMs) => {
    if (known && startMs >= known.startMs && endMs <= known.endMs) {
      return endMs > startMs ? [{ day: known.day, seconds: (endMs - startMs) / 1000 }] : [];
    }
    const day = provinceDay(startMs, tz);
    known = { day, startMs: dayStartMs(day, tz), endMs: dayStartMs(addDays(day, 1), tz) };
    return splitByDay(startMs, endMs, tz);
  };
}

/** The first day of the month ('YYYY-MM') of a date. */
export const monthOf = (day: string): string => day.slice(0, 7);

export const daysInMonth = (month: string): number => DateTime.fromISO(`${month}-01`, { zone: 'UTC' }).daysInMonth!;
