// The channel timeline: which segment of which program is on air at an instant, and the counters HLS needs.
// Pure and deterministic (integer milliseconds, no clock reads), shared by the server and the site agent so
// both compute the same live playlist for the same instant.
//
// How the timeline is laid out, from the anchor onwards, as a list of "runs":
//  - an item whose program is ready: a "once" run plays the program's segments from its first, starting at
//    the item's start; a program longer than its item is cut at the item's end (the last listed segment is
//    declared shorter than its media); a shorter one is followed by a slate run up to the item's end.
//  - a gap, an item whose program is not ready (or deleted): a "cycle" run of the slate.
//  - after the last item: a slate run that never ends.
// Every run starts at an exact instant of the schedule, so the timeline is back in step with the clock at
// every boundary whatever the media lengths. A slate run fills its length with whole slate cycles, then the
// leading segments of one more cycle that fit, then ONE tail segment declared as the exact remainder: the
// shortest slate segment at least that long (its media overruns the declared length by less than the gap
// between slate segment lengths; the next run starts with a discontinuity, so players cut the overrun).
// The generated slate (server/broadcast/slate.ts) is made of 1 s segments plus 200/400/600/800 ms tails, so
// the overrun is under 200 ms; a program used as slate works too, only with a coarser tail.
//
// Counters: the media sequence of a segment = segments since the channel epoch; its discontinuity sequence =
// discontinuity tags since the epoch (a tag precedes every run's first segment, every slate cycle wrap and a
// tail that does not follow its predecessor). The anchor carries both counters at a run start, so a window
// of the schedule gives exactly what the full schedule gives.
import type { ChannelTimelineInput, TimelineItem, TimelineProgram } from './timeline-types.ts';

export type { ChannelTimelineInput, TimelineProgram } from './timeline-types.ts';

/** One segment of the timeline, as listed in a playlist. */
export interface TimelineSegment {
  /** Media sequence number (segments since the channel epoch). */
  sequence: number;
  /** Discontinuity sequence number of this segment (tags since the epoch, its own included). */
  discontinuitySequence: number;
  /** Whether an EXT-X-DISCONTINUITY tag precedes this segment in the full timeline. */
  discontinuity: boolean;
  /** Instant this segment starts on air (epoch ms). */
  start: number;
  /** Declared duration (ms): the media's length, or less where a run is cut. */
  duration: number;
  /** Program whose file this is (the slate's program id for slate segments). */
  programId: number;
  /** The output version of that program the file belongs to (see TimelineProgram.version). */
  version?: number;
  /** Segment index in that program: file seg_<index padded to 5>.ts. */
  index: number;
  /** Rungs of the program, highest first (a missing rung falls back to rungs[0]). */
  rungs: string[];
  slate: boolean;
  /** Schedule item on air (null in a gap). */
  itemId: number | null;
}

/** A program prepared for lookups: durations in integer ms and their prefix sums. */
interface Source {
  program: TimelineProgram;
  durations: number[];
  /** prefix[i] = sum of durations[0..i-1]; prefix.length = durations.length + 1. */
  prefix: number[];
  total: number;
  /** Slate loops: segments [0, loop) repeat; every segment may serve as the tail. */
  loop: number;
  loopTotal: number;
}

interface Run {
  kind: 'once' | 'cycle';
  source: Source;
  slate: boolean;
  itemId: number | null;
  /** Starts an item or a gap (a place an anchor may sit), not the slate after a short program. */
  opensBlock: boolean;
  start: number;
  /** Exclusive; Infinity for the final slate run. */
  end: number;
  firstSequence: number;
  firstDiscontinuity: number;
  /** Segments in the run (Infinity for the final run). */
  count: number;
  /** Discontinuity sequence of the run's last segment (unused for the final run). */
  lastDiscontinuity: number;
  // cycle runs: whole cycles, leading segments of the partial cycle, tail segment (-1: none), tail length.
  cycles: number;
  partial: number;
  tailIndex: number;
  tailDuration: number;
}

/** A timeline compiled for fast lookups (binary search over runs). Build once per input and reuse. */
export interface CompiledTimeline {
  input: ChannelTimelineInput;
  runs: Run[];
}

/** Milliseconds of a duration given in seconds; at least 1 ms so every segment moves time forward. */
export function toMs(seconds: number): number {
  return Math.max(1, Math.round(seconds * 1000));
}

function prepare(program: TimelineProgram): Source {
  const durations = program.segments.map(toMs);
  const prefix = [0];
  for (const d of durations) prefix.push(prefix[prefix.length - 1] + d);
  const loop = Math.min(Math.max(1, program.loop ?? durations.length), durations.length);
  return { program, durations, prefix, total: prefix[prefix.length - 1], loop, loopTotal: prefix[loop] };
}

/** Largest i with a[i] <= x (a sorted ascending, a[0] <= x assumed). */
function floorIndex(a: ArrayLike<number>, x: number, hi = a.length - 1): number {
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Index of the shortest segment at least `ms` long (lowest index on ties); -1 if none. */
function shortestAtLeast(src: Source, ms: number): number {
  let best = -1;
  for (let i = 0; i < src.durations.length; i++) {
    const d = src.durations[i];
    if (d >= ms && (best < 0 || d < src.durations[best])) best = i;
  }
  return best;
}

function makeRun(
  kind: Run['kind'],
  source: Source,
  slate: boolean,
  itemId: number | null,
  opensBlock: boolean,
  start: number,
  end: number,
  firstSequence: number,
  firstDiscontinuity: number,
): Run {
  const run: Run = {
    kind,
    source,
    slate,
    itemId,
    opensBlock,
    start,
    end,
    firstSequence,
    firstDiscontinuity,
    count: 0,
    lastDiscontinuity: firstDiscontinuity,
    cycles: 0,
    partial: 0,
    tailIndex: -1,
    tailDuration: 0,
  };
  const len = end - start;
  if (kind === 'once') {
    const n = source.durations.length;
    // Segments that start before the run's end.
    run.count = Math.min(n, floorIndex(source.prefix, len - 1, n - 1) + 1);
    return run;
  }
  if (len === Infinity) {
    run.count = Infinity;
    return run;
  }
  const n = source.loop;
  const cycles = Math.floor(len / source.loopTotal);
  const rem = len - cycles * source.loopTotal;
  const partial = floorIndex(source.prefix, rem, n - 1); // p[partial] <= rem < cycle total
  const leftover = rem - source.prefix[partial];
  run.cycles = cycles;
  run.partial = partial;
  const whole = cycles * n + partial;
  const wraps = partial > 0 ? cycles : Math.max(cycles - 1, 0);
  run.lastDiscontinuity = firstDiscontinuity + wraps;
  run.count = whole;
  if (leftover > 0) {
    run.tailIndex = shortestAtLeast(source, leftover);
    run.tailDuration = leftover;
    run.count = whole + 1;
    if (whole > 0 && tailNeedsTag(run)) run.lastDiscontinuity += 1;
  }
  return run;
}

/** A tail needs no tag only when it is the very segment that would come next within the same cycle. */
function tailNeedsTag(run: Run): boolean {
  return !(run.tailIndex === run.partial && run.partial > 0);
}

/** Lays out the runs of a timeline. Items must be sorted by start; overlaps and items before the anchor are clipped. */
export function compileTimeline(input: ChannelTimelineInput): CompiledTimeline {
  const slate = prepare(input.slate);
  if (slate.total <= 0 || slate.durations.length === 0) throw new Error('the slate has no segments');
  const sources = new Map<number, Source>();
  const sourceOf = (item: TimelineItem): Source | null => {
    if (item.programId === null) return null;
    const program = input.programs[item.programId];
    if (!program || program.segments.length === 0) return null;
    let src = sources.get(program.id);
    if (!src) sources.set(program.id, (src = prepare(program)));
    return src;
  };

  const runs: Run[] = [];
  let seq = input.anchor.mediaSequence;
  let disc = input.anchor.discontinuitySequence;
  let first = true;
  const push = (
    kind: Run['kind'],
    src: Source,
    isSlate: boolean,
    itemId: number | null,
    opensBlock: boolean,
    start: number,
    end: number,
  ) => {
    if (end <= start) return;
    const startDisc = first ? disc : disc + 1;
    first = false;
    const run = makeRun(kind, src, isSlate, itemId, opensBlock, start, end, seq, startDisc);
    runs.push(run);
    seq += run.count;
    disc = run.lastDiscontinuity;
  };

  let cursor = input.anchor.at;
  for (const item of input.items) {
    const start = Math.max(item.start, cursor);
    if (item.end <= start) continue;
    push('cycle', slate, true, null, true, cursor, start);
    const src = sourceOf(item);
    if (src) {
      const programEnd = Math.min(item.end, start + src.total);
      push('once', src, false, item.id, true, start, programEnd);
      push('cycle', slate, true, item.id, false, programEnd, item.end);
    } else {
      push('cycle', slate, true, item.id, true, start, item.end);
    }
    cursor = item.end;
  }
  push('cycle', slate, true, null, true, cursor, Infinity);
  return { input, runs };
}

const compiledCache = new WeakMap<ChannelTimelineInput, CompiledTimeline>();

/** The compiled form of an input, compiled once per input object. */
export function compiled(timeline: ChannelTimelineInput | CompiledTimeline): CompiledTimeline {
  if ('runs' in timeline) return timeline;
  let c = compiledCache.get(timeline);
  if (!c) compiledCache.set(timeline, (c = compileTimeline(timeline)));
  return c;
}

function segmentOfRun(run: Run, local: number): TimelineSegment {
  const src = run.source;
  const base = {
    sequence: run.firstSequence + local,
    programId: src.program.id,
    version: src.program.version,
    rungs: src.program.rungs,
    slate: run.slate,
    itemId: run.itemId,
  };
  if (run.kind === 'once') {
    const d = Math.min(src.durations[local], run.end - run.start - src.prefix[local]);
    return {
      ...base,
      index: local,
      start: run.start + src.prefix[local],
      duration: d,
      discontinuity: local === 0,
      discontinuitySequence: run.firstDiscontinuity,
    };
  }
  const n = src.loop;
  const whole = run.count === Infinity ? Infinity : run.cycles * n + run.partial;
  if (local < whole) {
    const c = Math.floor(local / n);
    const i = local - c * n;
    return {
      ...base,
      index: i,
      start: run.start + c * src.loopTotal + src.prefix[i],
      duration: src.durations[i],
      discontinuity: i === 0,
      discontinuitySequence: run.firstDiscontinuity + c,
    };
  }
  return {
    ...base,
    index: run.tailIndex,
    start: run.start + run.cycles * src.loopTotal + src.prefix[run.partial],
    duration: run.tailDuration,
    discontinuity: local === 0 || tailNeedsTag(run),
    discontinuitySequence: run.lastDiscontinuity,
  };
}

function localIndexAt(run: Run, t: number): number {
  const src = run.source;
  const off = t - run.start;
  if (run.kind === 'once') return floorIndex(src.prefix, off, run.count - 1);
  const n = src.loop;
  const c = Math.floor(off / src.loopTotal);
  const within = off - c * src.loopTotal;
  if (run.count !== Infinity && (c > run.cycles || (c === run.cycles && within >= src.prefix[run.partial]))) {
    return run.count - 1; // the tail
  }
  return c * n + floorIndex(src.prefix, within, n - 1);
}

function runIndexAt(tl: CompiledTimeline, t: number): number {
  const runs = tl.runs;
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runs[mid].start <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The segment on air at instant t (clamped to the anchor). */
export function segmentAt(timeline: ChannelTimelineInput | CompiledTimeline, t: number): TimelineSegment {
  const tl = compiled(timeline);
  const at = Math.max(t, tl.input.anchor.at);
  const run = tl.runs[runIndexAt(tl, at)];
  return segmentOfRun(run, localIndexAt(run, at));
}

/** The segment with a given media sequence number; null before the anchor. */
export function segmentBySequence(timeline: ChannelTimelineInput | CompiledTimeline, sequence: number): TimelineSegment | null {
  const tl = compiled(timeline);
  const runs = tl.runs;
  if (sequence < runs[0].firstSequence) return null;
  let lo = 0;
  let hi = runs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (runs[mid].firstSequence <= sequence) lo = mid;
    else hi = mid - 1;
  }
  return segmentOfRun(runs[lo], sequence - runs[lo].firstSequence);
}

export interface WindowOptions {
  /** At least this many segments (default 6). */
  segments?: number;
  /** And at least this much time (ms, default 24,000: 3 x the 4 s house target + room, as RFC 8216 wants). */
  minDurationMs?: number;
}

/** The live window at `now`: the segment on air last, preceded by enough segments (never before the anchor). */
export function liveWindow(timeline: ChannelTimelineInput | CompiledTimeline, nowMs: number, opts: WindowOptions = {}): TimelineSegment[] {
  const tl = compiled(timeline);
  const minSegments = opts.segments ?? 6;
  const minDuration = opts.minDurationMs ?? 24_000;
  const last = segmentAt(tl, nowMs);
  const out = [last];
  let total = last.duration;
  let seq = last.sequence;
  while (out.length < minSegments || total < minDuration) {
    const prev = segmentBySequence(tl, seq - 1);
    if (!prev) break;
    out.push(prev);
    total += prev.duration;
    seq -= 1;
  }
  return out.reverse();
}

export interface OnAir {
  itemId: number;
  programId: number | null;
  start: number;
  end: number;
  /** The slate plays instead of the program (not ready, deleted). */
  slate: boolean;
}

export interface NowAndNext {
  /** The item on air, null in a gap. */
  now: (OnAir & { offsetMs: number }) | null;
  next: OnAir | null;
  /** The segment on air. */
  segment: TimelineSegment;
}

/** What is on air at `now` and what comes next (items of the input). */
export function nowAndNext(timeline: ChannelTimelineInput | CompiledTimeline, nowMs: number): NowAndNext {
  const tl = compiled(timeline);
  const items = tl.input.items;
  const playable = (it: TimelineItem) => it.programId !== null && (tl.input.programs[it.programId]?.segments.length ?? 0) > 0;
  const describe = (it: TimelineItem): OnAir => ({
    itemId: it.id,
    programId: it.programId,
    start: it.start,
    end: it.end,
    slate: !playable(it),
  });
  let now: NowAndNext['now'] = null;
  let next: OnAir | null = null;
  for (const it of items) {
    if (it.start <= nowMs && nowMs < it.end) now = { ...describe(it), offsetMs: nowMs - it.start };
    else if (it.start > nowMs) {
      next = describe(it);
      break;
    }
  }
  return { now, next, segment: segmentAt(tl, nowMs) };
}

/**
 * The part of a timeline a node needs for [from, to]: anchored at the start of the item (or gap) on air at
 * `from`, with the counters there, and the items up to `to`. Its playlists from `from` on are exactly those
 * of the whole timeline (liveWindow never looks back past the anchor, so pass a `from` a window earlier).
 */
export function windowInput(timeline: ChannelTimelineInput | CompiledTimeline, fromMs: number, toMs: number): ChannelTimelineInput {
  const tl = compiled(timeline);
  let i = runIndexAt(tl, Math.max(fromMs, tl.input.anchor.at));
  while (i > 0 && !tl.runs[i].opensBlock) i--;
  const run = tl.runs[i];
  const items = tl.input.items.filter((it) => it.end > run.start && it.start < toMs);
  const programs: Record<number, TimelineProgram> = {};
  for (const it of items) {
    const p = it.programId === null ? undefined : tl.input.programs[it.programId];
    if (p) programs[p.id] = p;
  }
  return {
    channelId: tl.input.channelId,
    slate: tl.input.slate,
    items,
    programs,
    anchor: { at: run.start, mediaSequence: run.firstSequence, discontinuitySequence: run.firstDiscontinuity },
  };
}
