// The broadcast tables (channels, channel_regions, schedule_items, aired_layouts, channel_anchors):
// the only module with SQL on them besides slots.ts (schedule_slots, slot_occurrences). Programs are read through
// the catalog's functions, segment layouts through the media domain's.
import type { Db } from '../db/connection.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { houseSlateId, programBrief, programBriefs, type ProgramBrief } from '../catalog/repo.ts';
import { programLayout } from '../media/media-data.ts';
import { getRegion } from '../sites/regions.ts';

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

/** A schedule_items row. */
export interface ItemRecord {
  id: number;
  channel_id: number;
  program_id: number | null;
  start_at: number;
  end_at: number;
  slot_id: number | null;
  aired_as: 'program' | 'slate' | null;
  /** 'central': copied from the centre's schedule of a carried channel (read-only here). */
  origin: 'local' | 'central';
  /** For a central item: the central program it airs (program_id fills in once the mirror holds it). */
  central_program_id: number | null;
}

/** An item with what the catalog says of its program (nulls: the program was deleted). */
export interface ItemRow extends ItemRecord {
  title: string | null;
  status: ProgramBrief['status'] | null;
  published: boolean | null;
}

export function getChannel(db: Db, id: number): ChannelRow {
  const row = db.prepare<[number], ChannelRow>('SELECT * FROM channels WHERE id = ?').get(id);
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

export type ChannelEdit = Pick<ChannelRow, 'number' | 'name' | 'description' | 'logo' | 'slate_program_id'>;

export function updateChannel(db: Db, id: number, c: ChannelEdit, nowMs: number): void {
  db.prepare('UPDATE channels SET number = ?, name = ?, description = ?, logo = ?, slate_program_id = ?, updated_at = ? WHERE id = ?').run(
    c.number,
    c.name,
    c.description,
    c.logo,
    c.slate_program_id,
    new Date(nowMs).toISOString(),
    id,
  );
}

/** Deletes a channel with its schedule, slots and anchors (cascades). */
export function deleteChannelRow(db: Db, id: number): void {
  db.prepare('DELETE FROM channels WHERE id = ?').run(id);
}

export function listChannels(db: Db): ChannelRow[] {
  return db.prepare<[], ChannelRow>('SELECT * FROM channels ORDER BY number').all();
}

/** Channels whose generated card is missing, pending or failed (remade at start-up). */
export function channelsWithoutCard(db: Db): number[] {
  return db
    .prepare<[], { id: number }>("SELECT id FROM channels WHERE slate_status != 'ready' OR generated_slate_id IS NULL")
    .all()
    .map((r) => r.id);
}

/** 409 when another channel has this number. */
export function assertNumberFree(db: Db, number: number, exceptId = -1): void {
  const other = db
    .prepare<[number, number], { id: number; name: string }>('SELECT id, name FROM channels WHERE number = ? AND id != ?')
    .get(number, exceptId);
  if (other)
    throw conflict(
      `Channel number ${number} is already used by "${other.name}" (channel ${other.id}): pick another number.`,
      'number_taken',
    );
}

export function channelRegionIds(db: Db, channelId: number): number[] {
  return db
    .prepare<[number], { region_id: number }>('SELECT region_id FROM channel_regions WHERE channel_id = ? ORDER BY region_id')
    .all(channelId)
    .map((r) => r.region_id);
}

/** Reach of a channel: all sites when no regions are set. Used by the sites domain through channel_regions. */
export function setChannelRegions(db: Db, channelId: number, regionIds: number[]): void {
  const unique = [...new Set(regionIds)];
  for (const rid of unique) {
    if (!getRegion(db, rid)) throw badRequest(`regionIds: no region ${rid}; create it under Sites first.`);
  }
  db.prepare('DELETE FROM channel_regions WHERE channel_id = ?').run(channelId);
  const ins = db.prepare('INSERT INTO channel_regions (channel_id, region_id) VALUES (?, ?)');
  for (const rid of unique) ins.run(channelId, rid);
}

// ---- schedule items ----

/** Items with their programs' title, status and publication, read from the catalog in one go. */
function withPrograms(db: Db, rows: ItemRecord[]): ItemRow[] {
  const programs = programBriefs(
    db,
    rows.flatMap((r) => (r.program_id === null ? [] : [r.program_id])),
  );
  return rows.map((r) => {
    const p = r.program_id === null ? undefined : programs.get(r.program_id);
    return { ...r, title: p?.title ?? null, status: p?.status ?? null, published: p ? p.published === 1 : null };
  });
}

const itemColumns = 'id, channel_id, program_id, start_at, end_at, slot_id, aired_as, origin, central_program_id';

export function getItem(db: Db, channelId: number, itemId: number): ItemRow {
  const row = db
    .prepare<[number, number], ItemRecord>(`SELECT ${itemColumns} FROM schedule_items WHERE id = ? AND channel_id = ?`)
    .get(itemId, channelId);
  if (!row) throw notFound(`Channel ${channelId} has no schedule item ${itemId}.`);
  return withPrograms(db, [row])[0];
}

/**
 * Item rows overlapping [from, to), by start (no program lookups). Items never overlap, so nothing starting before the
 * item that holds `from` can reach it: the lower bound keeps the index range to the window, not the channel's past.
 */
export function itemRecordsBetween(db: Db, channelId: number, fromMs: number, toMs: number): ItemRecord[] {
  return db
    .prepare<[number, number, number, number, number], ItemRecord>(
      `SELECT ${itemColumns} FROM schedule_items WHERE channel_id = ? AND end_at > ? AND start_at < ?
         AND start_at >= coalesce((SELECT max(start_at) FROM schedule_items WHERE channel_id = ? AND start_at <= ?), -9e15)
       ORDER BY start_at`,
    )
    .all(channelId, fromMs, toMs, channelId, fromMs);
}

/** Items overlapping [from, to), by start. */
export function itemsBetween(db: Db, channelId: number, fromMs: number, toMs: number): ItemRow[] {
  return withPrograms(db, itemRecordsBetween(db, channelId, fromMs, toMs));
}

/** Items of every channel overlapping [from, to), by channel then start. */
export function allItemsBetween(db: Db, fromMs: number, toMs: number): ItemRecord[] {
  return db
    .prepare<[number, number], ItemRecord>(
      `SELECT ${itemColumns} FROM schedule_items WHERE end_at > ? AND start_at < ? ORDER BY channel_id, start_at`,
    )
    .all(fromMs, toMs);
}

/**
 * The first item of the channel overlapping [start, end), other than `exceptId`. The items of a channel never overlap
 * (every write goes through this check), so only two can clash: the last one starting before `start` (if it runs past
 * it) and the first one starting inside the range. Two index seeks instead of a scan of the channel's past, which
 * made filling days of short items quadratic.
 */
export function clashingItem(db: Db, channelId: number, start: number, end: number, exceptId = -1): ItemRow | undefined {
  const before = db
    .prepare<[number, number, number], ItemRecord>(
      `SELECT ${itemColumns} FROM schedule_items WHERE channel_id = ? AND start_at < ? AND id != ? ORDER BY start_at DESC LIMIT 1`,
    )
    .get(channelId, start, exceptId);
  const row =
    before && before.end_at > start
      ? before
      : db
          .prepare<[number, number, number, number], ItemRecord>(
            `SELECT ${itemColumns} FROM schedule_items WHERE channel_id = ? AND start_at >= ? AND start_at < ? AND id != ? ORDER BY start_at LIMIT 1`,
          )
          .get(channelId, start, end, exceptId);
  return row && withPrograms(db, [row])[0];
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

export function insertItem(
  db: Db,
  channelId: number,
  programId: number,
  start: number,
  end: number,
  slotId: number | null,
  nowMs: number,
): number {
  const stamp = new Date(nowMs).toISOString();
  return Number(
    db
      .prepare(
        'INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, slot_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(channelId, programId, start, end, slotId, stamp, stamp).lastInsertRowid,
  );
}

export function moveItem(db: Db, itemId: number, programId: number, start: number, end: number, nowMs: number): void {
  db.prepare('UPDATE schedule_items SET program_id = ?, start_at = ?, end_at = ?, updated_at = ? WHERE id = ?').run(
    programId,
    start,
    end,
    new Date(nowMs).toISOString(),
    itemId,
  );
}

export function deleteItemRow(db: Db, itemId: number): void {
  db.prepare('DELETE FROM schedule_items WHERE id = ?').run(itemId);
}

/** Items of a channel that started by `nowMs` and whose program-or-slate decision is not frozen yet. */
export function unfrozenStartedItems(db: Db, channelId: number, nowMs: number): ItemRecord[] {
  return db
    .prepare<[number, number], ItemRecord>(
      `SELECT ${itemColumns} FROM schedule_items WHERE channel_id = ? AND aired_as IS NULL AND start_at <= ? ORDER BY start_at`,
    )
    .all(channelId, nowMs);
}

/** A started item's layout as it aired (see aired_layouts); what the past is rebuilt from. */
export interface AiredLayout {
  programId: number;
  /** The output version it played (its files stay named, so the past never changes). */
  version: number;
  segments: number[];
  rungs: string[];
}

/** Freezes a started item: it plays the slate, or this program layout (kept even if the program goes). */
export function freezeItem(db: Db, itemId: number, aired: AiredLayout | null): void {
  db.prepare('UPDATE schedule_items SET aired_as = ? WHERE id = ?').run(aired ? 'program' : 'slate', itemId);
  if (aired) {
    db.prepare('INSERT OR REPLACE INTO aired_layouts (item_id, program_id, version, segments, rungs) VALUES (?, ?, ?, ?, ?)').run(
      itemId,
      aired.programId,
      aired.version,
      JSON.stringify(aired.segments),
      JSON.stringify(aired.rungs),
    );
  }
}

/** Aired layouts of the given items. */
export function airedLayouts(db: Db, itemIds: number[]): Map<number, AiredLayout> {
  const out = new Map<number, AiredLayout>();
  const stmt = db.prepare<[number], { program_id: number; version: number; segments: string; rungs: string }>(
    'SELECT program_id, version, segments, rungs FROM aired_layouts WHERE item_id = ?',
  );
  for (const id of itemIds) {
    const r = stmt.get(id);
    if (r) {
      const layout = { segments: JSON.parse(r.segments) as number[], rungs: JSON.parse(r.rungs) as string[] };
      out.set(id, { programId: r.program_id, version: r.version, ...layout });
    }
  }
  return out;
}

// ---- anchors ----

export interface Anchor {
  at: number;
  mediaSequence: number;
  discontinuitySequence: number;
}

/** The counters stored for a channel, or its epoch with zero counters. */
export function storedAnchor(db: Db, channel: Pick<ChannelRow, 'id' | 'epoch'>): Anchor {
  const row = db
    .prepare<[number], Anchor>(
      'SELECT at, media_sequence AS mediaSequence, discontinuity_sequence AS discontinuitySequence FROM channel_anchors WHERE channel_id = ?',
    )
    .get(channel.id);
  return row ?? { at: channel.epoch, mediaSequence: 0, discontinuitySequence: 0 };
}

export function storeAnchor(db: Db, channelId: number, a: Anchor): void {
  db.prepare(
    `INSERT INTO channel_anchors (channel_id, at, media_sequence, discontinuity_sequence) VALUES (?, ?, ?, ?)
     ON CONFLICT(channel_id) DO UPDATE SET at = excluded.at, media_sequence = excluded.media_sequence,
       discontinuity_sequence = excluded.discontinuity_sequence`,
  ).run(channelId, a.at, a.mediaSequence, a.discontinuitySequence);
}

// ---- programs as the schedule sees them ----

export interface ProgramInfo {
  id: number;
  title: string;
  status: ProgramBrief['status'];
  published: boolean;
  /** Seconds; null while unknown (not transcoded yet). */
  duration: number | null;
  series_id: number | null;
}

export function getProgram(db: Db, id: number): ProgramInfo {
  const p = programBrief(db, id);
  if (!p) throw notFound(`No program ${id}.`);
  let duration = p.duration;
  if (!duration) {
    const segments = programLayout(db, id).segments;
    duration = segments.length ? segments.reduce((a, b) => a + b, 0) : null;
  }
  return { id: p.id, title: p.title, status: p.status, published: p.published === 1, duration, series_id: p.series_id };
}

/** An item's length for a program: its duration rounded up to whole seconds. */
export function programLengthMs(p: ProgramInfo): number | null {
  return p.duration && p.duration > 0 ? Math.ceil(p.duration) * 1000 : null;
}

// Used by catalog:

/**
 * Why a program may not be deleted or re-transcoded now: a broadcast still to come (or on air) uses it, it is a
 * channel's slate or the house slate, or a recurring slot still runs it. Undefined when nothing does.
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
  if (houseSlateId(db) === programId) return 'it is the house slate every channel plays in its gaps';
  const slot = db
    .prepare<[number, number], { id: number; channelId: number }>(
      'SELECT id, channel_id AS channelId FROM schedule_slots WHERE program_id = ? AND (until_at IS NULL OR until_at > ?) LIMIT 1',
    )
    .get(programId, nowMs);
  if (slot) return `recurring slot ${slot.id} of channel ${slot.channelId} still plays it`;
  return undefined;
}

// Used by attendance:

/** Which of these channel ids exist. */
export function existingChannelIds(db: Db, ids: number[]): Set<number> {
  const rows = db
    .prepare<[string], { id: number }>('SELECT id FROM channels WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids));
  return new Set(rows.map((r) => r.id));
}

/** Every channel's schedule items overlapping [startMs, endMs): broadcast coverage in reports. */
export function scheduleSpansBetween(db: Db, startMs: number, endMs: number): Array<{ channelId: number; startMs: number; endMs: number }> {
  return db
    .prepare<[number, number], { channelId: number; startMs: number; endMs: number }>(
      'SELECT channel_id AS channelId, start_at AS startMs, end_at AS endMs FROM schedule_items WHERE end_at > ? AND start_at < ?',
    )
    .all(startMs, endMs);
}

// Used by sites:

/** Channels that reach any of these regions (a site's region and its ancestors): those with no regions, and those made available to one. */
export function channelIdsReaching(db: Db, regionIds: number[]): number[] {
  return db
    .prepare<[string], { id: number }>(
      `SELECT c.id FROM channels c
        WHERE NOT EXISTS (SELECT 1 FROM channel_regions cr WHERE cr.channel_id = c.id)
           OR EXISTS (SELECT 1 FROM channel_regions cr WHERE cr.channel_id = c.id
                       AND cr.region_id IN (SELECT value FROM json_each(?)))
        ORDER BY c.number`,
    )
    .all(JSON.stringify(regionIds))
    .map((r) => r.id);
}

/** What a site's guide shows of a channel, or undefined when it is gone. */
export function channelHeader(db: Db, id: number): { id: number; number: number; name: string; description: string } | undefined {
  return db
    .prepare<[number], { id: number; number: number; name: string; description: string }>(
      'SELECT id, number, name, description FROM channels WHERE id = ?',
    )
    .get(id);
}

/** Changes whenever a channel, its reach, its slate, or one of its schedule items starting in (fromMs, toMs) changes (manifest fingerprints). */
export function broadcastFingerprint(db: Db, fromMs: number, toMs: number): string {
  const one = (sql: string) => JSON.stringify(Object.values(db.prepare<[], Record<string, unknown>>(sql).get()!));
  const parts = [
    one('SELECT count(*), max(updated_at), total(coalesce(slate_program_id, 0) + coalesce(generated_slate_id, 0)) FROM channels'),
    one('SELECT count(*), total(channel_id * 7919 + region_id) FROM channel_regions'),
  ];
  const items = db.prepare<[number, number, number], Record<string, unknown>>(
    `SELECT count(*), max(id), max(updated_at), total(coalesce(program_id, 0)), total(end_at - start_at), total(start_at % 1000003)
       FROM schedule_items WHERE channel_id = ? AND start_at > ? AND start_at < ?`,
  );
  for (const { id } of db.prepare<[], { id: number }>('SELECT id FROM channels ORDER BY id').all())
    parts.push(JSON.stringify(Object.values(items.get(id, fromMs, toMs)!)));
  return parts.join('|');
}

// Used by upstream:

/**
 * A program withdrawn by the central platform leaves every schedule from `nowMs` on: items not yet started are
 * deleted (one on air plays to its end), a recurring slot of it ends now. Returns what was removed, for the
 * operator's warning, and the channels whose timelines the caller must invalidate.
 */
export function removeProgramFromFutureSchedules(
  db: Db,
  programId: number,
  nowMs: number,
): { items: number; slots: number; channels: number[] } {
  return db.transaction(() => {
    const channels = new Set(
      db
        .prepare<[number, number, number, number], { channelId: number }>(
          `SELECT channel_id AS channelId FROM schedule_items WHERE program_id = ? AND start_at > ?
         UNION SELECT channel_id FROM schedule_slots WHERE program_id = ? AND (until_at IS NULL OR until_at > ?)`,
        )
        .all(programId, nowMs, programId, nowMs)
        .map((r) => r.channelId),
    );
    const items = db
      .prepare<[number, number]>('DELETE FROM schedule_items WHERE program_id = ? AND start_at > ?')
      .run(programId, nowMs).changes;
    const slots = db
      .prepare<[number, number, number]>(
        'UPDATE schedule_slots SET until_at = ? WHERE program_id = ? AND (until_at IS NULL OR until_at > ?)',
      )
      .run(nowMs, programId, nowMs).changes;
    return { items, slots, channels: [...channels] };
  })();
}

/** The channels that reach a region: those with no regions set (everywhere) or with it among theirs. */
export function channelsForRegion(db: Db, regionId: number): ChannelRow[] {
  return db
    .prepare<[number], ChannelRow>(
      `SELECT c.* FROM channels c
        WHERE NOT EXISTS (SELECT 1 FROM channel_regions r WHERE r.channel_id = c.id)
           OR EXISTS (SELECT 1 FROM channel_regions r WHERE r.channel_id = c.id AND r.region_id = ?)
        ORDER BY c.number`,
    )
    .all(regionId);
}

/** The items of a carried channel that end after `nowMs` (the ones a sync may have to fit around or replace). */
export function itemsEndingAfter(db: Db, channelId: number, nowMs: number): ItemRecord[] {
  return db
    .prepare<[number, number], ItemRecord>(
      `SELECT ${itemColumns} FROM schedule_items WHERE channel_id = ? AND end_at > ? ORDER BY start_at`,
    )
    .all(channelId, nowMs);
}

/** An item copied from the centre's schedule (origin 'central'); program null while the mirror does not hold it. */
export function insertCentralItem(
  db: Db,
  channelId: number,
  item: { start: number; end: number; programId: number | null; centralProgramId: number | null },
  nowMs: number,
): number {
  const stamp = new Date(nowMs).toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, origin, central_program_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'central', ?, ?, ?)`,
      )
      .run(channelId, item.programId, item.start, item.end, item.centralProgramId, stamp, stamp).lastInsertRowid,
  );
}
