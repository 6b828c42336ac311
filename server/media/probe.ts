// Reads what a source file holds (ffprobe) and refuses files with nothing ffmpeg can decode.
import fs from 'node:fs';
import type { FfmpegTools } from './tools.ts';
import { runTool } from './exec.ts';

/** A file the pipeline cannot use; `.message` is written for the operator who uploaded it. */
export class MediaRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaRejectedError';
  }
}

export interface VideoProbe {
  /** Absolute stream index in the file (what ffmpeg's [0:N] selects). */
  index: number;
  codec: string;
  /** Stored frame size. */
  width: number;
  height: number;
  /** Size as shown: sample aspect ratio applied, rotation applied (ffmpeg auto-rotates when decoding). */
  displayWidth: number;
  displayHeight: number;
  /** Frame rate as a fraction, e.g. [30000, 1001]; average rate when the source declares one. */
  frameRate: [number, number];
  /** True when the average and the nominal rate disagree (phone clips, screen recordings). */
  variableFrameRate: boolean;
  interlaced: boolean;
  rotation: number;
}

export interface AudioProbe {
  index: number;
  codec: string;
  channels: number;
  sampleRate: number;
  layout: string | null;
}

export interface SourceProbe {
  /** ffprobe's format name, e.g. 'mov,mp4,m4a,3gp,3g2,mj2'. */
  container: string;
  /** Duration the container declares, seconds (may be longer than what decodes in a cut-off file). */
  duration: number | null;
  size: number;
  bitRate: number | null;
  video: VideoProbe | null;
  audio: AudioProbe | null;
}

interface FfStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  sample_aspect_ratio?: string;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  field_order?: string;
  channels?: number;
  sample_rate?: string;
  channel_layout?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { rotation?: number }[];
}

interface FfFormat {
  format_name?: string;
  duration?: string;
  bit_rate?: string;
}

function ratio(text: string | undefined): [number, number] | null {
  if (!text) return null;
  const [a, b] = text.split(/[/:]/).map(Number);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a <= 0 || b <= 0) return null;
  return [a, b];
}

function num(text: string | undefined): number | null {
  const n = Number(text);
  return text !== undefined && Number.isFinite(n) && n > 0 ? n : null;
}

/** Pure: turns ffprobe's JSON into a SourceProbe (or explains why the file is unusable). */
export function interpretProbe(json: { streams?: FfStream[]; format?: FfFormat }, size: number): SourceProbe {
  const streams = json.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && s.codec_name && !s.disposition?.attached_pic && (s.width ?? 0) > 0);
  const a = streams.find((s) => s.codec_type === 'audio' && s.codec_name && (s.channels ?? 0) > 0);
  if (!v && !a) {
    throw new MediaRejectedError('This file has no audio or video stream ffmpeg can decode.');
  }
  let video: VideoProbe | null = null;
  if (v) {
    const width = v.width!;
    const height = v.height!;
    const sar = ratio(v.sample_aspect_ratio) ?? [1, 1];
    const rotationRaw = v.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation ?? Number(v.tags?.rotate ?? 0);
    const rotation = ((Math.round(rotationRaw) % 360) + 360) % 360;
    let dw = Math.round((width * sar[0]) / sar[1]);
    let dh = height;
    if (rotation === 90 || rotation === 270) [dw, dh] = [dh, dw];
    const avg = ratio(v.avg_frame_rate);
    const nominal = ratio(v.r_frame_rate);
    const rate = avg ?? nominal ?? [25, 1];
    const variable = !!avg && !!nominal && Math.abs(avg[0] / avg[1] - nominal[0] / nominal[1]) > 0.01 * (nominal[0] / nominal[1]);
    video = {
      index: v.index,
      codec: v.codec_name!,
      width,
      height,
      displayWidth: dw,
      displayHeight: dh,
      frameRate: rate,
      variableFrameRate: variable,
      interlaced: ['tt', 'bb', 'tb', 'bt'].includes(v.field_order ?? ''),
      rotation,
    };
  }
  const audio: AudioProbe | null = a
    ? {
        index: a.index,
        codec: a.codec_name!,
        channels: a.channels!,
        sampleRate: num(a.sample_rate) ?? 48000,
        layout: a.channel_layout ?? null,
      }
    : null;
  return {
    container: json.format?.format_name ?? 'unknown',
    duration: num(json.format?.duration),
    size,
    bitRate: num(json.format?.bit_rate),
    video,
    audio,
  };
}

/** True when the file starts like an ISO media file (MP4/MOV/M4A): an 'ftyp' box at byte 4. */
function looksLikeIsoMedia(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    fs.readSync(fd, head, 0, 12, 0);
    return head.subarray(4, 8).toString('latin1') === 'ftyp';
  } finally {
    fs.closeSync(fd);
  }
}

function explainProbeFailure(stderr: string, isoMedia: boolean): string {
  if (isoMedia && /moov atom not found/i.test(stderr)) {
    return 'This file is incomplete (its index is missing, as in a copy that was cut off): copy it again from the original.';
  }
  return 'This is not a media file ffmpeg can read (it may be a document or a damaged copy with a media extension).';
}

/** Decodes the first seconds of one stream; a file whose streams decode to nothing is refused. */
async function decodesSomething(tools: FfmpegTools, file: string, stream: 'v:0' | 'a:0'): Promise<boolean> {
  const r = await runTool(tools.ffprobe, [
    '-v',
    'error',
    '-select_streams',
    stream,
    '-read_intervals',
    '%+3',
    '-show_entries',
    'frame=best_effort_timestamp_time',
    '-of',
    'csv=p=0',
    file,
  ]);
  return r.code === 0 && r.stdout.trim().length > 0;
}

export async function probeSource(tools: FfmpegTools, file: string): Promise<SourceProbe> {
  const size = fs.statSync(file).size;
  if (size === 0) throw new MediaRejectedError('The file is empty.');
  const r = await runTool(tools.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file]);
  if (r.code !== 0) throw new MediaRejectedError(explainProbeFailure(r.stderr, looksLikeIsoMedia(file)));
  let json: { streams?: FfStream[]; format?: FfFormat };
  try {
    json = JSON.parse(r.stdout);
  } catch {
    throw new MediaRejectedError(explainProbeFailure(r.stderr, looksLikeIsoMedia(file)));
  }
  const probe = interpretProbe(json, size);
  // A stream can be declared and still not decode (unknown codec, garbage after a valid header).
  if (probe.video && !(await decodesSomething(tools, file, 'v:0'))) probe.video = null;
  if (probe.audio && !(await decodesSomething(tools, file, 'a:0'))) probe.audio = null;
  if (!probe.video && !probe.audio) {
    throw new MediaRejectedError('This file has no audio or video stream ffmpeg can decode (its streams produce no frames).');
  }
  return probe;
}
