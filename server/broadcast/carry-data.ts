// The channel_carry table (migration 018): which channels of this province carry a central channel, the windows
// they leave to the province, the centre's schedule as last read and how the last sync went. The only module with
// SQL on it.
import type { Db } from '../db/connection.ts';
import type { CarryWindow, ChannelCarry } from '../../common/api/broadcast.ts';
import type { CentralItem } from '../upstream/carried-windows.ts';
import { conflict } from '../errors.ts';

export interface CarryRow {
  channelId: number;
  centralChannelId: number;
  centralName: string | null;
  windows: CarryWindow[];
  centralItems: CentralItem[];
  lastSyncAt: string | null;
  lastError: string | null;
}

interface RawCarry {
  channelId: number;
  centralChannelId: number;
  centralName: string | null;
  windows: string;
  centralItems: string;
  lastSyncAt: string | null;
  lastError: string | null;
}

const COLUMNS = `channel_id AS channelId, central_channel_id AS centralChannelId, central_name AS centralName, windows,
  central_items AS centralItems, last_sync_at AS lastSyncAt, last_error AS lastError`;

const parse = (r: RawCarry): CarryRow => ({
  ...r,
  windows: JSON.parse(r.windows) as CarryWindow[],
  centralItems: JSON.parse(r.centralItems) as CentralItem[],
});

export function carryOf(db: Db, channelId: number): CarryRow | undefined {
  const row = db.prepare<[number], RawCarry>(`SELECT ${COLUMNS} FROM channel_carry WHERE channel_id = ?`).get(channelId);
  return row && parse(row);
}

export function carriedChannels(db: Db): CarryRow[] {
  return db.prepare<[], RawCarry>(`SELECT ${COLUMNS} FROM channel_carry ORDER BY channel_id`).all().map(parse);
}

/**
 * The API view of a channel's carry (null: a channel of this province's own). Read for every channel listed, so it
 * leaves out the copy of the centre's week (central_items), which only the sync needs.
 */
export function carryView(db: Db, channelId: number): ChannelCarry | null {
  const row = db
    .prepare<[number], Omit<RawCarry, 'channelId' | 'centralItems'>>(
      `SELECT central_channel_id AS centralChannelId, central_name AS centralName, windows, last_sync_at AS lastSyncAt,
        last_error AS lastError FROM channel_carry WHERE channel_id = ?`,
    )
    .get(channelId);
  return row ? { ...row, windows: JSON.parse(row.windows) as CarryWindow[] } : null;
}

/** 409 when another channel of this province carries that central channel already. */
export function insertCarry(db: Db, channelId: number, centralChannelId: number, centralName: string | null, windows: CarryWindow[]): void {
  const other = db
    .prepare<[number], { channelId: number }>('SELECT channel_id AS channelId FROM channel_carry WHERE central_channel_id = ?')
    .get(centralChannelId);
  if (other)
    throw conflict(
      `Central channel ${centralChannelId} is carried already by channel ${other.channelId}: edit that channel's windows instead.`,
      'already_carried',
    );
  db.prepare('INSERT INTO channel_carry (channel_id, central_channel_id, central_name, windows) VALUES (?, ?, ?, ?)').run(
    channelId,
    centralChannelId,
    centralName,
    JSON.stringify(windows),
  );
}

export function setCarryWindows(db: Db, channelId: number, windows: CarryWindow[]): void {
  db.prepare('UPDATE channel_carry SET windows = ? WHERE channel_id = ?').run(JSON.stringify(windows), channelId);
}

/** A successful read of the centre's schedule for this channel. */
export function recordCarrySync(db: Db, channelId: number, centralName: string, items: CentralItem[], at: string): void {
  db.prepare('UPDATE channel_carry SET central_name = ?, central_items = ?, last_sync_at = ?, last_error = NULL WHERE channel_id = ?').run(
    centralName,
    JSON.stringify(items),
    at,
    channelId,
  );
}

/** A failed sync: the schedule already copied stands; the error says why it did not move. */
export function recordCarryError(db: Db, channelId: number, error: string): void {
  db.prepare('UPDATE channel_carry SET last_error = ? WHERE channel_id = ?').run(error, channelId);
}
