// Benchmark: the activity report by region over ten million raw sessions, for a month and for a year, read from
// the daily/monthly rollups, compared in the same run with the same report read from the raw rows (before the
// rollup). Data is generated with SQL: 1 province, 10 counties, 100 townships, 2,500 villages, 2 sites each.
//
//   node --import tsx scripts/bench/reports.ts [--sessions 10000000] [--runs 5]
// (a smoke run: --sessions 200000)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { makeRollups } from '../../server/attendance/rollup.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SESSIONS = arg('sessions', 10_000_000);
const RUNS = arg('runs', 5);
const SITES = 5000;
const TZ = 'Asia/Shanghai';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-reports-'));
const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false, provinceTz: TZ });
const app = await buildApp(config, { logger: false });
await ensureAdmin(app.db, 'bench-password-123');
await app.ready();
const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'bench-password-123' } });
const headers = { authorization: `Bearer ${login.json().token}` };
const db = app.db;

const t0 = performance.now();
const nowIso = new Date().toISOString();
db.transaction(() => {
  const region = db.prepare('INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const site = db.prepare('INSERT INTO sites (id, name, region_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  region.run(1, null, '省', 'province', '/1/', nowIso, nowIso);
  let id = 2,
    siteId = 1;
  for (let c = 0; c < 10; c++) {
    const county = id++;
    region.run(county, 1, `县${c}`, 'county', `/1/${county}/`, nowIso, nowIso);
    for (let tw = 0; tw < 10; tw++) {
      const town = id++;
      region.run(town, county, `镇${tw}`, 'township', `/1/${county}/${town}/`, nowIso, nowIso);
      for (let v = 0; v < 25; v++) {
        const village = id++;
        region.run(village, town, `村${v}`, 'village', `/1/${county}/${town}/${village}/`, nowIso, nowIso);
        for (let k = 0; k < 2; k++) {
          site.run(siteId, `站点${siteId}`, village, nowIso, nowIso);
          siteId++;
        }
      }
    }
  }
  const program = db.prepare(
    "INSERT INTO programs (id, title, status, duration, created_at, updated_at) VALUES (?, ?, 'ready', 3600, ?, ?)",
  );
  for (let p = 1; p <= 200; p++) program.run(p, `节目${p}`, nowIso, nowIso);
})();

// The 365 province days ending yesterday.
const now = Date.now();
const today = DateTime.fromMillis(now, { zone: TZ }).startOf('day');
const yearStartMs = today.minus({ days: 365 }).toMillis();
const perSite = Math.ceil(SESSIONS / SITES);
// Bulk load: indexes dropped during the insert and rebuilt after, as a restore would.
db.exec('DROP INDEX attendance_sessions_day; DROP INDEX attendance_sessions_program; DROP INDEX attendance_session_members_day;');
db.prepare(`
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @total - 1),
  g AS (SELECT i, 1 + CAST(i / @perSite AS INTEGER) AS site, @yearStart + ((i * 2654435761) % (365 * 86400 - 7200)) * 1000 AS start,
               600 + (i * 7) % 3000 AS watched, i % 8 AS headcount FROM n)
  INSERT INTO attendance_sessions (site_id, session_id, program_id, channel_id, mode, start_at, end_at, site_start_at, site_end_at,
    day, watched_seconds, headcount, people, person_seconds, clock_offset_ms, received_at, updated_at)
  SELECT site, printf('%09d', i), 1 + i % 200, NULL, CASE WHEN i % 3 = 0 THEN 'broadcast' ELSE 'ondemand' END,
         start, start + 3600000, start, start + 3600000, date(start / 1000 + 8 * 3600, 'unixepoch'),
         watched, headcount, max(headcount, CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END),
         watched * max(headcount, CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END), 0, @now, @now
    FROM g`).run({ total: SESSIONS, perSite, yearStart: yearStartMs, now });
db.exec(`INSERT INTO attendance_session_members (site_id, session_id, member_no, day, program_id, watched_seconds)
  SELECT site_id, session_id, 'M' || site_id || '-' || (CAST(session_id AS INTEGER) % 30), day, program_id, watched_seconds
    FROM attendance_sessions WHERE CAST(session_id AS INTEGER) % 10 = 0`);
db.exec(`CREATE INDEX attendance_sessions_day ON attendance_sessions(day, site_id);
  CREATE INDEX attendance_sessions_program ON attendance_sessions(program_id, day);
  CREATE INDEX attendance_session_members_day ON attendance_session_members(day, member_no);`);
const stored = (db.prepare('SELECT count(*) AS n FROM attendance_sessions').get() as { n: number }).n;
console.log(
  `generated ${stored.toLocaleString('en-US')} raw sessions at ${SITES} sites over 365 days in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);

const yesterday = today.minus({ days: 1 });
const ranges = {
  month: { from: yesterday.minus({ months: 1 }).plus({ days: 1 }).toISODate()!, to: yesterday.toISODate()! },
  year: { from: today.minus({ days: 365 }).toISODate()!, to: yesterday.toISODate()! },
};

async function timeReport(from: string, to: string, regionId: number | null, runs: number): Promise<{ ms: number; sessions: number }> {
  const times: number[] = [];
  let sessions = 0;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const res = await app.inject({
      method: 'GET',
      url: `/api/reports/activity?from=${from}&to=${to}${regionId ? `&regionId=${regionId}` : ''}`,
      headers,
    });
    times.push(performance.now() - start);
    if (res.statusCode !== 200) throw new Error(res.body);
    sessions = res.json().regions[0].sessions;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], sessions };
}

const raw: Record<string, { ms: number; sessions: number }> = {};
for (const [name, r] of Object.entries(ranges)) raw[name] = await timeReport(r.from, r.to, null, 1);

const r0 = performance.now();
const days = makeRollups(db, TZ).rollupPending(now);
console.log(`nightly rollup of ${days.length} days: ${((performance.now() - r0) / 1000).toFixed(1)} s (a real night rolls one day)`);

for (const [name, r] of Object.entries(ranges)) {
  const rolled = await timeReport(r.from, r.to, null, RUNS);
  const county = await timeReport(r.from, r.to, 2, RUNS);
  if (rolled.sessions !== raw[name].sessions) throw new Error(`rollup and raw disagree: ${rolled.sessions} vs ${raw[name].sessions}`);
  console.log(
    `activity by region, ${name} (${r.from}..${r.to}, ${rolled.sessions.toLocaleString('en-US')} sessions): ` +
      `province ${rolled.ms.toFixed(0)} ms with rollups (median of ${RUNS}), county ${county.ms.toFixed(0)} ms; ` +
      `from raw rows ${raw[name].ms.toFixed(0)} ms; ratio raw/rollup = ${(raw[name].ms / rolled.ms).toFixed(1)}x`,
  );
}
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
