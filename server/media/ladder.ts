// The ladder plan for one source (PURE: plain data in, plain data out); the house rungs are common/ladder.ts.
import { maxVideoRate, peakBandwidth, RUNGS, SEGMENT_SECONDS, type Rung, type RungName } from '../../common/ladder.ts';
import type { SourceProbe } from './probe.ts';

/** Frame size of the title card made for audio-only programs before it is scaled to each rung. */
export const CARD_SIZE = { width: 1280, height: 720 };
export const CARD_RATE: [number, number] = [25, 1];
const MAX_FPS = 30;

export interface PlannedRung extends Rung {
  /** The picture inside the frame (even sizes); the rest of the frame is black bars. */
  contentWidth: number;
  contentHeight: number;
  padX: number;
  padY: number;
  /** Peak video rate, bits/s. */
  maxRate: number;
  /** BANDWIDTH of the master playlist: peak video + audio, bits/s. */
  bandwidth: number;
}

export interface LadderPlan {
  rungs: PlannedRung[];
  /** Output constant frame rate as a fraction. */
  frameRate: [number, number];
  /** Frames between forced keyframes (GOP), rounded up. */
  gop: number;
  deinterlace: boolean;
  /** No video: the picture is a title card. */
  audioOnly: boolean;
  /** No audio: a silent stereo track is generated. */
  silentAudio: boolean;
  /** The picture the rungs are scaled from (display size; the card's size when audio-only). */
  sourceWidth: number;
  sourceHeight: number;
}

export interface PlanOptions {
  /** Do not make rungs above this one (e.g. '240p' for quick tests and previews). */
  maxRung?: RungName;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

const STANDARD_RATES: [number, number][] = [
  [24000, 1001],
  [24, 1],
  [25, 1],
  [30000, 1001],
  [30, 1],
  [15, 1],
  [12, 1],
  [20, 1],
  [10, 1],
];

/**
 * Source rate capped at 30: rates above are divided by the smallest whole factor that brings them under
 * (60 -> 30, 50 -> 25, 59.94 -> 29.97), which keeps motion cadence; odd VFR averages snap to a standard rate.
 */
export function outputFrameRate(source: [number, number] | null): [number, number] {
  if (!source) return CARD_RATE;
  let [n, d] = source;
  if (!(n > 0 && d > 0)) return CARD_RATE;
  const k = Math.ceil(n / d / MAX_FPS - 1e-9);
  if (k > 1) d *= k;
  const fps = n / d;
  // The nearest standard rate within 2% (60 -> 30/1, not 30000/1001).
  let best: [number, number] | null = null;
  for (const std of STANDARD_RATES) {
    const diff = Math.abs(std[0] / std[1] - fps);
    if (diff <= 0.02 * fps && (!best || diff < Math.abs(best[0] / best[1] - fps))) best = std;
  }
  if (best) return best;
  if (fps < 1) return [1, 1];
  return [Math.round(fps), 1];
}

/**
 * Fits the picture inside the rung without stretching: the larger of the two scale limits wins and the
 * rest is padded black (letterbox for wide sources, pillarbox for 4:3 and portrait).
 */
export function fitInRung(rung: Rung, srcW: number, srcH: number) {
  const scale = Math.min(rung.width / srcW, rung.height / srcH);
  const contentWidth = Math.min(rung.width, even(srcW * scale));
  const contentHeight = Math.min(rung.height, even(srcH * scale));
  return {
    scale,
    contentWidth,
    contentHeight,
    padX: Math.floor((rung.width - contentWidth) / 4) * 2,
    padY: Math.floor((rung.height - contentHeight) / 4) * 2,
  };
}

/**
 * Rungs are made when the picture is not enlarged in them (a few percent of slack for sizes such as
 * 1278x718); for wide and 4:3 sources this is "not above the source height", and a portrait clip is
 * judged by the height it gets inside the landscape frame. The lowest rung is always made.
 */
export function planLadder(probe: SourceProbe, opts: PlanOptions = {}): LadderPlan {
  const audioOnly = !probe.video;
  const srcW = probe.video ? probe.video.displayWidth : CARD_SIZE.width;
  const srcH = probe.video ? probe.video.displayHeight : CARD_SIZE.height;
  const capIndex = opts.maxRung ? RUNGS.findIndex((r) => r.name === opts.maxRung) : 0;
  if (capIndex < 0) throw new Error(`unknown rung ${opts.maxRung}`);
  const candidates = RUNGS.slice(capIndex);
  let chosen = candidates.filter((r) => fitInRung(r, srcW, srcH).scale <= 1.03);
  if (chosen.length === 0) chosen = [candidates[candidates.length - 1]];
  const frameRate = probe.video ? outputFrameRate(probe.video.frameRate) : CARD_RATE;
  return {
    rungs: chosen.map((r) => {
      const fit = fitInRung(r, srcW, srcH);
      return {
        ...r,
        contentWidth: fit.contentWidth,
        contentHeight: fit.contentHeight,
        padX: fit.padX,
        padY: fit.padY,
        maxRate: maxVideoRate(r),
        bandwidth: peakBandwidth(r),
      };
    }),
    frameRate,
    gop: Math.ceil((SEGMENT_SECONDS * frameRate[0]) / frameRate[1]),
    deinterlace: !!probe.video?.interlaced,
    audioOnly,
    silentAudio: !probe.audio,
    sourceWidth: srcW,
    sourceHeight: srcH,
  };
}
