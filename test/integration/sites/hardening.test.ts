// Hardening of the site routes and the app (issue 9): authentication before the body is read, the per-site limit
// on every /api/sites/me/* route, pairing limits and HMAC'd codes, request timeouts on a real socket, security
// headers.
import t from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { makeServer, type TestServer } from '../../../testkit/helpers.ts';
import { PAIR_FAILURES_PER_MINUTE, PAIR_PER_ADDRESS_PER_MINUTE } from '../../../server/sites/pairing-limits.ts';
import { SECRET_FILE } from '../../../server/auth/server-secret.ts';
import { CONTENT_SECURITY_POLICY } from '../../../server/app.ts';

async function village(s: TestServer): Promise<number> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'path\n省/市/县/镇/村\n',
  });
  return res.json().regions.find((r: { name: string }) => r.name === '村').id;
}

async function pairedSite(s: TestServer, regionId: number, name: string) {
  const created = (await s.app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name, regionId } })).json();
  const paired = await s.app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: created.pairingCode } });
  return { id: created.id as number, auth: { authorization: `Bearer ${paired.json().token}` } };
}

t.test('anonymous 9 MB bodies are refused with 401 before they are read or parsed', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  // Not JSON at all: a route that parsed it would answer 400 (or 413), never 401.
  const junk = `{${'x'.repeat(9 * 1024 * 1024)}`;
  for (const url of ['/api/sites/me/attendance', '/api/sites/me/requests', '/api/sites/me/heartbeat', '/api/regions', '/api/sites']) {
    const res = await s.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: junk });
    t.equal(res.statusCode, 401, `${url}: 401 before parsing`);
    t.equal(res.json().error.code, 'unauthorized');
  }
  const csv = await s.app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { 'content-type': 'text/csv' },
    payload: 'path\n'.repeat(2_000_000),
  });
  t.equal(csv.statusCode, 401, 'CSV import: 401 before reading');
  // Signed in, a body over the route's own limit is refused with a clear 413.
  const big = await s.app.inject({
    method: 'POST',
    url: '/api/regions',
    headers: { ...s.auth, 'content-type': 'application/json' },
    payload: junk,
  });
  t.equal(big.statusCode, 413);
  t.match(big.json().error, { code: String, message: String });
});

t.test('every /api/sites/me/* route is limited per site, with Retry-After and a message', async (t) => {
  const s = await makeServer({ siteRateLimitPerMinute: 3 });
  t.teardown(() => s.close());
  const v = await village(s);
  const a = await pairedSite(s, v, 'A');
  const b = await pairedSite(s, v, 'B');
  const manifest = (auth: Record<string, string>) => s.app.inject({ method: 'GET', url: '/api/sites/me/manifest', headers: auth });
  for (let i = 0; i < 3; i++) t.equal((await manifest(a.auth)).statusCode, 200);
  // A route of another domain (attendance's heartbeat) shares the same per-site budget without opting in.
  const over = await s.app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', headers: a.auth, payload: {} });
  t.equal(over.statusCode, 429);
  t.equal(over.json().error.code, 'too_many_requests');
  t.match(over.json().error.message, /try again in \d+ s/);
  t.ok(Number(over.headers['retry-after']) >= 1);
  t.equal((await manifest(b.auth)).statusCode, 200, 'another site (same address) is not limited');
  t.equal((await manifest({})).statusCode, 401, 'no token: 401, not counted against anyone');
});

t.test('pairing: codes stored as HMAC under a 0600 secret; limited per address and globally', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const v = await village(s);
  const created = (await s.app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name: 'A', regionId: v } })).json();
  const secretFile = path.join(s.config.dataDir, SECRET_FILE);
  t.equal(fs.statSync(secretFile).mode & 0o777, 0o600, 'the secret is readable by the server user only');
  const stored = s.app.db.prepare('SELECT pairing_code_hash AS h FROM sites WHERE id = ?').get(created.id) as { h: string };
  const code = created.pairingCode.replace('-', '');
  t.equal(stored.h, createHmac('sha256', fs.readFileSync(secretFile)).update(code).digest('hex'), 'HMAC-SHA256 under the secret');

  const guess = (i: number, headers: Record<string, string> = {}) =>
    s.app.inject({ method: 'POST', url: '/api/sites/pair', headers, payload: { code: `ZZZZ${String(2222 + i).slice(-4)}` } });
  for (let i = 0; i < PAIR_PER_ADDRESS_PER_MINUTE; i++) t.equal((await guess(i, { 'x-forwarded-for': `203.0.113.${i}` })).statusCode, 400);
  const limited = await guess(99, { 'x-forwarded-for': '198.51.100.1' });
  t.equal(limited.statusCode, 429, 'a forged X-Forwarded-For does not reset the per-address limit');
  t.match(limited.json().error.message, /try again in \d+ s/);
  t.ok(Number(limited.headers['retry-after']) >= 1);
});

t.test('pairing: many addresses together are held to the global failure limit', async (t) => {
  const s = await makeServer({ trustProxy: '127.0.0.1' });
  t.teardown(() => s.close());
  const statuses = new Map<number, number>();
  for (let i = 0; i <= PAIR_FAILURES_PER_MINUTE; i++) {
    const res = await s.app.inject({
      method: 'POST',
      url: '/api/sites/pair',
      headers: { 'x-forwarded-for': `10.0.${i >> 8}.${i & 255}` },
      payload: { code: 'ZZZZ-ZZZZ' },
    });
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
  }
  t.same(Object.fromEntries(statuses), { 400: PAIR_FAILURES_PER_MINUTE, 429: 1 }, 'one address each, stopped at the global limit');
});

t.test('a body that trickles in is cut off at the request timeout (real socket)', async (t) => {
  const s = await makeServer({ requestTimeoutMs: 2000 });
  t.teardown(() => s.close());
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = s.app.server.address() as net.AddressInfo;
  const socket = net.connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (d) => (answer += d));
  socket.write('POST /api/sites/pair HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
  // One byte every 500 ms keeps the socket busy (the idle timeout never fires); only the request timeout can end it.
  const drip = setInterval(() => socket.writable && socket.write(' '), 500);
  const closedAfter = await new Promise<number>((resolve) => {
    const started = Date.now();
    socket.on('close', () => resolve(Date.now() - started));
    socket.on('error', () => {});
  });
  clearInterval(drip);
  t.match(answer, /^HTTP\/1\.1 408/, 'answered 408 Request Timeout, then closed');
  t.match(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)), { error: { code: 'request_timeout', message: /within 2 s/ } });
  t.ok(closedAfter < 60_000, 'not held open forever');
});

t.test('security headers; /docs still works; playlists keep their caching', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const docs = await s.app.inject({ method: 'GET', url: '/docs/' });
  t.equal(docs.statusCode, 200);
  const csp = String(docs.headers['content-security-policy']);
  for (const [name, values] of Object.entries(CONTENT_SECURITY_POLICY)) {
    const directive = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    t.ok(
      csp.split(';').some((d) => d.trim() === `${directive} ${values.join(' ')}`),
      `${directive} ${values.join(' ')}`,
    );
  }
  t.notMatch(csp, /upgrade-insecure-requests/, 'a server reached over http keeps working');
  t.equal(docs.headers['x-content-type-options'], 'nosniff');
  t.equal(docs.headers['referrer-policy'], 'no-referrer');
  // swagger-ui loads only same-origin scripts and styles, and its document.
  const sources = [...docs.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  t.ok(sources.length > 0 && sources.every((u) => !/^(https?:)?\/\//.test(u)), 'no other origin');
  t.notMatch(docs.body, /<script>(?!\s*<\/script>)/, 'no inline script');
  for (const u of sources) t.equal((await s.app.inject({ method: 'GET', url: new URL(u, 'http://x/docs/').pathname })).statusCode, 200, u);
  t.equal((await s.app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200);
  const m3u = await s.app.inject({ method: 'GET', url: '/channels.m3u' });
  t.equal(m3u.headers['cache-control'], 'max-age=60', 'cacheable as before');
  t.equal(m3u.headers['cross-origin-resource-policy'], 'cross-origin', 'players on other origins may load it');
});
