// Loudness: two-pass EBU R128 normalisation (measure, then apply the measured values) and the integrated-loudness
// check used by the tests and scripts/bench/loudness.ts.
import type { FfmpegTools } from './tools.ts';
import { runTool } from './exec.ts';

/** Loudness every program is brought to (EBU R128 style for speech on small TV speakers). */
export const LOUDNESS_TARGET = { I: -16, TP: -1.5, LRA: 11 } as const;
const LOUDNORM_TARGET = `loudnorm=I=${LOUDNESS_TARGET.I}:TP=${LOUDNESS_TARGET.TP}:LRA=${LOUDNESS_TARGET.LRA}`;
/** The source's sound as every pass hears it: gaps padded with silence, stereo. */
export const AUDIO_PRE = 'aresample=async=1:first_pts=0,aformat=channel_layouts=stereo';

/** What loudnorm's first pass measured (print_format=json), fed to the second. */
export interface LoudnessMeasure {
  inputI: number;
  inputTP: number;
  inputLRA: number;
  inputThresh: number;
  targetOffset: number;
}

/**
 * The loudnorm filter: with a measurement, the second pass of two-pass normalisation (linear gain where the
 * source allows, so a quiet and a loud lecture end at the same level without pumping); else one pass (dynamic).
 */
export function loudnormFilter(measured: LoudnessMeasure | null): string {
  if (!measured) return LOUDNORM_TARGET;
  const m = measured;
  return (
    `${LOUDNORM_TARGET}:measured_I=${m.inputI}:measured_TP=${m.inputTP}:measured_LRA=${m.inputLRA}:` +
    `measured_thresh=${m.inputThresh}:offset=${m.targetOffset}:linear=true`
  );
}

/** PURE: the JSON block loudnorm prints at the end of a first pass; null when absent or not finite (e.g. silence). */
export function parseLoudnormJson(stderr: string): LoudnessMeasure | null {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  try {
    const j = JSON.parse(stderr.slice(start, end + 1)) as Record<string, string>;
    const m: LoudnessMeasure = {
      inputI: Number(j.input_i),
      inputTP: Number(j.input_tp),
      inputLRA: Number(j.input_lra),
      inputThresh: Number(j.input_thresh),
      targetOffset: Number(j.target_offset),
    };
    return Object.values(m).every(Number.isFinite) ? m : null;
  } catch {
    return null;
  }
}

/**
 * First pass of two-pass loudness normalisation: audio only (no video decoded), so cheap next to the encode.
 * `measured` is null when nothing could be measured (silence): the encode then uses one pass. A failed run is the
 * caller's to judge (the same faults as the encode: a full disk, a killed process, a broken source).
 */
export async function measureLoudness(
  tools: FfmpegTools,
  input: string,
  audioIndex: number,
  signal?: AbortSignal,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; measured: LoudnessMeasure | null }> {
  const r = await runTool(
    tools.ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      '-v',
      'info',
      '-i',
      input,
      '-map',
      `0:${audioIndex}`,
      '-vn',
      '-sn',
      '-dn',
      '-af',
      `${AUDIO_PRE},${LOUDNORM_TARGET}:print_format=json`,
      '-f',
      'null',
      '-',
    ],
    { signal },
  );
  return { code: r.code, signal: r.signal, stderr: r.stderr, measured: r.code === 0 ? parseLoudnormJson(r.stderr) : null };
}

/** Integrated loudness (LUFS) of a file's sound, by ffmpeg's ebur128 meter; null when it could not be read. */
export async function integratedLoudness(tools: FfmpegTools, file: string): Promise<number | null> {
  const r = await runTool(tools.ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-v',
    'info',
    '-i',
    file,
    '-vn',
    '-af',
    'ebur128',
    '-f',
    'null',
    '-',
  ]);
  if (r.code !== 0) return null;
  // The summary at the end: "Integrated loudness:\n    I:         -16.1 LUFS".
  const m = /Integrated loudness:\s*I:\s*(-?[\d.]+|-inf) LUFS/.exec(r.stderr);
  return m && m[1] !== '-inf' ? Number(m[1]) : null;
}
