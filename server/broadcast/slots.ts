// Recurring slots -> concrete schedule items, idempotently (slot_occurrences remembers every occurrence
// considered, so re-running, or deleting a materialised item, never creates it twice).
import type { Db } from '../db/connection.ts';
import { occurrences } from './recurrence.ts';
import { seriesEpisodeIds } from '../catalog/repo.ts';
import { clashingItem, describeItem, getProgram, insertItem, programLengthMs } from './repo.ts';
import { invalidateChannel } from './timeline-input.ts';
import { carryOf } from './carry-data.ts';
import { windowHolding, windowsText } from '../upstream/carried-windows.ts';

/** Slots are materialised at least this far ahead (sites fetch 48 h; operators see a week). */
const MATERIALISE_AHEAD_MS = 8 * 86_400_000;

export interface SlotRow {
  id: number;
  channel_id: number;
  days: string | null;
  time: string | null;
  cron: string | null;
  program_id: number | null;
  series_id: number | null;
  next_episode: number;
  duration_ms: number | null;
  from_at: number;
  until_at: number | null;
  materialised_until: number;
}

export interface MaterialiseResult {
  created: number[];
  skipped: Array<{ start: number; reason: string }>;
  /** On a carried channel: occurrences that would leave the provincial windows (skipped). */
  outsideWindows: Array<{ start: number; end: number }>;
}

/** Materialises one slot's occurrences in [now, now + ahead). */
export function materialiseSlot(db: Db, slot: SlotRow, zone: string, nowMs: number, aheadMs = MATERIALISE_AHEAD_MS): MaterialiseResult {
  const result: MaterialiseResult = { created: [], skipped: [], outsideWindows: [] };
  const from = Math.max(slot.from_at, nowMs);
  const to = Math.min(slot.until_at === null ? Infinity : slot.until_at + 1, nowMs + aheadMs);
  if (to <= from) return result;
  const done = db.prepare<[number, number], 1>('SELECT 1 FROM slot_occurrences WHERE slot_id = ? AND start_at = ?');
  const record = db.prepare('INSERT INTO slot_occurrences (slot_id, start_at, item_id, note) VALUES (?, ?, ?, ?)');
  const days = slot.days ? (JSON.parse(slot.days) as number[]) : null;
  let episode = slot.next_episode;
  const carry = carryOf(db, slot.channel_id);
  db.transaction(() => {
    for (const start of occurrences({ days, time: slot.time, cron: slot.cron }, from, to, zone)) {
      if (done.get(slot.id, start)) continue;
      let programId: number | null = slot.program_id;
      if (slot.series_id !== null) {
        const episodes = seriesEpisodeIds(db, slot.series_id);
        if (episodes.length === 0) {
          result.skipped.push({ start, reason: `series ${slot.series_id} has no episodes yet` });
          continue; // not recorded: tried again on the next run
        }
        programId = episodes[episode % episodes.length];
      }
      if (programId === null) {
        result.skipped.push({ start, reason: 'the slot has no program any more' });
        continue;
      }
      const length = slot.duration_ms ?? programLengthMs(getProgram(db, programId));
      if (!length) {
        result.skipped.push({
          start,
          reason: `program ${programId} is not transcoded yet, so its length is unknown; give the slot a duration`,
        });
        continue; // not recorded: tried again once the program is ready
      }
      if (carry && !windowHolding(carry.windows, zone, { start, end: start + length })) {
        const note = `outside the provincial windows of this carried channel (${windowsText(carry.windows)}): the centre's schedule stands`;
        record.run(slot.id, start, null, note);
        result.skipped.push({ start, reason: note });
        result.outsideWindows.push({ start, end: start + length });
        continue;
      }
      const clash = clashingItem(db, slot.channel_id, start, start + length);
      if (clash) {
        const note = `clashes with ${describeItem(clash)}`;
        record.run(slot.id, start, null, note);
        result.skipped.push({ start, reason: note });
        continue;
      }
      const itemId = insertItem(db, slot.channel_id, programId, start, start + length, slot.id, nowMs);
      record.run(slot.id, start, itemId, null);
      result.created.push(itemId);
      if (slot.series_id !== null) episode += 1;
    }
    db.prepare('UPDATE schedule_slots SET next_episode = ?, materialised_until = MAX(materialised_until, ?) WHERE id = ?').run(
      episode,
      Math.min(to, nowMs + aheadMs),
      slot.id,
    );
  })();
  if (result.created.length) invalidateChannel(db, slot.channel_id);
  return result;
}

/** Runs every slot (the cron job, and once at start-up). */
export function materialiseAll(db: Db, zone: string, nowMs: number): { created: number; skipped: number } {
  const slots = db.prepare<[number], SlotRow>('SELECT * FROM schedule_slots WHERE until_at IS NULL OR until_at >= ?').all(nowMs);
  let created = 0;
  let skipped = 0;
  for (const slot of slots) {
    const r = materialiseSlot(db, slot, zone, nowMs);
    created += r.created.length;
    skipped += r.skipped.length;
  }
  return { created, skipped };
}

export interface NewSlot {
  days: number[] | null;
  time: string | null;
  cron: string | null;
  programId: number | null;
  seriesId: number | null;
  durationMs: number | null;
  from: number;
  until: number | null;
}

export function insertSlot(db: Db, channelId: number, s: NewSlot, nowMs: number): SlotRow {
  const stamp = new Date(nowMs).toISOString();
  const id = Number(
    db
      .prepare(
        `INSERT INTO schedule_slots (channel_id, days, time, cron, program_id, series_id, duration_ms, from_at, until_at, materialised_until,
           created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        channelId,
        s.days ? JSON.stringify(s.days) : null,
        s.time,
        s.cron,
        s.programId,
        s.seriesId,
        s.durationMs,
        s.from,
        s.until,
        s.from,
        stamp,
        stamp,
      ).lastInsertRowid,
  );
  return getSlot(db, id)!;
}

export function getSlot(db: Db, id: number): SlotRow | undefined {
  return db.prepare<[number], SlotRow>('SELECT * FROM schedule_slots WHERE id = ?').get(id);
}

export function listSlots(db: Db, channelId: number): SlotRow[] {
  return db.prepare<[number], SlotRow>('SELECT * FROM schedule_slots WHERE channel_id = ? ORDER BY id').all(channelId);
}

/** Occurrences of a slot from `fromMs` that were skipped, with why. */
export function skippedOccurrences(db: Db, slotId: number, fromMs: number): Array<{ start: number; reason: string }> {
  return db
    .prepare<[number, number], { start: number; reason: string }>(
      'SELECT start_at AS start, note AS reason FROM slot_occurrences WHERE slot_id = ? AND note IS NOT NULL AND start_at >= ? ORDER BY start_at',
    )
    .all(slotId, fromMs);
}

/** Deletes a slot of the channel and the items it made that have not started (aired ones stay); false if none. */
export function deleteSlot(db: Db, channelId: number, slotId: number, nowMs: number): boolean {
  const deleted = db.transaction(() => {
    const slot = getSlot(db, slotId);
    if (!slot || slot.channel_id !== channelId) return false;
    db.prepare('DELETE FROM schedule_items WHERE slot_id = ? AND start_at > ?').run(slotId, nowMs);
    db.prepare('DELETE FROM schedule_slots WHERE id = ?').run(slotId);
    return true;
  })();
  if (deleted) invalidateChannel(db, channelId);
  return deleted;
}
