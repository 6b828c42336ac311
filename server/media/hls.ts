// HLS playlist text read back after encoding: segment durations and the check that rungs cut alike (PURE).

/** Segment durations (EXTINF) of a media playlist, in order. */
export function parseSegmentDurations(playlist: string): number[] {
  const out: number[] = [];
  for (const line of playlist.split(/\r?\n/)) {
    const m = /^#EXTINF:([0-9.]+)/.exec(line.trim());
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/**
 * Every rung must cut at the same instants (stitching and rung switching rely on it). Returns the shared
 * list, or a sentence saying how the rungs differ.
 */
export function sameBoundaries(
  lists: Record<string, number[]>,
  tolerance = 0.02,
): { ok: true; durations: number[] } | { ok: false; reason: string } {
  const names = Object.keys(lists);
  const first = lists[names[0]];
  if (!first || first.length === 0) return { ok: false, reason: 'the encoder wrote no segments' };
  for (const name of names.slice(1)) {
    const other = lists[name];
    if (other.length !== first.length) {
      return { ok: false, reason: `rung ${name} has ${other.length} segments, ${names[0]} has ${first.length}` };
    }
    for (let i = 0; i < first.length; i++) {
      if (Math.abs(other[i] - first[i]) > tolerance) {
        return { ok: false, reason: `segment ${i} lasts ${other[i]} s on ${name} and ${first[i]} s on ${names[0]}` };
      }
    }
  }
  return { ok: true, durations: first };
}
