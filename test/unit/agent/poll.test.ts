// When the agent polls its manifest next (player/agent/poll.ts): long poll held by the server, a server that
// ignores the wait, failures with backoff, and the server's Retry-After.
import t from 'tap';
import { HELD_AT_LEAST_MS, MAX_BACKOFF_MS, MIN_GAP_MS, nextPollDelay } from '../../../player/agent/poll.ts';
import { retryAfterMs, MAX_RETRY_AFTER_MS } from '../../../common/retry-after.ts';

const INTERVAL = 60_000;
const randoms = [0, 0.25, 0.5, 0.75, 0.999];

t.test('a held 304 or a new manifest: ask again almost at once, never closer than the minimum gap', async (t) => {
  for (const r of randoms) {
    t.equal(nextPollDelay({ kind: 'unchanged', tookMs: 55_000 }, INTERVAL, r), 0, 'held 55 s: at once');
    const afterChange = nextPollDelay({ kind: 'changed', tookMs: 30 }, INTERVAL, r);
    t.ok(afterChange >= MIN_GAP_MS * 0.8 - 30 && afterChange <= MIN_GAP_MS * 1.2, `changed: about the minimum gap (${afterChange})`);
    const quickHeld = nextPollDelay({ kind: 'unchanged', tookMs: HELD_AT_LEAST_MS }, INTERVAL, r);
    t.ok(quickHeld <= MIN_GAP_MS * 1.2, 'held a while: soon');
  }
});

t.test('a 304 at once (the server ignores the wait): the periodic interval, so the loop cannot spin', async (t) => {
  for (const r of randoms) {
    const d = nextPollDelay({ kind: 'unchanged', tookMs: 40 }, INTERVAL, r);
    t.ok(d >= INTERVAL * 0.8 - 40 && d <= INTERVAL * 1.2, `${d} ms`);
  }
  // Jitter spreads a fleet.
  t.not(nextPollDelay({ kind: 'unchanged', tookMs: 40 }, INTERVAL, 0), nextPollDelay({ kind: 'unchanged', tookMs: 40 }, INTERVAL, 0.9));
});

t.test('failures back off from the interval up to the cap; Retry-After is a floor', async (t) => {
  const d = (failures: number, retryAfter: number | null = null) =>
    nextPollDelay({ kind: 'failed', tookMs: 0, failures, retryAfterMs: retryAfter }, INTERVAL, 0.5);
  t.equal(d(1), INTERVAL);
  t.equal(d(2), 2 * INTERVAL);
  t.equal(d(3), 4 * INTERVAL);
  t.equal(d(30), MAX_BACKOFF_MS);
  t.equal(d(1, 300_000), 300_000, 'the server said 300 s');
  t.equal(d(1, 1_000), INTERVAL, 'a short Retry-After does not make us poll sooner than the backoff');
  t.equal(nextPollDelay({ kind: 'refused', tookMs: 0, retryAfterMs: 90_000 }, INTERVAL, 0.5), 90_000);
  t.equal(nextPollDelay({ kind: 'refused', tookMs: 0, retryAfterMs: null }, INTERVAL, 0.5), INTERVAL);
});

t.test('Retry-After: seconds or an HTTP date, capped, garbage ignored', async (t) => {
  const now = Date.parse('2026-11-29T12:00:00Z');
  t.equal(retryAfterMs('120', now), 120_000);
  t.equal(retryAfterMs(' 0 ', now), 0);
  t.equal(retryAfterMs('Sun, 29 Nov 2026 12:01:30 GMT', now), 90_000);
  t.equal(retryAfterMs('Sun, 29 Nov 2026 11:00:00 GMT', now), 0, 'a date in the past: at once');
  t.equal(retryAfterMs('99999999', now), MAX_RETRY_AFTER_MS);
  t.equal(retryAfterMs('soon', now), null);
  t.equal(retryAfterMs('-5', now), null);
  t.equal(retryAfterMs(null, now), null);
});
