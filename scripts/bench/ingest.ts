// Benchmark: attendance sessions stored durably per second through HTTP on a real socket (the acknowledgement
// is sent only after the batch's transaction committed), with batches of 100 and of 500, compared with raw
// better-sqlite3 inserts of the same rows into the same schema in the same run.
//
//   node --import tsx scripts/bench/ingest.ts [--sessions 100000] [--concurrency 4]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { openDb } from '../../server/db/connection.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import type { AttendanceSession } from '../../common/attendance.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const TOTAL = arg('sessions', 100_000);
const CONCURRENCY = arg('concurrency', 4);
const SITES = 50;

function seed(db: ReturnType<typeof openDb>): string[] {
  const now = new Date().toISOString();
  db.prepare("INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (1, NULL, '省', 'province', '/1/', ?, ?)").run(now, now);
  db.prepare("INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (2, 1, '村', 'village', '/1/2/', ?, ?)").run(now, now);
  const tokens: string[] = [];
  const site = db.prepare('INSERT INTO sites (id, name, region_id, token_hash, paired_at, created_at, updated_at) VALUES (?, ?, 2, ?, ?, ?, ?)');
  for (let i = 1; i <= SITES; i++) {
    tokens.push(`bench-token-${i}`);
    site.run(i, `站点${i}`, hashToken(`bench-token-${i}`), now, now, now);
  }
  const program = db.prepare("INSERT INTO programs (id, title, status, duration, created_at, updated_at) VALUES (?, ?, 'ready', 3600, ?, ?)");
  for (let i = 1; i <= 20; i++) program.run(i, `节目${i}`, now, now);
  return tokens;
}

/** `count` sessions for one site, in the last 3 days, one in three with two members. */
function sessions(prefix: string, count: number, now: number): AttendanceSession[] {
  return Array.from({ length: count }, (_, i) => {
    const start = now - 3 * 86_400_000 + ((i * 7919) % (2 * 86_400_000));
    return {
      id: `${prefix}-${i}`, programId: 1 + (i % 20), mode: i % 2 ? 'ondemand' : 'broadcast', channelId: null,
      start, end: start + 1800_000, watchedSeconds: 1500, headcount: 1 + (i % 7),
      members: i % 3 === 0 ? [{ memberNo: `M${i % 500}`, watchedSeconds: 1400 }, { memberNo: `M${(i + 1) % 500}`, watchedSeconds: 900 }] : [],
    };
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(port: number, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: '/api/sites/me/attendance', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} ${text}`));
        resolve((JSON.parse(text) as { accepted: string[] }).accepted.length);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function httpRun(batchSize: number): Promise<{ rate: number; stored: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false });
  const app = await buildApp(config, { logger: false });
  const tokens = seed(app.db);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const now = Date.now();
  // Pre-serialise every batch so the client's JSON work is not timed.
  const perSite = Math.ceil(TOTAL / SITES);
  const bodies: Array<{ token: string; body: string }> = [];
  for (let s = 0; s < SITES; s++) {
    const all = sessions(`s${s}`, perSite, now);
    for (let i = 0; i < all.length; i += batchSize) {
      bodies.push({ token: tokens[s], body: JSON.stringify({ sentAt: Date.now(), sessions: all.slice(i, i + batchSize) }) });
    }
  }
  let next = 0, acked = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++];
      const n = await post(port, b.token, b.body);
      acked += n;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const stored = (app.db.prepare('SELECT count(*) AS n FROM attendance_sessions').get() as { n: number }).n;
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (stored !== acked) throw new Error(`acknowledged ${acked} but stored ${stored}`);
  return { rate: stored / seconds, stored };
}

/** Baseline: the same rows inserted by plain better-sqlite3 in transactions of `batchSize`, same file pragmas. */
function rawRun(batchSize: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-raw-'));
  const db = openDb(path.join(dir, 'raw.sqlite'));
  const ins = db.prepare(`INSERT INTO attendance_sessions (site_id, session_id, program_id, channel_id, mode, start_at, end_at,
    site_start_at, site_end_at, day, watched_seconds, headcount, people, person_seconds, clock_offset_ms, received_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  const insM = db.prepare('INSERT INTO attendance_session_members (site_id, session_id, member_no, day, program_id, watched_seconds) VALUES (?, ?, ?, ?, ?, ?)');
  const now = Date.now();
  const perSite = Math.ceil(TOTAL / SITES);
  const batches: Array<{ site: number; rows: AttendanceSession[] }> = [];
  for (let s = 0; s < SITES; s++) {
    const all = sessions(`s${s}`, perSite, now);
    for (let i = 0; i < all.length; i += batchSize) batches.push({ site: s + 1, rows: all.slice(i, i + batchSize) });
  }
  const write = db.transaction((site: number, rows: AttendanceSession[]) => {
    for (const r of rows) {
      ins.run(site, r.id, r.programId, null, r.mode, r.start, r.end, r.start, r.end, '2026-01-01', r.watchedSeconds, r.headcount, r.headcount, r.watchedSeconds * r.headcount, now, now);
      for (const m of r.members) insM.run(site, r.id, m.memberNo, '2026-01-01', r.programId, m.watchedSeconds);
    }
  });
  const t0 = performance.now();
  let n = 0;
  for (const b of batches) { write(b.site, b.rows); n += b.rows.length; }
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return n / seconds;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`attendance ingest: ${TOTAL} sessions from ${SITES} sites, ${CONCURRENCY} concurrent uploads, 1 in 3 with 2 members`);
for (const batch of [100, 500]) {
  const raw = rawRun(batch);
  const { rate } = await httpRun(batch);
  console.log(`batch ${String(batch).padStart(3)}: HTTP ${fmt(rate)} sessions/s stored and acknowledged after commit; `
    + `raw better-sqlite3 inserts ${fmt(raw)} rows/s; ratio HTTP/raw = ${(rate / raw).toFixed(2)}`);
}
agent.destroy();
