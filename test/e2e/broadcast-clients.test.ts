// Real clients watch a stitched channel from a real socket, at the same time (to save wall time):
//  - ffmpeg (the HLS demuxer of IPTV tools and transcoders) reads the live playlist for >= 20 s across
//    program boundaries and a gap filled by the slate, exits cleanly on 'q', with about as much media as wall time;
//  - hls.js in headless Chromium plays the master playlist across >= 3 boundaries: currentTime advancing,
//    no `waiting` once playing, no fatal error.
// Programs are tiny (8-10 s, 240p) and made by the product's real pipeline; the slate is the generated card.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { makeServer, tempDir } from '../../testkit/helpers.ts';
import { readyProgram } from '../../testkit/programs.ts';
import { slatesSettled } from '../../server/broadcast/slate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The program id in a segment URL (/media/programs/<id>/v<n>/<rung>/seg_N.ts). */
const programOf = (url: string) => Number(/\/media\/programs\/(\d+)\//.exec(url)?.[1] ?? NaN);

/** How many times consecutive entries change program (each change is a stitched boundary). */
function boundaries(urls: string[]): number {
  let n = 0;
  for (let i = 1; i < urls.length; i++) if (programOf(urls[i]) !== programOf(urls[i - 1])) n++;
  return n;
}

interface FfmpegRun {
  code: number | null;
  audioSeconds: number;
  wallSeconds: number;
  opened: string[];
  errors: string[];
}

/** ffmpeg reads the live playlist: audio decoded to raw PCM (counted), video decoded and dropped; 'q' `seconds` after its first byte. */
function ffmpegClient(url: string, seconds: number): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    const ff = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'level+info',
        '-live_start_index',
        '-1',
        '-i',
        url,
        '-map',
        '0:v:0',
        '-fps_mode',
        'passthrough',
        '-f',
        'null',
        '/dev/null',
        '-map',
        '0:a:0',
        '-c:a',
        'pcm_s16le',
        '-ar',
        '48000',
        '-ac',
        '2',
        '-f',
        's16le',
        'pipe:1',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let bytes = 0;
    let firstByte = 0;
    let stderr = '';
    // `seconds` of reading are counted from the first decoded byte: a loaded machine may take seconds to start ffmpeg.
    let timer: ReturnType<typeof setTimeout> | undefined;
    ff.stdout.on('data', (b: Buffer) => {
      if (!firstByte) {
        firstByte = Date.now();
        timer = setTimeout(() => ff.stdin.write('q'), seconds * 1000);
      }
      bytes += b.length;
    });
    ff.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const killer = setTimeout(() => ff.kill('SIGKILL'), (seconds + 60) * 1000);
    ff.on('error', reject);
    ff.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(killer);
      const lines = stderr.split('\n');
      resolve({
        code,
        audioSeconds: bytes / (48_000 * 2 * 2),
        wallSeconds: firstByte ? (Date.now() - firstByte) / 1000 : 0,
        opened: lines.map((l) => /Opening '([^']+\.ts)' for reading/.exec(l)?.[1]).filter((u): u is string => !!u),
        // A timestamp jump back at an EXT-X-DISCONTINUITY is what the tag announces; ffmpeg's HLS demuxer passes it
        // through and its raw muxer complains (FIELD-NOTES: expected at a discontinuity). Anything else counts.
        errors: lines.filter((l) => /\[(error|fatal|panic)\]/.test(l) && !/non monotonically increasing dts/.test(l)),
      });
    });
  });
}

t.test('ffmpeg and hls.js watch a stitched channel', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const a = await readyProgram(app, { seconds: 8, title: '第一课' });
  const b = await readyProgram(app, { seconds: 10, title: '第二课' });
  const channel = (
    await app.inject({ method: 'POST', url: '/api/channels', headers: auth, payload: { number: 7, name: '测试频道' } })
  ).json();
  await slatesSettled(app.db);
  const slate = (await app.inject({ method: 'GET', url: `/api/channels/${channel.id}` })).json().slate;
  t.equal(slate.status, 'ready', 'slate made');
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const base = `http://127.0.0.1:${address.port}`;

  // A, B, a 3.3 s gap (not a whole number of slate segments), then A, B, ... for 90 s.
  const t0 = Date.now() + 2000;
  let at = t0;
  for (let i = 0; at < t0 + 90_000; i++) {
    const programId = i % 2 === 0 ? a : b;
    const res = await app.inject({
      method: 'POST',
      url: `/api/channels/${channel.id}/schedule`,
      headers: auth,
      payload: { programId, start: at },
    });
    if (res.statusCode !== 201) throw new Error(`scheduling failed: ${res.body}`);
    const item = res.json();
    at = Date.parse(item.end) + (i === 1 ? 3300 : 0);
  }
  await sleep(Math.max(0, t0 - Date.now()));

  // hls.js, from a test page served at the server's origin (same origin as the playlists and media).
  const dir = tempDir('dyb-chromium-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.teardown(() => context.close());
  const page = await context.newPage();
  const hlsJs = fs.readFileSync(path.join(root, 'node_modules/hls.js/dist/hls.min.js'), 'utf8');
  await page.route(`${base}/__test/hls.min.js`, (r) => r.fulfill({ contentType: 'text/javascript', body: hlsJs }));
  await page.route(`${base}/__test/player.html`, (r) =>
    r.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><video id="v" muted autoplay playsinline width="426" height="240"></video>
<script src="/__test/hls.min.js"></script>
<script>
  const v = document.getElementById('v');
  const report = (window.report = { fatal: [], nonFatal: [], playing: false, waitingAfterStart: 0, frags: [] });
  const hls = new Hls();
  hls.on(Hls.Events.ERROR, (_, d) => (d.fatal ? report.fatal : report.nonFatal).push(d.type + ': ' + d.details));
  hls.on(Hls.Events.FRAG_CHANGED, (_, d) => report.frags.push(d.frag.url));
  v.addEventListener('playing', () => (report.playing = true));
  v.addEventListener('waiting', () => { if (report.playing) report.waitingAfterStart++; });
  hls.on(Hls.Events.MANIFEST_PARSED, () => v.play());
  hls.loadSource('/live/channels/${channel.id}/master.m3u8');
  hls.attachMedia(v);
</script>`,
    }),
  );

  const ffmpegRun = ffmpegClient(`${base}/live/channels/${channel.id}/240p.m3u8`, 24);
  await page.goto(`${base}/__test/player.html`);
  await page.waitForFunction(() => (window as unknown as { report: { playing: boolean } }).report.playing, null, { timeout: 20_000 });
  const samples: number[] = [];
  for (let i = 0; i < 8; i++) {
    samples.push(await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).currentTime));
    await sleep(5000);
  }
  samples.push(await page.evaluate(() => (document.getElementById('v') as HTMLVideoElement).currentTime));
  const report = await page.evaluate(
    () => (window as unknown as { report: { fatal: string[]; nonFatal: string[]; waitingAfterStart: number; frags: string[] } }).report,
  );
  const ff = await ffmpegRun;

  // ffmpeg
  t.equal(ff.code, 0, 'ffmpeg exits cleanly');
  t.same(ff.errors, [], 'ffmpeg logged no error (other than timestamp jumps at discontinuities)');
  t.ok(ff.wallSeconds >= 20, `ffmpeg read for ${ff.wallSeconds.toFixed(1)} s`);
  t.ok(
    Math.abs(ff.audioSeconds - ff.wallSeconds) <= 6,
    `about as much media (${ff.audioSeconds.toFixed(1)} s) as wall time (${ff.wallSeconds.toFixed(1)} s)`,
  );
  t.ok(boundaries(ff.opened) >= 2, `ffmpeg crossed ${boundaries(ff.opened)} boundaries`, { opened: ff.opened });
  t.ok(
    ff.opened.every((u) => [a, b, slate.programId].includes(programOf(u))),
    'only scheduled programs and the slate',
  );

  // hls.js
  t.same(report.fatal, [], 'no fatal hls.js error');
  t.equal(report.waitingAfterStart, 0, 'never waiting once playing');
  t.ok(
    samples.every((x, i) => i === 0 || x > samples[i - 1]),
    `currentTime advances: ${samples.map((x) => x.toFixed(1)).join(', ')}`,
  );
  t.ok(boundaries(report.frags) >= 3, `hls.js played across ${boundaries(report.frags)} boundaries`, { frags: report.frags });
  t.ok(new Set(report.frags.map(programOf)).size >= 3, 'both programs and the slate played');
  await page.close();
});
