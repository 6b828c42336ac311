// Makes a channel's slate: a still card with the channel's name, in the house ladder, kept as a hidden
// (unpublished, kind 'channel_card') program; and the server's house slate, the same card with the house title, which
// fills a channel's gaps until its own card exists. Both go through media's one publish path, so they are served at
// /media/programs/<id>/ and listed in program_files like any other program (sites download and verify it the same way). Regenerated in place (same program id, same
// segment layout) when the channel is renamed, so the timeline's counters do not move.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connection.ts';
import type { Config } from '../config.ts';
import { peakBandwidth, RUNGS } from '../../common/ladder.ts';
import { locateTools } from '../media/tools.ts';
import { runTool, lastErrorLine } from '../media/exec.ts';
import { cjkFontFile, safeInFilter, wrapTitle } from '../media/card.ts';
import { parseSegmentDurations, sameBoundaries } from '../media/hls.ts';
import { makeTmpDir } from '../media/store.ts';
import { publishOutput } from '../media/publish.ts';
import { houseSlateId, insertCardProgram, programExists, readyHouseSlateId } from '../catalog/repo.ts';
import { masterPlaylist } from '../../common/master-playlist.ts';
import { slateArgs, slateSegmentDurations, SLATE_SUBTITLE, SLATE_SUBTITLE_FILE, SLATE_TITLE_FILE } from './slate-plan.ts';
import { invalidateChannel } from './timeline-input.ts';

interface SlateQueue {
  tail: Promise<void>;
  abort: AbortController;
}
const queues = new WeakMap<Db, SlateQueue>();

function queueOf(db: Db): SlateQueue {
  let q = queues.get(db);
  if (!q) queues.set(db, (q = { tail: Promise.resolve(), abort: new AbortController() }));
  return q;
}

/**
 * Queues (one at a time: it is CPU work) the generation of a channel's slate; resolves when done or failed. The house
 * slate is made first when the server has none, so the channel has something for its gaps as early as possible.
 */
export function scheduleSlate(db: Db, config: Config, log: FastifyBaseLogger, channelId: number): Promise<void> {
  if (readyHouseSlateId(db) === undefined) void ensureHouseSlate(db, config, log);
  const q = queueOf(db);
  db.prepare(
    "UPDATE channels SET slate_status = CASE WHEN generated_slate_id IS NULL THEN 'pending' ELSE slate_status END WHERE id = ?",
  ).run(channelId);
  const run = q.tail
    .then(() => generateSlate(db, config, channelId, q.abort.signal))
    .then(
      () => log.info({ channelId }, 'channel slate ready'),
      (err: Error) => {
        if (q.abort.signal.aborted) return;
        log.error({ channelId, err: err.message }, 'channel slate failed');
        try {
          db.prepare("UPDATE channels SET slate_status = 'failed', slate_error = ? WHERE id = ?").run(err.message, channelId);
          invalidateChannel(db, channelId);
        } catch {
          // database closed meanwhile
        }
      },
    );
  q.tail = run;
  return run;
}

/** Resolves when every queued slate is done (tests and the demo wait on it). */
export function slatesSettled(db: Db): Promise<void> {
  return queueOf(db).tail;
}

/** Stops slate work (kills a running ffmpeg) when the server closes. */
export function stopSlates(db: Db): Promise<void> {
  const q = queues.get(db);
  if (!q) return Promise.resolve();
  q.abort.abort();
  queues.delete(db);
  return q.tail.catch(() => undefined);
}

/** Title drawn on the house slate, which fills the gaps of channels whose own card is not made yet. */
const HOUSE_SLATE_TITLE = '远程教育 · Distance education';

/**
 * Makes the server's house slate once (later calls return the same program): a card like a channel's, with the
 * house title, published through the same path as every program. Queued with the channel cards, ahead of them.
 */
export function ensureHouseSlate(db: Db, config: Config, log: FastifyBaseLogger): Promise<number | undefined> {
  const q = queueOf(db);
  const run = q.tail.then(async () => {
    const existing = houseSlateId(db);
    if (existing !== undefined && readyHouseSlateId(db) === existing) return existing;
    const id =
      existing ??
      insertCardProgram(
        db,
        {
          kind: 'house_slate',
          title: `${HOUSE_SLATE_TITLE} · 台标`,
          description: 'The house slate: played in the gaps of a channel until its own card is made.',
        },
        new Date().toISOString(),
      );
    await renderCard(db, config, id, HOUSE_SLATE_TITLE, q.abort.signal);
    log.info({ programId: id }, 'house slate ready');
    return id;
  });
  const settled = run.then(
    () => undefined,
    (err: Error) => {
      if (!q.abort.signal.aborted) log.error({ err: err.message }, 'house slate failed');
    },
  );
  q.tail = settled;
  return run.catch(() => undefined);
}

async function generateSlate(db: Db, config: Config, channelId: number, signal: AbortSignal): Promise<void> {
  const channel = db.prepare('SELECT name, number, generated_slate_id FROM channels WHERE id = ?').get(channelId) as
    | { name: string; number: number; generated_slate_id: number | null }
    | undefined;
  if (!channel) return; // deleted meanwhile
  let programId = channel.generated_slate_id;
  if (programId === null || !programExists(db, programId)) {
    programId = insertCardProgram(
      db,
      {
        kind: 'channel_card',
        title: `${channel.name} · 台标`,
        description: `Station card played in the gaps of channel ${channel.number}.`,
      },
      new Date().toISOString(),
    );
    db.prepare('UPDATE channels SET generated_slate_id = ? WHERE id = ?').run(programId, channelId);
  }
  await renderCard(db, config, programId, channel.name, signal, () =>
    db.prepare("UPDATE channels SET slate_status = 'ready', slate_error = NULL WHERE id = ?").run(channelId),
  );
  invalidateChannel(db, channelId);
}

/**
 * Renders a card (title + the "coming up" line over silence) into the house ladder with the slate's fixed segment
 * layout and publishes it as program `programId` (same id and layout on a re-render, so timelines do not move).
 */
async function renderCard(db: Db, config: Config, programId: number, title: string, signal: AbortSignal, alsoInTransaction?: () => void) {
  const tools = locateTools(config);
  const font = cjkFontFile();
  const out = makeTmpDir(config, `slate-${programId}`);
  try {
    for (const r of RUNGS) fs.mkdirSync(path.join(out, r.name));
    const lines = wrapTitle(title, 24, 2).join('\n');
    fs.writeFileSync(path.join(out, SLATE_TITLE_FILE), lines);
    fs.writeFileSync(path.join(out, SLATE_SUBTITLE_FILE), SLATE_SUBTITLE);
    const args = slateArgs(font && safeInFilter(font) ? font : null);
    const kept = config.slateCacheDir && path.join(config.slateCacheDir, cardKey(tools.ffmpeg, args, lines));
    if (!kept || !takeKeptCard(kept, out)) {
      const result = await runTool(tools.ffmpeg, args, { cwd: out, signal });
      if (result.code !== 0) throw new Error(`ffmpeg could not make the slate: ${lastErrorLine(result.stderr)}`);
      if (kept) keepCard(out, kept);
    }
    fs.rmSync(path.join(out, SLATE_TITLE_FILE));
    fs.rmSync(path.join(out, SLATE_SUBTITLE_FILE));

    const lists: Record<string, number[]> = {};
    for (const r of RUNGS) lists[r.name] = parseSegmentDurations(fs.readFileSync(path.join(out, r.name, 'index.m3u8'), 'utf8'));
    const same = sameBoundaries(lists);
    if (!same.ok) throw new Error(`the slate's rungs disagree: ${same.reason}`);
    const expected = slateSegmentDurations();
    if (same.durations.length !== expected.length || same.durations.some((d, i) => Math.abs(d - expected[i]) > 0.03)) {
      throw new Error(`the slate came out with segments [${same.durations.join(', ')}], not the planned layout`);
    }
    fs.writeFileSync(path.join(out, 'master.m3u8'), masterPlaylist(RUNGS));
    if (signal.aborted) throw new Error('stopped');
    publishOutput(db, config, {
      programId,
      builtDir: out,
      renditions: RUNGS.map((r) => ({ name: r.name, width: r.width, height: r.height, bandwidth: peakBandwidth(r) })),
      // The planned durations (exact) rather than the muxer's rounding: every node computes with the same numbers.
      segments: expected,
      duration: expected.reduce((a, b) => a + b, 0),
      poster: null,
      alsoInTransaction,
    });
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

// ---- SLATE_CACHE_DIR: a card is the same bytes for the same title, font and encoder arguments ----

/** The card's content key: what ffmpeg is given (its path, arguments, and the title it draws). */
function cardKey(ffmpeg: string, args: string[], titleLines: string): string {
  return createHash('sha256')
    .update(JSON.stringify([ffmpeg, args, titleLines, SLATE_SUBTITLE]))
    .digest('hex')
    .slice(0, 32);
}

/** Copies a kept card's rungs into `out`; false when none is kept (or it is unreadable: encode it again). */
function takeKeptCard(kept: string, out: string): boolean {
  try {
    for (const r of RUNGS) fs.cpSync(path.join(kept, r.name), path.join(out, r.name), { recursive: true });
    return true;
  } catch {
    return false;
  }
}

/** Keeps a freshly encoded card: copied aside, then renamed into place, so a reader never sees half of one. */
function keepCard(out: string, kept: string): void {
  const aside = `${kept}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.mkdirSync(aside, { recursive: true });
    for (const r of RUNGS) fs.cpSync(path.join(out, r.name), path.join(aside, r.name), { recursive: true });
    fs.renameSync(aside, kept);
  } catch {
    fs.rmSync(aside, { recursive: true, force: true }); // another server kept the same card first: theirs stands
  }
}
