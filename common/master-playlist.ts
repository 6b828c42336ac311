// The one master-playlist writer (PURE): program masters, slate masters, the server's live channel master and
// the site agent's one-variant master all come from here, so BANDWIDTH and CODECS never disagree.
import { averageBandwidth, CODECS, peakBandwidth, type Rung } from './ladder.ts';

export type MasterVariant = Pick<Rung, 'name' | 'width' | 'height' | 'videoBitrate' | 'audioBitrate'>;

export interface MasterOptions {
  /** URI of a variant's media playlist, relative to the master (default `<name>/index.m3u8`). */
  uri?: (name: string) => string;
  /** Output frame rate as a fraction; announced as FRAME-RATE when known. */
  frameRate?: [number, number];
}

/**
 * One EXT-X-STREAM-INF per rung, highest first. Every house segment starts on a keyframe (forced at each cut),
 * hence EXT-X-INDEPENDENT-SEGMENTS.
 */
export function masterPlaylist(variants: readonly MasterVariant[], opts: MasterOptions = {}): string {
  const uri = opts.uri ?? ((name: string) => `${name}/index.m3u8`);
  const fps = opts.frameRate ? `,FRAME-RATE=${(opts.frameRate[0] / opts.frameRate[1]).toFixed(3)}` : '';
  const sorted = [...variants].sort((a, b) => b.height - a.height || peakBandwidth(b) - peakBandwidth(a));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of sorted) {
    lines.push(
      `#EXT-X-STREAM-INF:BANDWIDTH=${peakBandwidth(v)},AVERAGE-BANDWIDTH=${averageBandwidth(v)},` +
        `RESOLUTION=${v.width}x${v.height}${fps},CODECS="${CODECS}"`,
      uri(v.name),
    );
  }
  return lines.join('\n') + '\n';
}
