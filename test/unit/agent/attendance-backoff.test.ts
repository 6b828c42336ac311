import t from 'tap';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../player/agent/attendance/backoff.ts';

t.test('ceiling doubles per failure up to the cap', async (t) => {
  const policy = { baseMs: 1000, capMs: 60_000, jitter: 0.5 };
  // random = 0 gives the ceiling itself.
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8].map((f) => backoffDelay(f, 0, policy)),
    [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000],
  );
  t.equal(backoffDelay(0, 0.7, policy), 0, 'no failure, no wait');
  t.equal(backoffDelay(10_000, 0, policy), 60_000, 'huge failure counts stay at the cap (no overflow to Infinity/NaN)');
});

t.test('jitter spreads delays within [ceiling*(1-jitter), ceiling]', async (t) => {
  const policy = { baseMs: 1000, capMs: 60_000, jitter: 0.5 };
  t.equal(backoffDelay(3, 1, policy), 2000, 'random 1: half the ceiling');
  t.equal(backoffDelay(3, 0.5, policy), 3000);
  const delays = Array.from({ length: 200 }, (_, i) => backoffDelay(12, i / 199, policy));
  t.same(
    delays.filter((d) => d < 30_000 || d > 60_000),
    [],
    'every capped delay within [cap/2, cap]',
  );
  t.equal(Math.min(...delays), 30_000);
  t.equal(Math.max(...delays), 60_000);
  // Two sites that failed together with different random draws wait different times.
  t.not(backoffDelay(5, 0.1, policy), backoffDelay(5, 0.9, policy));
  t.equal(backoffDelay(2, -3, policy), 2000, 'out-of-range random is clamped');
  t.equal(backoffDelay(2, 7, policy), 1000);
});

t.test('default policy: a few seconds first, at most five minutes', async (t) => {
  t.ok(backoffDelay(1, 0.5) <= DEFAULT_BACKOFF.baseMs);
  t.equal(backoffDelay(50, 0), DEFAULT_BACKOFF.capMs);
  t.ok(DEFAULT_BACKOFF.capMs <= 5 * 60_000);
});
