// Lays a week of schedule items out as rows (one per province day) of blocks sized by duration. Pure: the
// zone conversion is passed in, so it can be tested apart from the page.
import type { ScheduleItem } from './api/types.ts';

export interface Block {
  item: ScheduleItem;
  leftPct: number;
  widthPct: number;
  startsBefore: boolean;
  endsAfter: boolean;
}
export interface DayRow {
  day: string;
  startMs: number;
  endMs: number;
  blocks: Block[];
  nowPct: number | null;
}

export function layoutWeek(days: string[], dayStart: (day: string) => number, items: ScheduleItem[], nowMs: number): DayRow[] {
  return days.map((day, i) => {
    const startMs = dayStart(day);
    const endMs = i + 1 < days.length ? dayStart(days[i + 1]) : startMs + 86_400_000;
    const span = endMs - startMs;
    const blocks: Block[] = [];
    for (const item of items) {
      const s = Date.parse(item.start);
      const e = Date.parse(item.end);
      if (e <= startMs || s >= endMs) continue;
      const from = Math.max(s, startMs);
      const to = Math.min(e, endMs);
      blocks.push({
        item,
        leftPct: ((from - startMs) / span) * 100,
        widthPct: ((to - from) / span) * 100,
        startsBefore: s < startMs,
        endsAfter: e > endMs,
      });
    }
    blocks.sort((a, b) => a.leftPct - b.leftPct);
    return { day, startMs, endMs, blocks, nowPct: nowMs >= startMs && nowMs < endMs ? ((nowMs - startMs) / span) * 100 : null };
  });
}

/** Where a new item goes by default: right after the last item that ends after `notBefore`, else at `notBefore`. */
export function defaultStart(items: ScheduleItem[], notBefore: number): number {
  let at = notBefore;
  for (const it of items) {
    const e = Date.parse(it.end);
    if (e > at && Date.parse(it.start) <= at + 86_400_000 * 7) at = Math.max(at, e);
  }
  return at;
}
