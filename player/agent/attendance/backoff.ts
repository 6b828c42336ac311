// Retry delays for the uploader: exponential growth with jitter, capped. Pure: the caller passes the
// random number, so the schedule is testable and a thousand sites that lost the uplink together do not
// all come back in the same second (the jitter spreads them).

export interface BackoffPolicy {
  /** Delay before the first retry, ms. */
  baseMs: number;
  /** No delay is ever longer than this, ms. */
  capMs: number;
  /** Share of each delay that is random (0 = none, 1 = "full jitter"). Half keeps retries from collapsing to ~0. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000, jitter: 0.5 };

/**
 * Delay before retry number `failures` (1 = after the first failure). The ceiling doubles per failure up to
 * the cap; the delay is drawn in [ceiling * (1 - jitter), ceiling], so it never exceeds the cap.
 */
export function backoffDelay(failures: number, random: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  const exp = Math.min(failures - 1, 30); // 2^30 * base overflows every sane cap already
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exp);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(ceiling * (1 - policy.jitter * r));
}
