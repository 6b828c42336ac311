// A whole terminal site for the kiosk's end-to-end test and benchmark: a real server on a socket with short
// programs on a channel, a site paired to it, a real agent serving the kiosk, and headless Chromium.
import fs from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { makeServer, tempDir, type TestServer } from './helpers.ts';
import { slatesSettled } from '../server/broadcast/slate.ts';
import { readyProgram } from './programs.ts';
import { startAgent, type RunningAgent } from '../player/agent/agent.ts';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

async function api<T>(s: TestServer, method: 'POST' | 'PATCH' | 'GET', url: string, payload?: unknown): Promise<T> {
  const res = await s.app.inject({ method, url, headers: s.auth, ...(payload === undefined ? {} : { payload: payload as object }) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

export interface SiteOptions {
  /** Length of each generated program, seconds (a channel alternates them back to back). */
  programSeconds: number;
  /** How many distinct programs to make (at least 2, so boundaries change program). */
  programs?: number;
  /** Channels to make (each plays the programs, offset by one). */
  channels?: number;
  /** Minutes of schedule from now. */
  minutes?: number;
  /** Programs made but not scheduled: on-demand only, so the site does not hold them. */
  extraPrograms?: number;
  /** Agent manifest poll period (short in tests so it notices the server going away). */
  syncIntervalMs?: number;
  /** The agent's clock (a fast clock simulates days). */
  agentClock?: () => number;
  /** The site's bandwidth cap, kbps (default 100 Mbps: downloads are near instant). */
  bandwidthKbps?: number;
  /** Start the agent's periodic sync (default true). */
  autoSync?: boolean;
}

export interface Site {
  server: TestServer;
  serverUrl: string;
  /** Scheduled programs (held by the site once synced). */
  programIds: number[];
  /** On-demand-only programs (not held). */
  extraProgramIds: number[];
  channelIds: number[];
  agent: RunningAgent;
  agentDir: string;
  /** Stops the provincial server (the uplink goes down); idempotent. */
  stopServer(): Promise<void>;
  close(): Promise<void>;
}

/** Server + programs + channel schedule + region chain + site + paired agent with its cache filled. */
export async function startSite(opts: SiteOptions): Promise<Site> {
  const server = await makeServer();
  let serverUp = true;
  const agentDir = tempDir('dyb-kiosk-agent-');
  let agent: RunningAgent | null = null;
  const stopServer = async () => {
    if (!serverUp) return;
    serverUp = false;
    await server.close();
  };
  const close = async () => {
    await agent?.close();
    await stopServer();
    fs.rmSync(agentDir, { recursive: true, force: true });
    fs.rmSync(server.config.dataDir, { recursive: true, force: true });
  };
  try {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    const serverUrl = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;

    const count = Math.max(2, opts.programs ?? 2);
    const programIds: number[] = [];
    for (let i = 0; i < count; i++) programIds.push(await readyProgram(server.app, { seconds: opts.programSeconds }));
    const extraProgramIds: number[] = [];
    for (let i = 0; i < (opts.extraPrograms ?? 0); i++) {
      extraProgramIds.push(await readyProgram(server.app, { seconds: opts.programSeconds }));
    }

    // Back-to-back items from a few seconds ahead (the past of a schedule is not ours to write), one import per
    // channel: item by item, a loaded machine could let the first start pass before it was posted.
    const items = Math.ceil(((opts.minutes ?? 4) * 60) / opts.programSeconds);
    const channelIds: number[] = [];
    for (let c = 0; c < (opts.channels ?? 2); c++) {
      channelIds.push((await api<{ id: number }>(server, 'POST', '/api/channels', { name: `测试频道${c + 1}`, number: c + 1 })).id);
    }
    const first = Math.ceil((Date.now() + 3000) / 1000) * 1000;
    for (const [c, id] of channelIds.entries()) {
      await api(server, 'POST', `/api/channels/${id}/schedule/import`, {
        items: Array.from({ length: items }, (_, k) => ({
          programId: programIds[(k + c) % count],
          start: new Date(first + k * opts.programSeconds * 1000).toISOString(),
        })),
      });
    }

    let parentId: number | undefined;
    for (const [name, level] of [
      ['测试省', 'province'],
      ['测试市', 'prefecture'],
      ['测试县', 'county'],
      ['测试镇', 'township'],
      ['测试村', 'village'],
    ] as const) {
      parentId = (await api<{ id: number }>(server, 'POST', '/api/regions', { name, level, ...(parentId ? { parentId } : {}) })).id;
    }
    const site = await api<{ id: number; pairingCode: string }>(server, 'POST', '/api/sites', {
      name: '测试村党员活动室',
      regionId: parentId,
      downloadWindow: '00:00-00:00',
      bandwidthKbps: opts.bandwidthKbps ?? 100_000,
      maxRung: '240p',
    });
    // A channel whose slate is not generated yet is left out of manifests: wait for the slates.
    await slatesSettled(server.app.db);
    agent = await startAgent({
      serverUrl,
      dataDir: agentDir,
      port: 0,
      pairCode: site.pairingCode,
      syncIntervalMs: opts.syncIntervalMs ?? 2000,
      autoSync: opts.autoSync ?? true,
      ...(opts.agentClock ? { clock: opts.agentClock } : {}),
      logLevel: 'warn',
    });
    await agent.syncNow();
    return { server, serverUrl, programIds, extraProgramIds, channelIds, agent, agentDir, stopServer, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface Kiosk {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

/** Headless Chromium at the kiosk URL, on a fresh profile (so localStorage starts empty). */
export async function openKiosk(url: string, viewport = { width: 1280, height: 720 }): Promise<Kiosk> {
  const profile = tempDir('dyb-kiosk-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  return {
    context,
    page,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The data-key of the focused element (the D-pad focus). */
export function focusedKey(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.key);
}

/** The screen on top of the kiosk's stack. */
export function topScreen(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const shown = [...document.querySelectorAll('[data-screen]')].filter((e) => !e.hasAttribute('hidden'));
    return shown.length ? shown[shown.length - 1]!.getAttribute('data-screen') : null;
  });
}

/** The playing video's currentTime (the top screen's video). */
export function videoTime(page: Page): Promise<number> {
  return page.evaluate(() => {
    const videos = [...document.querySelectorAll<HTMLVideoElement>('[data-screen] video')].filter((v) => !v.closest('[hidden]'));
    return videos.length ? videos[videos.length - 1]!.currentTime : -1;
  });
}

/** Waits until the top video has advanced `seconds` past `from` (or its start), failing after `timeoutMs`. */
export async function waitPlaying(page: Page, seconds: number, timeoutMs: number, from?: number): Promise<number> {
  const start = from ?? (await videoTime(page));
  await page.waitForFunction(
    ([t0, s]) => {
      const videos = [...document.querySelectorAll<HTMLVideoElement>('[data-screen] video')].filter((v) => !v.closest('[hidden]'));
      const v = videos[videos.length - 1];
      return !!v && !v.paused && v.currentTime >= Math.max(0, t0) + s;
    },
    [start, seconds] as const,
    { timeout: timeoutMs, polling: 200 },
  );
  return videoTime(page);
}

/**
 * A card reader that types like a keyboard: its digits and Enter arrive a few milliseconds apart. Sent as one
 * burst inside the page, so a loaded test machine (CDP round trips per key) cannot stretch the gaps.
 */
export async function swipeCard(page: Page, digits: string): Promise<void> {
  await page.evaluate(
    (keys) => {
      for (const key of [...keys, 'Enter']) {
        const target = document.activeElement ?? document.body;
        target.dispatchEvent(
          new KeyboardEvent('keydown', { key, code: key === 'Enter' ? 'Enter' : `Digit${key}`, bubbles: true, cancelable: true }),
        );
      }
    },
    [...digits],
  );
}
