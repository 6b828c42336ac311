// The house ladder: the contract every part of the system agrees on (server transcoding and slates, live and
// master playlists, site manifests, the agent's local playlists). Written once here; the per-source planning
// (which rungs a given source gets, padding, frame rate) stays in server/media/ladder.ts.

/** The house ladder's rung names, highest first. */
export const RUNG_NAMES = ['720p', '480p', '360p', '240p'] as const;
export type RungName = (typeof RUNG_NAMES)[number];

export interface Rung {
  name: RungName;
  width: number;
  height: number;
  /** Target video bitrate, bits/s. */
  videoBitrate: number;
  /** AAC bitrate, bits/s. */
  audioBitrate: number;
}

/** Highest first. Every program of the house uses these exact frame sizes so any two can be stitched. */
export const RUNGS: readonly Rung[] = [
  { name: '720p', width: 1280, height: 720, videoBitrate: 1_500_000, audioBitrate: 128_000 },
  { name: '480p', width: 854, height: 480, videoBitrate: 800_000, audioBitrate: 128_000 },
  { name: '360p', width: 640, height: 360, videoBitrate: 450_000, audioBitrate: 96_000 },
  { name: '240p', width: 426, height: 240, videoBitrate: 220_000, audioBitrate: 64_000 },
];

/** Seconds between forced keyframes, and so the length of every program segment but the last. */
export const SEGMENT_SECONDS = 4;
/** Peak rate allowed above the target (VBV), as a factor. */
export const MAXRATE_FACTOR = 1.1;
/** H.264 Main, level 3.1 (covers 1280x720 at 30 fps) + AAC-LC: what every master playlist announces. */
export const CODECS = 'avc1.4d401f,mp4a.40.2';

type Bitrates = Pick<Rung, 'videoBitrate' | 'audioBitrate'>;

/** Peak video rate given to the encoder (-maxrate), bits/s. */
export function maxVideoRate(r: Pick<Rung, 'videoBitrate'>): number {
  return Math.round(r.videoBitrate * MAXRATE_FACTOR);
}

/** BANDWIDTH of a master playlist variant: peak video + audio, bits/s. */
export function peakBandwidth(r: Bitrates): number {
  return maxVideoRate(r) + r.audioBitrate;
}

/** AVERAGE-BANDWIDTH of a master playlist variant: target video + audio, bits/s. */
export function averageBandwidth(r: Bitrates): number {
  return r.videoBitrate + r.audioBitrate;
}

/** The rung of this name, or undefined for a name outside the ladder. */
export function rungByName(name: string): Rung | undefined {
  return RUNGS.find((r) => r.name === name);
}

/** Position in the ladder (0 = highest), or -1 for a name outside it. */
export function rungRank(name: string): number {
  return RUNG_NAMES.indexOf(name as RungName);
}
