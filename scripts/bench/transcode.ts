// Benchmark: one 60 s 720p25 source made into the house ladder three ways, in one run:
//   (a) the product end to end: HTTP upload on a real socket -> job -> ffmpeg -> published -> `ready`
//   (b) raw ffmpeg with exactly the product's ladder command line (buildLadderArgs)
//   (c) one ffmpeg per rung with the same settings (the way PeerTube does it)
// Prints wall and CPU seconds (this process + its children, from /proc), ratios a/b and a/c, and speed
// as a multiple of real time. Aims: a/b <= 1.10, a/c <= 0.80.
//
//   npm run bench:transcode                 # 60 s source
//   npm run bench:transcode -- --seconds 8  # quick smoke run
//   npm run bench:transcode -- --serve 5    # also: segment serving req/s for 5 s per server (product vs a
//                                           # bare Node Buffer server vs nginx on the same files, 50 connections)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { locateTools } from '../../server/media/tools.ts';
import { probeSource, type SourceProbe } from '../../server/media/probe.ts';
import { planLadder, type LadderPlan } from '../../server/media/ladder.ts';
import { buildLadderArgs } from '../../server/media/transcode.ts';
import { enqueueTranscode, waitForProgram } from '../../server/media/jobs.ts';
import { sourcePath, versionDir } from '../../server/media/store.ts';
import { currentVersion } from '../../server/media/media-data.ts';
import { versionedMediaPath } from '../../common/manifest.ts';
import { makeClip } from '../../testkit/media.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 60);
/** Seconds per serving run; 0 skips the serving part. */
const SERVE = arg('serve', 0);
const CONNECTIONS = 50;

// autocannon ships no types: the little of its API used here.
interface CannonResult {
  requests: { average: number };
  throughput: { average: number };
  latency: { p99: number };
  errors: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: {
  url: string;
  connections: number;
  duration: number;
}) => Promise<CannonResult>;

async function cannon(label: string, url: string): Promise<number> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SERVE });
  console.log(
    `${label.padEnd(40)} ${r.requests.average.toFixed(0).padStart(7)} req/s  ${(r.throughput.average / 1e6).toFixed(0).padStart(5)} MB/s  p99 ${String(r.latency.p99).padStart(4)} ms  errors ${r.errors + r.non2xx}`,
  );
  return r.requests.average;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Segment serving: the product's /media route vs a bare Node server answering from a Buffer vs nginx. */
async function serving(base: string, programId: number, version: number, dir: string): Promise<void> {
  const rung =
    fs
      .readdirSync(dir)
      .filter((n) => /^\d+p$/.test(n))
      .sort((a, b) => parseInt(b, 10) - parseInt(a, 10))
      .at(-2) ?? '240p';
  const rel = `${rung}/seg_00000.ts`;
  const bytes = fs.readFileSync(path.join(dir, rel));
  console.log(`\nserving ${rel} (${(bytes.length / 1024).toFixed(0)} KiB), ${CONNECTIONS} connections, ${SERVE} s each, 127.0.0.1`);
  const product = await cannon('product GET /media/programs/:id/v<n>/...', `${base}/media/${versionedMediaPath(programId, version, rel)}`);
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp2t', 'content-length': bytes.length });
    res.end(bytes);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const ref = await cannon('reference: bare Node server, Buffer', `http://127.0.0.1:${(bare.address() as AddressInfo).port}/x.ts`);
  bare.close();
  console.log(`product / bare Buffer: ${(product / ref).toFixed(2)}`);
  const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));
  if (!nginxBin) return console.log('nginx not installed: no nginx reference');
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-bench-nginx-'));
  const port = await freePort();
  fs.writeFileSync(
    path.join(prefix, 'nginx.conf'),
    // As root, nginx's worker would drop to `nobody` and be refused the private temp folder.
    `${process.getuid?.() === 0 ? 'user root;' : ''} daemon off; worker_processes 1; pid ${prefix}/nginx.pid; error_log ${prefix}/error.log;\n` +
      `events { worker_connections 1024; }\nhttp { access_log off; sendfile on; server { listen 127.0.0.1:${port}; root ${dir}; } }\n`,
  );
  const ng = spawn(nginxBin, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 500));
    const nginx = await cannon('reference: nginx (1 worker, sendfile)', `http://127.0.0.1:${port}/${rel}`);
    console.log(`product / nginx: ${(product / nginx).toFixed(2)}`);
  } finally {
    ng.kill('SIGTERM');
    fs.rmSync(prefix, { recursive: true, force: true });
  }
}
const PASSWORD = 'bench-password';

const TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of this process plus its waited-for children (ffmpeg), from /proc/self/stat. */
function cpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime are fields 14-17 (1-based) of the whole line; here offset by 2.
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return (utime + stime + cutime + cstime) / TICKS;
}

interface Measure {
  wall: number;
  cpu: number;
}

async function measure(fn: () => Promise<void>): Promise<Measure> {
  const c0 = cpuSeconds();
  const t0 = process.hrtime.bigint();
  await fn();
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuSeconds() - c0 };
}

function runFfmpeg(bin: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${err.slice(-500)}`))));
  });
}

function outDirFor(root: string, plan: LadderPlan): string {
  fs.mkdirSync(root, { recursive: true });
  for (const r of plan.rungs) fs.mkdirSync(path.join(root, r.name), { recursive: true });
  return root;
}

/** (a): the product, as an operator uses it. */
async function product(work: string, source: string): Promise<{ m: Measure; via: string }> {
  const dataDir = path.join(work, 'data');
  const config = loadConfig({}, { dataDir, logLevel: 'warn', demo: false, startWorkers: true, port: 0, host: '127.0.0.1' });
  const app = await buildApp(config, { logger: false });
  await ensureAdmin(app.db, PASSWORD);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  try {
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const auth = { authorization: `Bearer ${token}` };
    const hasUpload = app.hasRoute({ method: 'POST', url: '/api/programs' });
    let via = 'HTTP multipart upload on a socket';
    let programId = 0;
    const m = await measure(async () => {
      let id: number;
      if (hasUpload) {
        const form = new FormData();
        form.set('title', 'Benchmark lecture');
        form.set('file', await fs.openAsBlob(source), path.basename(source));
        const res = await fetch(`${base}/api/programs`, { method: 'POST', headers: auth, body: form });
        if (res.status !== 202 && res.status !== 201) throw new Error(`upload: ${res.status} ${await res.text()}`);
        id = ((await res.json()) as { id: number }).id;
      } else {
        // The catalog's upload route is not in this build: store the source and queue it as that route does.
        via = 'job queue (upload route absent in this build)';
        const now = new Date().toISOString();
        id = Number(
          app.db.prepare('INSERT INTO programs (title, created_at, updated_at) VALUES (?, ?, ?)').run('Benchmark lecture', now, now)
            .lastInsertRowid,
        );
        const stored = sourcePath(config, id, source);
        fs.mkdirSync(path.dirname(stored), { recursive: true });
        fs.copyFileSync(source, stored);
        app.db.prepare('UPDATE programs SET source_path = ? WHERE id = ?').run(path.relative(config.mediaDir, stored), id);
        enqueueTranscode(app.db, id);
      }
      // Poll the API as a client would.
      for (;;) {
        const p = (await (await fetch(`${base}/api/programs/${id}`, { headers: auth })).json()) as { status: string; error?: string };
        if (p.status === 'ready') break;
        if (p.status === 'failed' || p.status === 'cancelled') throw new Error(`program ${p.status}: ${p.error}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitForProgram(app.db, id, 1000);
      programId = id;
    });
    const version = currentVersion(app.db, programId) ?? 1;
    if (SERVE > 0) await serving(base, programId, version, versionDir(config, programId, version));
    return { m, via };
  } finally {
    await app.close();
  }
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-bench-transcode-'));
  try {
    const tools = locateTools({ ffmpegPath: process.env.FFMPEG_PATH, ffprobePath: process.env.FFPROBE_PATH });
    process.stdout.write(`generating a ${SECONDS} s 1280x720 25 fps source... `);
    const source = await makeClip(work, 'hd', { seconds: SECONDS, name: 'bench-source' });
    console.log(`${(fs.statSync(source).size / 1e6).toFixed(1)} MB`);
    const probe: SourceProbe = await probeSource(tools, source);
    const plan = planLadder(probe);
    console.log(`ladder: ${plan.rungs.map((r) => r.name).join(', ')}; ffmpeg ${tools.ffmpeg}; ${os.cpus().length} cores`);

    const a = await product(work, source);
    console.log(`(a) product end to end [${a.via}]: done`);

    const bDir = outDirFor(path.join(work, 'raw-one'), plan);
    const b = await measure(() => runFfmpeg(tools.ffmpeg, buildLadderArgs({ input: source, probe, plan }), bDir));
    console.log('(b) raw ffmpeg, the same ladder command: done');

    const c = await measure(async () => {
      for (const rung of plan.rungs) {
        const one: LadderPlan = { ...plan, rungs: [rung] };
        const dir = outDirFor(path.join(work, `raw-${rung.name}`), one);
        await runFfmpeg(tools.ffmpeg, buildLadderArgs({ input: source, probe, plan: one }), dir);
      }
    });
    console.log('(c) one ffmpeg per rung: done\n');

    const row = (label: string, m: Measure) =>
      `${label.padEnd(34)} wall ${m.wall.toFixed(2).padStart(7)} s   cpu ${m.cpu.toFixed(2).padStart(7)} s   speed ${(SECONDS / m.wall).toFixed(2)}x real time`;
    console.log(row('(a) product (upload -> ready)', a.m));
    console.log(row('(b) raw ffmpeg, same command', b));
    console.log(row(`(c) one ffmpeg per rung (${plan.rungs.length})`, c));
    console.log('');
    console.log(`a/b wall ${(a.m.wall / b.wall).toFixed(3)}  cpu ${(a.m.cpu / b.cpu).toFixed(3)}   (aim <= 1.10)`);
    console.log(`a/c wall ${(a.m.wall / c.wall).toFixed(3)}  cpu ${(a.m.cpu / c.cpu).toFixed(3)}   (aim <= 0.80)`);
    console.log(
      `b/c wall ${(b.wall / c.wall).toFixed(3)}  cpu ${(b.cpu / c.cpu).toFixed(3)}   (one decode for all rungs vs one process per rung)`,
    );
    console.log('\nNote: (a) also probes the source, reads back the playlists, hashes every file and grabs a poster.');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
