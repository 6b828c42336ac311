// Benchmark: attendance sessions stored durably per second through HTTP on a real socket (the acknowledgement
// is sent only after the batch's transaction committed), with batches of 100 and of 500, compared with raw
// better-sqlite3 inserts of the same rows into the same schema in the same run.
//
//   node --import tsx scripts/bench/ingest.ts [--sessions 100000] [--concurrency 4]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { openDb } from '../../server/db/connection.ts';
import type { AttendanceSession } from '../../common/attendance.ts';
import { benchArg, bodies, fmt, loadNote, seedSites, sessions, SITES, uploader, type UploadBody } from './site-uploads.ts';

const TOTAL = benchArg('sessions', 100_000);
const CONCURRENCY = benchArg('concurrency', 4);
/** One in three sessions lists this many members. */
const MEMBERS = 2;

async function httpRun(batchSize: number): Promise<{ rate: number; stored: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ingest-'));
  const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false });
  const app = await buildApp(config, { logger: false });
  const { tokens } = seedSites(app.db);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  const now = Date.now();
  const perSite = Math.ceil(TOTAL / SITES);
  const all: UploadBody[] = [];
  for (let s = 0; s < SITES; s++) {
    all.push(...bodies(tokens[s], sessions(`s${s}`, perSite, now, MEMBERS), batchSize, (part) => ({ sentAt: Date.now(), sessions: part })));
  }
  const up = uploader(port, CONCURRENCY);
  const { rate, acked } = await up.upload('/api/sites/me/attendance', all);
  up.close();
  const stored = (app.db.prepare('SELECT count(*) AS n FROM attendance_sessions').get() as { n: number }).n;
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (stored !== acked) throw new Error(`acknowledged ${acked} but stored ${stored}`);
  return { rate, stored };
}

/** Baseline: the same rows inserted by plain better-sqlite3 in transactions of `batchSize`, same file pragmas. */
function rawRun(batchSize: number): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-raw-'));
  const db = openDb(path.join(dir, 'raw.sqlite'));
  const ins = db.prepare(`INSERT INTO attendance_sessions (site_id, session_id, program_id, channel_id, mode, start_at, end_at,
    site_start_at, site_end_at, day, watched_seconds, headcount, people, person_seconds, clock_offset_ms, received_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`);
  const insM = db.prepare(
    'INSERT INTO attendance_session_members (site_id, session_id, member_no, day, program_id, watched_seconds) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  const perSite = Math.ceil(TOTAL / SITES);
  const batches: Array<{ site: number; rows: AttendanceSession[] }> = [];
  for (let s = 0; s < SITES; s++) {
    const all = sessions(`s${s}`, perSite, now, MEMBERS);
    for (let i = 0; i < all.length; i += batchSize) batches.push({ site: s + 1, rows: all.slice(i, i + batchSize) });
  }
  const write = db.transaction((site: number, rows: AttendanceSession[]) => {
    for (const r of rows) {
      ins.run(
        site,
        r.id,
        r.programId,
        null,
        r.mode,
        r.start,
        r.end,
        r.start,
        r.end,
        '2026-01-01',
        r.watchedSeconds,
        r.headcount,
        r.headcount,
        r.watchedSeconds * r.headcount,
        now,
        now,
      );
      for (const m of r.members) insM.run(site, r.id, m.memberNo, '2026-01-01', r.programId, m.watchedSeconds);
    }
  });
  const t0 = performance.now();
  let n = 0;
  for (const b of batches) {
    write(b.site, b.rows);
    n += b.rows.length;
  }
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return n / seconds;
}

console.log(
  `attendance ingest: ${TOTAL} sessions from ${SITES} sites, ${CONCURRENCY} concurrent uploads, ` +
    `1 in 3 with ${MEMBERS} members; ${loadNote()}`,
);
for (const batch of [100, 500]) {
  const raw = rawRun(batch);
  const { rate } = await httpRun(batch);
  console.log(
    `batch ${String(batch).padStart(3)}: HTTP ${fmt(rate)} sessions/s stored and acknowledged after commit; ` +
      `raw better-sqlite3 inserts ${fmt(raw)} rows/s; ratio HTTP/raw = ${(rate / raw).toFixed(2)}`,
  );
}
