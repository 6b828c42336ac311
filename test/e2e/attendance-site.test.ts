// Attendance on a whole real site: server, paired agent, the kiosk in headless Chromium driven by the keyboard.
// A channel is watched across a program boundary; the room answers the headcount prompt with a digit and a member
// swipes a card; Back leaves the channel. The agent's queue goes up to the server: one session per program, with
// the headcount and the member, and watched time that matches the picture's progress.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { makeServer, tempDir, type TestServer } from '../../testkit/helpers.ts';
import { readyProgram } from '../../testkit/programs.ts';
import { startAgent, type RunningAgent } from '../../player/agent/agent.ts';
import { swipeCard } from '../../testkit/kiosk-site.ts';
import { slatesSettled } from '../../server/broadcast/slate.ts';

const PROGRAM_SECONDS = 8;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

interface Site {
  server: TestServer;
  agent: RunningAgent;
  programIds: number[];
  channelIds: number[];
  /** When the first item starts (epoch ms). */
  first: number;
}

async function api<T>(s: TestServer, method: 'POST' | 'GET', url: string, payload?: object): Promise<T> {
  const res = await s.app.inject({ method, url, headers: s.auth, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

/** Server with two short programs alternating on one channel, a region chain, a site, and its paired agent. */
async function startSite(t: Test): Promise<Site> {
  const server = await makeServer();
  const agentDir = tempDir('dyb-att-agent-');
  let agent: RunningAgent | null = null;
  t.teardown(async () => {
    await agent?.close();
    await server.close();
    fs.rmSync(agentDir, { recursive: true, force: true });
    fs.rmSync(server.config.dataDir, { recursive: true, force: true });
  });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  const serverUrl = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
  const programIds = [
    await readyProgram(server.app, { seconds: PROGRAM_SECONDS }),
    await readyProgram(server.app, { seconds: PROGRAM_SECONDS }),
  ];
  const channel = await api<{ id: number }>(server, 'POST', '/api/channels', { name: '考勤测试频道', number: 1 });
  // The channel's card fills its gaps; until it is made the channel has nothing to play before its first item and
  // sites are not told of it (on a loaded machine that can outlast the page's wait).
  await slatesSettled(server.app.db);
  // Back to back, in one import (item by item, a loaded machine could let the first start pass before it was posted).
  const first = Math.ceil((Date.now() + 3000) / 1000) * 1000;
  const items = Array.from({ length: 15 }, (_, k) => ({
    programId: programIds[k % 2]!,
    start: new Date(first + k * PROGRAM_SECONDS * 1000).toISOString(),
  }));
  await api(server, 'POST', `/api/channels/${channel.id}/schedule/import`, { items });
  let parentId: number | undefined;
  for (const level of ['province', 'prefecture', 'county', 'township', 'village'] as const) {
    parentId = (
      await api<{ id: number }>(server, 'POST', '/api/regions', { name: `测试${level}`, level, ...(parentId ? { parentId } : {}) })
    ).id;
  }
  const site = await api<{ pairingCode: string }>(server, 'POST', '/api/sites', {
    name: '考勤测试站',
    regionId: parentId,
    downloadWindow: '00:00-00:00',
    bandwidthKbps: 100_000,
    maxRung: '240p',
  });
  agent = await startAgent({ serverUrl, dataDir: agentDir, port: 0, pairCode: site.pairingCode, syncIntervalMs: 2000, logLevel: 'warn' });
  await agent.syncNow();
  return { server, agent, programIds, channelIds: [channel.id], first };
}

t.test('a channel watched on the kiosk becomes sessions on the server', async (t) => {
  const site = await startSite(t);
  const profile = tempDir('dyb-att-chromium-');
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
  });
  t.teardown(async () => {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  // An observer of our own, independent of the kiosk's tracker: wall time between the media element's 'playing'
  // and the next 'waiting' / 'pause' / 'emptied' / 'ended', i.e. the time the picture was moving on screen. Media
  // events do not bubble, so it listens in the capture phase on the document.
  await page.addInitScript(() => {
    const m = { since: null as number | null, total: 0 };
    (window as unknown as { __moving: () => number }).__moving = () => (m.total + (m.since === null ? 0 : Date.now() - m.since)) / 1000;
    document.addEventListener(
      'playing',
      () => {
        m.since ??= Date.now();
      },
      true,
    );
    for (const ev of ['waiting', 'pause', 'emptied', 'ended']) {
      document.addEventListener(
        ev,
        () => {
          if (m.since !== null) m.total += Date.now() - m.since;
          m.since = null;
        },
        true,
      );
    }
  });
  await page.goto(site.agent.url);

  await page.waitForSelector('[data-testid=channel-row]');
  // Tune in once the live picture (which runs a few segments behind the clock) is on the programs, not the card
  // before them: the card's seconds are watched, but of no program, so no session holds them.
  await page.waitForTimeout(Math.max(0, site.first + 20_000 - Date.now()));
  // Channel number 1 on the remote's digits: the attendance key handler holds the digit a moment (it could be a
  // card reader) and hands it on to the kiosk, which tunes the channel.
  await page.keyboard.press('1');
  await page.waitForSelector('[data-screen=broadcast][data-playing=true]', { timeout: 60_000 });
  const time = () => page.evaluate(() => document.querySelector<HTMLVideoElement>('[data-screen=broadcast] video')!.currentTime);
  // The corner asks once the program has played a few seconds; a digit answers.
  await page.waitForSelector('[data-testid=attendance-panel]:not(.att-hidden)', { timeout: 30_000 });
  await page.keyboard.press('4');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /已记录：4 人/.test(document.querySelector('[data-testid=attendance-toast]')?.textContent ?? ''), null, {
    timeout: 30_000,
  });
  // A member's card.
  await swipeCard(page, '20261234');
  await page.waitForFunction(() => /20261234/.test(document.querySelector('[data-testid=attendance-toast]')?.textContent ?? ''), null, {
    timeout: 30_000,
  });

  // Watch across at least one boundary between the two programs.
  await page.waitForTimeout(PROGRAM_SECONDS * 1000 * 2);
  const t1Wall = Date.now();
  const moving = await page.evaluate(() => (window as unknown as { __moving: () => number }).__moving());
  // Back (twice if the panel is still open: the first Back closes it).
  await page.keyboard.press('Escape');
  if (await page.locator('[data-screen=broadcast]').count()) await page.keyboard.press('Escape');
  await page.waitForSelector('[data-testid=channel-row]');

  const q = site.agent.attendance.queue;
  const since = Date.now();
  while (q.counts().open > 0 && Date.now() - since < 10_000) await page.waitForTimeout(100);
  t.equal(q.counts().open, 0, 'leaving the channel closed the session');
  const result = await site.agent.attendance.flushNow();
  t.notOk(result.error, 'uploaded');
  t.equal(result.rejected, 0, 'nothing refused by the server');

  const rows = site.server.app.db
    .prepare(
      'SELECT session_id AS id, program_id AS programId, channel_id AS channelId, mode, watched_seconds AS watched, headcount, site_start_at AS start FROM attendance_sessions ORDER BY start_at',
    )
    .all() as Array<{ id: string; programId: number; channelId: number; mode: string; watched: number; headcount: number; start: number }>;
  t.ok(rows.length >= 2, `one session per program seen (${rows.length})`);
  t.ok(
    rows.every((r) => r.mode === 'broadcast' && r.channelId === site.channelIds[0] && site.programIds.includes(r.programId)),
    'broadcast sessions on the channel, for its programs',
  );
  t.ok(
    rows.slice(1).every((r) => r.headcount === 4),
    'the headcount carries over to the next program',
  );
  const members = site.server.app.db.prepare('SELECT DISTINCT member_no AS no FROM attendance_session_members').all() as Array<{
    no: string;
  }>;
  t.same(
    members.map((m) => m.no),
    ['20261234'],
    'the member who swiped',
  );
  const watched = rows.reduce((s, r) => s + r.watched, 0);
  // The sessions hold the time the picture was moving (stalls on a loaded machine are not watched time), measured
  // here by the observer above, within the 2 s a report's granularity allows; and never more than the wall-clock
  // span from the first session's opening to Back. The exact count, stalls and pauses included, is also checked
  // with a controlled clock in test/unit/kiosk/attendance-tracker.test.ts.
  const played = (t1Wall - rows[0]!.start) / 1000;
  t.ok(Math.abs(watched - moving) <= 2, `watched ${watched.toFixed(1)} s vs picture moving ${moving.toFixed(1)} s`);
  t.ok(watched <= played + 2, `watched ${watched.toFixed(1)} s, never more than the wall-clock span ${played.toFixed(1)} s`);
  t.notOk(await time().catch(() => null), 'the broadcast video is gone after Back');
});
