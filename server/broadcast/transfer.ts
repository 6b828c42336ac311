// Bulk schedule work: copy a day or a week, export and import a week as CSV or JSON.
// Shifts are by calendar days in the province's zone, so 19:30 stays 19:30 across a DST change.
import { DateTime } from 'luxon';
import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import type { Db } from '../db/connection.ts';
import { badRequest } from '../errors.ts';
import { itemsBetween } from './repo.ts';
import { insertItems, type ItemDraft } from './schedule.ts';
import { parseInstant } from './http.ts';
import { csvCell } from '../../common/csv-cell.ts';
import { MAX_IMPORT_ROWS, TBA_TITLE, type WeekExport, type WeekRow } from '../../common/api/broadcast.ts';

function shiftDays(ms: number, days: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).plus({ days }).toMillis();
}

/** Copies the items starting in [fromDay, fromDay + days) to toDay (optionally on another channel); all or none. */
export function copyDays(
  db: Db,
  zone: string,
  channelId: number,
  fromDay: DateTime,
  toDay: DateTime,
  days: number,
  targetChannelId: number,
  nowMs: number,
): number[] {
  const start = fromDay.toMillis();
  const end = fromDay.plus({ days }).toMillis();
  const offset = Math.round(toDay.diff(fromDay, 'days').days);
  if (offset === 0 && targetChannelId === channelId)
    throw badRequest('Copying a day onto itself does nothing: pick another target day or channel.');
  const source = itemsBetween(db, channelId, start, end).filter((r) => r.start_at >= start);
  const drafts: ItemDraft[] = [];
  for (const r of source) {
    if (r.program_id === null) continue; // a deleted program has nothing to copy
    const s = shiftDays(r.start_at, offset, zone);
    drafts.push({ programId: r.program_id, start: s, end: s + (r.end_at - r.start_at) });
  }
  if (drafts.length === 0)
    throw badRequest(`Nothing to copy: channel ${channelId} has no items from ${fromDay.toISODate()} for ${days} day(s).`);
  return insertItems(db, targetChannelId, drafts, nowMs, zone);
}

/** The items starting in the week; `showDrafts` false: unpublished programs' titles read TBA_TITLE. */
export function exportWeek(db: Db, zone: string, channelId: number, week: DateTime, showDrafts: boolean): WeekExport {
  const from = week.toMillis();
  const to = week.plus({ days: 7 }).toMillis();
  const items = itemsBetween(db, channelId, from, to)
    .filter((r) => r.start_at >= from && r.program_id !== null)
    .map((r) => ({
      start: DateTime.fromMillis(r.start_at, { zone }).toISO({ suppressMilliseconds: true })!,
      end: DateTime.fromMillis(r.end_at, { zone }).toISO({ suppressMilliseconds: true })!,
      programId: r.program_id!,
      title: r.published === false && !showDrafts ? TBA_TITLE : (r.title ?? ''),
    }));
  return { week: week.toISODate()!, timezone: zone, channelId, items };
}

const CSV_COLUMNS = ['start', 'end', 'program_id', 'title'] as const;

export function weekToCsv(rows: WeekRow[]): string {
  // Titles are typed by people: never let a spreadsheet run one as a formula.
  return stringifyCsv(
    rows.map((r) => [r.start, r.end, r.programId, csvCell(r.title)]),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

/** CSV text -> rows; a 400 naming the line when a row is unusable. */
export function csvToRows(text: string): Array<{ start: string; end?: string; programId: number }> {
  let records: Record<string, string>[];
  try {
    records = parseCsv(text.replace(/^\uFEFF/, ''), {
      columns: (h: string[]) => h.map((x) => x.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
    });
  } catch (err) {
    throw badRequest(`The CSV cannot be read: ${(err as Error).message}`);
  }
  return records.map((r, i) => {
    const programId = Number(r.program_id ?? r.programid);
    if (!r.start || !Number.isInteger(programId) || programId < 1) {
      throw badRequest(`CSV line ${i + 2}: needs columns start and program_id (header: ${CSV_COLUMNS.join(',')}).`);
    }
    return { start: r.start, end: r.end || undefined, programId };
  });
}

/**
 * Imports rows (all or none). With `toWeek`, rows are moved by whole days from `fromWeek` (the week they were
 * exported from) to `toWeek`.
 */
export function importRows(
  db: Db,
  zone: string,
  channelId: number,
  rows: Array<{ start: string | number; end?: string | number; programId: number }>,
  shiftDaysBy: number,
  nowMs: number,
): number[] {
  if (rows.length === 0) throw badRequest('Nothing to import: the week has no items.');
  if (rows.length > MAX_IMPORT_ROWS) throw badRequest(`At most ${MAX_IMPORT_ROWS} items per import: split the file.`);
  const drafts = rows.map((r, i) => {
    const start = shiftDays(parseInstant(r.start, `items[${i}].start`, zone), shiftDaysBy, zone);
    const end =
      r.end === undefined || r.end === '' ? undefined : shiftDays(parseInstant(r.end, `items[${i}].end`, zone), shiftDaysBy, zone);
    return { programId: r.programId, start, end };
  });
  drafts.sort((a, b) => a.start - b.start);
  return insertItems(db, channelId, drafts, nowMs, zone);
}
