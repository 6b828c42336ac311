// Shared by the benchmarks of what sites upload (attendance sessions, questionnaire answers): a province with
// counties, paired sites with known tokens and ready programs; generated attendance sessions; and uploading
// pre-serialised batches over keep-alive HTTP on a real socket with a few connections at once, counting only
// what the server acknowledged (after its commit) and the CPU the process spent meanwhile.
import http from 'node:http';
import os from 'node:os';
import type { Db } from '../../server/db/connection.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import type { AttendanceSession } from '../../common/attendance.ts';

export const SITES = 50;
export const COUNTIES = 5;
export const PROGRAMS = 20;

export function benchArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Region 1 (province) with COUNTIES counties (ids 2..), SITES sites spread over them, PROGRAMS programs. */
export function seedSites(db: Db): { tokens: string[]; countyOfSite: (siteId: number) => number } {
  const now = new Date().toISOString();
  const region = db.prepare('INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  region.run(1, null, '省', 'province', '/1/', now, now);
  for (let c = 0; c < COUNTIES; c++) region.run(2 + c, 1, `县${c}`, 'county', `/1/${2 + c}/`, now, now);
  const countyOfSite = (siteId: number) => 2 + (siteId % COUNTIES);
  const site = db.prepare(
    'INSERT INTO sites (id, name, region_id, token_hash, paired_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const tokens: string[] = [];
  for (let i = 1; i <= SITES; i++) {
    tokens.push(`bench-token-${i}`);
    site.run(i, `站点${i}`, countyOfSite(i), hashToken(`bench-token-${i}`), now, now, now);
  }
  const program = db.prepare(
    "INSERT INTO programs (id, title, status, duration, created_at, updated_at) VALUES (?, ?, 'ready', 3600, ?, ?)",
  );
  for (let i = 1; i <= PROGRAMS; i++) program.run(i, `节目${i}`, now, now);
  return { tokens, countyOfSite };
}

/** `count` half-hour sessions of one site in the 3 days before `now`; one in three lists `members` members. */
export function sessions(prefix: string, count: number, now: number, members: number): AttendanceSession[] {
  return Array.from({ length: count }, (_, i) => {
    const start = now - 3 * 86_400_000 + ((i * 7919) % (2 * 86_400_000));
    return {
      id: `${prefix}-${i}`,
      programId: 1 + (i % PROGRAMS),
      mode: i % 2 ? 'ondemand' : 'broadcast',
      channelId: null,
      start,
      end: start + 1800_000,
      watchedSeconds: 1500,
      headcount: 1 + (i % 7),
      members:
        i % 3 === 0 ? Array.from({ length: members }, (_, k) => ({ memberNo: `M${(i + k) % 500}`, watchedSeconds: 1400 - 500 * k })) : [],
    };
  });
}

export interface UploadBody {
  token: string;
  body: string;
}

/** `items` cut into batches of `size`, each serialised with `wrap` (so the client's JSON work is not timed). */
export function bodies<T>(token: string, items: T[], size: number, wrap: (part: T[]) => object): UploadBody[] {
  const out: UploadBody[] = [];
  for (let i = 0; i < items.length; i += size) out.push({ token, body: JSON.stringify(wrap(items.slice(i, i + size))) });
  return out;
}

export interface UploadRun {
  /** Items acknowledged per second of wall time. */
  rate: number;
  acked: number;
  /** CPU the whole process (server and client) spent per 1,000 items acknowledged, ms: steadier than rate on a busy machine. */
  cpuMsPer1000: number;
}

/** Uploads with `concurrency` keep-alive connections; any refused item fails the run (the bench data are valid). */
export function uploader(port: number, concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const post = (url: string, b: UploadBody) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: url,
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(b.body), authorization: `Bearer ${b.token}` },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} ${text}`));
            const r = JSON.parse(text) as { accepted: string[]; rejected: unknown[] };
            if (r.rejected.length) return reject(new Error(`refused: ${JSON.stringify(r.rejected[0])}`));
            resolve(r.accepted.length);
          });
        },
      );
      req.on('error', reject);
      req.end(b.body);
    });
  return {
    async upload(url: string, all: UploadBody[]): Promise<UploadRun> {
      let next = 0,
        acked = 0;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < all.length) {
            const n = await post(url, all[next++]); // not `acked += await`: that reads acked before waiting
            acked += n;
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      return { rate: acked / seconds, acked, cpuMsPer1000: (cpu.user + cpu.system) / acked };
    },
    close: () => agent.destroy(),
  };
}

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The machine's 1-minute load average and cores, to read the figures by. */
export const loadNote = () => `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
