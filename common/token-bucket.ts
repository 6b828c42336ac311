// A token bucket shared by every download of one process (a site's agent, a province's mirror), so the link is
// never used above its cap. Debt-based: a chunk larger than the bucket is let through and the next one waits until
// the debt is paid, which keeps the long-run rate exact whatever the chunk sizes the network hands us. The burst
// allowance is small (25 ms of the cap): enough to absorb a late timer, too little to let the link run above its
// cap after an idle gap.
export interface Sleeper {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTime: Sleeper = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Bytes per second; 0 or less means unlimited. */
  private rate: number;
  private readonly burstSeconds: number;

  constructor(
    bytesPerSecond: number,
    burstSeconds = 0.025,
    private readonly time: Sleeper = realTime,
  ) {
    this.rate = bytesPerSecond;
    this.burstSeconds = burstSeconds;
    this.tokens = 0; // start empty: no initial burst above the cap
    this.last = time.now();
  }

  setRate(bytesPerSecond: number): void {
    this.refill();
    this.rate = bytesPerSecond;
  }

  get bytesPerSecond(): number {
    return this.rate;
  }

  private refill(): void {
    const t = this.time.now();
    if (this.rate > 0) {
      this.tokens = Math.min(this.tokens + ((t - this.last) / 1000) * this.rate, this.rate * this.burstSeconds);
    }
    this.last = t;
  }

  /** Resolves when `bytes` may be passed on. */
  async take(bytes: number): Promise<void> {
    if (this.rate <= 0) return;
    this.refill();
    this.tokens -= bytes;
    if (this.tokens < 0) await this.time.sleep((-this.tokens / this.rate) * 1000);
  }
}

export function kbpsToBytesPerSecond(kbps: number): number {
  return (kbps * 1000) / 8;
}
