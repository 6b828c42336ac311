// Makes a channel's slate: a still card with the channel's name, in the house ladder, kept as a hidden
// (unpublished) program so it is served at /media/programs/<id>/ and listed in program_files like any
// other program (sites download and verify it the same way). Regenerated in place (same program id, same
// segment layout) when the channel is renamed, so the timeline's counters do not move.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connection.ts';
import type { Config } from '../config.ts';
import { peakBandwidth, RUNGS } from '../../common/ladder.ts';
import { locateTools } from '../media/tools.ts';
import { runTool, lastErrorLine } from '../media/exec.ts';
import { cjkFontFile, safeInFilter, wrapTitle } from '../media/card.ts';
import { parseSegmentDurations, sameBoundaries } from '../media/hls.ts';
import { makeTmpDir, publishDir } from '../media/store.ts';
import { masterPlaylist } from '../../common/master-playlist.ts';
import {
  slateArgs, slateSegmentDurations, SLATE_SUBTITLE, SLATE_SUBTITLE_FILE, SLATE_TITLE_FILE,
} from './slate-plan.ts';
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

/** Queues (one at a time: it is CPU work) the generation of a channel's slate; resolves when done or failed. */
export function scheduleSlate(db: Db, config: Config, log: FastifyBaseLogger, channelId: number): Promise<void> {
  const q = queueOf(db);
  db.prepare("UPDATE channels SET slate_status = CASE WHEN generated_slate_id IS NULL THEN 'pending' ELSE slate_status END WHERE id = ?").run(channelId);
  const run = q.tail.then(() => generateSlate(db, config, channelId, q.abort.signal)).then(
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

function listFiles(root: string): Array<{ path: string; rung: string | null; size: number; sha256: string }> {
  const out: Array<{ path: string; rung: string | null; size: number; sha256: string }> = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!e.name.startsWith('.')) {
        const rel = path.relative(root, full).split(path.sep).join('/');
        const data = fs.readFileSync(full);
        out.push({ path: rel, rung: rel.includes('/') ? rel.split('/')[0] : null, size: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

async function generateSlate(db: Db, config: Config, channelId: number, signal: AbortSignal): Promise<void> {
  const channel = db.prepare('SELECT name, number, generated_slate_id FROM channels WHERE id = ?').get(channelId) as
    | { name: string; number: number; generated_slate_id: number | null }
    | undefined;
  if (!channel) return; // deleted meanwhile
  const now = new Date().toISOString();
  let programId = channel.generated_slate_id;
  if (programId === null || !db.prepare('SELECT 1 FROM programs WHERE id = ?').get(programId)) {
    programId = Number(
      db
        .prepare(
          `INSERT INTO programs (title, description, published, status, tags, created_at, updated_at)
           VALUES (?, ?, 0, 'processing', '["slate"]', ?, ?)`,
        )
        .run(`${channel.name} · 台标`, `Station card played in the gaps of channel ${channel.number}.`, now, now).lastInsertRowid,
    );
    db.prepare('UPDATE channels SET generated_slate_id = ? WHERE id = ?').run(programId, channelId);
  }

  const tools = locateTools(config);
  const font = cjkFontFile();
  const out = makeTmpDir(config, `slate-${channelId}`);
  try {
    for (const r of RUNGS) fs.mkdirSync(path.join(out, r.name));
    fs.writeFileSync(path.join(out, SLATE_TITLE_FILE), wrapTitle(channel.name, 24, 2).join('\n'));
    fs.writeFileSync(path.join(out, SLATE_SUBTITLE_FILE), SLATE_SUBTITLE);
    const result = await runTool(tools.ffmpeg, slateArgs(font && safeInFilter(font) ? font : null), { cwd: out, signal });
    if (result.code !== 0) throw new Error(`ffmpeg could not make the slate: ${lastErrorLine(result.stderr)}`);
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
    fs.writeFileSync(
      path.join(out, 'master.m3u8'),
      masterPlaylist(RUNGS),
    );
    const files = listFiles(out);
    if (signal.aborted) throw new Error('stopped');
    publishDir(config, out, programId);

    const id = programId;
    db.transaction(() => {
      db.prepare('DELETE FROM renditions WHERE program_id = ?').run(id);
      db.prepare('DELETE FROM segments WHERE program_id = ?').run(id);
      db.prepare('DELETE FROM program_files WHERE program_id = ?').run(id);
      const rend = db.prepare('INSERT INTO renditions (program_id, name, width, height, bandwidth) VALUES (?, ?, ?, ?, ?)');
      for (const r of RUNGS) rend.run(id, r.name, r.width, r.height, peakBandwidth(r));
      const seg = db.prepare('INSERT INTO segments (program_id, seq, duration) VALUES (?, ?, ?)');
      // The planned durations (exact) rather than the muxer's rounding: every node computes with the same numbers.
      expected.forEach((d, i) => seg.run(id, i, d));
      const file = db.prepare('INSERT INTO program_files (program_id, path, rung, size, sha256) VALUES (?, ?, ?, ?, ?)');
      for (const f of files) file.run(id, f.path, f.rung, f.size, f.sha256);
      db.prepare("UPDATE programs SET status = 'ready', progress = 100, error = NULL, duration = ?, updated_at = ? WHERE id = ?").run(
        expected.reduce((a, b) => a + b, 0), new Date().toISOString(), id,
      );
      db.prepare("UPDATE channels SET slate_status = 'ready', slate_error = NULL WHERE id = ?").run(channelId);
    })();
    invalidateChannel(db, channelId);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
