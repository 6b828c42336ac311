// npm run sim:province: one real origin (a child process on 127.0.0.1, temp data dir, real tiny programs, tonight's
// schedule), real nginx county relays (scripts/deploy/nginx-relay.conf), and simulated sites speaking the real
// protocol with real site tokens. Phases:
//   (a) control plane: every site polls its manifest every --period s (If-None-Match; the catalog when its ETag
//       moves), heartbeats at the interval the server answers, one attendance batch each in the evening peak (the
//       last third) -> origin req/s, origin CPU (its own process), p50/p99 per route;
//   (b) data plane: --data-sites sites fetch tonight's files through their county's relay (origin on failure),
//       checked by sha256 -> origin bytes out vs bytes delivered vs relays x unique bytes, sites ready over time;
//   (c) the same without relays, for the ratio;
//   (d) control bytes per site per day, catalog in the manifest (before) and as its own resource (after).
//
//   npm run sim:province -- [--sites 25000] [--data-sites 1000] [--relays 10] [--minutes 3] [--period 60]
//                           [--programs 4] [--program-seconds 8] [--quick] [--keep]
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ManifestProgram } from '../../common/manifest.ts';
import { freePort, startRelay, type RelayProcess } from '../deploy/relay-process.ts';
import { startByteCounter } from './byte-counter.ts';
import { HttpPool, RouteStats } from './http-pool.ts';
import { seedProvince } from './seed.ts';
import { startServerChild } from './server-child.ts';
import type { OriginProbeReport } from './origin-probe.ts';
import { newTally, SimSite, type DownloadTally } from './site.ts';

export interface SimOptions {
  sites: number;
  dataSites: number;
  relays: number;
  minutes: number;
  /** Seconds between one site's manifest polls (60 in the field). */
  period: number;
  programs: number;
  programSeconds: number;
  keep?: boolean;
  log?: (line: string) => void;
}

export const QUICK: SimOptions = { sites: 50, dataSites: 50, relays: 2, minutes: 0.25, period: 5, programs: 2, programSeconds: 4 };
export const FULL: SimOptions = { sites: 25_000, dataSites: 1000, relays: 10, minutes: 3, period: 60, programs: 4, programSeconds: 8 };

export interface ControlResult {
  sites: number;
  seconds: number;
  requests: number;
  reqPerS: number;
  /** Origin CPU seconds per wall second over the steady part (after every site's first poll). */
  cpuCores: number;
  steadyReqPerS: number;
  routes: ReturnType<RouteStats['rows']>;
  /** The same, for requests sent once every site had polled once (what a province sees outside a cold start). */
  steadyRoutes: ReturnType<RouteStats['rows']>;
  /** CPU the simulator itself used (its sites share the origin's cores on one machine), cores over the steady part. */
  simCores: number;
  /** Measured inside the origin (scripts/sim/origin-probe.ts): its event-loop delay, and per route the time from the
   * request parsed to the answer written, whole run and steady part. Free of the simulator's own pauses. */
  origin: { loopDelayMs: { p99: number; max: number }; routes: ControlResult['routes']; steadyRoutes: ControlResult['routes'] } | null;
  /** The simulator's own event-loop delay over the phase (p99, max; ms): a late loop adds to every latency it reads. */
  simLoopDelayMs: { p99: number; max: number };
  attendanceAccepted: number;
  errors: number;
}

export interface DataResult {
  label: string;
  sites: number;
  uniqueBytes: number;
  originBytes: number;
  deliveredBytes: number;
  tally: DownloadTally;
  /** Sites ready (every required file held with its sha256) by seconds since the phase began. */
  readyAt: number[];
  allReady: boolean;
}

export interface SimResult {
  control: ControlResult;
  withRelays: DataResult;
  withoutRelays: DataResult;
  controlBytes: {
    manifestBytes: number;
    notModifiedPolls: number;
    catalogBytes: number;
    catalogFiles: number;
    before: number;
    after: number;
    beforeAt1000: number;
    afterAt1000: number;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const simCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const jitter = (ms: number) => Math.random() * ms;

/** The probe's figures as route rows (statuses are the client's to say). */
function originRows(r: OriginProbeReport, steadyFromEpochMs: number): NonNullable<ControlResult['origin']> {
  const stats = new RouteStats();
  for (const [label, samples] of Object.entries(r.requests)) for (const [at, ms] of samples) stats.record(label, ms, 0, 0, at);
  return { loopDelayMs: r.loopDelayMs, routes: stats.rows(), steadyRoutes: stats.rows(steadyFromEpochMs) };
}

async function controlPlane(
  o: SimOptions,
  sites: SimSite[],
  stats: RouteStats,
  cpu: () => number,
  air: { programId: number; channelId: number; seconds: number },
  probe: () => Promise<OriginProbeReport>,
): Promise<ControlResult> {
  const periodMs = o.period * 1000;
  const endAt = Date.now() + o.minutes * 60_000;
  const peakFrom = endAt - (endAt - Date.now()) / 3;
  let errors = 0;
  let accepted = 0;
  const started = Date.now();
  const cpu0 = cpu();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  let steady: { at: number; perfAt: number; cpu: number; simCpu: number; requests: number } | null = null;
  const timers: NodeJS.Timeout[] = [];
  const every = (first: number, next: () => Promise<number>) => {
    const run = async () => {
      if (Date.now() >= endAt) return;
      let wait = periodMs;
      try {
        wait = await next();
      } catch {
        errors++;
      }
      if (Date.now() + wait < endAt) timers.push(setTimeout(run, wait));
    };
    timers.push(setTimeout(run, first));
  };
  for (const s of sites) {
    every(jitter(periodMs), async () => {
      await s.poll(Date.now());
      return periodMs;
    });
    // Heartbeats at the server's interval, scaled like the poll period (60 s in the field).
    every(jitter(periodMs), async () => ((await s.heartbeat(Date.now())) * periodMs) / 60);
    timers.push(
      setTimeout(
        () => {
          s.attendance(air.programId, air.channelId, air.seconds, Date.now()).then(
            (ok) => {
              if (ok) accepted++;
            },
            () => {
              errors++;
            },
          );
        },
        peakFrom - Date.now() + jitter(endAt - peakFrom - 1000),
      ),
    );
  }
  // The steady state starts once every site has polled once (all hold an ETag).
  timers.push(
    setTimeout(() => {
      steady = { at: Date.now(), perfAt: performance.now(), cpu: cpu(), simCpu: simCpuSeconds(), requests: stats.total() };
    }, periodMs * 1.1),
  );
  while (Date.now() < endAt) await sleep(250);
  for (const t of timers) clearTimeout(t);
  await sleep(2000); // let the last answers in
  loopDelay.disable();
  const inside = await probe().catch(() => null);
  const seconds = (Date.now() - started) / 1000;
  const s = steady as { at: number; perfAt: number; cpu: number; simCpu: number; requests: number } | null;
  const steadyS = s ? (Date.now() - s.at) / 1000 : seconds;
  return {
    sites: sites.length,
    seconds,
    requests: stats.total(),
    reqPerS: stats.total() / seconds,
    cpuCores: s ? (cpu() - s.cpu) / steadyS : (cpu() - cpu0) / seconds,
    steadyReqPerS: s ? (stats.total() - s.requests) / steadyS : stats.total() / seconds,
    routes: stats.rows(),
    steadyRoutes: s ? stats.rows(s.perfAt) : [],
    simCores: s ? (simCpuSeconds() - s.simCpu) / steadyS : simCpuSeconds() / seconds,
    simLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
    origin: inside && originRows(inside, s ? s.at : started),
    attendanceAccepted: accepted,
    errors,
  };
}

async function dataPlane(
  label: string,
  sites: SimSite[],
  relayOf: (s: SimSite) => string | null,
  counter: { bytesOut(): number; reset(): void },
  windowS: number,
): Promise<DataResult> {
  counter.reset();
  const tally = newTally();
  const started = Date.now();
  const readyAt: number[] = [];
  // Each site opens its download window somewhere in the first `windowS` seconds (windows compressed).
  await Promise.all(
    sites.map(async (s) => {
      await sleep(jitter(windowS * 1000));
      await s.poll(Date.now());
      await s.download(relayOf(s), tally);
      if (s.readiness() === 1) readyAt.push((Date.now() - started) / 1000);
    }),
  );
  const unique = new Map<string, number>();
  for (const s of sites) for (const f of s.manifest?.required ?? []) unique.set(f.path, f.size);
  return {
    label,
    sites: sites.length,
    uniqueBytes: [...unique.values()].reduce((a, b) => a + b, 0),
    originBytes: counter.bytesOut(),
    deliveredBytes: tally.bytes,
    tally,
    readyAt: readyAt.sort((a, b) => a - b),
    allReady: readyAt.length === sites.length,
  };
}

export async function runProvince(o: SimOptions): Promise<SimResult> {
  const log = o.log ?? (() => {});
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-sim-'));
  const dataDir = path.join(work, 'origin');
  const adminPassword = 'sim-admin-password';
  const hour = 3600_000;
  // Tonight's broadcast: at the top of the hour three hours from now (inside every site's 48 h window).
  const airAt = Math.ceil(Date.now() / hour) * hour + 3 * hour;
  const stops: Array<() => Promise<void>> = [];
  try {
    log(`seeding ${o.sites} sites, ${o.relays} counties, ${o.programs} programs of ${o.programSeconds} s (real ffmpeg) in ${work}`);
    const seeded = await seedProvince(
      { dataDir, adminPassword, sites: o.sites, counties: o.relays, programs: o.programs, programSeconds: o.programSeconds, airAt },
      log,
    );
    const server = await startServerChild({
      dataDir,
      port: await freePort(),
      adminPassword,
      env: { SITE_RATE_LIMIT: '100000' },
      probeFile: path.join(work, 'origin-probe.json'),
    });
    stops.push(() => server.stop());
    log(`origin listening at ${server.url} (pid CPU read from /proc)`);

    // Media for (b) and (c) go through a byte-counting pass-through in front of the origin. The relays start now,
    // before the control-plane load, so a loaded machine does not keep nginx from starting.
    const counter = await startByteCounter(server.port);
    stops.push(() => counter.close());
    const countedOrigin = `http://127.0.0.1:${counter.port}`;
    const relays: RelayProcess[] = [];
    for (let i = 0; i < o.relays; i++) {
      const r = await startRelay({ origin: `127.0.0.1:${counter.port}` }).catch(() => startRelay({ origin: `127.0.0.1:${counter.port}` }));
      relays.push(r);
      stops.push(async () => {
        await r.stop();
        if (!o.keep) fs.rmSync(r.dir, { recursive: true, force: true });
      });
    }
    // (a) control plane
    const controlStats = new RouteStats();
    const controlPool = new HttpPool(controlStats, 512);
    stops.push(async () => controlPool.close());
    const sites = seeded.sites.map((s) => new SimSite(s.id, s.token, server.url, controlPool));
    log(`(a) control plane: ${sites.length} sites polling every ${o.period} s for ${o.minutes} min`);
    const control = await controlPlane(
      o,
      sites,
      controlStats,
      () => server.cpuSeconds(),
      { programId: seeded.programIds[0]!, channelId: seeded.channelId, seconds: o.programSeconds },
      () => server.probe(),
    );
    log(formatControl(control, o));

    // (d) control bytes, from what phase (a) saw on the wire (bodies as sent, gzip).
    const manifestRow = controlStats.rows().find((r) => r.route === 'GET manifest')!;
    const catalogRow = controlStats.rows().find((r) => r.route === 'GET catalog');
    const fulls = Number(/200:(\d+)/.exec(manifestRow.statuses)?.[1] ?? 1);
    const manifestBytes = manifestRow.bytes / fulls; // 304s carry no body
    const catalogBytes = catalogRow ? catalogRow.bytes / catalogRow.count : 0;
    const catalogFiles = sites[0]?.catalogFiles ?? 0;
    // A day: 1,440 polls; the manifest changes at least every hour (its window rolls) plus ~10 schedule edits;
    // the catalog changes when lectures are published (~4 a day). Before: every manifest change re-sent the catalog.
    const manifestChanges = 24 + 10;
    const catalogChanges = 4;
    const before = manifestChanges * (manifestBytes + catalogBytes);
    const after = manifestChanges * manifestBytes + catalogChanges * catalogBytes;
    // The same at 1,000 one-hour lectures: a catalog of that shape (900 segments + 3 files each at one rung,
    // random sha256s as real ones are), gzipped as the server sends it.
    const catalogAt1000 = gzippedCatalogBytes(1000, 900);
    const controlBytes = {
      manifestBytes,
      notModifiedPolls: manifestRow.count - fulls,
      catalogBytes,
      catalogFiles,
      before,
      after,
      beforeAt1000: manifestChanges * (manifestBytes + catalogAt1000),
      afterAt1000: manifestChanges * manifestBytes + catalogChanges * catalogAt1000,
    };

    // Where the server can name a county's relay (regions.relayUrl), name it; the manifest's relayUrl then wins.
    const adminAuth = await loginAuth(server.url, adminPassword);
    await Promise.all(
      seeded.counties.map((id, i) =>
        fetch(`${server.url}/api/regions/${id}`, {
          method: 'PATCH',
          headers: { ...adminAuth, 'content-type': 'application/json' },
          body: JSON.stringify({ relayUrl: relays[i]!.url }),
        }).then((r) => r.body?.cancel()),
      ),
    );
    const dataStats = new RouteStats();
    const dataPool = new HttpPool(dataStats, 64);
    stops.push(async () => dataPool.close());
    // Manifests and the catalog go to the origin itself; media (relay fills, and the sites' fallback) goes through
    // the counter, so "origin bytes out" is the media the origin sent.
    const dataSites = () =>
      seeded.sites
        .slice(0, o.dataSites)
        .map((s) => Object.assign(new SimSite(s.id, s.token, server.url, dataPool, countedOrigin), { county: s.county }));
    const windowS = Math.max(2, o.period / 2);
    log(`(b) data plane: ${o.dataSites} sites through ${o.relays} relays`);
    const relayOf = (s: SimSite & { county: number }) => s.manifest?.relayUrl ?? relays[s.county % relays.length]!.url;
    const withRelays = await dataPlane('with relays', dataSites(), (s) => relayOf(s as SimSite & { county: number }), counter, windowS);
    log(`(c) data plane: ${o.dataSites} sites from the origin only`);
    const withoutRelays = await dataPlane('origin only', dataSites(), () => null, counter, windowS);
    return { control, withRelays, withoutRelays, controlBytes };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    if (!o.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

async function loginAuth(base: string, password: string): Promise<Record<string, string>> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  return { authorization: `Bearer ${((await res.json()) as { token: string }).token}` };
}

/** Gzipped bytes of a catalog of `lectures` lectures of `segments` segments each, shaped as the server sends it. */
function gzippedCatalogBytes(lectures: number, segments: number): number {
  const hex = () => randomBytes(32).toString('hex');
  const programs: ManifestProgram[] = Array.from({ length: lectures }, (_, i) => {
    const id = 1000 + i;
    const file = (p: string, size: number) => ({ path: `programs/${id}/v1/${p}`, size, sha256: hex() });
    return {
      id,
      title: `第${i + 1}讲 乡村振兴与基层党建工作实务`,
      description: '围绕基层治理、产业发展与党员教育的专题讲座。',
      lecturer: '王老师',
      category: 'party-building',
      audiences: ['party-members'],
      seriesId: null,
      seriesTitle: null,
      episode: null,
      duration: segments * 4,
      language: 'zh',
      rungs: ['480p'],
      files: [
        file('master.m3u8', 400),
        file('poster.jpg', 40_000),
        file('480p/index.m3u8', 40_000),
        ...Array.from({ length: segments }, (_, k) => file(`480p/seg_${String(k).padStart(5, '0')}.ts`, 400_000 + ((k * 7919) % 50_000))),
      ],
    };
  });
  return gzipSync(JSON.stringify({ programs, categories: [] }), { level: 6 }).length;
}

const mb = (b: number) => `${(b / 1e6).toFixed(2)} MB`;
const kb = (b: number) => `${(b / 1e3).toFixed(1)} kB`;

const routeTable = (rows: ControlResult['routes'], statuses = true) => [
  `    route                 count      p50 ms   p99 ms${statuses ? '   statuses (whole run)' : ''}`,
  ...rows.map(
    (x) =>
      `    ${x.route.padEnd(20)} ${String(x.count).padStart(7)} ${x.p50.toFixed(1).padStart(10)} ${x.p99.toFixed(1).padStart(8)}` +
      (statuses ? `   ${x.statuses}` : ''),
  ),
];

function formatControl(c: ControlResult, o: SimOptions): string {
  return [
    `(a) control plane: ${c.sites} sites, each polling every ${o.period} s, ${c.seconds.toFixed(0)} s`,
    `    origin requests/s: ${c.reqPerS.toFixed(0)} overall, ${c.steadyReqPerS.toFixed(0)} steady; origin CPU (steady): ${c.cpuCores.toFixed(2)} cores`,
    `    the simulator's own CPU (steady): ${c.simCores.toFixed(2)} cores, on the same machine; its event-loop delay ` +
      `p99 ${c.simLoopDelayMs.p99.toFixed(0)} ms, max ${c.simLoopDelayMs.max.toFixed(0)} ms`,
    `    attendance sessions accepted: ${c.attendanceAccepted}/${c.sites}; client errors: ${c.errors}`,
    '    whole run (cold start included)',
    ...routeTable(c.routes),
    '    steady part (every site has polled once)',
    ...routeTable(c.steadyRoutes),
    ...(c.origin
      ? [
          `    inside the origin (request parsed -> answer written; scripts/sim/origin-probe.ts): event-loop delay ` +
            `p99 ${c.origin.loopDelayMs.p99.toFixed(0)} ms, max ${c.origin.loopDelayMs.max.toFixed(0)} ms`,
          '    whole run',
          ...routeTable(c.origin.routes, false),
          '    steady part',
          ...routeTable(c.origin.steadyRoutes, false),
        ]
      : []),
  ].join('\n');
}

export function formatResult(r: SimResult, o: SimOptions): string {
  const lines = ['', formatControl(r.control, o), '', '(b)/(c) data plane                      with relays     origin only'];
  const a = r.withRelays;
  const b = r.withoutRelays;
  const row = (name: string, x: string, y: string) => `    ${name.padEnd(34)} ${x.padStart(12)} ${y.padStart(15)}`;
  const pct = (d: DataResult, share: number) => {
    const i = Math.ceil(share * d.sites) - 1;
    return d.readyAt[i] !== undefined ? `${d.readyAt[i]!.toFixed(1)} s` : 'never';
  };
  lines.push(
    row('sites', String(a.sites), String(b.sites)),
    row('unique bytes (tonight)', mb(a.uniqueBytes), mb(b.uniqueBytes)),
    row('bytes delivered to sites', mb(a.deliveredBytes), mb(b.deliveredBytes)),
    row('origin bytes out', mb(a.originBytes), mb(b.originBytes)),
    row('origin out / (relays x unique)', (a.originBytes / (o.relays * a.uniqueBytes)).toFixed(3), '-'),
    row(
      'origin out / (sites x unique)',
      (a.originBytes / (a.sites * a.uniqueBytes)).toFixed(3),
      (b.originBytes / (b.sites * b.uniqueBytes)).toFixed(3),
    ),
    row('files from relay / from origin', `${a.tally.fromRelay}/${a.tally.fromOrigin}`, `${b.tally.fromRelay}/${b.tally.fromOrigin}`),
    row('repeated / failed downloads', `${a.tally.repeated}/${a.tally.failed}`, `${b.tally.repeated}/${b.tally.failed}`),
    row('sites ready: 50 % / 90 % / 100 % at', `${pct(a, 0.5)}/${pct(a, 0.9)}/${pct(a, 1)}`, `${pct(b, 0.5)}/${pct(b, 0.9)}/${pct(b, 1)}`),
    row('every site ready before air time', a.allReady ? 'yes' : 'NO', b.allReady ? 'yes' : 'NO'),
    `    origin bytes with relays vs without: ${(b.originBytes / Math.max(1, a.originBytes)).toFixed(1)}x less`,
    '',
    '(d) control bytes per site per day (bodies as sent, gzip; 1,440 polls, 34 manifest changes, 4 catalog changes)',
    `    manifest ${kb(r.controlBytes.manifestBytes)}, catalog ${kb(r.controlBytes.catalogBytes)} (${r.controlBytes.catalogFiles} file entries), 304s carry no body`,
    `    this run's catalog:        before ${kb(r.controlBytes.before)}/day   after ${kb(r.controlBytes.after)}/day`,
    `    at 1,000 one-hour lectures: before ${mb(r.controlBytes.beforeAt1000)}/day   after ${mb(r.controlBytes.afterAt1000)}/day (a catalog of that shape, gzipped)`,
  );
  return lines.join('\n');
}

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number, e.g. ${name} 100`);
  return v;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const base = args.includes('--quick') ? QUICK : FULL;
  const o: SimOptions = {
    sites: flag(args, '--sites') ?? base.sites,
    dataSites: flag(args, '--data-sites') ?? base.dataSites,
    relays: flag(args, '--relays') ?? base.relays,
    minutes: flag(args, '--minutes') ?? base.minutes,
    period: flag(args, '--period') ?? base.period,
    programs: flag(args, '--programs') ?? base.programs,
    programSeconds: flag(args, '--program-seconds') ?? base.programSeconds,
    keep: args.includes('--keep'),
    log: (line) => process.stdout.write(`${line}\n`),
  };
  o.dataSites = Math.min(o.dataSites, o.sites);
  const result = await runProvince(o);
  process.stdout.write(`${formatResult(result, o)}\n`);
}
