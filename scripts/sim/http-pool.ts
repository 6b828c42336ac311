// The simulation's HTTP client: one keep-alive socket pool per host (node:http Agent), never a socket per site,
// with per-route latency and byte counts. Answers are read whole; gzip is asked for and inflated here.
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as sent on the wire (compressed if it was). */
  wireBytes: number;
  body: Buffer;
}

/** Latencies (ms) and counts per route label; each latency keeps when its request was sent, so a window (the steady
 * part of a run) can be read apart from the whole. */
export class RouteStats {
  private lat = new Map<string, number[]>();
  private sentAt = new Map<string, number[]>();
  private status = new Map<string, Map<number, number>>();
  bytes = new Map<string, number>();

  record(route: string, ms: number, status: number, wireBytes: number, sentAt = performance.now() - ms): void {
    let l = this.lat.get(route);
    if (!l) this.lat.set(route, (l = []));
    l.push(ms);
    let at = this.sentAt.get(route);
    if (!at) this.sentAt.set(route, (at = []));
    at.push(sentAt);
    let s = this.status.get(route);
    if (!s) this.status.set(route, (s = new Map()));
    s.set(status, (s.get(status) ?? 0) + 1);
    this.bytes.set(route, (this.bytes.get(route) ?? 0) + wireBytes);
  }

  reset(): void {
    this.lat.clear();
    this.sentAt.clear();
    this.status.clear();
    this.bytes.clear();
  }

  /** Per route: count, p50, p99 (of requests sent at or after `since`, a performance.now() time; all by default). */
  rows(
    since = Number.NEGATIVE_INFINITY,
  ): Array<{ route: string; count: number; p50: number; p99: number; statuses: string; bytes: number }> {
    return [...this.lat].map(([route, all]) => {
      const at = this.sentAt.get(route) ?? [];
      const l = all.filter((_, i) => (at[i] ?? 0) >= since);
      const sorted = l.sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
      const statuses = [...(this.status.get(route) ?? [])].map(([k, v]) => `${k}:${v}`).join(' ');
      return { route, count: l.length, p50: q(0.5), p99: q(0.99), statuses, bytes: this.bytes.get(route) ?? 0 };
    });
  }

  total(): number {
    let n = 0;
    for (const l of this.lat.values()) n += l.length;
    return n;
  }
}

export class HttpPool {
  private agents = new Map<string, http.Agent>();

  constructor(
    private readonly stats: RouteStats,
    private readonly maxSockets = 128,
  ) {}

  private agent(origin: string): http.Agent {
    let a = this.agents.get(origin);
    if (!a)
      this.agents.set(origin, (a = new http.Agent({ keepAlive: true, maxSockets: this.maxSockets, maxFreeSockets: this.maxSockets })));
    return a;
  }

  /** One request; `route` labels it in the stats. Network errors reject. */
  request(route: string, url: string, opts: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
    const u = new URL(url);
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...opts.headers };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          method: opts.method ?? 'GET',
          headers,
          agent: this.agent(u.origin),
          timeout: 120_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const raw = Buffer.concat(chunks);
            const status = res.statusCode ?? 0;
            this.stats.record(route, performance.now() - started, status, raw.length, started);
            const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
            resolve({ status, headers: res.headers, wireBytes: raw.length, body });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout: ${route}`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
  }
}
