// Limits on guessing pairing codes (POST /api/sites/pair, no token). A code is 8 characters from 31 (~8.5e11
// values). Per address: 10 attempts a minute. For the whole server: 60 failed attempts a minute, so many
// addresses together guess no faster (a rollout pairing hundreds of sites an hour stays far below that, since a
// right code does not count). Over either limit: 429 with Retry-After, and a warning in the log (once a minute).
import type { FastifyBaseLogger } from 'fastify';
import { tooManyRequests } from '../errors.ts';
import { WindowLimiter } from '../auth/rate-limit.ts';

export const PAIR_PER_ADDRESS_PER_MINUTE = 10;
export const PAIR_FAILURES_PER_MINUTE = 60;
const MINUTE = 60_000;

export class PairingGuard {
  private readonly perAddress = new WindowLimiter(PAIR_PER_ADDRESS_PER_MINUTE, MINUTE);
  private readonly failures = new WindowLimiter(PAIR_FAILURES_PER_MINUTE, MINUTE);
  private warnedAt = -Infinity;

  constructor(private readonly log: FastifyBaseLogger) {}

  /** Before the body is read: throws a 429 when this address or the whole server is over its limit. */
  admit(address: string, now: number): void {
    const global = this.failures.check('all', now);
    if (!global.allowed) {
      this.warn(now, { limit: 'server', address }, 'pairing codes are being guessed from many addresses: pairing paused');
      throw tooManyRequests('Too many wrong pairing codes were tried on this server', global.retryAfterMs);
    }
    const own = this.perAddress.hit(address, now);
    if (!own.allowed) {
      this.warn(now, { limit: 'address', address }, 'pairing codes are being guessed from one address');
      throw tooManyRequests('Too many pairing attempts from your address', own.retryAfterMs);
    }
  }

  /** A wrong, used or expired code. */
  failed(_address: string, now: number): void {
    this.failures.hit('all', now);
  }

  private warn(now: number, fields: object, message: string): void {
    if (now - this.warnedAt < MINUTE) return;
    this.warnedAt = now;
    this.log.warn(fields, message);
  }
}
