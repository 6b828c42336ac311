// startAgent: the whole site agent in one call (used by main.ts, the tests, the demo and the benchmark).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { builtAssetsDir } from '../../common/built-assets.ts';
import { createAttendance, type Attendance } from './attendance/index.ts';
import { MediaCache } from './cache.ts';
import { createQuestionnaires, type Questionnaires } from './questionnaires/index.ts';
import { buildLocalServer } from './http.ts';
import { liveNowAndNext } from './live.ts';
import { cacheReadiness } from './local-api.ts';
import { AgentStore, openAgentDb } from './store.ts';
import { SiteSync } from './sync.ts';
import { Uplink } from './uplink.ts';

export interface AgentOptions {
  /** The provincial server, e.g. http://broadcast.example.org:8080 */
  serverUrl: string;
  /** Where the agent keeps its SQLite and media cache. */
  dataDir: string;
  /** Local port (default 8090; 0 picks a free one). */
  port?: number;
  /** Local address (default 127.0.0.1: only the TV's browser on this PC talks to the agent). */
  host?: string;
  /** The one-time pairing code; only needed on the first start. */
  pairCode?: string;
  /** Asked when the agent is not paired and no pairCode was given (main.ts: a prompt on a terminal). */
  askPairCode?: () => Promise<string | undefined>;
  /** Host names the kiosk may use besides 127.0.0.1, localhost and [::1] (the local server refuses others). */
  allowedHosts?: string[];
  /** Epoch ms now. Inject for simulations; everything time-based (playlists, windows, eviction) reads it. */
  clock?: () => number;
  /** Disk quota for the media cache (default 20 GiB). */
  quotaBytes?: number;
  /** Manifest poll period (default 60 s, jittered ±20 %). */
  syncIntervalMs?: number;
  /** Overrides the bandwidth cap the server sets for the site (kbps). */
  bandwidthKbps?: number;
  /** Start the periodic sync (default true). Tests that drive syncNow() themselves may switch it off. */
  autoSync?: boolean;
  /** Kiosk language by default ('zh-CN' or 'en'). */
  lang?: string;
  logger?: Logger;
  logLevel?: string;
}

export interface RunningAgent {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  app: FastifyInstance;
  sync: SiteSync;
  store: AgentStore;
  cache: MediaCache;
  /** Viewing sessions, headcount, member sign-in: queued here, uploaded exactly once (player/agent/attendance). */
  attendance: Attendance;
  /** Surveys and quizzes from the manifest, answers queued here and uploaded exactly once (player/agent/questionnaires). */
  questionnaires: Questionnaires;
  /** Fetch the manifest now and wait for the downloads it triggers. */
  syncNow(): Promise<void>;
  /** Wait until no download is running. */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_QUOTA_BYTES = 20 * 1024 ** 3;

function packageVersion(): string {
  try {
    const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const clock = opts.clock ?? Date.now;
  const log = opts.logger ?? pino({ name: 'agent', level: opts.logLevel ?? 'info' });
  const dataDir = path.resolve(opts.dataDir);
  // The data dir holds the site token (agent.sqlite): readable by the agent's user only.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dataDir, 0o700);

  const db = openAgentDb(path.join(dataDir, 'agent.sqlite'));
  const store = new AgentStore(db);
  const cache = new MediaCache(path.join(dataDir, 'media'), store, log, clock);
  const saved = store.pairing();
  const uplink = new Uplink(opts.serverUrl, saved?.token ?? null);
  const sync = new SiteSync({
    store,
    cache,
    uplink,
    log,
    clock,
    quotaBytes: opts.quotaBytes ?? DEFAULT_QUOTA_BYTES,
    syncIntervalMs: opts.syncIntervalMs ?? 60_000,
    bandwidthKbps: opts.bandwidthKbps,
  });

  const version = packageVersion();
  const attendance = createAttendance({
    dataDir,
    serverUrl: opts.serverUrl,
    getToken: () => store.pairing()?.token ?? null,
    clock,
    log,
    agentVersion: version,
    programDuration: (id) => sync.catalog?.programs.find((p) => p.id === id)?.duration ?? null,
    heartbeatSource: () => ({
      cacheReadiness: cacheReadiness(sync.manifest, store.heldMap()),
      lastError: sync.lastError,
      mediaSources: sync.media.snapshot(),
    }),
  });

  const questionnaires = createQuestionnaires({
    dataDir,
    serverUrl: opts.serverUrl,
    getToken: () => store.pairing()?.token ?? null,
    clock,
    log,
    entries: () => sync.manifest?.questionnaires ?? [],
  });

  let app: FastifyInstance | null = null;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app?.close(); // stop taking requests first, then the workers, then the databases
    await sync.close();
    await attendance.stop();
    await questionnaires.stop();
    db.close();
  };

  try {
    // The kiosk page is built once by `npm run build` (dist/kiosk, or kiosk/ in the site package), never at start.
    const kioskDir = builtAssetsDir('kiosk');
    if (!fs.existsSync(path.join(kioskDir, 'index.html')))
      throw new Error(`the kiosk page is not built (${kioskDir}/index.html is missing): run npm run build`);

    app = await buildLocalServer({
      log,
      store,
      sync,
      cache,
      uplink,
      clock,
      kioskDir,
      serverUrl: opts.serverUrl,
      version,
      plugins: [attendance.plugin, questionnaires.plugin],
      lang: opts.lang ?? 'zh-CN',
      nowAndNext: liveNowAndNext,
      extraHosts: [...(opts.host && opts.host !== '127.0.0.1' ? [opts.host] : []), ...(opts.allowedHosts ?? [])],
    });
    await app.listen({ port: opts.port ?? 8090, host: opts.host ?? '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`;
    log.info({ url, dataDir, serverUrl: opts.serverUrl }, 'agent: serving the kiosk and playlists');

    // Full check of what is on disk before anything is played or fetched from it.
    const checked = await cache.verifyAll(sync.manifest, sync.catalog);
    log.info({ held: checked.held, removed: checked.removed }, 'cache: start-up verification done');

    await sync.ensurePaired(opts.pairCode, opts.askPairCode);
    sync.lost(checked.lost);
    if (opts.autoSync !== false) {
      sync.start();
      attendance.start();
      questionnaires.start();
    }

    return {
      url,
      port,
      app,
      sync,
      store,
      cache,
      attendance,
      questionnaires,
      syncNow: () => sync.syncNow(),
      whenIdle: () => sync.whenIdle(),
      close,
    };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
