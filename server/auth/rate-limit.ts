// Fixed-window request counters, in process memory: the limits on guessing (sign-in, pairing) and the per-site
// limit. Pure of clocks (`now` is passed in) so tests step time; memory stays bounded by sweeping expired windows.

export interface Verdict {
  allowed: boolean;
  /** When refused: how long until this key may try again. */
  retryAfterMs: number;
}

interface Window {
  count: number;
  resetAt: number;
}

export class WindowLimiter {
  private windows = new Map<string, Window>();
  private sweptAt = 0;

  constructor(
    /** Requests allowed per window and key. */
    readonly max: number,
    readonly windowMs: number,
    /** Above this many keys, expired windows are dropped at once (else once per window). */
    private readonly maxKeys = 100_000,
  ) {}

  private sweep(now: number): void {
    if (now - this.sweptAt < this.windowMs && this.windows.size < this.maxKeys) return;
    this.sweptAt = now;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }

  /** Whether one more request under this key would be allowed, without counting it. */
  check(key: string, now: number): Verdict {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now || w.count < this.max) return { allowed: true, retryAfterMs: 0 };
    return { allowed: false, retryAfterMs: w.resetAt - now };
  }

  /** Counts one request under this key and says whether it was within the limit. */
  hit(key: string, now: number): Verdict {
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return w.count <= this.max ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: w.resetAt - now };
  }

  /** Forgets a key (a successful sign-in clears its failures). */
  reset(key: string): void {
    this.windows.delete(key);
  }
}

/** Several limits that must all allow a request: checked first, counted only when every one allows it. */
export function checkAll(limits: Array<[WindowLimiter, string]>, now: number): Verdict {
  let worst: Verdict = { allowed: true, retryAfterMs: 0 };
  for (const [limiter, key] of limits) {
    const v = limiter.check(key, now);
    if (!v.allowed && v.retryAfterMs > worst.retryAfterMs) worst = v;
  }
  if (worst.allowed) for (const [limiter, key] of limits) limiter.hit(key, now);
  return worst;
}
