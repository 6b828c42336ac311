// Limits on guessing passwords (POST /api/auth/login). Keys: (address, username) 10 attempts a minute, so guesses
// at `admin` from one village office do not lock out the office's other users; the address 60 a minute (an
// office signing in together stays under it); the username 30 a minute from all addresses together, so many
// addresses cannot guess one account faster. A successful sign-in clears its (address, username) count.
import type { FastifyBaseLogger } from 'fastify';
import { tooManyRequests } from '../errors.ts';
import { checkAll, WindowLimiter } from './rate-limit.ts';

export const LOGIN_PER_ADDRESS_AND_USER = 10;
export const LOGIN_PER_ADDRESS = 60;
export const LOGIN_PER_USER = 30;
const MINUTE = 60_000;

export class LoginGuard {
  private readonly pair = new WindowLimiter(LOGIN_PER_ADDRESS_AND_USER, MINUTE);
  private readonly address = new WindowLimiter(LOGIN_PER_ADDRESS, MINUTE);
  private readonly user = new WindowLimiter(LOGIN_PER_USER, MINUTE);
  private warnedAt = -Infinity;

  constructor(private readonly log: FastifyBaseLogger) {}

  /** Before the body is read: an address over its own limit is refused without parsing anything. */
  admitAddress(address: string, now: number): void {
    const v = this.address.check(address, now);
    if (!v.allowed) throw this.refuse(now, { address }, v.retryAfterMs);
  }

  /** With the username known: counts the attempt under all three keys, or throws a 429 when one is over. */
  admit(address: string, username: string, now: number): void {
    const name = username.trim().toLowerCase();
    const v = checkAll(
      [
        [this.pair, `${address}|${name}`],
        [this.address, address],
        [this.user, name],
      ],
      now,
    );
    if (!v.allowed) throw this.refuse(now, { address, username: name }, v.retryAfterMs);
  }

  succeeded(address: string, username: string): void {
    this.pair.reset(`${address}|${username.trim().toLowerCase()}`);
  }

  private refuse(now: number, fields: object, retryAfterMs: number) {
    if (now - this.warnedAt >= MINUTE) {
      this.warnedAt = now;
      this.log.warn(fields, 'sign-in attempts over the limit: passwords may be being guessed');
    }
    return tooManyRequests('Too many sign-in attempts', retryAfterMs);
  }
}
