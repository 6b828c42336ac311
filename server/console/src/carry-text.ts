// Weekdays and the provincial windows of a carried channel in words: "周一、周三 19:30–20:00", "每天 19:30–20:00".
import { t } from './i18n.ts';
import type { CarryWindow } from './api/types.ts';

/** The label of an ISO weekday (1 = Monday .. 7 = Sunday; the labels are keyed 0 = Sunday). */
export const weekdayName = (d: number) => t(`weekday.${d % 7}`);

export function windowText(w: CarryWindow): string {
  const days =
    w.days.length === 7
      ? t('carry.everyDay')
      : [...w.days]
          .sort((a, b) => a - b)
          .map(weekdayName)
          .join('、');
  return `${days} ${w.start}–${w.end}`;
}
export const windowsText = (ws: CarryWindow[]) => ws.map(windowText).join('；');
