// Which source the agent downloads media from: the county relay the manifest names, or the origin. The relay is
// tried for every file; a file it fails (no answer, an error, a short or wrong body) is fetched from the origin,
// and after RELAY_FAILURES_BEFORE_PAUSE failures in a row the relay rests for a growing while (the county's box
// may be down for hours) before it is tried again. Counts what came from where, for the status and heartbeats.
// No I/O, no clock reads: `now` is passed in.
import { noMediaSources, type MediaSources } from '../../common/media-sources.ts';
import type { MediaSource } from '../../common/verified-download.ts';

export type { MediaSource };

export const RELAY_FAILURES_BEFORE_PAUSE = 2;
export const RELAY_PAUSE_MS = [30_000, 120_000, 600_000, 1_800_000];

export class MediaSourceTracker {
  private counts: MediaSources = noMediaSources();
  private failuresInRow = 0;
  private pauses = 0;
  private pausedUntil = 0;

  /** The manifest's relay (null: none). A different relay starts with a clean slate of failures. */
  setRelay(relayUrl: string | null | undefined): void {
    const url = relayUrl ?? null;
    if (url === this.counts.relayUrl) return;
    this.counts.relayUrl = url;
    this.failuresInRow = 0;
    this.pauses = 0;
    this.pausedUntil = 0;
  }

  /** The relay base URL to try for the next file, or null: none named, or resting after failures. */
  relayFor(now: number): string | null {
    return this.counts.relayUrl && now >= this.pausedUntil ? this.counts.relayUrl : null;
  }

  /** A file verified in place, fetched (its last part) from `source`. */
  served(source: MediaSource, bytes: number): void {
    if (source === 'relay') {
      this.counts.relayFiles++;
      this.counts.relayBytes += bytes;
      this.failuresInRow = 0;
      this.pauses = 0;
    } else {
      this.counts.originFiles++;
      this.counts.originBytes += bytes;
    }
  }

  /** The relay failed a file (the origin is asked next). Returns the rest it now takes, ms (0: none). */
  relayFailed(message: string, now: number): number {
    this.counts.relayFailures++;
    this.counts.lastRelayError = message.slice(0, 2000);
    this.failuresInRow++;
    if (this.failuresInRow < RELAY_FAILURES_BEFORE_PAUSE) return 0;
    const rest = RELAY_PAUSE_MS[Math.min(this.pauses, RELAY_PAUSE_MS.length - 1)]!;
    this.pauses++;
    this.failuresInRow = 0;
    this.pausedUntil = now + rest;
    return rest;
  }

  snapshot(): MediaSources {
    return { ...this.counts };
  }
}
