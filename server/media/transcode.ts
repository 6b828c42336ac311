// One ffmpeg process: decode once, split, scale+box per rung, encode every rung to its own HLS output.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { FfmpegTools } from './tools.ts';
import type { SourceProbe } from './probe.ts';
import { SEGMENT_SECONDS, type RungName } from '../../common/ladder.ts';
import { planLadder, type LadderPlan, type PlanOptions } from './ladder.ts';
import { masterPlaylist } from '../../common/master-playlist.ts';
import { parseSegmentDurations, sameBoundaries } from './hls.ts';
import { cjkFontFile, safeInFilter, wrapTitle } from './card.ts';
import { lastErrorLine, runTool } from './exec.ts';
import { AUDIO_PRE, loudnormFilter, measureLoudness, type LoudnessMeasure } from './loudness.ts';

export interface LadderResult {
  /** Seconds actually encoded (sum of the segment durations). */
  duration: number;
  renditions: { name: RungName; width: number; height: number; bandwidth: number }[];
  /** Segment durations in seconds; the same boundaries on every rung. */
  segments: number[];
  poster: 'poster.jpg';
}

/** ffmpeg ran and failed in a way another try will not fix (the source itself is at fault). */
export class TranscodeFailedError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'TranscodeFailedError';
  }
}

const CARD_TEXT_FILE = '.card-title.txt';
const CARD_SUBTITLE_FILE = '.card-subtitle.txt';
const CARD_SUBTITLE = '音频讲座 · Audio lecture';
export interface LadderArgsOptions {
  input: string;
  probe: SourceProbe;
  plan: LadderPlan;
  /** Font for the title card (audio-only); null lets ffmpeg choose. */
  fontFile?: string | null;
  /** Write `-progress pipe:1` lines to stdout. */
  progress?: boolean;
  /**
   * Seconds of the source stream that exists, for the generated stream (card or silence) to end with it.
   * Needed when plan.audioOnly or plan.silentAudio: ffmpeg 5's -shortest does not end lavfi inputs here.
   */
  generatedSeconds?: number;
  /** The first pass's measurement (two-pass loudness); null or absent: one pass. */
  loudness?: LoudnessMeasure | null;
}

function rate(r: [number, number]): string {
  return `${r[0]}/${r[1]}`;
}

/**
 * The complete ffmpeg argument list. Output paths are relative: run it with cwd = the output folder
 * (the card's text files are read from there too). Exported so the benchmark runs exactly this.
 */
export function buildLadderArgs(o: LadderArgsOptions): string[] {
  const { plan, probe } = o;
  const n = plan.rungs.length;
  const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error'];
  if (o.progress) args.push('-progress', 'pipe:1', '-nostats');
  args.push('-i', o.input);
  let nextInput = 1;
  const graph: string[] = [];

  // Picture: the source (deinterlaced, constant rate) or a generated title card.
  let videoIn: string;
  if (plan.audioOnly) {
    const cardIndex = nextInput++;
    args.push(
      '-t',
      String(generatedLength(o)),
      '-f',
      'lavfi',
      '-i',
      `color=c=0x15325b:s=${plan.sourceWidth}x${plan.sourceHeight}:r=${rate(plan.frameRate)}`,
    );
    const font = o.fontFile && safeInFilter(o.fontFile) ? `fontfile=${o.fontFile}:` : '';
    graph.push(
      `[${cardIndex}:v]drawtext=${font}textfile=${CARD_TEXT_FILE}:fontcolor=white:fontsize=60:line_spacing=18:` +
        `x=(w-text_w)/2:y=(h-text_h)/2-40,` +
        `drawtext=${font}textfile=${CARD_SUBTITLE_FILE}:fontcolor=0xb8cdee:fontsize=34:x=(w-text_w)/2:y=h-150,` +
        `format=yuv420p[card]`,
    );
    videoIn = '[card]';
  } else {
    const pre = [plan.deinterlace ? 'bwdif=mode=send_frame:parity=auto:deint=all' : null, `fps=${rate(plan.frameRate)}`]
      .filter(Boolean)
      .join(',');
    graph.push(`[0:${probe.video!.index}]${pre}[vsrc]`);
    videoIn = '[vsrc]';
  }
  graph.push(`${videoIn}split=${n}${plan.rungs.map((_, i) => `[vs${i}]`).join('')}`);
  plan.rungs.forEach((r, i) => {
    graph.push(
      `[vs${i}]scale=${r.contentWidth}:${r.contentHeight}:flags=bicubic,` +
        `pad=${r.width}:${r.height}:${r.padX}:${r.padY}:color=black,setsar=1,format=yuv420p[v${i}]`,
    );
  });

  // Sound: the source's, levelled and made stereo 48 kHz; or silence when it has none.
  let audioIn: string;
  if (plan.silentAudio) {
    const silentIndex = nextInput++;
    args.push('-t', String(generatedLength(o)), '-f', 'lavfi', '-i', 'anullsrc=channel_layout=stereo:sample_rate=48000');
    audioIn = `[${silentIndex}:a]`;
  } else {
    // async+first_pts pad gaps and a late start with silence, so sound stays in step with the picture.
    graph.push(
      `[0:${probe.audio!.index}]${AUDIO_PRE},` +
        `${loudnormFilter(o.loudness ?? null)},aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo[asrc]`,
    );
    audioIn = '[asrc]';
  }
  graph.push(`${audioIn}asplit=${n}${plan.rungs.map((_, i) => `[a${i}]`).join('')}`);
  args.push('-filter_complex', graph.join(';'));

  plan.rungs.forEach((r, i) => {
    args.push(
      '-map',
      `[v${i}]`,
      '-map',
      `[a${i}]`,
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'main',
      '-level:v',
      '3.1',
      '-pix_fmt',
      'yuv420p',
      '-b:v',
      String(r.videoBitrate),
      '-maxrate',
      String(r.maxRate),
      '-bufsize',
      String(r.videoBitrate * 2),
      '-g',
      String(plan.gop),
      '-keyint_min',
      String(plan.gop),
      '-sc_threshold',
      '0',
      '-force_key_frames',
      `expr:gte(t,n_forced*${SEGMENT_SECONDS})`,
      '-c:a',
      'aac',
      '-b:a',
      String(r.audioBitrate),
      '-ar',
      '48000',
      '-ac',
      '2',
      '-max_muxing_queue_size',
      '4096',
      '-f',
      'hls',
      '-hls_time',
      String(SEGMENT_SECONDS),
      '-hls_playlist_type',
      'vod',
      '-hls_list_size',
      '0',
      '-hls_segment_type',
      'mpegts',
      '-hls_flags',
      'independent_segments',
      '-hls_segment_filename',
      `${r.name}/seg_%05d.ts`,
      `${r.name}/index.m3u8`,
    );
  });
  return args;
}

function generatedLength(o: LadderArgsOptions): number {
  const s = o.generatedSeconds ?? o.probe.duration;
  if (!s || !(s > 0)) throw new Error('buildLadderArgs: generatedSeconds is required for a card or a silent track');
  return Math.round(s * 1000) / 1000;
}

/**
 * How long a stream of the source really is, from its packets (no decoding, so fast): a file cut short
 * declares its full length in the header, but only what is there can be encoded.
 */
async function measureStreamSeconds(tools: FfmpegTools, input: string, streamIndex: number, signal?: AbortSignal): Promise<number | null> {
  const r = await runTool(
    tools.ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-i',
      input,
      '-map',
      `0:${streamIndex}`,
      '-c',
      'copy',
      '-f',
      'null',
      '-progress',
      'pipe:1',
      '-',
    ],
    { signal },
  );
  const seconds = progressSeconds(r.stdout);
  return seconds && seconds > 0 ? seconds : null;
}

/** Writes the card's text files into the output folder (read by drawtext, removed afterwards). */
function writeCardText(outDir: string, title: string): void {
  fs.writeFileSync(path.join(outDir, CARD_TEXT_FILE), wrapTitle(title || 'Audio lecture').join('\n'));
  fs.writeFileSync(path.join(outDir, CARD_SUBTITLE_FILE), CARD_SUBTITLE);
}

/** Reads ffmpeg -progress output: out_time in seconds of each report. */
function progressSeconds(chunk: string): number | null {
  let last: number | null = null;
  for (const m of chunk.matchAll(/^out_time_(?:us|ms)=(\d+)/gm)) last = Number(m[1]) / 1e6;
  return last;
}

/** A poster JPEG: a frame from ~10% into the top rung (already boxed and deinterlaced), or the card. */
async function posterFrame(tools: FfmpegTools, playlist: string, outFile: string, atSeconds: number, signal?: AbortSignal): Promise<void> {
  const tryAt = async (t: number) =>
    runTool(
      tools.ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-y',
        '-v',
        'error',
        '-ss',
        t.toFixed(3),
        '-i',
        playlist,
        '-frames:v',
        '1',
        '-q:v',
        '3',
        '-update',
        '1',
        outFile,
      ],
      { signal },
    );
  let r = await tryAt(atSeconds);
  if (r.code !== 0 || !fs.existsSync(outFile) || fs.statSync(outFile).size === 0) r = await tryAt(0);
  if (r.code !== 0 || !fs.existsSync(outFile))
    throw new TranscodeFailedError(`Could not make the poster: ${lastErrorLine(r.stderr)}`, false);
}

/** Errors from the source itself (no retry helps) versus the machine (retry may help). */
function classifyFailure(stderr: string, signal: NodeJS.Signals | null): boolean {
  if (signal) return false;
  return /Invalid data found|could not find codec|Decoder .* not found|Unsupported codec|no frame!|does not contain any stream/i.test(
    stderr,
  );
}

export interface TranscodeOptions {
  tools: FfmpegTools;
  input: string;
  probe: SourceProbe;
  /** Empty folder the output is written into (the caller renames it into place). */
  outDir: string;
  title?: string;
  onProgress?: (percent: number, etaSeconds: number | null) => void;
  signal?: AbortSignal;
  plan?: PlanOptions;
  /** Clock for ETA estimates (tests may pass a fake). */
  now?: () => number;
  /** 'one-pass' only for the loudness benchmark's reference; the house default is two passes. */
  loudness?: 'two-pass' | 'one-pass';
}

export async function transcodeToLadder(opts: TranscodeOptions): Promise<LadderResult> {
  const { tools, input, probe, outDir } = opts;
  const plan = planLadder(probe, opts.plan);
  const now = opts.now ?? Date.now;
  fs.mkdirSync(outDir, { recursive: true });
  for (const r of plan.rungs) fs.mkdirSync(path.join(outDir, r.name), { recursive: true });
  if (plan.audioOnly) writeCardText(outDir, opts.title ?? '');

  const started = now();
  const total = probe.duration ?? null;
  let lastReport = -1;
  let generatedSeconds: number | undefined;
  if (plan.audioOnly || plan.silentAudio) {
    // The generated stream lasts as long as the real one; a video's last frame adds one frame time.
    const real = plan.audioOnly ? probe.audio! : probe.video!;
    const measured = await measureStreamSeconds(tools, input, real.index, opts.signal);
    const oneFrame = plan.audioOnly ? 0 : plan.frameRate[1] / plan.frameRate[0];
    generatedSeconds = measured !== null ? measured + oneFrame : (probe.duration ?? undefined);
    if (!generatedSeconds) throw new TranscodeFailedError('The source has no readable length: nothing in it can be played.', true);
  }
  let loudness: LoudnessMeasure | null = null;
  if (!plan.silentAudio && opts.loudness !== 'one-pass') {
    const m = await measureLoudness(tools, input, probe.audio!.index, opts.signal);
    if (m.code !== 0) {
      throw new TranscodeFailedError(
        `ffmpeg could not measure the loudness: ${lastErrorLine(m.stderr)}`,
        classifyFailure(m.stderr, m.signal),
      );
    }
    loudness = m.measured;
  }
  const args = buildLadderArgs({
    input,
    probe,
    plan,
    fontFile: plan.audioOnly ? cjkFontFile() : null,
    progress: true,
    generatedSeconds,
    loudness,
  });
  const r = await runTool(tools.ffmpeg, args, {
    cwd: outDir,
    signal: opts.signal,
    onStdout: (chunk) => {
      const done = progressSeconds(chunk);
      if (done === null || !total || !opts.onProgress) return;
      // 99 at most until the output is checked and published.
      const percent = Math.min(99, Math.max(0, (done / total) * 100));
      if (percent - lastReport < 1) return;
      lastReport = percent;
      const elapsed = (now() - started) / 1000;
      const eta = done > 0 && elapsed > 0.5 ? Math.max(0, (elapsed * (total - done)) / done) : null;
      opts.onProgress(Math.floor(percent), eta);
    },
  });
  if (r.code !== 0) {
    throw new TranscodeFailedError(`ffmpeg failed: ${lastErrorLine(r.stderr)}`, classifyFailure(r.stderr, r.signal));
  }
  fs.rmSync(path.join(outDir, CARD_TEXT_FILE), { force: true });
  fs.rmSync(path.join(outDir, CARD_SUBTITLE_FILE), { force: true });

  const lists: Record<string, number[]> = {};
  for (const rung of plan.rungs) {
    const file = path.join(outDir, rung.name, 'index.m3u8');
    if (!fs.existsSync(file)) throw new TranscodeFailedError(`ffmpeg wrote no playlist for ${rung.name}`, false);
    lists[rung.name] = parseSegmentDurations(fs.readFileSync(file, 'utf8'));
  }
  const same = sameBoundaries(lists);
  if (!same.ok) {
    // Nothing decodable came out, or rungs disagree: either way this source will not make a program.
    throw new TranscodeFailedError(`The output is not usable: ${same.reason}.`, true);
  }
  fs.writeFileSync(path.join(outDir, 'master.m3u8'), masterPlaylist(plan.rungs, { frameRate: plan.frameRate }));
  const duration = Math.round(same.durations.reduce((s, d) => s + d, 0) * 1000) / 1000;
  await posterFrame(
    tools,
    path.join(outDir, plan.rungs[0].name, 'index.m3u8'),
    path.join(outDir, 'poster.jpg'),
    duration * 0.1,
    opts.signal,
  );

  return {
    duration,
    renditions: plan.rungs.map((x) => ({ name: x.name, width: x.width, height: x.height, bandwidth: x.bandwidth })),
    segments: same.durations,
    poster: 'poster.jpg',
  };
}
