// Kiosk benchmark: time to first frame of a lecture held at the site vs one streamed from the server through
// the agent, channel join vs channel switch, and the agent's memory over a day of simulated operation (fast
// clock). Each figure is printed with a ratio against a reference measured in the same run.
//
//   npm run bench:kiosk            (or: node --import tsx scripts/bench/kiosk.ts [--runs 3] [--day-minutes 1440])
//
// It starts a real server on a socket, makes short programs with the real pipeline, pairs a real agent and
// drives the real kiosk page in headless Chromium. Everything listens on 127.0.0.1 only.
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { openKiosk, startSite, type Site } from '../../testkit/kiosk-site.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'day-minutes': { type: 'string', default: '1440' },
    'program-seconds': { type: 'string', default: '12' },
  },
});
const RUNS = Math.max(1, Number(values.runs));
const DAY_MINUTES = Math.max(10, Number(values['day-minutes']));
const PROGRAM_SECONDS = Math.max(8, Number(values['program-seconds']));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function line(label: string, ms: number[], reference?: number): void {
  const med = median(ms);
  const ratio = reference ? `  x${(med / reference).toFixed(2)} of reference` : '';
  process.stdout.write(
    `${label.padEnd(44)} median ${med.toFixed(0).padStart(6)} ms  (runs: ${ms.map((x) => x.toFixed(0)).join(', ')})${ratio}\n`,
  );
}

// Runs in the page. A plain string, not a function: tsx compiles functions with esbuild's keepNames, whose
// `__name(...)` helper does not exist in the page.
const ARM_FIRST_FRAME = `(() => {
  window.__ttff = new Promise((resolve) => {
    // The new screen's <video> appears after the action; watch the DOM for it, then for its first frame.
    const seen = new WeakSet(document.querySelectorAll('video'));
    function arm(v) {
      function onPlaying() {
        v.removeEventListener('playing', onPlaying);
        v.requestVideoFrameCallback(() => resolve(performance.now() - window.__t0));
      }
      v.addEventListener('playing', onPlaying);
    }
    // A channel switch reuses the element: it fires 'emptied' then 'playing' again.
    for (const v of document.querySelectorAll('video')) v.addEventListener('emptied', () => arm(v), { once: true });
    new MutationObserver((_, obs) => {
      for (const v of document.querySelectorAll('video')) {
        if (!seen.has(v)) {
          seen.add(v);
          arm(v);
          obs.disconnect();
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  window.__t0 = performance.now();
})()`;

/** ms from asking the kiosk to play until the first decoded frame of the new source is presented. */
async function timeToFirstFrame(page: Page, start: () => Promise<void>): Promise<number> {
  await page.evaluate(ARM_FIRST_FRAME);
  await start();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('no first frame within 30 s')), 30_000);
  });
  try {
    return (await Promise.race([page.evaluate('window.__ttff'), timeout])) as number;
  } finally {
    clearTimeout(timer);
  }
}

async function backHome(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as { kioskActions: { home(): void } }).kioskActions.home());
  await page.waitForTimeout(300);
}

async function kioskFigures(site: Site): Promise<void> {
  const kiosk = await openKiosk(site.agent.url);
  try {
    const { page } = kiosk;
    await page.waitForSelector('[data-testid=channel-row]');
    await page.evaluate(() => (window as unknown as { kioskActions: { loadCatalog(): Promise<void> } }).kioskActions.loadCatalog());
    const play = (id: number) => () =>
      page.evaluate((pid) => {
        const ok = (window as unknown as { kioskActions: { playProgram(id: number): boolean } }).kioskActions.playProgram(pid);
        if (!ok) throw new Error(`program ${pid} is not in the kiosk's catalog`);
      }, id);

    // Warm-up, not measured: the page's first player pays for compiling hls.js and creating the media pipeline.
    await timeToFirstFrame(page, play(site.programIds[0]!));
    await backHome(page);
    // Held and not held alternate, so a slower machine moment does not land on one side only. A lecture not
    // held is streamed from the server through the agent on its first play (which also queues it for
    // download, so each is measured once).
    const local: number[] = [];
    const remote: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      local.push(await timeToFirstFrame(page, play(site.programIds[(i + 1) % site.programIds.length]!)));
      await backHome(page);
      remote.push(await timeToFirstFrame(page, play(site.extraProgramIds[i]!)));
      await backHome(page);
    }
    const join: number[] = [];
    const zap: number[] = [];
    const open = (id: number) => () =>
      page.evaluate((cid) => (window as unknown as { kioskActions: { openChannel(id: number): void } }).kioskActions.openChannel(cid), id);
    for (let i = 0; i < RUNS; i++) {
      join.push(await timeToFirstFrame(page, open(site.channelIds[0]!)));
      await page.waitForTimeout(1000);
      zap.push(await timeToFirstFrame(page, () => page.keyboard.press('PageUp')));
      await backHome(page);
    }
    process.stdout.write('\nkiosk (headless Chromium, hls.js, agent on 127.0.0.1)\n');
    const localMed = median(local);
    line('first frame, lecture held at the site', local);
    line('first frame, lecture streamed via the server', remote, localMed);
    const joinMed = median(join);
    line('first frame, joining a channel (live point)', join);
    line('channel switch (PageUp) to first frame', zap, joinMed);
  } finally {
    await kiosk.close();
  }
}

/** A day of the site's life on a fast clock: manifest syncs, the kiosk's polling, playlists and segments. */
async function agentDay(): Promise<void> {
  let now = Date.now();
  const site = await startSite({
    programSeconds: PROGRAM_SECONDS,
    programs: 2,
    channels: 2,
    minutes: 10,
    autoSync: false,
    agentClock: () => now,
  });
  try {
    const base = site.agent.url;
    const get = async (path: string) => {
      const res = await fetch(base + path);
      const body = Buffer.from(await res.arrayBuffer());
      return { status: res.status, text: () => body.toString('utf8') };
    };
    const gc = (globalThis as { gc?: () => void }).gc;
    const sample = () => {
      gc?.();
      return process.memoryUsage();
    };
    // Warm up (first requests compile routes and fill caches), then take the reference.
    for (let i = 0; i < 20; i++) await get('/local/channels');
    const before = sample();
    let requests = 0;
    for (let minute = 0; minute < DAY_MINUTES; minute++) {
      now += 60_000;
      if (minute % 5 === 0) await site.agent.syncNow().catch(() => undefined);
      for (const p of ['/local/status', '/local/channels']) {
        await get(p);
        requests++;
      }
      if (minute % 10 === 0) {
        await get('/local/catalog');
        requests++;
      }
      for (const id of site.channelIds) {
        const media = await get(`/live/channels/${id}/240p.m3u8`);
        requests++;
        const seg =
          media.status === 200
            ? media
                .text()
                .split('\n')
                .filter((l) => l && !l.startsWith('#'))
                .pop()
            : undefined;
        if (seg) {
          await get(seg);
          requests++;
        }
      }
    }
    const after = sample();
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    process.stdout.write(
      `\nagent over ${DAY_MINUTES} simulated minutes (${requests} local requests, server + agent in this process${gc ? '' : '; run with --expose-gc for steadier figures'})\n`,
    );
    process.stdout.write(
      `${'heap used'.padEnd(44)} ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}  x${(after.heapUsed / before.heapUsed).toFixed(2)} of the start\n`,
    );
    process.stdout.write(
      `${'external + array buffers'.padEnd(44)} ${mb(before.external + before.arrayBuffers)} -> ${mb(after.external + after.arrayBuffers)}  x${((after.external + after.arrayBuffers) / (before.external + before.arrayBuffers)).toFixed(2)} of the start\n`,
    );
    // RSS also counts the server (same process), SQLite's page caches and memory the allocator keeps: compare
    // it with the heap lines above before calling growth a leak.
    process.stdout.write(
      `${'resident set size'.padEnd(44)} ${mb(before.rss)} -> ${mb(after.rss)}  x${(after.rss / before.rss).toFixed(2)} of the start\n`,
    );
  } finally {
    await site.close();
  }
}

async function main(): Promise<void> {
  const site = await startSite({
    programSeconds: PROGRAM_SECONDS,
    programs: 2,
    extraPrograms: Math.max(1, RUNS),
    channels: 2,
    minutes: 10,
  });
  try {
    await kioskFigures(site);
  } finally {
    await site.close();
  }
  await agentDay();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
