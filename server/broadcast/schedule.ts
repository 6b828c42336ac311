// Writing schedule items with the rules operators rely on: no overlaps (409 naming the clash), the past
// and the item on air are immutable (409), a program's length sets the item's end unless given. On a channel that
// carries a central channel, only the provincial windows can be filled, and the centre's items are read-only (409).
import type { Db } from '../db/connection.ts';
import { badRequest, conflict } from '../errors.ts';
import { assertNoClash, deleteItemRow, getItem, getProgram, insertItem, moveItem, programLengthMs, type ItemRow } from './repo.ts';
import { invalidateChannel } from './timeline-input.ts';
import { carryOf } from './carry-data.ts';
import { windowHolding, windowsText, type Span } from '../upstream/carried-windows.ts';

export interface ItemDraft {
  programId: number;
  start: number;
  /** Explicit end; else start + durationMs; else start + the program's length (rounded up to seconds). */
  end?: number;
  durationMs?: number;
}

/** The end of an item, or a 400 that says how to give one. */
export function resolveEnd(db: Db, d: ItemDraft): number {
  if (d.end !== undefined) {
    if (d.end <= d.start) throw badRequest('end must be after start.');
    return d.end;
  }
  if (d.durationMs !== undefined) {
    if (d.durationMs <= 0) throw badRequest('durationSeconds must be positive.');
    return d.start + d.durationMs;
  }
  const length = programLengthMs(getProgram(db, d.programId));
  if (!length) throw badRequest(`Program ${d.programId} is not transcoded yet, so its length is unknown: give end or durationSeconds.`);
  return d.start + length;
}

function assertFuture(start: number, nowMs: number, what = 'An item'): void {
  if (start <= nowMs)
    throw conflict(`${what} cannot start in the past (${new Date(start).toISOString()}): the past of a schedule is fixed.`, 'in_the_past');
}

function assertNotStarted(item: ItemRow, nowMs: number): void {
  if (item.start_at <= nowMs) {
    const when = nowMs >= item.end_at ? 'has ended' : 'is on air';
    throw conflict(
      `Item ${item.id} ${when}: started and past items cannot be changed or deleted.`,
      nowMs >= item.end_at ? 'item_ended' : 'item_started',
    );
  }
}

/**
 * On a carried channel: 409 carried_by_centre naming the windows unless `span` lies wholly inside one window
 * occurrence (the province fills its windows; the rest is the centre's). Nothing on a channel of this province's own.
 */
export function assertCarryAllows(db: Db, channelId: number, zone: string, span: Span): void {
  const carry = carryOf(db, channelId);
  if (!carry || windowHolding(carry.windows, zone, span)) return;
  const iso = (ms: number) => new Date(ms).toISOString();
  throw conflict(
    `Channel ${channelId} carries the centre's channel ${carry.centralName ? `"${carry.centralName}"` : carry.centralChannelId}: ` +
      `outside its provincial windows (${windowsText(carry.windows)}, ${zone}) the centre's schedule stands. ` +
      `${iso(span.start)} to ${iso(span.end)} is not wholly inside one window.`,
    'carried_by_centre',
  );
}

function assertLocal(item: ItemRow): void {
  if (item.origin === 'central')
    throw conflict(
      `Item ${item.id} comes from the centre's schedule of this carried channel: it cannot be changed or deleted here.`,
      'central_item',
    );
}

/** Inserts items (all or none) after checking each against the schedule and the others. */
export function insertItems(db: Db, channelId: number, drafts: ItemDraft[], nowMs: number, zone: string): number[] {
  const ids = db.transaction(() => {
    const out: number[] = [];
    for (const d of drafts) {
      getProgram(db, d.programId); // 404 when it does not exist
      const end = resolveEnd(db, d);
      assertFuture(d.start, nowMs);
      assertCarryAllows(db, channelId, zone, { start: d.start, end });
      // Items inserted earlier in this batch are in the table already, so batch-internal clashes are caught too.
      assertNoClash(db, channelId, d.start, end);
      out.push(insertItem(db, channelId, d.programId, d.start, end, null, nowMs));
    }
    return out;
  })();
  invalidateChannel(db, channelId);
  return ids;
}

export function updateItem(db: Db, channelId: number, itemId: number, patch: Partial<ItemDraft>, nowMs: number, zone: string): void {
  db.transaction(() => {
    const item = getItem(db, channelId, itemId);
    assertLocal(item);
    assertNotStarted(item, nowMs);
    const programId = patch.programId ?? item.program_id;
    if (programId === null) throw badRequest('This item lost its program (deleted): give programId.');
    const start = patch.start ?? item.start_at;
    let end: number;
    if (patch.end !== undefined || patch.durationMs !== undefined)
      end = resolveEnd(db, { programId, start, end: patch.end, durationMs: patch.durationMs });
    else if (patch.programId !== undefined && patch.programId !== item.program_id) end = resolveEnd(db, { programId, start });
    else end = start + (item.end_at - item.start_at); // moving keeps the length
    getProgram(db, programId);
    assertFuture(start, nowMs, 'An item');
    assertCarryAllows(db, channelId, zone, { start, end });
    assertNoClash(db, channelId, start, end, itemId);
    moveItem(db, itemId, programId, start, end, nowMs);
  })();
  invalidateChannel(db, channelId);
}

export function deleteItem(db: Db, channelId: number, itemId: number, nowMs: number): void {
  db.transaction(() => {
    const item = getItem(db, channelId, itemId);
    assertLocal(item);
    assertNotStarted(item, nowMs);
    deleteItemRow(db, itemId);
  })();
  invalidateChannel(db, channelId);
}
