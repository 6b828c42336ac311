// Benchmark: the centre's cost of N provinces sending a year of daily aggregates (62-day batches, each region row
// and program row keyed per day), through app.inject with platform tokens, against plain INSERTs of the same
// number of rows into a scratch table in the same database (what storing costs without the keyed replace). Then
// the national-root activity report over the year, against reading the same rows without grafting them.
//
//   node --import tsx scripts/bench/platforms.ts [--provinces 30] [--days 365] [--counties 100] [--programs 50]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { addDays } from '../../server/attendance/days.ts';
import { createRegion } from '../../server/sites/regions.ts';
import { createPlatform, pairPlatform } from '../../server/platforms/platforms.ts';
import { MAX_DAYS_PER_BATCH, type DayFigures } from '../../common/api/platforms.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const PROVINCES = arg('provinces', 30);
const DAYS = arg('days', 365);
const COUNTIES = arg('counties', 100);
const PROGRAMS = arg('programs', 50);
const LAST_DAY = '2026-11-29';

function dayOf(day: string, seed: number): DayFigures {
  const activity = [{ regionId: 1, parentId: null, name: '省', level: 'province' }]
    .concat(
      Array.from({ length: COUNTIES }, (_, i) => ({ regionId: i + 2, parentId: 1 as unknown as null, name: `县${i}`, level: 'county' })),
    )
    .map((r) => ({
      ...r,
      sites: 800,
      sitesWatching: 400 + (seed % 50),
      sessions: 900,
      viewingHours: 700.5,
      personHours: 2100.25,
      broadcastHours: 600,
      distinctMembers: 1500,
    }));
  const reach = Array.from({ length: PROGRAMS }, (_, i) => ({
    key: `central:${i + 1}`,
    centralProgramId: i + 1,
    title: `讲座${i}`,
    sites: 300,
    sessions: 400,
    viewingHours: 250,
    personHours: 700,
  }));
  return { day, activity, reach, sites: { registered: 80_000, paired: 79_000, connected: 70_000, ready: 65_000 } };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-platforms-'));
const config = loadConfig({}, { dataDir, logLevel: 'warn', startWorkers: false, demo: false, overloadMaxEventLoopDelayMs: 0 });
const app = await buildApp(config, { logger: false });
await ensureAdmin(app.db, 'bench-password');
await app.ready();
const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'bench-password' } });
const admin = { authorization: `Bearer ${login.json().token}` };

const nation = createRegion(app.db, { name: '全国', level: 'nation', parentId: null });
const tokens: string[] = [];
for (let p = 0; p < PROVINCES; p++) {
  const region = createRegion(app.db, { name: `省${p}`, level: 'province', parentId: nation.id });
  const { pairingCode } = createPlatform(app.db, app.serverSecret, region.id);
  tokens.push(pairPlatform(app.db, app.serverSecret, pairingCode).token);
}
const days = Array.from({ length: DAYS }, (_, i) => addDays(LAST_DAY, i - DAYS + 1));
const rowsPerDay = 1 + COUNTIES + PROGRAMS + 1;

let t0 = performance.now();
for (const [p, token] of tokens.entries()) {
  for (let i = 0; i < days.length; i += MAX_DAYS_PER_BATCH) {
    const batch = days.slice(i, i + MAX_DAYS_PER_BATCH).map((d, j) => dayOf(d, p + j));
    const res = await app.inject({
      method: 'POST',
      url: '/api/platforms/me/figures',
      headers: { authorization: `Bearer ${token}` },
      payload: { sentAt: new Date().toISOString(), days: batch },
    });
    if (res.statusCode !== 200) throw new Error(res.body);
  }
}
const storeMs = performance.now() - t0;
const rows = PROVINCES * DAYS * rowsPerDay;

app.db.exec('CREATE TABLE bench_plain (a INTEGER, b TEXT, c TEXT, d TEXT, e TEXT, f TEXT)');
const body = JSON.stringify(dayOf('x', 0).activity[1]);
const put = app.db.prepare('INSERT INTO bench_plain VALUES (?, ?, ?, ?, ?, ?)');
t0 = performance.now();
app.db.transaction(() => {
  for (let i = 0; i < rows; i++) put.run(i, 'd', 'activity', String(i), body, 'now');
})();
const plainMs = performance.now() - t0;

const range = `from=${days[0]}&to=${LAST_DAY}`;
t0 = performance.now();
const report = await app.inject({ url: `/api/reports/activity?regionId=${nation.id}&${range}`, headers: admin });
const reportMs = performance.now() - t0;
if (report.statusCode !== 200) throw new Error(report.body);
t0 = performance.now();
const read = app.db.prepare('SELECT body FROM platform_figures WHERE kind = ?').all('activity') as Array<{ body: string }>;
for (const r of read) JSON.parse(r.body);
const readMs = performance.now() - t0;

console.log(`${PROVINCES} provinces x ${DAYS} days x ${rowsPerDay} rows/day = ${rows} rows`);
console.log(
  `store through HTTP: ${(storeMs / 1000).toFixed(1)} s (${Math.round(rows / (storeMs / 1000))} rows/s); ` +
    `plain INSERTs: ${(plainMs / 1000).toFixed(1)} s; ratio ${(storeMs / plainMs).toFixed(1)}x`,
);
console.log(
  `national activity report over the year: ${(reportMs / 1000).toFixed(1)} s; reading+parsing the rows alone: ` +
    `${(readMs / 1000).toFixed(1)} s; ratio ${(reportMs / readMs).toFixed(1)}x`,
);
console.log(`database: ${(fs.statSync(config.dbPath).size / 1e6).toFixed(0)} MB`);
await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
