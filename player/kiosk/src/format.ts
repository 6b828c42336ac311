// Formatting for the TV: clock and programme times in the province's zone, durations, progress. Pure: the
// instant and the zone are passed in.
import { langTag, type Lang } from './i18n.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

// Building an Intl formatter is slow next to using one, and the clock ticks every second for days.
function formatter(lang: Lang, tz: string, kind: 'time' | 'date'): Intl.DateTimeFormat {
  const key = `${lang}|${tz}|${kind}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      langTag(lang),
      kind === 'time'
        ? { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : { timeZone: tz, month: 'long', day: 'numeric', weekday: 'long' },
    );
    formatters.set(key, f);
  }
  return f;
}

/** "19:30" in the province's zone. */
export function formatTime(ms: number, tz: string, lang: Lang): string {
  const parts = formatter(lang, tz, 'time').formatToParts(new Date(ms));
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '00';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '00';
  return `${hour}:${minute}`;
}

/** "11月22日星期日" / "Sunday, November 22" in the province's zone, for the header under the clock. */
export function formatDate(ms: number, tz: string, lang: Lang): string {
  return formatter(lang, tz, 'date').format(new Date(ms));
}

/** "19:30–20:15". */
export function formatRange(start: number, end: number, tz: string, lang: Lang): string {
  return `${formatTime(start, tz, lang)}–${formatTime(end, tz, lang)}`;
}

/** Seconds as "m:ss" or "h:mm:ss" (a position or a length). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** How far `now` is through [start, end), clamped to 0..1 (0 for an empty span). */
export function progressFraction(now: number, start: number, end: number): number {
  if (end <= start) return 0;
  return Math.min(1, Math.max(0, (now - start) / (end - start)));
}

/** 0..1 as a whole percentage for labels. */
export function percent(fraction: number): number {
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}
