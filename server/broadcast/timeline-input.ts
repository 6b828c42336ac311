// Builds the data a channel's timeline is computed from (ChannelTimelineInput) out of SQLite, keeps the
// compiled timeline per channel in memory, and freezes the past:
//  - an item's "program or slate" decision is frozen when it starts (schedule_items.aired_as), so a program
//    that becomes ready mid-item does not jump in;
//  - the counters at a block boundary an hour back are stored (channel_anchors) and timelines start there,
//    so a year of history is never re-walked and later edits of old rows cannot move the sequences.
import crypto from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { compileTimeline, segmentAt, windowInput, type CompiledTimeline } from '../../common/timeline.ts';
import { liveWindow } from '../../common/timeline.ts';
import { renderMediaPlaylist } from '../../common/playlist.ts';
import type { ChannelTimelineInput, TimelineItem, TimelineProgram } from '../../common/timeline-types.ts';
import { getChannel, type ChannelRow } from './repo.ts';
import { SLATE_TAILS } from './slate-plan.ts';
import { readyHouseSlateId } from '../catalog/repo.ts';

/** How far before `from` a window input starts, so the live window's look-back is inside it. */
export const LOOKBACK_MS = 120_000;
/** Anchors are moved up to the block on air this long ago. */
const ANCHOR_LAG_MS = 3_600_000;
/**
 * A compiled timeline is reused at most this long (edits that do not go through this module, e.g. a program
 * deleted in the catalog), and never past the next item start: an item's program-or-slate decision is frozen by
 * the first build at or after its start, so a program that turns ready just before is seen, and every request
 * after the start is answered from a build that made the decision.
 */
const CACHE_TTL_MS = 60_000;
/** How far ahead a live timeline is compiled. */
const LIVE_AHEAD_MS = 6 * 3_600_000;

export class SlateNotReadyError extends AppError {
  constructor(channelId: number, status: string) {
    super(503, 'slate_not_ready', status === 'failed'
      ? `Channel ${channelId} has no playable slate (its generation failed): set slateProgramId to a ready program or rename the channel to retry.`
      : `Channel ${channelId}'s slate is still being made: try again in a few seconds.`);
  }
}

/**
 * A ready program as the timeline sees it; null when not ready or without segments. `evenIfNotReady`: for items
 * that already aired it (a re-transcode sets the status back to queued but keeps the files until it publishes).
 */
export function timelineProgram(db: Db, programId: number, evenIfNotReady = false): TimelineProgram | null {
  const p = evenIfNotReady
    ? db.prepare('SELECT id FROM programs WHERE id = ?').get(programId)
    : db.prepare("SELECT id FROM programs WHERE id = ? AND status = 'ready'").get(programId);
  if (!p) return null;
  const segments = (db.prepare('SELECT duration FROM segments WHERE program_id = ? ORDER BY seq').all(programId) as Array<{ duration: number }>).map(
    (r) => r.duration,
  );
  if (segments.length === 0) return null;
  const rungs = (db.prepare('SELECT name FROM renditions WHERE program_id = ? ORDER BY height DESC').all(programId) as Array<{ name: string }>).map(
    (r) => r.name,
  );
  return { id: programId, segments, rungs };
}

/** The slate a channel plays: its chosen program when ready, else its generated card. */
export function slateFor(db: Db, channel: ChannelRow): TimelineProgram {
  if (channel.slate_program_id !== null) {
    const chosen = timelineProgram(db, channel.slate_program_id);
    if (chosen) return chosen;
  }
  // The channel's own card, else the server's house slate until the card is made.
  for (const id of [channel.slate_status === 'ready' ? channel.generated_slate_id : null, readyHouseSlateId(db) ?? null]) {
    const card = id === null ? null : timelineProgram(db, id);
    if (card && card.segments.length > SLATE_TAILS.length) return { ...card, loop: card.segments.length - SLATE_TAILS.length };
  }
  throw new SlateNotReadyError(channel.id, channel.slate_status);
}

interface Anchor {
  at: number;
  mediaSequence: number;
  discontinuitySequence: number;
}

function storedAnchor(db: Db, channel: ChannelRow): Anchor {
  const row = db.prepare('SELECT at, media_sequence, discontinuity_sequence FROM channel_anchors WHERE channel_id = ?').get(channel.id) as
    | { at: number; media_sequence: number; discontinuity_sequence: number }
    | undefined;
  return row
    ? { at: row.at, mediaSequence: row.media_sequence, discontinuitySequence: row.discontinuity_sequence }
    : { at: channel.epoch, mediaSequence: 0, discontinuitySequence: 0 };
}

/** Freezes the program-or-slate decision of items that have started. */
function freezeStartedItems(db: Db, channelId: number, nowMs: number): void {
  db.prepare(
    `UPDATE schedule_items SET aired_as = CASE WHEN EXISTS (SELECT 1 FROM programs p WHERE p.id = schedule_items.program_id AND p.status = 'ready')
       THEN 'program' ELSE 'slate' END
     WHERE channel_id = ? AND aired_as IS NULL AND start_at <= ?`,
  ).run(channelId, nowMs);
}

/** The whole timeline from the stored anchor to `toMs` (not cached; see liveTimeline). */
export function buildFullInput(db: Db, channelId: number, toMs: number, nowMs: number): ChannelTimelineInput {
  const channel = getChannel(db, channelId);
  const slate = slateFor(db, channel);
  freezeStartedItems(db, channelId, nowMs);
  const anchor = storedAnchor(db, channel);
  const rows = db
    .prepare(
      `SELECT id, program_id, start_at, end_at, aired_as FROM schedule_items
        WHERE channel_id = ? AND end_at > ? AND start_at < ? ORDER BY start_at`,
    )
    .all(channelId, anchor.at, toMs) as Array<{ id: number; program_id: number | null; start_at: number; end_at: number; aired_as: string | null }>;
  // Whether each item plays its program: frozen for started items (so the past never changes, even while a
  // program that aired is re-transcoded or another airing of it played the slate), "ready now" for the others.
  const programs: Record<number, TimelineProgram> = {};
  const readyNow = new Map<number, boolean>();
  const isReady = (id: number) => {
    let ready = readyNow.get(id);
    if (ready === undefined) readyNow.set(id, (ready = !!db.prepare("SELECT 1 FROM programs WHERE id = ? AND status = 'ready'").get(id)));
    return ready;
  };
  // Rows are by start, so started (frozen) items come first.
  const plays = rows.map((r) => {
    if (r.program_id === null || r.aired_as === 'slate') return false;
    if (!(r.program_id in programs)) {
      const p = timelineProgram(db, r.program_id, r.aired_as === 'program');
      if (!p) return false;
      programs[p.id] = p;
    }
    return r.aired_as === 'program' || isReady(r.program_id);
  });
  // The input says "slate" by a program's absence; where the same program plays elsewhere, the item drops it.
  const items: TimelineItem[] = rows.map((r, i) => ({
    id: r.id, start: r.start_at, end: r.end_at,
    programId: !plays[i] && r.program_id !== null && r.program_id in programs ? null : r.program_id,
  }));
  return { channelId, slate, items, programs, anchor };
}

/** Stores the counters at the block on air an hour ago, so later builds start there. */
function advanceAnchor(db: Db, tl: CompiledTimeline, nowMs: number): void {
  const next = windowInput(tl, nowMs - ANCHOR_LAG_MS, nowMs).anchor;
  if (next.at <= tl.input.anchor.at || next.at > nowMs - LOOKBACK_MS) return;
  db.prepare(
    `INSERT INTO channel_anchors (channel_id, at, media_sequence, discontinuity_sequence) VALUES (?, ?, ?, ?)
     ON CONFLICT(channel_id) DO UPDATE SET at = excluded.at, media_sequence = excluded.media_sequence,
       discontinuity_sequence = excluded.discontinuity_sequence`,
  ).run(tl.input.channelId, next.at, next.mediaSequence, next.discontinuitySequence);
}

interface CacheEntry {
  version: number;
  builtAt: number;
  /** Rebuilt at or after this instant (the TTL, or the next item start). */
  validUntil: number;
  to: number;
  timeline: CompiledTimeline;
  /** Rendered playlists by `${rung}:${sequence of the segment on air}`. */
  texts: Map<string, { text: string; etag: string }>;
}

interface ChannelCache {
  versions: Map<number, number>;
  entries: Map<number, CacheEntry>;
}

const caches = new WeakMap<Db, ChannelCache>();
function cacheOf(db: Db): ChannelCache {
  let c = caches.get(db);
  if (!c) caches.set(db, (c = { versions: new Map(), entries: new Map() }));
  return c;
}

/** Call after any change of a channel's schedule, slate or existence: the next request rebuilds. */
export function invalidateChannel(db: Db, channelId: number): void {
  const c = cacheOf(db);
  c.versions.set(channelId, (c.versions.get(channelId) ?? 0) + 1);
  c.entries.delete(channelId);
}

/** The compiled timeline covering [stored anchor, now + 6 h], cached per channel. */
export function liveTimeline(db: Db, channelId: number, nowMs: number, toMs = nowMs + LIVE_AHEAD_MS): CompiledTimeline {
  return liveEntry(db, channelId, nowMs, toMs).timeline;
}

function liveEntry(db: Db, channelId: number, nowMs: number, toMs: number): CacheEntry {
  const c = cacheOf(db);
  const version = c.versions.get(channelId) ?? 0;
  const hit = c.entries.get(channelId);
  if (hit && hit.version === version && nowMs < hit.validUntil && nowMs >= hit.builtAt && toMs <= hit.to) return hit;
  const to = Math.max(toMs, nowMs + LIVE_AHEAD_MS);
  const timeline = compileTimeline(buildFullInput(db, channelId, to, nowMs));
  advanceAnchor(db, timeline, nowMs);
  const nextStart = timeline.input.items.find((i) => i.start > nowMs)?.start ?? Infinity;
  const entry: CacheEntry = { version, builtAt: nowMs, validUntil: Math.min(nowMs + CACHE_TTL_MS, nextStart), to, timeline, texts: new Map() };
  c.entries.set(channelId, entry);
  return entry;
}

/**
 * For the site manifest: the schedule of [from, to] plus the item (or gap) on air a little before `from`,
 * anchored with the counters there, so the agent computes with common/ functions exactly the playlists the
 * server gives for any instant from `from` to `to`.
 */
export function timelineInputForChannel(db: Db, channelId: number, fromMs: number, toMs: number, nowMs = Date.now()): ChannelTimelineInput {
  const tl = liveTimeline(db, channelId, nowMs, toMs);
  return windowInput(tl, fromMs - LOOKBACK_MS, toMs);
}

/** The live media playlist of a rung at `now`, with an ETag; rendered once per segment on air. */
export function livePlaylist(db: Db, channelId: number, rung: string, nowMs: number): { text: string; etag: string } {
  const entry = liveEntry(db, channelId, nowMs, nowMs);
  const onAir = segmentAt(entry.timeline, nowMs);
  const key = `${rung}:${onAir.sequence}`;
  let out = entry.texts.get(key);
  if (!out) {
    const text = renderMediaPlaylist(liveWindow(entry.timeline, nowMs), rung);
    out = { text, etag: `"${crypto.createHash('sha1').update(text).digest('base64url').slice(0, 20)}"` };
    if (entry.texts.size > 64) entry.texts.clear();
    entry.texts.set(key, out);
  }
  return out;
}
