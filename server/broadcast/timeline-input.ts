// Builds the data a channel's timeline is computed from (ChannelTimelineInput) out of SQLite, keeps the
// compiled timeline per channel in memory, and freezes the past:
//  - an item's "program or slate" decision is frozen when it starts (schedule_items.aired_as), so a program
//    that becomes ready mid-item does not jump in;
//  - the counters at a block boundary an hour back are stored (channel_anchors) and timelines start there,
//    so a year of history is never re-walked and later edits of old rows cannot move the sequences.
import crypto from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors.ts';
import { compileTimeline, liveWindow, segmentAt, windowInput, type CompiledTimeline } from '../../common/timeline.ts';
import { renderMediaPlaylist } from '../../common/playlist.ts';
import type { ChannelTimelineInput, TimelineItem, TimelineProgram } from '../../common/timeline-types.ts';
import { programBriefs, readyHouseSlateId } from '../catalog/repo.ts';
import { programLayout } from '../media/media-data.ts';
import {
  airedLayouts,
  freezeItem,
  getChannel,
  itemRecordsBetween,
  storeAnchor,
  storedAnchor,
  unfrozenStartedItems,
  type ChannelRow,
} from './repo.ts';
import { SLATE_TAILS } from './slate-plan.ts';

/** How far before `from` a window input starts, so the live window's look-back is inside it. */
const LOOKBACK_MS = 120_000;
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
/** Seconds a player is told to wait when a channel has nothing at all to play yet. */
export const RETRY_AFTER_SECONDS = 5;

/** 503: no slate of any kind is ready and no program is on air (only in a fresh server's first seconds). */
export class NothingToPlayError extends AppError {
  constructor(channelId: number) {
    super(
      503,
      'nothing_to_play',
      `Channel ${channelId} has nothing to play yet: no program is on air and no slate is ready (the house slate is being made). ` +
        `Try again in ${RETRY_AFTER_SECONDS} seconds.`,
    );
  }
}

/** A program with an output: the timeline names the files of this version. */
type VersionedProgram = TimelineProgram & { version: number };

/** A program as the timeline sees it: its current version's segment layout, or null when it has no output. */
function layoutOf(db: Db, programId: number): VersionedProgram | null {
  const { segments, rungs, version } = programLayout(db, programId);
  return segments.length && version !== undefined ? { id: programId, version, segments, rungs } : null;
}

/**
 * Programs that may play publicly now (published, with an output), among `ids`, with their layouts. A program being
 * transcoded again keeps playing its current version until the new one is published.
 */
function publicPrograms(db: Db, ids: Iterable<number>): Map<number, VersionedProgram> {
  const out = new Map<number, VersionedProgram>();
  for (const p of programBriefs(db, ids).values()) {
    if (p.published !== 1) continue;
    const layout = layoutOf(db, p.id);
    if (layout) out.set(p.id, layout);
  }
  return out;
}

/** A generated card's layout (slate-plan.ts): the loop, then tails that only end gaps. */
function cardLayout(db: Db, programId: number | null): TimelineProgram | null {
  if (programId === null) return null;
  const ready = programBriefs(db, [programId]).get(programId)?.status === 'ready';
  const card = ready ? layoutOf(db, programId) : null;
  return card && card.segments.length > SLATE_TAILS.length ? { ...card, loop: card.segments.length - SLATE_TAILS.length } : null;
}

export type SlateSource = 'program' | 'generated' | 'house';

/**
 * What a channel plays in gaps: the program the operator chose when ready, else the channel's own card when
 * ready, else the house slate (made once per server, so a new channel plays at once); null when none is ready.
 */
export function gapFiller(db: Db, channel: ChannelRow): { program: TimelineProgram; source: SlateSource } | null {
  if (
    channel.slate_program_id !== null &&
    programBriefs(db, [channel.slate_program_id]).get(channel.slate_program_id)?.status === 'ready'
  ) {
    const chosen = layoutOf(db, channel.slate_program_id);
    if (chosen) return { program: chosen, source: 'program' };
  }
  const card = channel.slate_status === 'ready' ? cardLayout(db, channel.generated_slate_id) : null;
  if (card) return { program: card, source: 'generated' };
  const houseCard = cardLayout(db, readyHouseSlateId(db) ?? null);
  return houseCard ? { program: houseCard, source: 'house' } : null;
}

/**
 * Freezes the program-or-slate decision of items that have started: a program ready and published at its start
 * plays, and its layout is copied (aired_layouts) so the past is rebuilt the same after a re-transcode or a delete.
 */
function freezeStartedItems(db: Db, channelId: number, nowMs: number): void {
  const started = unfrozenStartedItems(db, channelId, nowMs);
  if (started.length === 0) return;
  const playable = publicPrograms(
    db,
    started.flatMap((r) => (r.program_id === null ? [] : [r.program_id])),
  );
  db.transaction(() => {
    for (const r of started) {
      const p = r.program_id === null ? undefined : playable.get(r.program_id);
      freezeItem(db, r.id, p ? { programId: p.id, version: p.version, segments: p.segments, rungs: p.rungs } : null);
    }
  })();
}

/** The whole timeline from the stored anchor to `toMs` (not cached; see liveTimeline). */
function buildFullInput(db: Db, channelId: number, toMs: number, nowMs: number): ChannelTimelineInput {
  const channel = getChannel(db, channelId);
  freezeStartedItems(db, channelId, nowMs);
  const anchor = storedAnchor(db, channel);
  const rows = itemRecordsBetween(db, channelId, anchor.at, toMs);
  // Started items play what they froze (their aired layout and version); the others play their program if it may
  // play publicly now. Rows are by start, so a program that aired and plays again later in this input keeps its
  // aired layout and version (one version per program per input: no item plays a mix of two transcodes).
  const aired = airedLayouts(
    db,
    rows.filter((r) => r.aired_as === 'program').map((r) => r.id),
  );
  const upcoming = publicPrograms(
    db,
    rows.flatMap((r) => (r.aired_as === null && r.program_id !== null ? [r.program_id] : [])),
  );
  const programs: Record<number, TimelineProgram> = {};
  const plays = rows.map((r): TimelineProgram | null => {
    if (r.aired_as === 'program') {
      const a = aired.get(r.id);
      // Items frozen before aired_layouts existed: their program's layout as it is now.
      return a
        ? { id: a.programId, version: a.version, segments: a.segments, rungs: a.rungs }
        : r.program_id === null
          ? null
          : layoutOf(db, r.program_id);
    }
    return r.aired_as === null && r.program_id !== null ? (upcoming.get(r.program_id) ?? null) : null;
  });
  for (const p of plays) if (p) programs[p.id] ??= p;
  // The input says "slate" by a program's absence. An item that plays the slate keeps its program id (guides
  // show what was meant to air) unless that program is unpublished (sites must not learn of drafts) or plays
  // elsewhere in this input (the item would play it).
  const published = programBriefs(
    db,
    rows.flatMap((r) => (r.program_id === null ? [] : [r.program_id])),
  );
  const items: TimelineItem[] = rows.map((r, i) => {
    const p = plays[i];
    const shown =
      r.program_id !== null && published.get(r.program_id)?.published === 1 && !(r.program_id in programs) ? r.program_id : null;
    return { id: r.id, start: r.start_at, end: r.end_at, programId: p ? p.id : shown };
  });
  let slate = gapFiller(db, channel)?.program;
  // No slate of any kind yet: a program on air still plays (its own segments fill the gaps until a slate is ready).
  slate ??= items.filter((i) => i.start <= nowMs && nowMs < i.end && i.programId !== null).map((i) => programs[i.programId!])[0];
  if (!slate) throw new NothingToPlayError(channelId);
  return { channelId, slate, items, programs, anchor };
}

/** Stores the counters at the block on air an hour ago, so later builds start there. */
function advanceAnchor(db: Db, tl: CompiledTimeline, nowMs: number): void {
  const next = windowInput(tl, nowMs - ANCHOR_LAG_MS, nowMs).anchor;
  if (next.at <= tl.input.anchor.at || next.at > nowMs - LOOKBACK_MS) return;
  storeAnchor(db, tl.input.channelId, next);
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
  const entry: CacheEntry = {
    version,
    builtAt: nowMs,
    validUntil: Math.min(nowMs + CACHE_TTL_MS, nextStart),
    to,
    timeline,
    texts: new Map(),
  };
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
