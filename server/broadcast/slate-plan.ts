// The generated slate (station card) of a channel: what ffmpeg is asked to make (PURE).
//
// Why short segments: the slate fills gaps of any length while the channel stays in step with the clock
// (common/timeline.ts). Its loop is 60 one-second segments, then four tails of 0.2/0.4/0.6/0.8 s; a gap ends
// with the shortest tail at least as long as what is left, so media overrun the clock by < 200 ms at most.
import { maxVideoRate, RUNGS, type Rung } from '../../common/ladder.ts';
import { CARD_SIZE, CARD_RATE } from '../media/ladder.ts';

const SLATE_LOOP_SECONDS = 60;
export const SLATE_TAILS = [0.2, 0.4, 0.6, 0.8] as const;
const SLATE_TOTAL_SECONDS = SLATE_LOOP_SECONDS + SLATE_TAILS.reduce((a, b) => a + b, 0);
export const SLATE_TITLE_FILE = '.slate-title.txt';
export const SLATE_SUBTITLE_FILE = '.slate-subtitle.txt';
export const SLATE_SUBTITLE = '节目即将开始 · Programme coming up';

/** Instants (s) where a segment starts: 0, 1, ..., 59, 60, 60.2, 60.6, 61.2. */
function slateKeyframeTimes(): number[] {
  const times = Array.from({ length: SLATE_LOOP_SECONDS + 1 }, (_, i) => i);
  let t = SLATE_LOOP_SECONDS;
  for (const tail of SLATE_TAILS.slice(0, -1)) {
    t = Math.round((t + tail) * 1000) / 1000;
    times.push(t);
  }
  return times;
}

/** The expected segment durations of every rung of the slate. */
export function slateSegmentDurations(): number[] {
  return [...Array(SLATE_LOOP_SECONDS).fill(1), ...SLATE_TAILS];
}

/**
 * One ffmpeg: a still card (channel name in the CJK font) + silence, encoded once per house rung in the house
 * codecs (H.264 Main, AAC-LC 48 kHz stereo, constant rate), cut at forced keyframes into MPEG-TS segments.
 * Run with cwd = the output folder (the title files are read from there).
 */
export function slateArgs(fontFile: string | null, rungs: readonly Rung[] = RUNGS): string[] {
  const font = fontFile ? `fontfile=${fontFile}:` : '';
  const n = rungs.length;
  const graph = [
    `[0:v]drawtext=${font}textfile=${SLATE_TITLE_FILE}:fontcolor=white:fontsize=84:line_spacing=20:x=(w-text_w)/2:y=(h-text_h)/2-50,` +
      `drawtext=${font}textfile=${SLATE_SUBTITLE_FILE}:fontcolor=0xb8cdee:fontsize=36:x=(w-text_w)/2:y=h-160,format=yuv420p,` +
      `split=${n}${rungs.map((_, i) => `[vs${i}]`).join('')}`,
    // One frame is drawn and scaled, then repeated: the text and the scaling are done once per rung, not per frame.
    ...rungs.map(
      (r, i) =>
        `[vs${i}]scale=${r.width}:${r.height}:flags=bicubic,setsar=1,format=yuv420p,loop=loop=-1:size=1,fps=${CARD_RATE[0]}/${CARD_RATE[1]}[v${i}]`,
    ),
    `[1:a]asplit=${n}${rungs.map((_, i) => `[a${i}]`).join('')}`,
  ];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    `color=c=0x15325b:s=${CARD_SIZE.width}x${CARD_SIZE.height}:r=${CARD_RATE[0]}/${CARD_RATE[1]}:d=${CARD_RATE[1] / CARD_RATE[0]}`,
    '-f',
    'lavfi',
    '-i',
    'anullsrc=channel_layout=stereo:sample_rate=48000',
    '-filter_complex',
    graph.join(';'),
  ];
  const keyframes = slateKeyframeTimes().join(',');
  rungs.forEach((r, i) => {
    args.push(
      '-map',
      `[v${i}]`,
      '-map',
      `[a${i}]`,
      '-t',
      String(SLATE_TOTAL_SECONDS),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'stillimage',
      '-profile:v',
      'main',
      '-level:v',
      '3.1',
      '-pix_fmt',
      'yuv420p',
      '-crf',
      '23',
      '-maxrate',
      String(maxVideoRate(r)),
      '-bufsize',
      String(r.videoBitrate * 2),
      '-g',
      '1000',
      '-keyint_min',
      '1',
      '-sc_threshold',
      '0',
      '-force_key_frames',
      keyframes,
      '-c:a',
      'aac',
      '-b:a',
      String(r.audioBitrate),
      '-ar',
      '48000',
      '-ac',
      '2',
      // hls_time below the shortest segment: the muxer cuts at every forced keyframe.
      '-f',
      'hls',
      '-hls_time',
      '0.1',
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
