// When the agent asks the server for its manifest next. The agent long-polls: it sends If-None-Match with the
// ETag it holds and `Prefer: wait=55`, and a server that supports it holds the request until the manifest
// changes (200 at once) or 55 s pass (304). So a change reaches an online site within seconds, and an idle site
// costs one request a minute, as the plain 60 s poll did. The protocol is written in common/api/sites.ts.
// Pure: the outcome of the last poll in, a delay out.
import { MANIFEST_MAX_WAIT_S } from '../../common/api/sites.ts';

/** Seconds the server is asked to hold an unchanged manifest request. */
export const LONG_POLL_WAIT_SECONDS = MANIFEST_MAX_WAIT_S;
/** The request timeout of a long poll: above the wait, so the server's 304 comes first. */
export const LONG_POLL_TIMEOUT_MS = (LONG_POLL_WAIT_SECONDS + 15) * 1000;
/** A 304 sooner than this after asking means the server did not hold it (no long poll there). */
export const HELD_AT_LEAST_MS = 5_000;
/** Never two polls closer than this, whatever the answers (a server answering 200 at once cannot make us spin). */
export const MIN_GAP_MS = 2_000;
/** Backoff of the periodic poll while the server cannot be reached: the interval doubles up to this. */
export const MAX_BACKOFF_MS = 10 * 60_000;

export type PollOutcome =
  /** 200: a new manifest. Ask again at once (after the minimum gap): the next change may follow. */
  | { kind: 'changed'; tookMs: number }
  /** 304 after `tookMs`. */
  | { kind: 'unchanged'; tookMs: number }
  /** The server is down, unreachable or overloaded; `retryAfterMs` when it said (503 / 429 + Retry-After). */
  | { kind: 'failed'; tookMs: number; failures: number; retryAfterMs: number | null }
  /** The server refused the manifest (revoked site, 4xx): back to the periodic poll. */
  | { kind: 'refused'; tookMs: number; retryAfterMs: number | null };

/**
 * Delay in ms before the next poll starts. `intervalMs` is the periodic poll (60 s), `random` in [0,1) for the
 * ±20 % jitter that keeps a fleet from polling in step.
 */
export function nextPollDelay(outcome: PollOutcome, intervalMs: number, random: number): number {
  const jitter = 1 + (random * 0.4 - 0.2);
  const sinceStart = (gap: number) => Math.max(0, gap - outcome.tookMs);
  switch (outcome.kind) {
    case 'changed':
      return sinceStart(MIN_GAP_MS * jitter);
    case 'unchanged':
      // Held by the server: ask again at once. Answered at once: the server ignores the wait; poll periodically.
      return outcome.tookMs >= HELD_AT_LEAST_MS ? sinceStart(MIN_GAP_MS * jitter) : sinceStart(intervalMs * jitter);
    case 'failed': {
      const backoff = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(Math.max(0, outcome.failures - 1), 10)) * jitter;
      return Math.max(outcome.retryAfterMs ?? 0, sinceStart(backoff));
    }
    case 'refused':
      return Math.max(outcome.retryAfterMs ?? 0, sinceStart(intervalMs * jitter));
  }
}
