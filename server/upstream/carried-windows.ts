// The windows a carried channel leaves to the province, and the centre's schedule fitted around them (PURE; `now`
// and the zone are passed in). A window is days of the week + HH:MM..HH:MM in the province zone; each day it falls
// on it is one occurrence [start, end). Outside every occurrence the centre's schedule stands.
import { DateTime } from 'luxon';
import type { CarryWindow } from '../../common/api/broadcast.ts';
import { badRequest } from '../errors.ts';

export interface Span {
  start: number;
  end: number;
}

/** One item of the centre's schedule as the province keeps it: epoch ms and the central program id. */
export interface CentralItem extends Span {
  programId: number | null;
}

/** What a carried channel's schedule should hold from the centre: the local program, or null while not mirrored. */
export interface PlannedItem extends Span {
  centralProgramId: number | null;
  programId: number | null;
}

const DAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** "Mon,Wed 19:30-20:00": a window as a person reads it. */
export function windowText(w: CarryWindow): string {
  const days = [...w.days].sort((a, b) => a - b);
  const names = days.length === 7 ? 'daily' : days.map((d) => DAY_NAMES[d - 1]).join(',');
  return `${names} ${w.start}-${w.end}`;
}

export function windowsText(windows: CarryWindow[]): string {
  return windows.length ? windows.map(windowText).join('; ') : 'none';
}

/**
 * A sentence saying what is wrong with the windows (a window ending before it starts, two windows overlapping on a
 * day), or null when they are usable. The schema has checked the shapes (HH:MM, days 1..7 unique).
 */
export function windowsProblem(windows: CarryWindow[]): string | null {
  for (const [i, w] of windows.entries()) {
    if (minutes(w.start) >= minutes(w.end))
      return `windows[${i}] (${windowText(w)}) ends before it starts: end must be after start on the same day (24:00 = midnight).`;
  }
  for (let i = 0; i < windows.length; i++) {
    for (let j = i + 1; j < windows.length; j++) {
      const a = windows[i]!;
      const b = windows[j]!;
      const day = a.days.find((d) => b.days.includes(d));
      if (day !== undefined && minutes(a.start) < minutes(b.end) && minutes(b.start) < minutes(a.end))
        return `windows[${i}] (${windowText(a)}) and windows[${j}] (${windowText(b)}) overlap on ${DAY_NAMES[day - 1]}: make them apart.`;
    }
  }
  return null;
}

/** 400 bad_windows saying which window is wrong. */
export function assertWindows(windows: CarryWindow[]): void {
  const problem = windowsProblem(windows);
  if (problem) throw badRequest(problem, 'bad_windows');
}

/** The occurrences of the windows that overlap [fromMs, toMs), by start. */
export function windowOccurrences(windows: CarryWindow[], zone: string, fromMs: number, toMs: number): Span[] {
  const out: Span[] = [];
  if (!windows.length || toMs <= fromMs) return out;
  // A window ends by the next midnight at the latest: start a day early so one that holds `fromMs` is found.
  for (
    let day = DateTime.fromMillis(fromMs, { zone }).startOf('day').minus({ days: 1 });
    day.toMillis() < toMs;
    day = day.plus({ days: 1 })
  ) {
    for (const w of windows) {
      if (!w.days.includes(day.weekday)) continue;
      const start = day.plus({ minutes: minutes(w.start) }).toMillis();
      const end = w.end === '24:00' ? day.plus({ days: 1 }).toMillis() : day.plus({ minutes: minutes(w.end) }).toMillis();
      if (end > fromMs && start < toMs) out.push({ start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The window occurrence that holds [start, end) wholly, if any. */
export function windowHolding(windows: CarryWindow[], zone: string, span: Span): Span | undefined {
  return windowOccurrences(windows, zone, span.start, span.end).find((o) => o.start <= span.start && span.end <= o.end);
}

/**
 * The centre's items as this channel carries them from `nowMs` on. An item that starts inside a window occurrence
 * or a blocked span (an item already started, a provincial item) is left out; one that runs into them is cut where
 * they begin (a program always plays from its beginning, so a cut item plays its first part). Items that start by
 * `nowMs` are never planned: the past and the item on air are fixed. Central programs map to the local programs
 * mirroring them (`localIds`); one not mirrored keeps its slot with program null (the slate plays).
 */
export function planCarried(input: {
  central: CentralItem[];
  localIds: ReadonlyMap<number, number>;
  windows: CarryWindow[];
  zone: string;
  nowMs: number;
  blocked: Span[];
}): PlannedItem[] {
  const out: PlannedItem[] = [];
  for (const item of [...input.central].sort((a, b) => a.start - b.start)) {
    if (item.start <= input.nowMs || item.end <= item.start) continue;
    const obstacles = [...windowOccurrences(input.windows, input.zone, item.start, item.end), ...input.blocked].filter(
      (s) => s.end > item.start && s.start < item.end,
    );
    if (obstacles.some((s) => s.start <= item.start)) continue;
    const end = Math.min(item.end, ...obstacles.map((s) => s.start));
    const programId = item.programId === null ? null : (input.localIds.get(item.programId) ?? null);
    out.push({ start: item.start, end, centralProgramId: item.programId, programId });
  }
  return out;
}
