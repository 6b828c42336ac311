// Benchmark: does one site's upload stall everyone else? The p99 latency of a small request (another site's
// heartbeat) while one site sends the largest batches it may, against the same request on an idle server, for the
// code before the hardening (git ref, default d4d3b60: one transaction per batch, 500 sessions x 500 members) and
// for this tree (sliced commits, 500 sessions x 10 members), in the same run on a real socket.
//
//   node --import tsx scripts/bench/ingest-fairness.ts [--before d4d3b60] [--seconds 10] [--probes 300]
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { MAX_MEMBER_ROWS_PER_BATCH, MAX_SESSIONS_PER_BATCH } from '../../common/attendance.ts';
import type { AttendanceSession } from '../../common/attendance.ts';

const argOf = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const BEFORE_REF = argOf('before', 'd4d3b60');
const SECONDS = Number(argOf('seconds', '10'));
const PROBES = Number(argOf('probes', '300'));
const ROOT = path.resolve(import.meta.dirname, '../..');

interface Tree {
  buildApp: (c: unknown, o: object) => Promise<FastifyInstance>;
  loadConfig: (env: object, o: object) => unknown;
  hashToken: (t: string) => string;
}

async function loadTree(root: string): Promise<Tree> {
  const imp = (p: string) => import(pathToFileURL(path.join(root, p)).href);
  const [app, config, tokens] = await Promise.all([imp('server/app.ts'), imp('server/config.ts'), imp('server/auth/tokens.ts')]);
  return { buildApp: app.buildApp, loadConfig: config.loadConfig, hashToken: tokens.hashToken };
}

/** The code at `ref`, unpacked into a temporary directory that shares this tree's node_modules. */
function checkout(ref: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-before-'));
  const stdio: ['ignore', 'ignore', 'inherit'] = ['ignore', 'ignore', 'inherit'];
  execSync(`git archive ${ref} server common content package.json | tar -x -C ${dir}`, { cwd: ROOT, stdio });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

async function start(tree: Tree) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-fair-'));
  const app = await tree.buildApp(tree.loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false }), { logger: false });
  const now = new Date().toISOString();
  app.db
    .prepare(`INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at)
    VALUES (1, NULL, '省', 'province', '/1/', ?, ?)`)
    .run(now, now);
  const site = app.db.prepare(`INSERT INTO sites (id, name, region_id, token_hash, paired_at, created_at, updated_at)
    VALUES (?, ?, 1, ?, ?, ?, ?)`);
  site.run(1, 'loader', tree.hashToken('loader-token'), now, now, now);
  site.run(2, 'probe', tree.hashToken('probe-token'), now, now, now);
  app.db
    .prepare(`INSERT INTO programs (id, title, status, duration, created_at, updated_at)
    VALUES (1, 'p', 'ready', 3600, ?, ?)`)
    .run(now, now);
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, port: (app.server.address() as AddressInfo).port, dataDir };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function post(port: number, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: url,
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`${url}: ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` of the largest batches a site may send: `members` per session, fresh ids per batch. */
function batches(members: number, count: number): string[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, b) =>
    JSON.stringify({
      sentAt: now,
      sessions: Array.from(
        { length: MAX_SESSIONS_PER_BATCH },
        (_, i): AttendanceSession => ({
          id: `b${b}-s${i}`,
          programId: 1,
          mode: 'ondemand',
          channelId: null,
          start: now - 86_400_000 + i * 1000,
          end: now - 86_400_000 + i * 1000 + 1800_000,
          watchedSeconds: 1500,
          headcount: members,
          members: Array.from({ length: members }, (_, m) => ({ memberNo: `M${m}`, watchedSeconds: 60 })),
        }),
      ),
    }),
  );
}

const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

const probeAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const PROBE_EVERY_MS = 50;

/**
 * Heartbeats from the probe site at a fixed rate (one every 50 ms, whether or not the last one was answered, as
 * 25,000 sites would), until `until` settles, or `PROBES` of them when idle. Latency is counted from the moment each
 * was due, so a stalled event loop shows in every request that waited for it.
 */
async function probe(port: number, until: Promise<unknown> | null): Promise<number[]> {
  const lat: number[] = [];
  const inFlight: Array<Promise<void>> = [];
  let done = false;
  until?.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  const body = JSON.stringify({ sentAt: Date.now(), cacheReadiness: 1 });
  const t0 = performance.now();
  for (let k = 0; until ? !done : k < PROBES; k++) {
    const due = t0 + k * PROBE_EVERY_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    inFlight.push(
      new Promise<void>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/sites/me/heartbeat',
            agent: probeAgent,
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer probe-token' },
          },
          (res) => {
            res.resume();
            res.on('end', () => {
              lat.push(performance.now() - due);
              resolve();
            });
          },
        );
        req.on('error', reject);
        req.end(body);
      }),
    );
  }
  await Promise.all(inFlight);
  return lat;
}

async function measure(label: string, tree: Tree, membersPerSession: number, pool: number) {
  const { app, port, dataDir } = await start(tree);
  const bodies = batches(membersPerSession, pool);
  await probe(port, null); // warm-up
  const idle = await probe(port, null);
  const t0 = performance.now();
  let sent = 0;
  // Batches back to back for SECONDS (pre-serialised, so the client's JSON work is not measured).
  const load = (async () => {
    while (sent < bodies.length && (sent === 0 || performance.now() - t0 < SECONDS * 1000)) {
      await post(port, '/api/sites/me/attendance', 'loader-token', bodies[sent++]);
    }
  })();
  const busy = await probe(port, load);
  await load;
  const seconds = (performance.now() - t0) / 1000;
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const mb = Buffer.byteLength(bodies[0]) / 1e6;
  console.log(
    `${label}: ${sent} batches of ${MAX_SESSIONS_PER_BATCH} sessions x ${membersPerSession} members (${mb.toFixed(1)} MB), ` +
      `${((sent * MAX_SESSIONS_PER_BATCH) / seconds).toFixed(0)} sessions/s stored by the loader`,
  );
  console.log(
    `  heartbeat p50/p99 idle ${p(idle, 0.5).toFixed(1)} / ${p(idle, 0.99).toFixed(1)} ms; under load ` +
      `${p(busy, 0.5).toFixed(1)} / ${p(busy, 0.99).toFixed(1)} ms (${busy.length} probes); ` +
      `p99 ratio load/idle = ${(p(busy, 0.99) / p(idle, 0.99)).toFixed(1)}`,
  );
  return p(busy, 0.99) / p(idle, 0.99);
}

console.log(`ingest fairness: one site sends its largest allowed batches back to back for ${SECONDS} s while another site heartbeats`);
const beforeDir = checkout(BEFORE_REF);
try {
  const before = await measure(`before (${BEFORE_REF})`, await loadTree(beforeDir), 500, 8);
  const after = await measure('after (this tree)', await loadTree(ROOT), MAX_MEMBER_ROWS_PER_BATCH / MAX_SESSIONS_PER_BATCH, 150);
  console.log(`p99 under load relative to idle: before ${before.toFixed(1)}x, after ${after.toFixed(1)}x`);
} finally {
  agent.destroy();
  probeAgent.destroy();
  fs.rmSync(beforeDir, { recursive: true, force: true });
}
