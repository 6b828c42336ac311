// Benchmark: live media playlists (GET /live/channels/:id/<rung>.m3u8), computed by stitching.
//
// Seeds a temp data dir: CHANNELS channels, each with DAYS days of back-to-back schedule (programs of 20-60 min
// in 4 s segments, every 7th item a not-ready program so the slate plays, a few gaps), slates shaped like the
// generated ones (60 x 1 s + 0.2/0.4/0.6/0.8 s tails). Catalog rows only: playlists need no media files.
// The server runs in a child process (buildApp + listen, as in production) so its CPU is measured alone.
// In the same run, against real sockets (autocannon, CONNECTIONS connections, DURATION s each):
//   1. one channel, every request for it: req/s;
//   2. every channel in turn (a request for the next channel each time): req/s;
//   3. reference: nginx (a child with a temp nginx.conf on a loopback port) serving a static file with the
//      same bytes as a playlist: req/s, and the ratios of 1 and 2 to it (aim >= 0.5);
//   4. CPU of the server process with VIEWERS viewers per channel, each asking once per segment duration
//      (4 s): CPU seconds per wall second, per channel, and how many channels one core would carry.
//
//   npm run bench:playlist
//   CHANNELS=50 DAYS=7 DURATION=5 npm run bench:playlist      (small scale)
//   env: CHANNELS (1000) DAYS (7) DURATION (10) CONNECTIONS (50) VIEWERS (10) RUNG (240p)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { RUNGS } from '../../common/ladder.ts';
import { slateSegmentDurations } from '../../server/broadcast/slate-plan.ts';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p99: number; average: number };
  errors: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  requests?: Array<{ setupRequest: (req: { path?: string }) => { path?: string } }>;
}) => Promise<CannonResult>;

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const CHANNELS = env('CHANNELS', 1000);
const DAYS = env('DAYS', 7);
const DURATION = env('DURATION', 10);
const CONNECTIONS = env('CONNECTIONS', 50);
const VIEWERS = env('VIEWERS', 10);
const RUNG = process.env.RUNG ?? '240p';
const SEGMENT_S = 4;

// ---- child mode: the server ----
if (process.argv[2] === '--serve') {
  const config = loadConfig({}, { dataDir: process.argv[3], logLevel: 'error', startWorkers: false, demo: false });
  const app = await buildApp(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  await main();
}

async function seedDb(dataDir: string): Promise<{ items: number }> {
  const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false });
  const app = await buildApp(config, { logger: false });
  const { db } = app;
  const iso = new Date().toISOString();
  const now = Date.now();
  const insertProgram = db.prepare(
    'INSERT INTO programs (title, status, duration, published, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertSeg = db.prepare('INSERT INTO segments (program_id, seq, duration) VALUES (?, ?, ?)');
  const insertRendition = db.prepare('INSERT INTO renditions (program_id, name, width, height, bandwidth) VALUES (?, ?, ?, ?, ?)');
  const program = (title: string, segs: number[], status = 'ready', published = 1) => {
    const id = Number(
      insertProgram.run(
        title,
        status,
        segs.reduce((a, b) => a + b, 0),
        published,
        iso,
        iso,
      ).lastInsertRowid,
    );
    segs.forEach((d, i) => insertSeg.run(id, i, d));
    for (const r of RUNGS) insertRendition.run(id, r.name, r.width, r.height, r.videoBitrate + r.audioBitrate);
    return id;
  };
  let items = 0;
  db.transaction(() => {
    // 40 lectures of 20-60 min (last segment shorter), one not-ready program.
    const lectures = Array.from({ length: 40 }, (_, i) => {
      const seconds = 1200 + ((i * 97) % 2400) + 1.48;
      const segs = Array<number>(Math.floor(seconds / SEGMENT_S)).fill(SEGMENT_S);
      segs.push(Math.round((seconds % SEGMENT_S) * 1000) / 1000);
      return { id: program(`讲座 ${i + 1}`, segs), ms: Math.ceil(seconds) * 1000 };
    });
    const pending = Number(insertProgram.run('未就绪', 'queued', null, 1, iso, iso).lastInsertRowid);
    const insertChannel = db.prepare(
      `INSERT INTO channels (number, name, description, generated_slate_id, slate_status, epoch, created_at, updated_at)
       VALUES (?, ?, '', ?, 'ready', ?, ?, ?)`,
    );
    const insertItem = db.prepare(
      'INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const start = now - 86_400_000; // a day of past too (anchors, frozen decisions)
    const end = now + DAYS * 86_400_000;
    for (let c = 1; c <= CHANNELS; c++) {
      const slate = program(`频道 ${c} 台标`, slateSegmentDurations(), 'ready', 0);
      const channelId = Number(insertChannel.run(c, `频道 ${c}`, slate, start - 3_600_000, iso, iso).lastInsertRowid);
      let at = start + (c % 13) * 60_000;
      for (let k = 0; at < end; k++) {
        const lecture = lectures[(c * 7 + k) % lectures.length];
        const notReady = k % 7 === 6;
        const len = notReady ? 1_800_000 : lecture.ms;
        insertItem.run(channelId, notReady ? pending : lecture.id, at, at + len, iso, iso);
        items++;
        at += len + (k % 5 === 4 ? 95_300 : 0); // now and then a gap of 95.3 s
      }
    }
  })();
  await app.close();
  return { items };
}

/** CPU seconds (user + system) used so far by a process, from /proc. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = pattern.exec(out);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before ready: ${out}`)));
  });
}

async function nginxServing(dir: string, body: string): Promise<{ url: string; stop: () => void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  fs.mkdirSync(path.join(dir, 'www'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'www', 'live.m3u8'), body);
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(path.join(dir, 'www'), 0o755);
  fs.chmodSync(path.join(dir, 'www', 'live.m3u8'), 0o644);
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/vnd.apple.mpegurl m3u8; }
  client_body_temp_path ${dir}/tmp; proxy_temp_path ${dir}/tmp; fastcgi_temp_path ${dir}/tmp; uwsgi_temp_path ${dir}/tmp; scgi_temp_path ${dir}/tmp;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/www;
    location / { add_header Cache-Control "max-age=1"; etag on; }
  }
}
`,
  );
  const child = spawn('nginx', ['-c', conf, '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}/live.m3u8`;
  for (let i = 0; i < 50; i++) {
    try {
      if ((await fetch(url)).ok) return { url, stop: () => child.kill('SIGQUIT') };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`nginx did not start (see ${dir}/error.log)`);
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-playlist-'));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-playlist-nginx-'));
  let server: ChildProcess | null = null;
  let nginx: { url: string; stop: () => void } | null = null;
  try {
    const seedStart = Date.now();
    const { items } = await seedDb(dataDir);
    console.log(`seeded ${CHANNELS} channels x ${DAYS} days: ${items} schedule items in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);

    server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve', dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = Number((await waitForLine(server, /PORT (\d+)/))[1]);
    const base = `http://127.0.0.1:${port}`;
    const one = `${base}/live/channels/1/${RUNG}.m3u8`;
    const sample = await (await fetch(one)).text();
    if (!sample.startsWith('#EXTM3U')) throw new Error(`unexpected playlist: ${sample}`);
    console.log(
      `playlist: ${Buffer.byteLength(sample)} bytes, ${sample.split('\n').filter((l) => l.startsWith('#EXTINF')).length} segments`,
    );

    nginx = await nginxServing(scratch, sample);

    const run = async (label: string, url: string, paths?: () => string, overallRate?: number) => {
      const r = await autocannon({
        url,
        connections: CONNECTIONS,
        duration: DURATION,
        overallRate,
        requests: paths ? [{ setupRequest: (req) => ({ ...req, path: paths() }) }] : undefined,
      });
      const bad = r.errors + r.non2xx;
      console.log(
        `${label.padEnd(34)} ${r.requests.average.toFixed(0).padStart(8)} req/s   p99 ${r.latency.p99} ms${bad ? `   ${bad} errors/non-2xx` : ''}`,
      );
      return r;
    };

    // Warm every channel once (first compile per channel), as a running server would be.
    for (let c = 1; c <= CHANNELS; c++) await fetch(`${base}/live/channels/${c}/${RUNG}.m3u8`);

    // Every run builds its requests the same way (setupRequest), so the load generator costs the same in each.
    const ref = await run('nginx, static file of that size', nginx.url, () => '/live.m3u8');
    const single = await run('server, 1 channel', one, () => `/live/channels/1/${RUNG}.m3u8`);
    let next = 0;
    const all = await run(`server, ${CHANNELS} channels in turn`, one, () => `/live/channels/${(next++ % CHANNELS) + 1}/${RUNG}.m3u8`);
    console.log(`ratio 1 channel / nginx:          ${(single.requests.average / ref.requests.average).toFixed(2)}`);
    console.log(
      `ratio ${CHANNELS} channels / nginx: ${''.padEnd(Math.max(0, 10 - String(CHANNELS).length))}${(all.requests.average / ref.requests.average).toFixed(2)}   (aim >= 0.5)`,
    );

    // Paced load: every viewer asks once per segment duration.
    const rate = (CHANNELS * VIEWERS) / SEGMENT_S;
    const cpuBefore = cpuSeconds(server.pid!);
    const wallBefore = Date.now();
    const paced = await run(
      `paced ${rate.toFixed(0)} req/s (${VIEWERS} viewers/channel)`,
      one,
      () => `/live/channels/${(next++ % CHANNELS) + 1}/${RUNG}.m3u8`,
      rate,
    );
    const cpu = cpuSeconds(server.pid!) - cpuBefore;
    const wall = (Date.now() - wallBefore) / 1000;
    const perChannel = cpu / wall / CHANNELS;
    console.log(
      `server CPU at that pace: ${((100 * cpu) / wall).toFixed(1)} % of a core, ${(perChannel * 1000).toFixed(3)} ms CPU per second per channel`,
    );
    console.log(
      `=> one core carries about ${Math.floor(1 / perChannel)} channels at ${VIEWERS} viewers each (${paced.requests.total} requests measured)`,
    );
  } finally {
    nginx?.stop();
    if (server) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
