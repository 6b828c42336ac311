// Is the site inside its download window now? The window text ('00:00-06:00', may wrap midnight) is parsed by
// the same code the server validates it with; here it is evaluated on the province's wall clock. Pure.
import { DateTime } from 'luxon';
import { inDownloadWindow, parseDownloadWindow } from '../../common/download-window.ts';

/** Minutes after local midnight of `now` in zone `tz`. */
export function minuteOfDay(tz: string, now: number): number {
  const local = DateTime.fromMillis(now, { zone: tz });
  return local.hour * 60 + local.minute;
}

/** A window text that does not parse counts as "always": the server validates it, and downloads must never stall on it. */
export function inWindowText(text: string, tz: string, now: number): boolean {
  const w = parseDownloadWindow(text);
  return w ? inDownloadWindow(w, minuteOfDay(tz, now)) : true;
}
