// The demo library: on an empty catalog, renders the lectures of content/demo-recipe.ts with ffmpeg
// (lavfi pictures, the title drawn in a CJK font, narration by espeak-ng or a tone where it is missing)
// and takes them in through the same ingest path as an upload.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { DEMO_LECTURES, demoDescription, demoTitle, type DemoLecture } from '../content/demo-recipe.ts';
import { ingestCourseware, incomingPath } from '../server/catalog/ingest.ts';
import { normalizeProgramFields } from '../server/catalog/metadata.ts';
import { lectureCount } from '../server/catalog/repo.ts';
import { cjkFontFile, safeInFilter, wrapTitle } from '../server/media/card.ts';
import { runTool, lastErrorLine } from '../server/media/exec.ts';
import { locateTools, type FfmpegTools } from '../server/media/tools.ts';
import { insertItems, type ItemDraft } from '../server/broadcast/schedule.ts';
import { scheduleSlate } from '../server/broadcast/slate.ts';
import { insertChannel } from '../server/broadcast/repo.ts';

function hasEspeak(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Encoder settings per container, as field courseware comes (cheap presets: this is only the source). */
const CONTAINER_ARGS: Record<DemoLecture['container'], string[]> = {
  mp4: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k'],
  mkv: ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k'],
  mpg: ['-c:v', 'mpeg2video', '-b:v', '2500k', '-flags', '+ilme+ildct', '-top', '1', '-c:a', 'mp2', '-b:a', '128k', '-f', 'vob'],
  avi: ['-c:v', 'mpeg4', '-q:v', '6', '-c:a', 'libmp3lame', '-b:a', '64k'],
  mp3: ['-c:a', 'libmp3lame', '-b:a', '64k'],
};

/** Renders one lecture's source file into `dir`; returns its path. */
async function renderLecture(tools: FfmpegTools, l: DemoLecture, dir: string, espeak: boolean): Promise<string> {
  const out = path.join(dir, `${l.key}.${l.container}`);
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  let audioInput: number;
  if (l.video) {
    const v = l.video;
    args.push('-f', 'lavfi', '-i', `${v.picture}=size=${v.width}x${v.height}:rate=${v.rate}`);
    audioInput = 1;
  } else audioInput = 0;
  if (espeak) {
    const wav = path.join(dir, `${l.key}.voice.wav`);
    execFileSync('espeak-ng', ['-v', l.narration.voice, '-s', '150', '-w', wav, l.narration.text]);
    // The narration repeats, with a pause, to fill the lecture.
    args.push('-stream_loop', '-1', '-i', wav);
  } else {
    args.push('-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000');
  }
  const filters: string[] = [];
  if (l.video) {
    const titleFile = path.join(dir, `${l.key}.title.txt`);
    fs.writeFileSync(titleFile, wrapTitle(l.titleZh, Math.max(16, Math.floor(l.video.width / 28))).join('\n'));
    const font = cjkFontFile();
    const size = Math.round(Math.min(l.video.width, l.video.height) / 14);
    const fontOpt = font && safeInFilter(font) ? `fontfile=${font}:` : '';
    filters.push(
      `[0:v]drawbox=y=ih*0.62:w=iw:h=ih*0.3:color=black@0.6:t=fill,` +
        `drawtext=${fontOpt}textfile=${titleFile}:fontsize=${size}:fontcolor=white:line_spacing=${Math.round(size / 3)}:x=(w-text_w)/2:y=h*0.65[v]`,
    );
  }
  filters.push(`[${audioInput}:a]aresample=48000,apad[a]`);
  args.push('-filter_complex', filters.join(';'));
  if (l.video) args.push('-map', '[v]');
  args.push('-map', '[a]', ...CONTAINER_ARGS[l.container], '-t', String(l.seconds), out);
  const r = await runTool(tools.ffmpeg, args);
  if (r.code !== 0) throw new Error(`demo: rendering ${l.key} failed: ${lastErrorLine(r.stderr)}`);
  return out;
}

/**
 * On an empty catalog, renders and ingests the demo lectures; returns the new program ids (none when
 * the catalog already has programs). The transcodes run on the server's job worker, each starting as soon as
 * its lecture is queued; `onQueued` hears of each id at that moment, so the caller can wait for the first one.
 */
export async function ensureDemoLibrary(app: FastifyInstance, onQueued: (programId: number) => void = () => {}): Promise<number[]> {
  // Only lectures count: the house slate the server makes at start is a program row too.
  if (lectureCount(app.db) > 0) return [];
  const tools = locateTools(app.config);
  const espeak = hasEspeak();
  if (!espeak) app.log.warn('espeak-ng is not installed: the demo lectures get a tone instead of narration');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-demo-'));
  const ids: number[] = [];
  try {
    for (const l of DEMO_LECTURES) {
      const rendered = await renderLecture(tools, l, dir, espeak);
      const file = incomingPath(app.config, rendered);
      fs.copyFileSync(rendered, file);
      const fields = normalizeProgramFields({
        title: demoTitle(l),
        description: demoDescription(l),
        lecturer: l.lecturer,
        category: l.category,
        audiences: l.audiences,
        ...(l.series ? { series: l.series, episode: l.episode } : {}),
        tags: l.tags,
        language: l.language,
      });
      const id = await ingestCourseware({ db: app.db, config: app.config, tools }, { file, originalName: path.basename(rendered), fields });
      app.log.info({ programId: id, title: demoTitle(l) }, 'demo lecture queued for transcoding');
      ids.push(id);
      onQueued(id);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return ids;
}

export const DEMO_CHANNEL_NUMBER = 1;
const DEMO_CHANNEL_NAME = '党员教育频道';
/** How far ahead the demo channel is kept scheduled: the 48 h sites hold, and a day to spare. */
export const DEMO_AHEAD_MS = 3 * 86_400_000;
/**
 * While the library is still transcoding, the channel is scheduled only this far ahead, so each lecture that
 * becomes ready joins the rotation within minutes instead of after three days of the first one.
 */
export const DEMO_FOLLOW_MS = 2 * 60_000;

/**
 * The demo channel: number 1, the ready published demo programs back to back around the clock. Idempotent;
 * call it again (start.ts does, as lectures become ready and then hourly) to keep `aheadMs` scheduled.
 * Returns the channel id.
 */
export function ensureDemoChannel(app: FastifyInstance, nowMs = Date.now(), aheadMs = DEMO_AHEAD_MS): number {
  const { db } = app;
  let channel = db.prepare('SELECT id FROM channels WHERE number = ?').get(DEMO_CHANNEL_NUMBER) as { id: number } | undefined;
  if (!channel) {
    const id = insertChannel(
      db,
      {
        number: DEMO_CHANNEL_NUMBER,
        name: DEMO_CHANNEL_NAME,
        description: '演示：示范课程全天轮播 · Demo: the demo lectures around the clock',
      },
      nowMs,
    );
    void scheduleSlate(db, app.config, app.log, id);
    channel = { id };
  }
  const programs = db
    .prepare(
      `SELECT p.id, p.duration FROM programs p
        WHERE p.status = 'ready' AND p.published = 1 AND p.duration > 0
          AND p.id NOT IN (SELECT generated_slate_id FROM channels WHERE generated_slate_id IS NOT NULL)
        ORDER BY p.id`,
    )
    .all() as Array<{ id: number; duration: number }>;
  if (programs.length === 0) return channel.id;
  const last = db.prepare('SELECT max(end_at) AS end FROM schedule_items WHERE channel_id = ?').get(channel.id) as { end: number | null };
  // Start a few seconds out: the past (and the present instant) of a schedule cannot be written.
  let start = Math.max(last.end ?? 0, nowMs + 5_000);
  const drafts: ItemDraft[] = [];
  const lastProgram = db
    .prepare('SELECT program_id AS id FROM schedule_items WHERE channel_id = ? ORDER BY end_at DESC LIMIT 1')
    .get(channel.id) as { id: number } | undefined;
  let i = lastProgram ? (programs.findIndex((p) => p.id === lastProgram.id) + 1) % programs.length : 0;
  while (start < nowMs + aheadMs) {
    const p = programs[i];
    drafts.push({ programId: p.id, start });
    start += Math.ceil(p.duration) * 1000; // what resolveEnd gives an item without an explicit end
    i = (i + 1) % programs.length;
  }
  insertItems(db, channel.id, drafts, nowMs, app.config.provinceTz);
  return channel.id;
}
