// The cost of idle manifest long polls, against plain 304 polls. Loopback, bounded (a few minutes at most).
// The server runs here; the sites' clients in a child process (each process holds one socket per poll).
// Prints: server RSS and CPU per idle held poll, the delay from a schedule change to every poll answered, and
// the reference: CPU for the same number of plain If-None-Match polls (today's agent sends one a minute per site).
//   POLLS=10000 node --expose-gc --import tsx scripts/bench/longpoll.ts
// The default is the most the fd limit allows: 25,000 polls need 25,000 sockets in one process, and this
// machine's hard limit (ulimit -Hn) is what it is; raise it (as root: prlimit / LimitNOFILE) to run 25,000.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';

const HARD_FD_LIMIT = Number(process.env.FD_LIMIT ?? 20000);
const POLLS = Number(process.env.POLLS ?? Math.min(25_000, HARD_FD_LIMIT - 1000));
const IDLE_S = 15;

interface ToClient {
  base: string;
  tokens: string[];
}
type FromClient = { phase: 'etags' | 'plain' | 'held' | 'answered'; ms: number; statuses?: Record<number, number> };

async function clients(): Promise<void> {
  const { base, tokens } = await new Promise<ToClient>((r) => process.once('message', (m) => r(m as ToClient)));
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const get = (token: string, headers: Record<string, string>) =>
    new Promise<{ status: number; etag: string }>((resolve) => {
      const req = http.get(`${base}/api/sites/me/manifest`, { agent, headers: { authorization: `Bearer ${token}`, ...headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, etag: String(res.headers.etag) }));
      });
      req.on('error', () => resolve({ status: 0, etag: '' })); // counted as status 0 (reset, refused)
    });
  const inBatches = async <T>(items: string[], width: number, fn: (t: string, i: number) => Promise<T>) => {
    const out: T[] = new Array(items.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < items.length) {
          const i = next++;
          out[i] = await fn(items[i], i);
        }
      }),
    );
    return out;
  };
  const send = (m: FromClient) => process.send!(m);
  let t = Date.now();
  const etags = (await inBatches(tokens, 100, (tok) => get(tok, {}))).map((r) => r.etag);
  send({ phase: 'etags', ms: Date.now() - t });
  await new Promise((r) => process.once('message', r));
  t = Date.now();
  await inBatches(tokens, 100, (tok, i) => get(tok, { 'if-none-match': etags[i] }));
  send({ phase: 'plain', ms: Date.now() - t });
  await new Promise((r) => process.once('message', r));
  const statuses: Record<number, number> = {};
  let answered = 0;
  let changedAt = 0;
  process.on('message', (m) => {
    if ((m as { changedAt?: number }).changedAt) changedAt = (m as { changedAt: number }).changedAt;
  });
  t = Date.now();
  const all = tokens.map((tok, i) =>
    get(tok, { 'if-none-match': etags[i], prefer: 'wait=55' }).then((r) => {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (++answered === tokens.length) send({ phase: 'answered', ms: Date.now() - changedAt, statuses });
    }),
  );
  send({ phase: 'held', ms: Date.now() - t });
  await Promise.all(all);
  agent.destroy();
}

async function main(): Promise<void> {
  const { loadConfig } = await import('../../server/config.ts');
  const { buildApp } = await import('../../server/app.ts');
  const { ensureAdmin, login } = await import('../../server/auth/users.ts');
  const { createRegion } = await import('../../server/sites/regions.ts');
  const { createSite, pairSite } = await import('../../server/sites/sites.ts');
  const { recordOutputVersion } = await import('../../server/media/media-data.ts');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-longpoll-'));
  const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false, siteRateLimitPerMinute: 1000 });
  const app = await buildApp(config, { logger: false });
  await ensureAdmin(app.db, 'bench-password');
  const admin = { authorization: `Bearer ${(await login(app.db, 'admin', 'bench-password'))!.token}` };
  const { db } = app;
  // One channel with a chosen slate and one lecture: rows as the media pipeline leaves them.
  const iso = new Date().toISOString();
  const program = (title: string, segs: number, published: number) => {
    const id = Number(
      db
        .prepare("INSERT INTO programs (title, status, duration, published, created_at, updated_at) VALUES (?, 'ready', ?, ?, ?, ?)")
        .run(title, segs * 4, published, iso, iso).lastInsertRowid,
    );
    const files = Array.from({ length: segs }, (_, i) => ({
      path: `240p/seg_${String(i).padStart(5, '0')}.ts`,
      rung: '240p',
      size: 1000,
      sha256: `${id}`.padEnd(64, 'a'),
    }));
    const renditions = [{ name: '240p' as const, width: 426, height: 240, bandwidth: 300000 }];
    recordOutputVersion(db, id, 1, { renditions, segments: Array<number>(segs).fill(4), files }, iso);
    return id;
  };
  const slate = program('台标', 8, 1);
  const lecture = program('讲座', 10, 1);
  const channel = await app.inject({
    method: 'POST',
    url: '/api/channels',
    headers: admin,
    payload: { number: 1, name: '一台', slateProgramId: slate },
  });
  if (channel.statusCode !== 201) throw new Error(channel.body);
  const province = createRegion(db, { name: '省', level: 'province' });
  const villages = Array.from({ length: 50 }, (_, i) => createRegion(db, { name: `村${i}`, level: 'village', parentId: province.id }).id);
  const tokens = db.transaction(() =>
    Array.from({ length: POLLS }, (_, i) => {
      const { pairingCode } = createSite(db, app.serverSecret, { name: `站${i}`, regionId: villages[i % villages.length] });
      return pairSite(db, app.serverSecret, pairingCode).token;
    }),
  )();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as net.AddressInfo).port}`;
  const child = fork(fileURLToPath(import.meta.url), ['--clients'], { execArgv: ['--import', 'tsx'] });
  const next = () => new Promise<FromClient>((r) => child.once('message', (m) => r(m as FromClient)));
  const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
  console.log(`${POLLS} sites (hard fd limit ${HARD_FD_LIMIT}: one process cannot hold 25,000 sockets here)`);

  child.send({ base, tokens });
  console.log(`first manifests fetched in ${(await next()).ms} ms`);
  global.gc?.();
  let cpu = process.cpuUsage();
  child.send('go');
  const plain = await next();
  const plainCpu = process.cpuUsage(cpu);
  const plainCpuMs = (plainCpu.user + plainCpu.system) / 1000;
  console.log(
    `reference: ${POLLS} plain If-None-Match polls (304) in ${plain.ms} ms, server CPU ${plainCpuMs.toFixed(0)} ms ` +
      `= ${((plainCpuMs / POLLS) * 1000).toFixed(1)} µs per poll; at one poll a minute per site: ${(plainCpuMs / 60).toFixed(1)} ms CPU/s`,
  );

  await new Promise((r) => setTimeout(r, 2000));
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  child.send('go');
  console.log(`${POLLS} long polls sent in ${(await next()).ms} ms`);
  // Every poll reaches the server, is checked and parked (~0.4 ms each), and the garbage of that is collected.
  await new Promise((r) => setTimeout(r, Math.max(5000, POLLS * 1.5)));
  global.gc?.();
  cpu = process.cpuUsage();
  const idleStart = Date.now();
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const idleCpu = process.cpuUsage(cpu);
  const idleCpuMs = (idleCpu.user + idleCpu.system) / 1000;
  const idleS = (Date.now() - idleStart) / 1000;
  const rssHeld = process.memoryUsage().rss;
  console.log(
    `held: server RSS ${mb(rssBefore)} -> ${mb(rssHeld)} MB = ${((rssHeld - rssBefore) / POLLS / 1024).toFixed(1)} KB per held poll`,
  );
  console.log(
    `idle ${idleS.toFixed(0)} s: server CPU ${idleCpuMs.toFixed(0)} ms = ${(idleCpuMs / idleS).toFixed(1)} ms CPU/s for all, ` +
      `${((idleCpuMs / idleS / POLLS) * 1000).toFixed(3)} µs CPU/s per held poll (ratio to the plain-poll reference: ` +
      `${(idleCpuMs / idleS / (plainCpuMs / 60)).toFixed(2)})`,
  );

  const answered = next();
  const start = Math.floor(Date.now() / 3600_000) * 3600_000 + 2 * 3600_000;
  const changedAt = Date.now();
  child.send({ changedAt });
  const res = await app.inject({
    method: 'POST',
    url: '/api/channels/1/schedule',
    headers: admin,
    payload: { programId: lecture, start, durationSeconds: 40 },
  });
  if (res.statusCode !== 201) throw new Error(res.body);
  const done = await answered;
  console.log(`schedule change -> all ${POLLS} held polls answered in ${done.ms} ms (${JSON.stringify(done.statuses)})`);
  child.kill();
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

if (process.argv.includes('--clients')) await clients();
else await main();
