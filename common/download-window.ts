// A site's download window 'HH:MM-HH:MM' in the province's zone. It may wrap midnight ('22:00-06:00');
// equal ends ('00:00-00:00') mean all day. Used by a site's agent and by a province's mirror of the central library.
import { DateTime } from 'luxon';

export interface DownloadWindow {
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

const PATTERN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]|24):([0-5]\d)$/;

/** Parses 'H:MM-HH:MM' (leading zero optional); undefined when malformed. */
export function parseDownloadWindow(text: string): DownloadWindow | undefined {
  const padded = text.trim().replace(/(^|-)(\d):/g, '$10$2:');
  const m = PATTERN.exec(padded);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  if (end > 24 * 60) return undefined;
  return { start, end: end % (24 * 60) };
}

export function formatDownloadWindow(w: DownloadWindow): string {
  const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${hm(w.start)}-${hm(w.end)}`;
}

/** Whether a local time of day (minutes after midnight) falls inside the window. */
export function inDownloadWindow(w: DownloadWindow, minuteOfDay: number): boolean {
  if (w.start === w.end) return true;
  return w.start < w.end ? minuteOfDay >= w.start && minuteOfDay < w.end : minuteOfDay >= w.start || minuteOfDay < w.end;
}

/** Minutes after local midnight of `now` in zone `tz`. */
export function minuteOfDay(tz: string, now: number): number {
  const local = DateTime.fromMillis(now, { zone: tz });
  return local.hour * 60 + local.minute;
}

/** When the window next opens after `now` (epoch ms); null while it is open, and for a window open all day. */
export function nextWindowOpen(w: DownloadWindow, tz: string, now: number): number | null {
  if (w.start === w.end || inDownloadWindow(w, minuteOfDay(tz, now))) return null;
  const today = DateTime.fromMillis(now, { zone: tz }).startOf('day').plus({ minutes: w.start });
  return (today.toMillis() > now ? today : today.plus({ days: 1 })).toMillis();
}

/** A window text that does not parse counts as "always": the server validates it, and downloads must never stall on it. */
export function inWindowText(text: string, tz: string, now: number): boolean {
  const w = parseDownloadWindow(text);
  return w ? inDownloadWindow(w, minuteOfDay(tz, now)) : true;
}

/** nextWindowOpen for a window text; null for one that does not parse (it counts as "always", as above). */
export function nextWindowOpenText(text: string, tz: string, now: number): number | null {
  const w = parseDownloadWindow(text);
  return w ? nextWindowOpen(w, tz, now) : null;
}
