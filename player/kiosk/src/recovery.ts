// What to do about a fatal hls.js error, as hls.js's docs describe it, for a player that runs for days.
// Pure and clocked from outside: the DOM player feeds it errors and progress and carries out its answer.

export type FatalKind = 'network' | 'media' | 'other';

export type RecoveryAction =
  /** hls.recoverMediaError() */
  | { type: 'recoverMedia' }
  /** hls.swapAudioCodec(); hls.recoverMediaError() */
  | { type: 'swapAndRecover' }
  /** wait delayMs, then hls.startLoad() (if offline, wait for the link first) */
  | { type: 'retryLoad'; delayMs: number; waitForOnline: boolean }
  /** hls.destroy() and a new instance on the same source */
  | { type: 'recreate' }
  /** this source cannot be played now: show the next thing (the channel, or home with a message) */
  | { type: 'giveUp' };

export interface RecoveryOptions {
  /** Media recoveries closer together than this count as "repeated". */
  mediaRepeatMs: number;
  /** Network retries before giving up (backoff doubles from baseDelayMs to maxDelayMs). */
  maxNetworkRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Fresh instances allowed within recreateWindowMs before giving up. */
  maxRecreates: number;
  recreateWindowMs: number;
  /** Playback advancing for this long clears the error history. */
  healthyAfterMs: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = {
  mediaRepeatMs: 5000,
  maxNetworkRetries: 6,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRecreates: 3,
  recreateWindowMs: 120_000,
  healthyAfterMs: 15_000,
};

export class RecoveryPolicy {
  private lastMediaRecovery = -Infinity;
  private swappedAt = -Infinity;
  private networkRetries = 0;
  private recreates: number[] = [];
  private progressSince: number | null = null;

  constructor(private readonly opts: RecoveryOptions = DEFAULT_RECOVERY) {}

  onFatal(kind: FatalKind, now: number, online: boolean): RecoveryAction {
    this.progressSince = null;
    if (kind === 'media') {
      if (now - this.lastMediaRecovery >= this.opts.mediaRepeatMs) {
        this.lastMediaRecovery = now;
        return { type: 'recoverMedia' };
      }
      if (now - this.swappedAt >= this.opts.mediaRepeatMs * 4) {
        this.swappedAt = now;
        this.lastMediaRecovery = now;
        return { type: 'swapAndRecover' };
      }
      return this.recreate(now);
    }
    if (kind === 'network') {
      // Offline: waiting for the link costs no retries; the player restarts loading when it is back.
      if (!online) return { type: 'retryLoad', delayMs: this.opts.baseDelayMs, waitForOnline: true };
      if (this.networkRetries >= this.opts.maxNetworkRetries) return { type: 'giveUp' };
      const delayMs = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** this.networkRetries);
      this.networkRetries += 1;
      return { type: 'retryLoad', delayMs, waitForOnline: false };
    }
    return this.recreate(now);
  }

  /** A frozen picture (time not advancing while it should play) is handled like an unknown fatal error. */
  onStall(now: number): RecoveryAction {
    this.progressSince = null;
    return this.recreate(now);
  }

  /** Playback time advanced at `now`; after a healthy stretch, earlier trouble is forgiven. */
  onProgress(now: number): void {
    if (this.progressSince === null) this.progressSince = now;
    if (now - this.progressSince >= this.opts.healthyAfterMs) {
      this.networkRetries = 0;
      this.recreates = [];
      this.lastMediaRecovery = -Infinity;
    }
  }

  private recreate(now: number): RecoveryAction {
    this.recreates = this.recreates.filter((at) => now - at < this.opts.recreateWindowMs);
    if (this.recreates.length >= this.opts.maxRecreates) return { type: 'giveUp' };
    this.recreates.push(now);
    return { type: 'recreate' };
  }
}
