// Benchmark: the web console. (1) JavaScript and CSS transferred (gzip) on the first load of the dashboard, and
// added by opening the reports page (ECharts comes with it); (2) time until the dashboard shows its figures with
// 25,000 sites, 1,000 programs and a month of attendance in the database, against the same page on an empty
// database, and the dashboard's summary call itself (server side) on both, measured in the same run; (3) what the
// region pickers transfer: the whole tree (what the console loaded before) against one level and a name search.
//
//   node --import tsx scripts/bench/console.ts [--days 30] [--runs 5] [--api-only]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DateTime } from 'luxon';
import type { FastifyInstance } from 'fastify';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { makeRollups } from '../../server/attendance/rollup.ts';
import { CHROMIUM_ARGS } from '../../testkit/kiosk-site.ts';
import { ensureConsoleBuilt } from '../../testkit/console-app.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const DAYS = arg('days', 30);
const RUNS = arg('runs', 5);
const API_ONLY = process.argv.includes('--api-only'); // the server-side figures only, no browser
const TZ = 'Asia/Shanghai';
const PASSWORD = 'bench-password-123';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function server(fill: boolean): Promise<{ app: FastifyInstance; url: string; token: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-console-'));
  const config = loadConfig({}, { dataDir: dir, logLevel: 'error', startWorkers: false, demo: false, provinceTz: TZ });
  const app = await buildApp(config, { logger: false });
  await ensureAdmin(app.db, PASSWORD);
  if (fill) populate(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: PASSWORD } });
  return { app, url, token: login.json().token, dir };
}

/** 1 province, 10 counties, 100 townships, 2,500 villages with 10 sites each; 1,000 programs; DAYS days of viewing. */
function populate(app: FastifyInstance): void {
  const db = app.db;
  const t0 = performance.now();
  const nowIso = new Date().toISOString();
  const now = Date.now();
  db.transaction(() => {
    const region = db.prepare(
      'INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const site = db.prepare(
      'INSERT INTO sites (id, name, region_id, token_hash, paired_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const status = db.prepare(
      'INSERT INTO site_status (site_id, first_seen, last_seen, cache_readiness, free_disk_bytes, agent_version) VALUES (?, ?, ?, ?, ?, ?)',
    );
    region.run(1, null, '某省', 'province', '/1/', nowIso, nowIso);
    let id = 2;
    let siteId = 1;
    for (let c = 0; c < 10; c++) {
      const county = id++;
      region.run(county, 1, `第${c + 1}县`, 'county', `/1/${county}/`, nowIso, nowIso);
      for (let tw = 0; tw < 10; tw++) {
        const town = id++;
        region.run(town, county, `镇${tw}`, 'township', `/1/${county}/${town}/`, nowIso, nowIso);
        for (let v = 0; v < 25; v++) {
          const village = id++;
          region.run(village, town, `村${v}`, 'village', `/1/${county}/${town}/${village}/`, nowIso, nowIso);
          for (let k = 0; k < 10; k++) {
            site.run(siteId, `站点${siteId}`, village, `hash-${siteId}`, nowIso, nowIso, nowIso);
            // Most sites seen a minute ago, some hours ago, some days ago.
            const ago = siteId % 10 === 0 ? 3 * 86_400_000 : siteId % 7 === 0 ? 5 * 3600_000 : 60_000;
            status.run(siteId, now - 40 * 86_400_000, now - ago, 0.9, 50e9, '0.1.0');
            siteId++;
          }
        }
      }
    }
    const program = db.prepare(
      "INSERT INTO programs (id, title, status, duration, created_at, updated_at) VALUES (?, ?, 'ready', 1800, ?, ?)",
    );
    for (let p = 1; p <= 1000; p++) program.run(p, `节目${p}`, nowIso, nowIso);
  })();
  const sites = 25_000;
  const start = DateTime.fromMillis(now, { zone: TZ })
    .startOf('day')
    .minus({ days: DAYS - 1 })
    .toMillis();
  // One session per site and day (today's so far included), spread over the evening.
  db.prepare(`
    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < @total - 1),
    g AS (SELECT i, 1 + i % @sites AS site, @start + (i / @sites) * 86400000 + 12 * 3600000 + (i % 97) * 60000 AS start FROM n)
    INSERT INTO attendance_sessions (site_id, session_id, program_id, channel_id, mode, start_at, end_at, site_start_at, site_end_at,
      day, watched_seconds, headcount, people, person_seconds, clock_offset_ms, received_at, updated_at)
    SELECT site, printf('%09d', i), 1 + i % 1000, NULL, 'broadcast', start, start + 1800000, start, start + 1800000,
           date(start / 1000 + 8 * 3600, 'unixepoch'), 1500, 6, 6, 9000, 0, @now, @now
      FROM g WHERE start < @now`).run({ total: sites * DAYS, sites, start, now });
  makeRollups(db, TZ).rollupPending(now); // past days as the nightly job leaves them; today stays raw
  const n = (db.prepare('SELECT count(*) AS n FROM attendance_sessions').get() as { n: number }).n;
  console.log(
    `generated 25,000 sites, 1,000 programs, ${n.toLocaleString('en-US')} sessions over ${DAYS} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

async function summaryMs(app: FastifyInstance, token: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url: '/api/console/summary', headers: { authorization: `Bearer ${token}` } });
    times.push(performance.now() - t0);
    if (res.statusCode !== 200) throw new Error(`summary: ${res.statusCode} ${res.body}`);
  }
  return median(times);
}

/** Median time and size of a GET, against the same app. */
async function getFigures(app: FastifyInstance, token: string, url: string): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    times.push(performance.now() - t0);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    bytes = res.rawPayload.length;
  }
  return { ms: median(times), bytes };
}

async function regionFigures(app: FastifyInstance, token: string): Promise<void> {
  const whole = await getFigures(app, token, '/api/regions');
  const top = await getFigures(app, token, '/api/regions/children');
  const level = await getFigures(app, token, '/api/regions/children?parentId=1');
  const search = await getFigures(app, token, `/api/regions/search?q=${encodeURIComponent('村1')}`);
  const f = (x: { ms: number; bytes: number }) => `${x.ms.toFixed(1)} ms, ${(x.bytes / 1024).toFixed(1)} KB`;
  console.log(
    `region tree (median of ${RUNS}): whole tree ${f(whole)}; top ${f(top)}; the province's counties with counts ${f(level)}; ` +
      `name search ${f(search)} (the console now loads a level at a time: x${(whole.bytes / level.bytes).toFixed(0)} fewer bytes than the whole tree)`,
  );
}

interface PageFigures {
  firstLoadGzip: number;
  reportsGzip: number;
  figuresMs: number;
}

async function measurePage(url: string, token: string, user: object): Promise<PageFigures> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 768 },
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${url}/login`);
    await page.evaluate(([tk, u]) => localStorage.setItem('dyb-console-session', JSON.stringify({ token: tk, user: u })), [
      token,
      user,
    ] as const);
    let bucket: 'first' | 'reports' | null = null;
    const bytes = { first: 0, reports: 0 };
    const seen = new Set<string>();
    const pending: Promise<void>[] = [];
    page.on('response', (res) => {
      const type = res.request().resourceType();
      if (!bucket || (type !== 'script' && type !== 'stylesheet') || seen.has(res.url())) return;
      seen.add(res.url()); // the reports page counts only what the dashboard had not already loaded
      const into = bucket;
      pending.push(
        res
          .body()
          .then((b) => {
            bytes[into] += zlib.gzipSync(b, { level: 9 }).length;
          })
          .catch(() => undefined),
      );
    });
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      bucket = i === 0 ? 'first' : null;
      await page.goto(`${url}/`);
      // Time from the navigation's start to the figures on screen (the online count is a number, not a dash).
      await page.waitForFunction(() => /\d/.test(document.querySelector('[data-test=fig-online]')?.textContent ?? ''));
      times.push(await page.evaluate(() => performance.now()));
      await page.waitForLoadState('networkidle');
    }
    await Promise.all(pending);
    bucket = 'reports';
    await page.goto(`${url}/reports/activity`);
    await page.waitForSelector('[data-test=activity-table]', { timeout: 60_000 }).catch(async (err) => {
      await page.screenshot({ path: '/tmp/c-bench-fail.png' });
      throw err;
    });
    await page.waitForLoadState('networkidle');
    await page.waitForSelector('[data-test=chart] canvas', { timeout: 60_000 }); // the line by day: ECharts has loaded
    await Promise.all(pending);
    return { firstLoadGzip: bytes.first, reportsGzip: bytes.reports, figuresMs: median(times) };
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

const KEEP = process.argv.includes('--keep'); // leave the filled data dir in place (printed) for profiling

if (!API_ONLY) await ensureConsoleBuilt();
const empty = await server(false);
const full = await server(true);
const me = (s: { app: FastifyInstance; token: string }) =>
  s.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${s.token}` } }).then((r) => r.json());
try {
  const apiEmpty = await summaryMs(empty.app, empty.token);
  const apiFull = await summaryMs(full.app, full.token);
  console.log(
    `dashboard summary API (median of ${RUNS}): ${apiFull.toFixed(1)} ms with 25,000 sites and ${DAYS} days vs ${apiEmpty.toFixed(1)} ms empty (x${(apiFull / apiEmpty).toFixed(1)})`,
  );
  await regionFigures(full.app, full.token);
  if (!API_ONLY) {
    const pageEmpty = await measurePage(empty.url, empty.token, await me(empty));
    const pageFull = await measurePage(full.url, full.token, await me(full));
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`console JS+CSS on first load of the dashboard (gzip): ${kb(pageFull.firstLoadGzip)} (aim < 600 KB)`);
    console.log(`added by opening the activity report (ECharts, page code; gzip): ${kb(pageFull.reportsGzip)}`);
    console.log(
      `dashboard figures on screen from navigation start (median of ${RUNS}): ${pageFull.figuresMs.toFixed(0)} ms full vs ${pageEmpty.figuresMs.toFixed(0)} ms empty (x${(pageFull.figuresMs / pageEmpty.figuresMs).toFixed(2)})`,
    );
  }
} finally {
  for (const s of [empty, full]) {
    await s.app.close();
    if (KEEP && s === full) console.log(`kept the filled data dir: ${s.dir}`);
    else fs.rmSync(s.dir, { recursive: true, force: true });
  }
}
