// SQLite access for channels and schedule items (rows in, plain objects out).
import type { Db } from '../db/connection.ts';
import { badRequest, conflict, notFound } from '../errors.ts';

export interface ChannelRow {
  id: number;
  number: number;
  name: string;
  description: string;
  logo: string | null;
  slate_program_id: number | null;
  generated_slate_id: number | null;
  slate_status: 'pending' | 'ready' | 'failed';
  slate_error: string | null;
  epoch: number;
  created_at: string;
  updated_at: string;
}

export interface ItemRow {
  id: number;
  channel_id: number;
  program_id: number | null;
  start_at: number;
  end_at: number;
  slot_id: number | null;
  aired_as: 'program' | 'slate' | null;
  title: string | null;
  status: string | null;
}

export function getChannel(db: Db, id: number): ChannelRow {
  const row = db.prepare('SELECT * FROM channels WHERE id = ?').get(id) as ChannelRow | undefined;
  if (!row) throw notFound(`No channel ${id}.`);
  return row;
}

export interface NewChannel {
  number: number;
  name: string;
  description?: string;
  logo?: string | null;
  slateProgramId?: number | null;
}

/** Inserts a channel whose sequences count from `nowMs`; returns its id. Its slate is queued by the caller. */
export function insertChannel(db: Db, c: NewChannel, nowMs: number): number {
  const stamp = new Date(nowMs).toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO channels (number, name, description, logo, slate_program_id, epoch, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.number, c.name, c.description ?? '', c.logo ?? null, c.slateProgramId ?? null, nowMs, stamp, stamp).lastInsertRowid,
  );
}

export function listChannels(db: Db): ChannelRow[] {
  return db.prepare('SELECT * FROM channels ORDER BY number').all() as ChannelRow[];
}

export function channelRegionIds(db: Db, channelId: number): number[] {
  return (db.prepare('SELECT region_id FROM channel_regions WHERE channel_id = ? ORDER BY region_id').all(channelId) as Array<{ region_id: number }>).map(
    (r) => r.region_id,
  );
}

const itemSelect = `SELECT i.id, i.channel_id, i.program_id, i.start_at, i.end_at, i.slot_id, i.aired_as, p.title, p.status
  FROM schedule_items i LEFT JOIN programs p ON p.id = i.program_id`;

export function getItem(db: Db, channelId: number, itemId: number): ItemRow {
  const row = db.prepare(`${itemSelect} WHERE i.id = ? AND i.channel_id = ?`).get(itemId, channelId) as ItemRow | undefined;
  if (!row) throw notFound(`Channel ${channelId} has no schedule item ${itemId}.`);
  return row;
}

/** Items overlapping [from, to), by start. */
export function itemsBetween(db: Db, channelId: number, fromMs: number, toMs: number): ItemRow[] {
  return db
    .prepare(`${itemSelect} WHERE i.channel_id = ? AND i.end_at > ? AND i.start_at < ? ORDER BY i.start_at`)
    .all(channelId, fromMs, toMs) as ItemRow[];
}

/** The first item of the channel overlapping [start, end), other than `exceptId`. */
export function clashingItem(db: Db, channelId: number, start: number, end: number, exceptId = -1): ItemRow | undefined {
  return db
    .prepare(`${itemSelect} WHERE i.channel_id = ? AND i.start_at < ? AND i.end_at > ? AND i.id != ? ORDER BY i.start_at LIMIT 1`)
    .get(channelId, end, start, exceptId) as ItemRow | undefined;
}

export function describeItem(row: Pick<ItemRow, 'id' | 'title' | 'program_id' | 'start_at' | 'end_at'>): string {
  const what = row.title ? `"${row.title}"` : row.program_id ? `program ${row.program_id}` : 'no program';
  return `item ${row.id} (${what}, ${new Date(row.start_at).toISOString()} to ${new Date(row.end_at).toISOString()})`;
}

/** 409 naming the clashing item when [start, end) overlaps another item of the channel. */
export function assertNoClash(db: Db, channelId: number, start: number, end: number, exceptId = -1): void {
  const other = clashingItem(db, channelId, start, end, exceptId);
  if (other) throw conflict(`This overlaps ${describeItem(other)} on the same channel: move or shorten one of them.`, 'overlap');
}

export interface ProgramInfo {
  id: number;
  title: string;
  status: string;
  /** Seconds; null while unknown (not transcoded yet). */
  duration: number | null;
  series_id: number | null;
}

export function getProgram(db: Db, id: number): ProgramInfo {
  const row = db
    .prepare(
      `SELECT p.id, p.title, p.status, p.series_id,
              COALESCE(p.duration, (SELECT SUM(duration) FROM segments s WHERE s.program_id = p.id)) AS duration
         FROM programs p WHERE p.id = ?`,
    )
    .get(id) as ProgramInfo | undefined;
  if (!row) throw notFound(`No program ${id}.`);
  return row;
}

/** An item's length for a program: its duration rounded up to whole seconds. */
export function programLengthMs(p: ProgramInfo): number | null {
  return p.duration && p.duration > 0 ? Math.ceil(p.duration) * 1000 : null;
}

/** Reach of a channel: all sites when no regions are set. Used by the sites domain through channel_regions. */
export function setChannelRegions(db: Db, channelId: number, regionIds: number[]): void {
  const unique = [...new Set(regionIds)];
  for (const rid of unique) {
    if (!db.prepare('SELECT 1 FROM regions WHERE id = ?').get(rid)) throw badRequest(`regionIds: no region ${rid}; create it under Sites first.`);
  }
  db.prepare('DELETE FROM channel_regions WHERE channel_id = ?').run(channelId);
  const ins = db.prepare('INSERT INTO channel_regions (channel_id, region_id) VALUES (?, ?)');
  for (const rid of unique) ins.run(channelId, rid);
}

// Used by catalog:

/**
 * Why a program may not be deleted or re-transcoded now: a broadcast still to come (or on air) that uses it, a
 * channel whose slate it is, or a recurring slot that still runs it; undefined when nothing does.
 */
export function programBroadcastUse(db: Db, programId: number, nowMs: number): string | undefined {
  const item = db
    .prepare<[number, number], { channelId: number; startAt: number }>(
      'SELECT channel_id AS channelId, start_at AS startAt FROM schedule_items WHERE program_id = ? AND end_at > ? ORDER BY start_at LIMIT 1',
    )
    .get(programId, nowMs);
  if (item) return `it is scheduled on channel ${item.channelId} at ${new Date(item.startAt).toISOString()}`;
  const ch = db
    .prepare<[number, number], { id: number; name: string }>(
      'SELECT id, name FROM channels WHERE slate_program_id = ? OR generated_slate_id = ? LIMIT 1',
    )
    .get(programId, programId);
  if (ch) return `it is the slate of channel ${ch.id} "${ch.name}"`;
  const slot = db
    .prepare<[number, number], { id: number; channelId: number }>(
      'SELECT id, channel_id AS channelId FROM schedule_slots WHERE program_id = ? AND (until_at IS NULL OR until_at > ?) LIMIT 1',
    )
    .get(programId, nowMs);
  if (slot) return `recurring slot ${slot.id} of channel ${slot.channelId} still plays it`;
  return undefined;
}
