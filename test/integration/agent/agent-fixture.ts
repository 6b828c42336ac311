// Shared set-up of the agent tests: a real server on a loopback socket with a region chain and a registered
// site, and a real agent (in-process) paired to it. Not a test file itself (tap runs *.test.ts only).
import fs from 'node:fs';
import { pino } from 'pino';
import { makeServer, tempDir, type TestServer } from '../../../testkit/helpers.ts';
import { startAgent, type AgentOptions, type RunningAgent } from '../../../player/agent/agent.ts';

export interface SiteSetup {
  s: TestServer;
  serverUrl: string;
  villageId: number;
  siteId: number;
  pairingCode: string;
}

const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;

export async function serverWithSite(site: { downloadWindow?: string; bandwidthKbps?: number; maxRung?: string } = {}): Promise<SiteSetup> {
  const s = await makeServer();
  // Closing the server also removes its data dir (real SQLite file and media store).
  const closeServer = s.close;
  let closed = false;
  s.close = async () => {
    if (closed) return;
    closed = true;
    await closeServer();
    rmDir(s.config.dataDir);
  };
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (s.app.server.address() as { port: number }).port;
  let parentId: number | null = null;
  for (const level of LEVELS) {
    const payload: Record<string, unknown> = { name: `Test ${level}`, level, parentId };
    const created = await s.app.inject({ method: 'POST', url: '/api/regions', headers: s.auth, payload });
    if (created.statusCode !== 201 && created.statusCode !== 200) throw new Error(`region ${level}: ${created.statusCode} ${created.body}`);
    parentId = (created.json() as { id: number }).id;
  }
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: { name: 'Test village hall', regionId: parentId, ...site },
  });
  if (res.statusCode !== 201) throw new Error(`site: ${res.statusCode} ${res.body}`);
  return { s, serverUrl: `http://127.0.0.1:${port}`, villageId: parentId!, siteId: res.json().id, pairingCode: res.json().pairingCode };
}

/** Another site in the same village, with its own pairing code. */
export async function newSite(
  s: TestServer,
  villageId: number,
  settings: Record<string, unknown> = {},
): Promise<{ siteId: number; pairingCode: string }> {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: { name: `Hall ${Math.random().toString(36).slice(2, 7)}`, regionId: villageId, ...settings },
  });
  if (res.statusCode !== 201) throw new Error(`site: ${res.statusCode} ${res.body}`);
  return { siteId: res.json().id, pairingCode: res.json().pairingCode };
}

/** A ready program (real transcode, 240p), published to the on-demand catalog. */
export async function publishedProgram(s: TestServer, seconds: number, title: string): Promise<number> {
  // Loaded on use, so the tests that need no media do not load the transcoding stack.
  const { readyProgram } = await import('../../../testkit/programs.ts');
  const id = await readyProgram(s.app, { seconds, title });
  const res = await s.app.inject({ method: 'PATCH', url: `/api/programs/${id}`, headers: s.auth, payload: { published: true } });
  if (res.statusCode !== 200) throw new Error(`publish ${id}: ${res.statusCode} ${res.body}`);
  return id;
}

/** An agent on a fresh data dir (or the given one), on a free loopback port, quiet logs, manual sync. */
export async function agentFor(serverUrl: string, opts: Partial<AgentOptions> = {}): Promise<RunningAgent & { dataDir: string }> {
  const dataDir = opts.dataDir ?? tempDir('dyb-agent-');
  try {
    const agent = await startAgent({
      serverUrl,
      dataDir,
      port: 0,
      autoSync: false,
      logger: pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' }),
      ...opts,
    });
    return Object.assign(agent, { dataDir });
  } catch (err) {
    if (!opts.dataDir) rmDir(dataDir); // a refused start leaves nothing behind
    throw err;
  }
}

export function rmDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * A pass-through HTTP proxy between the agent and the server, as a flaky uplink would be: it records each
 * request's path and Range header, and can cut a response after some bytes (the link dropping mid-file).
 */
export interface FlakyLink {
  url: string;
  seen: Array<{ path: string; range: string | undefined; prefer?: string; ifNoneMatch?: string }>;
  /**
   * Cut the next response whose path matches after `bytes` bytes; with `until`, only once it holds (e.g. the bytes
   * are on the agent's disk: bytes a client has not read yet when its connection fails are lost, on a loaded machine).
   */
  cutNext(match: RegExp, bytes: number, until?: () => boolean): void;
  /** Answer the next request whose path matches with `status` and `headers` (an overloaded server: 503 + Retry-After). */
  failNext(match: RegExp, status: number, headers?: Record<string, string>): void;
  close(): Promise<void>;
}

/** `ignoreLongPolls`: the link drops `Prefer: wait=...`, as a server or proxy that does not hold polls would. */
export async function flakyLink(target: string, opts: { ignoreLongPolls?: boolean } = {}): Promise<FlakyLink> {
  const http = await import('node:http');
  const seen: FlakyLink['seen'] = [];
  let cut: { match: RegExp; bytes: number; until?: () => boolean } | null = null;
  let fail: { match: RegExp; status: number; headers: Record<string, string> } | null = null;
  const server = http.createServer((req, res) => {
    seen.push({
      path: req.url ?? '',
      range: req.headers.range,
      prefer: req.headers.prefer as string | undefined,
      ifNoneMatch: req.headers['if-none-match'],
    });
    if (fail && fail.match.test(req.url ?? '')) {
      const { status, headers } = fail;
      fail = null;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify({ error: { code: 'unavailable', message: 'The server is busy; try again later' } }));
      return;
    }
    const upstream = new URL(req.url ?? '/', target);
    const headers: import('node:http').OutgoingHttpHeaders = { ...req.headers, host: upstream.host };
    if (opts.ignoreLongPolls) delete headers.prefer;
    const out = http.request(upstream, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      const rule = cut && cut.match.test(req.url ?? '') ? cut : null;
      if (!rule) {
        up.pipe(res);
        return;
      }
      cut = null;
      let sent = 0;
      up.on('data', (chunk: Buffer) => {
        if (sent >= rule.bytes) return;
        const part = chunk.subarray(0, rule.bytes - sent);
        sent += part.length;
        res.write(part);
        if (sent >= rule.bytes) {
          up.destroy();
          // The link closes mid-body as a failing one does.
          const started = Date.now();
          const close = () => {
            if (rule.until && !rule.until() && Date.now() - started < 30_000) setTimeout(close, 50);
            else res.socket?.destroy();
          };
          close();
        }
      });
    });
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    cutNext: (match, bytes, until) => {
      cut = { match, bytes, ...(until ? { until } : {}) };
    },
    failNext: (match, status, headers = {}) => {
      fail = { match, status, headers };
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
