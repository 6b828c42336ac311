// How fast can an attacker guess now? Loopback, bounded (about 25 s). Sends wrong passwords and wrong pairing codes
// as fast as the server answers, from one address, from forged X-Forwarded-For addresses, and (TRUST_PROXY set,
// so the addresses are believed) from many addresses, and counts the guesses the server actually judged
// (401/400) against those refused unjudged (429). Reference: the same server's plain request rate (/api/auth/me
// answering 401), i.e. roughly what guessing would run at with no limit (scrypt makes logins slower still).
//   node --import tsx scripts/bench/guessing.ts
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { ensureAdmin } from '../../server/auth/users.ts';

const SECONDS = Number(process.env.SECONDS ?? 6);

async function server(trustProxy: string | false) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-guess-'));
  const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false, trustProxy });
  const app = await buildApp(config, { logger: false });
  await ensureAdmin(app.db, 'the-real-password');
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
  return { base, close: () => app.close().then(() => fs.rmSync(dataDir, { recursive: true, force: true })) };
}

/** Runs `send` with 8 in flight for SECONDS; counts answers by status. */
async function hammer(send: (i: number) => Promise<number>): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  const end = Date.now() + SECONDS * 1000;
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (Date.now() < end) {
        const status = await send(i++);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
    }),
  );
  return counts;
}

const post = (base: string, url: string, body: object, headers: Record<string, string> = {}) =>
  fetch(base + url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(
    async (r) => (await r.arrayBuffer(), r.status),
  );

function report(label: string, counts: Map<number, number>, judged: number[]) {
  const j = judged.reduce((n, s) => n + (counts.get(s) ?? 0), 0);
  const all = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(58)} ${String(all).padStart(6)} sent, ${String(j).padStart(4)} judged in ${SECONDS} s ` +
      `(${JSON.stringify(Object.fromEntries(counts))})`,
  );
  return j;
}

const plain = await server(false);
const ref = await hammer(() => fetch(`${plain.base}/api/auth/me`).then(async (r) => (await r.arrayBuffer(), r.status)));
const refRate = [...ref.values()].reduce((a, b) => a + b, 0) / SECONDS;
console.log(`reference: ${refRate.toFixed(0)} requests/s answered (401 on /api/auth/me) = what an unlimited guesser would get\n`);

report(
  'login, one address, admin',
  await hammer(() => post(plain.base, '/api/auth/login', { username: 'admin', password: 'guess' })),
  [401],
);
await plain.close();
const p2 = await server(false);
report(
  'login, forged X-Forwarded-For per request (TRUST_PROXY off)',
  await hammer((i) =>
    post(p2.base, '/api/auth/login', { username: 'admin', password: 'guess' }, { 'x-forwarded-for': `10.9.${(i >> 8) & 255}.${i & 255}` }),
  ),
  [401],
);
report(
  'pairing, one address (forged X-Forwarded-For too)',
  await hammer((i) => post(p2.base, '/api/sites/pair', { code: 'ZZZZ-ZZZZ' }, { 'x-forwarded-for': `10.8.${(i >> 8) & 255}.${i & 255}` })),
  [400],
);
await p2.close();
const many = await server('127.0.0.1');
report(
  'login, admin, a new (believed) address each request',
  await hammer((i) =>
    post(
      many.base,
      '/api/auth/login',
      { username: 'admin', password: 'guess' },
      { 'x-forwarded-for': `10.7.${(i >> 8) & 255}.${i & 255}` },
    ),
  ),
  [401],
);
report(
  'pairing, a new (believed) address each request',
  await hammer((i) =>
    post(many.base, '/api/sites/pair', { code: 'ZZZZ-ZZZZ' }, { 'x-forwarded-for': `10.6.${(i >> 8) & 255}.${i & 255}` }),
  ),
  [400],
);
await many.close();
console.log('\nWindows are one minute: the judged counts above are the whole budget of the first minute, and repeat each minute.');
