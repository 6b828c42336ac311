// Sign-in limits (issue 9): keyed on the real client address (X-Forwarded-For only from TRUST_PROXY peers), per
// (address, username) so one user's lockout does not lock the others at that address, and every 429 says when to
// try again.
import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { LOGIN_PER_ADDRESS_AND_USER } from '../../../server/auth/login-limits.ts';
import { loadConfig, parseTrustProxy } from '../../../server/config.ts';

const wrong = (username: string, headers: Record<string, string> = {}) => ({
  method: 'POST' as const,
  url: '/api/auth/login',
  headers,
  payload: { username, password: 'not-the-password' },
});

t.test('a forged X-Forwarded-For does not reset the limit; a 429 says when to come back', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const statuses: number[] = [];
  for (let i = 0; i <= LOGIN_PER_ADDRESS_AND_USER; i++)
    statuses.push((await s.app.inject(wrong('admin', { 'x-forwarded-for': `203.0.113.${i + 1}` }))).statusCode);
  t.same(statuses.slice(0, -1), Array(LOGIN_PER_ADDRESS_AND_USER).fill(401), 'wrong passwords answer 401');
  const limited = await s.app.inject(wrong('admin', { 'x-forwarded-for': '198.51.100.77' }));
  t.equal(limited.statusCode, 429, 'a new forged address does not help');
  t.equal(limited.json().error.code, 'too_many_attempts');
  t.match(limited.json().error.message, /try again in \d+ s/);
  const retry = Number(limited.headers['retry-after']);
  t.ok(retry >= 1 && retry <= 60, `Retry-After ${retry} s`);
  // The right password is refused too while the limit holds (guessing stays slow even when a guess is right).
  const right = await s.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'admin', password: 'admin-test-password' },
  });
  t.equal(right.statusCode, 429);
});

t.test("one user's lockout does not lock another user at the same address", async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  await userAuth(s.app, 'alice', 'operator');
  for (let i = 0; i <= LOGIN_PER_ADDRESS_AND_USER; i++) await s.app.inject(wrong('admin'));
  t.equal((await s.app.inject(wrong('admin'))).statusCode, 429, 'admin is locked out at this address');
  const alice = await s.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: 'alice-password' } });
  t.equal(alice.statusCode, 200, 'alice signs in from the same address');
});

t.test('TRUST_PROXY: addresses from a trusted proxy count separately; the setting is parsed strictly', async (t) => {
  const s = await makeServer({ trustProxy: '127.0.0.1' }); // app.inject comes from 127.0.0.1
  t.teardown(() => s.close());
  for (let i = 0; i <= LOGIN_PER_ADDRESS_AND_USER; i++) await s.app.inject(wrong('admin', { 'x-forwarded-for': '10.1.1.1' }));
  t.equal(
    (await s.app.inject(wrong('admin', { 'x-forwarded-for': '10.1.1.1' }))).statusCode,
    429,
    'the client behind the proxy is limited',
  );
  t.equal((await s.app.inject(wrong('admin', { 'x-forwarded-for': '10.1.1.2' }))).statusCode, 401, 'another client behind it is not');

  t.equal(parseTrustProxy(undefined), false);
  t.equal(parseTrustProxy('0'), false);
  t.equal(parseTrustProxy('2'), 2);
  t.equal(parseTrustProxy(' 10.0.0.5, 10.1.0.0/16 '), '10.0.0.5,10.1.0.0/16');
  t.throws(() => parseTrustProxy('true'), /forge X-Forwarded-For/);
  t.throws(() => parseTrustProxy('proxy.example'), /not an address or CIDR/);
  t.equal(loadConfig({}).trustProxy, false, 'off by default');
});
