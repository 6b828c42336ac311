// Shared by the API fuzz test, the authorization matrix test and scripts/fuzz-api.ts: the app's route table, its
// OpenAPI operations, a server seeded through the API with realistic fixtures for every role, and a cheap fingerprint
// of everything a request could write (database rows and files under the data dir).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../server/app.ts';
import { loadConfig, type Config } from '../../../server/config.ts';
import { ensureAdmin } from '../../../server/auth/users.ts';
import { stopSlates } from '../../../server/broadcast/slate.ts';
import { ADMIN_PASSWORD, loginToken, tempDir, userAuth } from '../../helpers.ts';
import { readyProgram } from '../../fixtures/programs.ts';

// ---------------------------------------------------------------------------------------------------------------
// The route table

/** "METHOD /path" in Fastify's spelling (`/api/sites/:id`, `/media/programs/:id/*`). */
export type RouteKey = string;

/**
 * Every route the app serves, read from Fastify's own router (`printRoutes`), so routes hidden from the OpenAPI
 * document are listed too. HEAD routes Fastify derives from a GET are left out (they answer as the GET does).
 */
export function routeTable(app: FastifyInstance): Set<RouteKey> {
  const lines = app.printRoutes().split('\n').filter((l) => l.includes('── '));
  const stack: string[] = [];
  const byPath = new Map<string, Set<string>>();
  for (const line of lines) {
    const at = line.indexOf('── ');
    const depth = (at - 1) / 4; // '└── ' at 0, '    ├── ' at 4, ...
    const rest = line.slice(at + 3);
    const m = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(rest);
    if (!m) throw new Error(`routeTable: cannot read the router line "${line}"`);
    stack.length = depth;
    stack.push(m[1]);
    if (!m[2]) continue;
    const full = stack.join('');
    const methods = byPath.get(full) ?? new Set<string>();
    for (const method of m[2].split(', ')) methods.add(method);
    byPath.set(full, methods);
  }
  const keys = new Set<RouteKey>();
  for (const [p, methods] of byPath) {
    for (const method of methods) {
      if (method === 'HEAD' && methods.has('GET')) continue;
      keys.add(`${method} ${p}`);
    }
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------------------------
// The OpenAPI operations

/** The JSON schema subset the generators read (what TypeBox and the hand-written schemas use). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
}

export interface Param {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** Fastify spelling, as in the route table. */
  path: string;
  key: RouteKey;
  params: Param[];
  /** Content type -> schema of the body, when the route takes one. */
  body: Record<string, JsonSchema> | null;
}

/** OpenAPI `/api/sites/{id}` and `/media/programs/{id}/{*}` back to Fastify's `/api/sites/:id`, `/media/programs/:id/*`. */
export function fastifyPath(openApiPath: string): string {
  return openApiPath.replace(/\{\*\}/g, '*').replace(/\{([^}]+)\}/g, ':$1');
}

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}

/** Every operation in the OpenAPI document the app publishes (app.swagger()). */
export function openApiOperations(app: FastifyInstance): Operation[] {
  const doc = app.swagger() as { paths?: Record<string, Record<string, OpenApiOperation>> };
  const ops: Operation[] = [];
  for (const [p, byMethod] of Object.entries(doc.paths ?? {})) {
    for (const [m, op] of Object.entries(byMethod)) {
      const method = m.toUpperCase();
      const fp = fastifyPath(p);
      const params = (op.parameters ?? [])
        .filter((x) => x.in === 'path' || x.in === 'query' || x.in === 'header')
        .map((x) => ({ name: x.name, in: x.in as Param['in'], required: !!x.required, schema: x.schema ?? {} }));
      const content = op.requestBody?.content;
      const body = content ? Object.fromEntries(Object.entries(content).map(([ct, c]) => [ct, c.schema ?? {}])) : null;
      ops.push({ method, path: fp, key: `${method} ${fp}`, params, body });
    }
  }
  return ops;
}

// ---------------------------------------------------------------------------------------------------------------
// Roles and the seeded server

export const ROLES = ['anon', 'orgA', 'orgB', 'operator', 'siteA', 'siteB'] as const;
/**
 * anon: no token; orgA: organizer of county A (where site A and the sample data live); orgB: organizer of county B;
 * operator: the admin; siteA / siteB: the paired tokens of a site in county A / county B.
 */
export type RoleName = (typeof ROLES)[number];

/** Ids of the seeded objects, by name (the matrix rows and the fuzz generators refer to them). */
export interface Fixtures {
  province: number; countyA: number; townA: number; villageA: number; countyB: number; townB: number; villageB: number;
  siteA: number; siteB: number; siteUnpaired: number;
  /** Ready and published: the channel's slate, scheduled in an hour. */
  program: number;
  /** Ready, never published (a draft with media). */
  draft: number;
  /** A catalog row without media (transcode never run). */
  bare: number;
  series: number; channel: number; scheduleItem: number; slot: number | null;
  orgAUser: number; orgBUser: number; adminUser: number;
  memberA: string; memberB: string;
}

/** Text that only region A's data contains: an organizer of region B must never receive it. */
export const REGION_A_MARKERS = ['Alpha-site-甲村', 'Alpha-member-甲', 'Alpha-unpaired-甲', '甲镇'];
/** The unpublished program's title: only operators may ever receive it. */
export const DRAFT_MARKER = 'Fuzz draft';

/** Leaks in a successful answer: a draft title to a non-operator, region A's data to region B's organizer or site. */
export function leaks(role: RoleName, body: string): string[] {
  const found: string[] = [];
  if (role !== 'operator' && body.includes(DRAFT_MARKER)) found.push(`the draft title "${DRAFT_MARKER}" reached ${role}`);
  if (role === 'orgB' || role === 'siteB') {
    for (const m of REGION_A_MARKERS) if (body.includes(m)) found.push(`region A's "${m}" reached ${role}`);
  }
  return found;
}

export interface Seeded {
  app: FastifyInstance;
  config: Config;
  headers: Record<RoleName, Record<string, string>>;
  fx: Fixtures;
  close(): Promise<void>;
}

interface Reply { statusCode: number; body: string; json(): unknown }

async function must(res: Promise<Reply>, what: string): Promise<Record<string, unknown>> {
  const r = await res;
  if (r.statusCode >= 300) throw new Error(`seeding: ${what} answered ${r.statusCode} ${r.body}`);
  return (r.body ? r.json() : {}) as Record<string, unknown>;
}

/**
 * A server on a fresh data dir (real SQLite file, workers off, as test/helpers makeServer builds it) seeded through
 * the HTTP API: a region tree with two counties, two paired sites and an unpaired one, two organizers, a ready
 * published program (the channel's slate, scheduled), a ready draft, a bare catalog row, a series, a channel with a
 * schedule item and a recurring slot, members on both rolls, a viewing session, a heartbeat and a request.
 */
export async function seededServer(): Promise<Seeded> {
  const dataDir = tempDir('dyb-api-fuzz-');
  const config = loadConfig({}, { logLevel: 'warn', startWorkers: false, demo: false, dataDir });
  const app = await buildApp(config, { logger: false });
  await ensureAdmin(app.db, ADMIN_PASSWORD);
  await app.ready();
  const admin = { authorization: `Bearer ${await loginToken(app, 'admin', ADMIN_PASSWORD)}` };
  const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = admin, ct?: string) =>
    must(app.inject({
      method: method as 'GET', url, payload: payload as string,
      headers: ct ? { ...headers, 'content-type': ct } : headers,
    }), `${method} ${url}`);

  const imported = await call('POST', '/api/regions/import', 'path,level\n某省/某市/甲县/甲镇/甲村,\n某省/某市/乙县/乙镇/乙村,\n', admin, 'text/csv');
  const region = new Map((imported.regions as Array<{ id: number; name: string }>).map((r) => [r.name, r.id]));
  const id = (name: string) => {
    const v = region.get(name);
    if (v === undefined) throw new Error(`seeding: region ${name} was not imported`);
    return v;
  };

  const orgA = await userAuth(app, 'organizer-a', 'organizer', id('甲县'));
  const orgB = await userAuth(app, 'organizer-b', 'organizer', id('乙县'));
  const users = app.db.prepare<[], { id: number; username: string }>('SELECT id, username FROM users').all();
  const userId = (name: string) => users.find((u) => u.username === name)!.id;

  const siteA = await call('POST', '/api/sites', { name: 'Alpha-site-甲村', regionId: id('甲村'), contact: '王书记' });
  const siteB = await call('POST', '/api/sites', { name: 'Beta-site-乙村', regionId: id('乙村') });
  const unpaired = await call('POST', '/api/sites', { name: 'Alpha-unpaired-甲村二', regionId: id('甲村') });
  const pairedA = await call('POST', '/api/sites/pair', { code: siteA.pairingCode }, {});
  const pairedB = await call('POST', '/api/sites/pair', { code: siteB.pairingCode }, {});
  const siteAuthA = { authorization: `Bearer ${pairedA.token}` };
  const siteAuthB = { authorization: `Bearer ${pairedB.token}` };

  const program = await readyProgram(app, { seconds: 2, title: 'Fuzz lecture (published)' });
  const draft = await readyProgram(app, { seconds: 2, title: `${DRAFT_MARKER} (unpublished)` });
  const series = await call('POST', '/api/series', { title: 'Fuzz series' });
  await call('PATCH', `/api/programs/${program}`, { published: true, seriesId: series.id });
  await call('PATCH', `/api/programs/${draft}`, { published: false });
  const bareId = app.db.prepare<[string, string, string], { id: number }>(
    // A catalog row with no media at all: ingest needs a file, and no route makes such a row.
    `INSERT INTO programs (title, status, published, created_at, updated_at) VALUES (?, 'failed', 0, ?, ?) RETURNING id`,
  ).get('Fuzz bare row', new Date().toISOString(), new Date().toISOString())!.id;

  const channel = await call('POST', '/api/channels', {
    number: 1, name: 'Fuzz channel', regionIds: [id('某省')], slateProgramId: program,
  });
  // The channel plays the program as its slate: the generated station card (minutes of ffmpeg here) is not needed.
  await stopSlates(app.db);
  const start = new Date(Date.now() + 3_600_000).toISOString();
  const item = await call('POST', `/api/channels/${channel.id}/schedule`, { programId: program, start });
  // A draft on the schedule: its title must still never reach a role that cannot see drafts (EPG, exports, reports).
  // Not required: a product that refuses to schedule drafts is fine too.
  await app.inject({
    method: 'POST', url: `/api/channels/${channel.id}/schedule`, headers: admin,
    payload: { programId: draft, start: new Date(Date.now() + 2 * 3_600_000).toISOString() },
  });
  const slot = await app.inject({
    method: 'POST', url: `/api/channels/${channel.id}/slots`, headers: admin,
    payload: { programId: program, days: [1, 3, 5], time: '20:00' },
  });

  const memberA = 'A0001';
  const memberB = 'B0001';
  await call('POST', '/api/members/import',
    `memberNo,name,site\n${memberA},Alpha-member-甲,${siteA.id}\n${memberB},Beta-member-乙,${siteB.id}\n`, admin, 'text/csv');
  const now = Date.now();
  await call('POST', '/api/sites/me/attendance', {
    sentAt: now,
    sessions: [{
      id: 'fuzz-session-1', programId: program, channelId: null, mode: 'ondemand', start: now - 3_600_000, end: now - 1_800_000,
      watchedSeconds: 1800, headcount: 3, members: [{ memberNo: memberA, watchedSeconds: 1800 }],
    }],
  }, siteAuthA);
  await call('POST', '/api/sites/me/heartbeat', { sentAt: now, cacheReadiness: 0.5, freeDiskBytes: 1e9, agentVersion: 'fuzz' }, siteAuthA);
  await call('POST', '/api/sites/me/requests', { programId: program, memberNo: memberA, clientId: 'fuzz-request-1' }, siteAuthA);

  const fx: Fixtures = {
    province: id('某省'), countyA: id('甲县'), townA: id('甲镇'), villageA: id('甲村'),
    countyB: id('乙县'), townB: id('乙镇'), villageB: id('乙村'),
    siteA: siteA.id as number, siteB: siteB.id as number, siteUnpaired: unpaired.id as number,
    program, draft, bare: bareId, series: series.id as number, channel: channel.id as number,
    scheduleItem: item.id as number,
    slot: slot.statusCode < 300 ? (slot.json() as { id: number }).id : null,
    orgAUser: userId('organizer-a'), orgBUser: userId('organizer-b'), adminUser: userId('admin'),
    memberA, memberB,
  };
  const headers: Record<RoleName, Record<string, string>> = {
    anon: {}, orgA, orgB, operator: admin, siteA: siteAuthA, siteB: siteAuthB,
  };
  return {
    app, config, headers, fx,
    close: async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writes: a sandbox per request and the fingerprint of what it may have changed

/** Every table's rows, hashed: compared only when SQLite says something was written (total_changes moved). */
function dumpDatabase(app: FastifyInstance): string {
  const hash = createHash('sha1');
  const tables = app.db.prepare<[], { name: string }>(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  ).all();
  for (const { name } of tables) {
    hash.update(name);
    for (const row of app.db.prepare(`SELECT * FROM "${name}"`).raw().iterate()) {
      hash.update(JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('hex') : v)));
    }
  }
  return hash.digest('hex');
}

/** Files under the data dir (name and size), the SQLite files left out (their bytes move on reads too). */
export function listFiles(root: string): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!/broadcast\.sqlite/.test(e.name)) out.push(`${path.relative(root, full)}:${fs.statSync(full, { throwIfNoEntry: false })?.size ?? '?'}`);
    }
  };
  walk(root);
  return out.sort().join('\n');
}

/**
 * Runs one request in a sandbox: the database is inside a transaction that is rolled back afterwards (the product's
 * own transactions become savepoints), so every request meets the same seeded state. Reports what the request wrote.
 */
export class Sandbox {
  private readonly pristine: string;
  constructor(private readonly seeded: Seeded) {
    this.pristine = dumpDatabase(seeded.app);
  }

  async run<T extends { statusCode: number }>(request: () => Promise<T>): Promise<{ res: T; dbChanged: boolean; filesChanged: string | null }> {
    const { app, config } = this.seeded;
    const files = listFiles(config.dataDir);
    const changes = () => app.db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n;
    app.db.exec('BEGIN');
    const before = changes();
    let res: T;
    let dbChanged = false;
    try {
      res = await request();
      // Slate generation a successful channel write queued runs after the answer: stop it (ffmpeg) before looking.
      await stopSlates(app.db);
      dbChanged = changes() !== before && dumpDatabase(app) !== this.pristine;
    } finally {
      if (app.db.inTransaction) app.db.exec('ROLLBACK');
    }
    const after = listFiles(config.dataDir);
    return { res, dbChanged, filesChanged: after === files ? null : diffLines(files, after) };
  }
}

function diffLines(a: string, b: string): string {
  const A = new Set(a.split('\n'));
  const B = new Set(b.split('\n'));
  const gone = [...A].filter((x) => !B.has(x)).map((x) => `-${x}`);
  const added = [...B].filter((x) => !A.has(x)).map((x) => `+${x}`);
  return [...gone, ...added].slice(0, 6).join(' ');
}

/** Problems with one answer: a 5xx, or a 4xx whose body is not { error: { code, message } } with non-empty strings. */
export function answerProblems(method: string, res: { statusCode: number; body: string; headers: Record<string, unknown> }): string[] {
  const problems: string[] = [];
  if (res.statusCode >= 500) problems.push(`status ${res.statusCode}`);
  if (res.statusCode >= 400 && method !== 'HEAD') {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    const e = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const ok = e && typeof e.code === 'string' && e.code.trim() && typeof e.message === 'string' && e.message.trim();
    if (!ok) problems.push(`error body not {error:{code,message}}: ${res.body.slice(0, 120)}`);
  }
  return problems;
}
