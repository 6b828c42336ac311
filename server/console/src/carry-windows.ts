// The provincial windows of a carried channel, as bands on a day of the week timeline and as the first free moment in
// one (where a new item goes). Pure: no API, no clock, no texts (those are in carry-text.ts).
import type { CarryWindow } from './api/types.ts';

/** The API's weekdays are ISO: 1 = Monday .. 7 = Sunday (the labels are keyed 0 = Sunday). */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

/** ISO weekday (1 = Monday .. 7 = Sunday) of a YYYY-MM-DD. */
function isoWeekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

/** Where a day's window occurrences lie on its row, in percent of the day (wall clock, as the windows are set). */
export function windowBands(day: string, windows: CarryWindow[]): Array<{ leftPct: number; widthPct: number; window: CarryWindow }> {
  const wd = isoWeekday(day);
  return windows
    .filter((w) => w.days.includes(wd))
    .map((w) => {
      const from = minutes(w.start);
      const to = minutes(w.end);
      return { leftPct: (from / 1440) * 100, widthPct: (Math.max(0, to - from) / 1440) * 100, window: w };
    });
}

/**
 * Where a new item on a carried channel goes by default: the first free moment, at or after `notBefore`, inside a
 * window occurrence of the next 8 days (after the items already there); null when every window is full.
 * `at(day, 'HH:MM')` is the instant of a province wall-clock time; `dayOf(ms)` the province day of an instant.
 */
export function nextWindowStart(
  windows: CarryWindow[],
  notBefore: number,
  items: Array<{ start: string; end: string }>,
  at: (day: string, hhmm: string) => number,
  dayOf: (ms: number) => string,
  addDays: (day: string, n: number) => string,
): number | null {
  const sorted = items.map((i) => ({ s: Date.parse(i.start), e: Date.parse(i.end) })).sort((a, b) => a.s - b.s);
  const first = dayOf(notBefore);
  for (let d = 0; d < 8; d++) {
    const day = addDays(first, d);
    const wd = isoWeekday(day);
    const today = windows.filter((w) => w.days.includes(wd)).sort((a, b) => minutes(a.start) - minutes(b.start));
    for (const w of today) {
      const end = at(day, w.end);
      let cursor = Math.max(at(day, w.start), notBefore);
      for (const it of sorted) if (it.s <= cursor && it.e > cursor) cursor = it.e;
      if (cursor < end) return cursor;
    }
  }
  return null;
}
