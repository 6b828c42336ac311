// Benchmark: site manifest polling (GET /api/sites/me/manifest) at fleet scale.
//
// Builds a province on a temp data dir: SITES sites across villages, CHANNELS channels with 49 h of schedule,
// PROGRAMS ready programs of SEGMENTS segments (catalog rows as the media pipeline leaves them). Then, against a
// real socket with autocannon, each request from a different site token:
//   1. 304 path (If-None-Match = the site's current ETag): what 25,000 sites polling every 60 s mostly cost;
//   2. 200 path (full body), plain and gzip (shared parts pre-compressed);
//   3. reference in the same run: a Fastify route on the same server answering a pre-built Buffer of the same
//      size (the floor for "send this many bytes from Node"), and for the 304 path a route answering 304 at once.
// Prints req/s, the ratio to the reference, and the fleet's need (SITES_FLEET / 60 s).
//
//   npm run bench:manifest            (lead: add "bench:manifest": "node --import tsx scripts/bench/manifest.ts")
//   node --import tsx scripts/bench/manifest.ts
//   env: SITES (2000) CHANNELS (4) PROGRAMS (100) SEGMENTS (300) DURATION (10 s per run) CONNECTIONS (50)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { createRegion } from '../../server/sites/regions.ts';
import { createSite, pairSite } from '../../server/sites/sites.ts';
import { RUNGS } from '../../common/manifest.ts';
import { recordOutputVersion, type OutputRecord } from '../../server/media/media-data.ts';

// autocannon ships no types: the little of its API used here.
interface CannonRequest {
  headers?: Record<string, string>;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  requests: Array<{ setupRequest: (req: CannonRequest) => CannonRequest }>;
}) => Promise<CannonResult>;

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SITES = env('SITES', 2000);
const CHANNELS = env('CHANNELS', 4);
const PROGRAMS = env('PROGRAMS', 100);
const SEGMENTS = env('SEGMENTS', 300);
const DURATION = env('DURATION', 10);
const CONNECTIONS = env('CONNECTIONS', 50);
const FLEET = 25_000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-manifest-'));
const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false });
const app = await buildApp(config, { logger: false });
const { db } = app;
const now = Date.now();
const iso = new Date(now).toISOString();

// Catalog: programs with all four rungs, plus one slate per channel shaped like the generated slates.
const insertProgram = db.prepare(
  "INSERT INTO programs (title, status, duration, published, created_at, updated_at) VALUES (?, 'ready', ?, ?, ?, ?)",
);
function program(title: string, segs: number[], published: boolean): number {
  const id = Number(
    insertProgram.run(
      title,
      segs.reduce((a, b) => a + b, 0),
      published ? 1 : 0,
      iso,
      iso,
    ).lastInsertRowid,
  );
  const sha = (s: string) => Buffer.from(s).toString('hex').padEnd(64, 'a').slice(0, 64);
  const files: OutputRecord['files'] = [
    { path: 'master.m3u8', rung: null, size: 400, sha256: sha(`m${id}`) },
    { path: 'poster.jpg', rung: null, size: 40_000, sha256: sha(`p${id}`) },
  ];
  const renditions: OutputRecord['renditions'] = [];
  for (const rung of RUNGS) {
    const h = Number(rung.slice(0, -1));
    renditions.push({ name: rung, width: Math.round((h * 16) / 9), height: h, bandwidth: 1_000_000 });
    files.push({ path: `${rung}/index.m3u8`, rung, size: 9000, sha256: sha(`i${id}${rung}`) });
    segs.forEach((_, i) =>
      files.push({ path: `${rung}/seg_${String(i).padStart(5, '0')}.ts`, rung, size: 400_000, sha256: sha(`s${id}${rung}${i}`) }),
    );
  }
  recordOutputVersion(db, id, 1, { renditions, segments: segs, files }, iso);
  return id;
}
const programs = db.transaction(() =>
  Array.from({ length: PROGRAMS }, (_, i) => program(`讲座 ${i + 1}`, Array(SEGMENTS).fill(4), true)),
)();

// Regions: one province, 10 counties, 10 townships each, villages under them; sites round-robin over villages.
const villages: number[] = [];
db.transaction(() => {
  const province = createRegion(db, { name: '基准省', level: 'province' });
  for (let c = 0; c < 10; c++) {
    const county = createRegion(db, { name: `县${c}`, level: 'county', parentId: province.id });
    for (let t = 0; t < 10; t++) {
      const town = createRegion(db, { name: `镇${c}-${t}`, level: 'township', parentId: county.id });
      for (let v = 0; v < Math.ceil(SITES / 100); v++)
        villages.push(createRegion(db, { name: `村${c}-${t}-${v}`, level: 'village', parentId: town.id }).id);
    }
  }
})();
const counties = (db.prepare("SELECT id FROM regions WHERE level = 'county' ORDER BY id").all() as Array<{ id: number }>).map((r) => r.id);

// Channels: one for everyone, the others for a few counties each; 49 h of back-to-back programs.
db.transaction(() => {
  for (let c = 0; c < CHANNELS; c++) {
    const slate = program(`台标${c}`, [...Array(60).fill(1), 0.2, 0.4, 0.6, 0.8], false);
    const id = Number(
      db
        .prepare(
          "INSERT INTO channels (number, name, generated_slate_id, slate_status, epoch, created_at, updated_at) VALUES (?, ?, ?, 'ready', ?, ?, ?)",
        )
        .run(c + 1, `频道${c + 1}`, slate, now - 3600_000, iso, iso).lastInsertRowid,
    );
    if (c > 0)
      for (const county of counties.slice((c * 3) % 10, ((c * 3) % 10) + 3))
        db.prepare('INSERT INTO channel_regions VALUES (?, ?)').run(id, county);
    const len = SEGMENTS * 4000;
    for (let t = now - 3600_000, i = 0; t < now + 50 * 3600_000; t += len, i++)
      db.prepare(
        'INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(id, programs[(i * 7 + c) % programs.length], t, t + len, iso, iso);
  }
})();

const codeKey = Buffer.alloc(32, 7);
const tokens = db.transaction(() =>
  Array.from({ length: SITES }, (_, i) => {
    const { pairingCode } = createSite(db, codeKey, {
      name: `站点${i}`,
      regionId: villages[i % villages.length],
      maxRung: RUNGS[1 + (i % 3)],
    });
    return pairSite(db, codeKey, pairingCode).token;
  }),
)();

// The reference routes, on the same server.
let reference = Buffer.alloc(0);
app.get('/bench/reference', async (_req, reply) => reply.type('application/json').send(reference));
app.get('/bench/not-modified', async (_req, reply) => reply.status(304).send());
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;

// Cold build, then every site's ETag (the caches are warm afterwards, as in steady polling).
let t0 = performance.now();
const first = await fetch(`${base}/api/sites/me/manifest`, { headers: { authorization: `Bearer ${tokens[0]}` } });
const firstBody = await first.text();
const coldMs = performance.now() - t0;
const etags: string[] = [];
t0 = performance.now();
for (const token of tokens) {
  const res = await fetch(`${base}/api/sites/me/manifest`, { headers: { authorization: `Bearer ${token}` } });
  etags.push(res.headers.get('etag')!);
  await res.arrayBuffer();
}
const sequentialMs = (performance.now() - t0) / tokens.length;
reference = Buffer.from(firstBody);

async function run(title: string, url: string, headersFor: (i: number) => Record<string, string>) {
  let i = 0;
  const result = await autocannon({
    url: base + url,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, ...headersFor(i++ % tokens.length) } }) }],
  });
  const bad = result.non2xx - (url.includes('not-modified') || title.includes('304') ? result.requests.total : 0);
  console.log(
    `${title.padEnd(44)} ${result.requests.average.toFixed(0).padStart(7)} req/s   p99 ${String(result.latency.p99).padStart(5)} ms   errors ${result.errors + Math.max(0, bad)}`,
  );
  return result.requests.average;
}

console.log(
  `manifest bench: ${SITES} sites, ${CHANNELS} channels, ${PROGRAMS} programs x ${SEGMENTS} segments, ${CONNECTIONS} connections, ${DURATION} s per run`,
);
console.log(
  `manifest size ${(firstBody.length / 1024).toFixed(0)} KiB; cold build ${coldMs.toFixed(0)} ms; first fetch of each site (sequential) ${sequentialMs.toFixed(2)} ms`,
);
const notModified = await run('manifest 304 (If-None-Match), per-site tokens', '/api/sites/me/manifest', (i) => ({
  authorization: `Bearer ${tokens[i]}`,
  'if-none-match': etags[i],
}));
const ref304 = await run('reference: bare 304 route', '/bench/not-modified', () => ({}));
const full = await run('manifest 200 (full body), per-site tokens', '/api/sites/me/manifest', (i) => ({
  authorization: `Bearer ${tokens[i]}`,
}));
const zipped = await run('manifest 200 gzip, per-site tokens', '/api/sites/me/manifest', (i) => ({
  authorization: `Bearer ${tokens[i]}`,
  'accept-encoding': 'gzip',
}));
const ref200 = await run('reference: same-size Buffer route', '/bench/reference', () => ({}));
console.log(`ratio 304 path / bare 304:        ${(notModified / ref304).toFixed(2)}`);
console.log(
  `ratio 200 path / same-size Buffer: ${(full / ref200).toFixed(2)}; gzip 200 path / same-size Buffer: ${(zipped / ref200).toFixed(2)}`,
);
console.log(
  `fleet need: ${FLEET} sites / 60 s = ${(FLEET / 60).toFixed(0)} req/s; 304 capacity covers it ${(notModified / (FLEET / 60)).toFixed(1)}x`,
);

await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
