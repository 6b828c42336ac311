// Live HLS media playlist text from the channel timeline (masters: common/master-playlist.ts). Pure: the same
// input and instant give the same bytes on the server and at every site.
import {
  compiled,
  liveWindow,
  type ChannelTimelineInput,
  type CompiledTimeline,
  type TimelineSegment,
  type WindowOptions,
} from './timeline.ts';
import { versionFolder } from './manifest.ts';

export interface MediaPlaylistOptions extends WindowOptions {
  /** URL prefix of program media (default '/media/programs'): segment = <prefix>/<id>/v<version>/<rung>/seg_00003.ts */
  mediaPrefix?: string;
  /** Lowest EXT-X-TARGETDURATION announced (default 4, the house segment length) so it stays steady. */
  minTargetDuration?: number;
}

/** The file name of segment i: seg_00003.ts */
function segmentFileName(index: number): string {
  return `seg_${String(index).padStart(5, '0')}.ts`;
}

/** The rung to play of a program: the one asked for, else the program's highest. */
export function rungFor(rungs: string[], wanted: string): string {
  return rungs.includes(wanted) || rungs.length === 0 ? wanted : rungs[0];
}

function segmentUri(seg: TimelineSegment, rung: string, mediaPrefix = '/media/programs'): string {
  const file = `${rungFor(seg.rungs, rung)}/${segmentFileName(seg.index)}`;
  return seg.version === undefined
    ? `${mediaPrefix}/${seg.programId}/${file}`
    : `${mediaPrefix}/${seg.programId}/${versionFolder(seg.version)}/${file}`;
}

function extinf(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/**
 * EXT-X-TARGETDURATION for the listed segments: RFC 8216 wants every EXTINF rounded to the nearest integer
 * to be <= it; never below the floor so it does not flap between refreshes.
 */
export function targetDuration(segments: TimelineSegment[], floor = 4): number {
  let max = 0;
  for (const s of segments) max = Math.max(max, Math.round(s.duration / 1000));
  return Math.max(floor, max);
}

/**
 * The live media playlist of one rung at `now`. The first listed segment never carries EXT-X-DISCONTINUITY
 * (some players, Kodi's among them, fail on a leading one): EXT-X-DISCONTINUITY-SEQUENCE already gives its
 * discontinuity number. EXT-X-PROGRAM-DATE-TIME is on the first segment and at every discontinuity.
 */
export function mediaPlaylist(
  timeline: ChannelTimelineInput | CompiledTimeline,
  rung: string,
  nowMs: number,
  opts: MediaPlaylistOptions = {},
): string {
  const segments = liveWindow(compiled(timeline), nowMs, opts);
  return renderMediaPlaylist(segments, rung, opts);
}

/** Renders a window of segments (as liveWindow returns it). */
export function renderMediaPlaylist(segments: TimelineSegment[], rung: string, opts: MediaPlaylistOptions = {}): string {
  const first = segments[0];
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${targetDuration(segments, opts.minTargetDuration ?? 4)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first.sequence}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${first.discontinuitySequence}`,
  ];
  segments.forEach((seg, i) => {
    if (i > 0 && seg.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (i === 0 || seg.discontinuity) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(seg.start).toISOString()}`);
    lines.push(`#EXTINF:${extinf(seg.duration)},`, segmentUri(seg, rung, opts.mediaPrefix));
  });
  return lines.join('\n') + '\n';
}
