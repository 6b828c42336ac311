// Weekdays and the provincial windows of a carried channel as the console shows them: in words ("周一、周三
// 19:30–20:00") and as bands on a day of the week timeline. Pure: no API, no clock.
import { t } from './i18n.ts';
import type { CarryWindow } from './api/types.ts';

/** The API's weekdays are ISO: 1 = Monday .. 7 = Sunday (the labels are keyed 0 = Sunday). */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
export const weekdayName = (d: number) => t(`weekday.${d % 7}`);

/** ISO weekday (1 = Monday .. 7 = Sunday) of a YYYY-MM-DD. */
function isoWeekday(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay() || 7;
}

const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

export function windowText(w: CarryWindow): string {
  const days = w.days.length === 7 ? t('carry.everyDay') : [...w.days].sort().map(weekdayName).join('、');
  return `${days} ${w.start}–${w.end}`;
}
export const windowsText = (ws: CarryWindow[]) => ws.map(windowText).join('；');

/** Where a day's window occurrences lie on its row, in percent of the day (wall clock, as the windows are set). */
export function windowBands(day: string, windows: CarryWindow[]): Array<{ leftPct: number; widthPct: number; label: string }> {
  const wd = isoWeekday(day);
  return windows
    .filter((w) => w.days.includes(wd))
    .map((w) => {
      const from = minutes(w.start);
      const to = minutes(w.end);
      return { leftPct: (from / 1440) * 100, widthPct: (Math.max(0, to - from) / 1440) * 100, label: windowText(w) };
    });
}
