// Recurring slots -> concrete schedule items, idempotently (slot_occurrences remembers every occurrence
// considered, so re-running, or deleting a materialised item, never creates it twice).
import type { Db } from '../db/connection.ts';
import { occurrences } from './recurrence.ts';
import { clashingItem, describeItem, getProgram, programLengthMs } from './repo.ts';
import { invalidateChannel } from './timeline-input.ts';

/** Slots are materialised at least this far ahead (sites fetch 48 h; operators see a week). */
export const MATERIALISE_AHEAD_MS = 8 * 86_400_000;

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
}

/** Episodes of a series in airing order (episode number, then id); failed or cancelled ones are left out. */
function seriesEpisodes(db: Db, seriesId: number): number[] {
  return (
    db
      .prepare(
        `SELECT id FROM programs WHERE series_id = ? AND status NOT IN ('failed', 'cancelled')
          ORDER BY episode IS NULL, episode, id`,
      )
      .all(seriesId) as Array<{ id: number }>
  ).map((r) => r.id);
}

/** Materialises one slot's occurrences in [now, now + ahead). */
export function materialiseSlot(db: Db, slot: SlotRow, zone: string, nowMs: number, aheadMs = MATERIALISE_AHEAD_MS): MaterialiseResult {
  const result: MaterialiseResult = { created: [], skipped: [] };
  const from = Math.max(slot.from_at, nowMs);
  const to = Math.min(slot.until_at === null ? Infinity : slot.until_at + 1, nowMs + aheadMs);
  if (to <= from) return result;
  const done = db.prepare('SELECT 1 FROM slot_occurrences WHERE slot_id = ? AND start_at = ?');
  const record = db.prepare('INSERT INTO slot_occurrences (slot_id, start_at, item_id, note) VALUES (?, ?, ?, ?)');
  const insert = db.prepare(
    `INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, slot_id, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const days = slot.days ? (JSON.parse(slot.days) as number[]) : null;
  let episode = slot.next_episode;
  db.transaction(() => {
    for (const start of occurrences({ days, time: slot.time, cron: slot.cron }, from, to, zone)) {
      if (done.get(slot.id, start)) continue;
      let programId: number | null = slot.program_id;
      if (slot.series_id !== null) {
        const episodes = seriesEpisodes(db, slot.series_id);
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
        result.skipped.push({ start, reason: `program ${programId} is not transcoded yet, so its length is unknown; give the slot a duration` });
        continue; // not recorded: tried again once the program is ready
      }
      const clash = clashingItem(db, slot.channel_id, start, start + length);
      if (clash) {
        const note = `clashes with ${describeItem(clash)}`;
        record.run(slot.id, start, null, note);
        result.skipped.push({ start, reason: note });
        continue;
      }
      const now = new Date(nowMs).toISOString();
      const itemId = Number(insert.run(slot.channel_id, programId, start, start + length, slot.id, now, now).lastInsertRowid);
      record.run(slot.id, start, itemId, null);
      result.created.push(itemId);
      if (slot.series_id !== null) episode += 1;
    }
    db.prepare('UPDATE schedule_slots SET next_episode = ?, materialised_until = MAX(materialised_until, ?) WHERE id = ?').run(
      episode, Math.min(to, nowMs + aheadMs), slot.id,
    );
  })();
  if (result.created.length) invalidateChannel(db, slot.channel_id);
  return result;
}

/** Runs every slot (the cron job, and once at start-up). */
export function materialiseAll(db: Db, zone: string, nowMs: number): { created: number; skipped: number } {
  const slots = db.prepare('SELECT * FROM schedule_slots WHERE until_at IS NULL OR until_at >= ?').all(nowMs) as SlotRow[];
  let created = 0;
  let skipped = 0;
  for (const slot of slots) {
    const r = materialiseSlot(db, slot, zone, nowMs);
    created += r.created.length;
    skipped += r.skipped.length;
  }
  return { created, skipped };
}
