// Shared by the API fuzz test, the authorization matrix test and scripts/fuzz-api.ts: the app's route table, its
// OpenAPI operations, a server seeded through the API with realistic fixtures for every role, and a cheap fingerprint
// of everything a request could write (database rows and files under the data dir).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';
import { buildApp } from '../../../server/app.ts';
import { loadConfig, type Config } from '../../../server/config.ts';
import { ensureAdmin } from '../../../server/auth/users.ts';
import { stopSlates } from '../../../server/broadcast/slate.ts';
import { ADMIN_PASSWORD, loginToken, tempDir, userAuth } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';

// ---------------------------------------------------------------------------------------------------------------
// The route table

/** "METHOD /path" in Fastify's spelling (`/api/sites/:id`, `/media/programs/:id/*`). */
export type RouteKey = string;

/**
 * Every route the app serves, read from Fastify's own router (`printRoutes`), so routes hidden from the OpenAPI
 * document are listed too. HEAD routes Fastify derives from a GET are left out (they answer as the GET does).
 */
export function routeTable(app: FastifyInstance): Set<RouteKey> {
  const lines = app
    .printRoutes()
    .split('\n')
    .filter((l) => l.includes('── '));
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
  province: number;
  countyA: number;
  townA: number;
  villageA: number;
  countyB: number;
  townB: number;
  villageB: number;
  siteA: number;
  siteB: number;
  siteUnpaired: number;
  /** Ready and published: the channel's slate, scheduled in an hour. */
  program: number;
  /** Ready, never published (a draft with media). */
  draft: number;
  /** A catalog row without media (transcode never run). */
  bare: number;
  series: number;
  channel: number;
  scheduleItem: number;
  slot: number | null;
  orgAUser: number;
  orgBUser: number;
  adminUser: number;
  memberA: string;
  memberB: string;
  /** A survey published to county A, answered by site A; and an unpublished draft. */
  questionnaire: number;
  questionnaireDraft: number;
}

/** Text that only region A's data contains: an organizer of region B must never receive it. */
export const REGION_A_MARKERS = ['Alpha-site-甲村', 'Alpha-member-甲', 'Alpha-unpaired-甲', '甲镇', 'Alpha-survey-甲'];
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

interface Reply {
  statusCode: number;
  body: string;
  json(): unknown;
}

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
    must(
      app.inject({
        method: method as 'GET',
        url,
        payload: payload as string,
        headers: ct ? { ...headers, 'content-type': ct } : headers,
      }),
      `${method} ${url}`,
    );

  const tree = 'path,level\n某省/某市/甲县/甲镇/甲村,\n某省/某市/乙县/乙镇/乙村,\n';
  const imported = await call('POST', '/api/regions/import', tree, admin, 'text/csv');
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
  const bareId = app.db
    .prepare<[string, string, string], { id: number }>(
      // A catalog row with no media at all: ingest needs a file, and no route makes such a row.
      `INSERT INTO programs (title, status, published, created_at, updated_at) VALUES (?, 'failed', 0, ?, ?) RETURNING id`,
    )
    .get('Fuzz bare row', new Date().toISOString(), new Date().toISOString())!.id;

  const channel = await call('POST', '/api/channels', {
    number: 1,
    name: 'Fuzz channel',
    regionIds: [id('某省')],
    slateProgramId: program,
  });
  // The channel plays the program as its slate: the generated station card (minutes of ffmpeg here) is not needed.
  await stopSlates(app.db);
  const start = new Date(Date.now() + 3_600_000).toISOString();
  const item = await call('POST', `/api/channels/${channel.id}/schedule`, { programId: program, start });
  // A draft on the schedule: its title must still never reach a role that cannot see drafts (EPG, exports, reports).
  // Not required: a product that refuses to schedule drafts is fine too.
  await app.inject({
    method: 'POST',
    url: `/api/channels/${channel.id}/schedule`,
    headers: admin,
    payload: { programId: draft, start: new Date(Date.now() + 2 * 3_600_000).toISOString() },
  });
  const slot = await app.inject({
    method: 'POST',
    url: `/api/channels/${channel.id}/slots`,
    headers: admin,
    payload: { programId: program, days: [1, 3, 5], time: '20:00' },
  });

  const memberA = 'A0001';
  const memberB = 'B0001';
  await call(
    'POST',
    '/api/members/import',
    `memberNo,name,site\n${memberA},Alpha-member-甲,${siteA.id}\n${memberB},Beta-member-乙,${siteB.id}\n`,
    admin,
    'text/csv',
  );
  const now = Date.now();
  await call(
    'POST',
    '/api/sites/me/attendance',
    {
      sentAt: now,
      sessions: [
        {
          id: 'fuzz-session-1',
          programId: program,
          channelId: null,
          mode: 'ondemand',
          start: now - 3_600_000,
          end: now - 1_800_000,
          watchedSeconds: 1800,
          headcount: 3,
          members: [{ memberNo: memberA, watchedSeconds: 1800 }],
        },
      ],
    },
    siteAuthA,
  );
  await call('POST', '/api/sites/me/heartbeat', { sentAt: now, cacheReadiness: 0.5, freeDiskBytes: 1e9, agentVersion: 'fuzz' }, siteAuthA);
  await call('POST', '/api/sites/me/requests', { programId: program, memberNo: memberA, clientId: 'fuzz-request-1' }, siteAuthA);
  const survey = { kind: 'survey', title: 'Alpha-survey-甲县', questions: [{ type: 'single', text: 'Q', options: ['a', 'b'] }] };
  const questionnaire = await call('POST', '/api/questionnaires', { ...survey, regionIds: [id('甲县')] });
  await call('POST', `/api/questionnaires/${questionnaire.id}/publish`, {});
  const questionnaireDraft = await call('POST', '/api/questionnaires', { ...survey, title: `${DRAFT_MARKER} survey` });
  await call(
    'POST',
    '/api/sites/me/answers',
    {
      sentAt: now,
      answers: [
        {
          id: 'fuzz-answer-1',
          questionnaireId: questionnaire.id,
          answeredAt: now - 60_000,
          memberNo: memberA,
          responses: [{ question: 0, choices: [1] }],
        },
      ],
    },
    siteAuthA,
  );

  const fx: Fixtures = {
    province: id('某省'),
    countyA: id('甲县'),
    townA: id('甲镇'),
    villageA: id('甲村'),
    countyB: id('乙县'),
    townB: id('乙镇'),
    villageB: id('乙村'),
    siteA: siteA.id as number,
    siteB: siteB.id as number,
    siteUnpaired: unpaired.id as number,
    program,
    draft,
    bare: bareId,
    series: series.id as number,
    channel: channel.id as number,
    scheduleItem: item.id as number,
    slot: slot.statusCode < 300 ? (slot.json() as { id: number }).id : null,
    orgAUser: userId('organizer-a'),
    orgBUser: userId('organizer-b'),
    adminUser: userId('admin'),
    memberA,
    memberB,
    questionnaire: questionnaire.id as number,
    questionnaireDraft: questionnaireDraft.id as number,
  };
  const headers: Record<RoleName, Record<string, string>> = {
    anon: {},
    orgA,
    orgB,
    operator: admin,
    siteA: siteAuthA,
    siteB: siteAuthB,
  };
  return {
    app,
    config,
    headers,
    fx,
    close: async () => {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Writes: a sandbox per request and the fingerprint of what it may have changed

interface DatabaseState {
  hash: string;
  /** Stored numbers no field of this product can mean (beyond 2^53, or not finite), as table.column=value. */
  absurd: string[];
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Every table's rows, hashed: compared only when SQLite says something was written (total_changes moved). */
function readDatabase(app: FastifyInstance): DatabaseState {
  const hash = createHash('sha1');
  const absurd: string[] = [];
  const tables = app.db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all();
  const plain = (_k: string, v: unknown) => (typeof v === 'bigint' ? String(v) : Buffer.isBuffer(v) ? v.toString('hex') : v);
  for (const { name } of tables) {
    hash.update(name);
    const rows = app.db.prepare(`SELECT * FROM "${name}"`).safeIntegers(true);
    const columns = rows.columns().map((c) => c.name);
    for (const row of rows.raw().iterate() as IterableIterator<unknown[]>) {
      hash.update(JSON.stringify(row, plain));
      row.forEach((v, i) => {
        const big =
          typeof v === 'bigint'
            ? v > SAFE || v < -SAFE
            : typeof v === 'number' && (!Number.isFinite(v) || Math.abs(v) > Number.MAX_SAFE_INTEGER);
        if (big) absurd.push(`${name}.${columns[i]}=${String(v)}`);
      });
    }
  }
  return { hash: hash.digest('hex'), absurd };
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
      else if (!/broadcast\.sqlite/.test(e.name)) {
        out.push(`${path.relative(root, full)}:${fs.statSync(full, { throwIfNoEntry: false })?.size ?? '?'}`);
      }
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
    this.pristine = readDatabase(seeded.app).hash;
  }

  async run<T extends { statusCode: number }>(
    request: () => Promise<T>,
  ): Promise<{ res: T; dbChanged: boolean; absurd: string[]; filesChanged: string | null }> {
    const { app, config } = this.seeded;
    const files = listFiles(config.dataDir);
    const changes = () => app.db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()!.n;
    app.db.exec('BEGIN');
    const before = changes();
    let res: T;
    let dbChanged = false;
    let absurd: string[] = [];
    try {
      res = await request();
      // Slate generation a successful channel write queued runs after the answer: stop it (ffmpeg) before looking.
      await stopSlates(app.db);
      if (changes() !== before) {
        const state = readDatabase(app);
        dbChanged = state.hash !== this.pristine;
        absurd = state.absurd;
      }
    } finally {
      if (app.db.inTransaction) app.db.exec('ROLLBACK');
    }
    const after = listFiles(config.dataDir);
    return { res, dbChanged, absurd, filesChanged: after === files ? null : diffLines(files, after) };
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

// ---------------------------------------------------------------------------------------------------------------
// The fuzz engine (the CI test and scripts/fuzz-api.ts): requests generated from each operation's schemas, with
// hostile variants, run in the sandbox, every problem kept with the shortest request that showed it.

/** A JSON number (or any JSON text) written as is: 99999999999999999999 stays that literal, not 100000000000000000000. */
class RawJson {
  constructor(readonly text: string) {}
}

function toJson(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return `[${v.map(toJson).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const LONG = 'x'.repeat(100_000);
/** Values a JSON field should never make the server fall over on. */
const HOSTILE_JSON: unknown[] = [
  new RawJson('1e300'),
  new RawJson('-1e300'),
  new RawJson('99999999999999999999'),
  new RawJson('9223372036854775807'),
  new RawJson('-9223372036854775809'),
  new RawJson('1.5'),
  -1,
  0,
  true,
  null,
  [],
  {},
  '',
  ' ',
  'a\u0000b',
  '\u0000\u0000\u0000abc',
  '\ud800',
  '‮甲',
  LONG,
  new RawJson(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  new RawJson(`${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`),
  Array.from({ length: 5000 }, (_, i) => i),
  '1e300',
  '-1',
  '2026-02-30',
  '9999-12-31T23:59:59Z',
  '0000-00-00',
  "' OR 1=1 --",
  "=cmd|' /C calc'!A0",
];

/** URL fragments (already percent-encoded where it matters) for path segments and query values. */
const HOSTILE_URL: string[] = [
  '1e300',
  '1e400',
  '99999999999999999999',
  '9223372036854775807',
  '-9223372036854775809',
  '-1',
  '0',
  '1.5',
  'NaN',
  'Infinity',
  '0x10',
  '',
  '%20',
  '%00',
  '%00%00%00abc',
  '%FF%FE',
  '%C0%AF',
  '%ED%A0%80',
  'a'.repeat(10_000),
  '..%2F..%2Fbroadcast.sqlite',
  '%252e%252e%252fapi',
  'true',
  'null',
  '%5B%5D',
  '%7B%7D',
  '%E7%94%B2',
  "'%20OR%201=1",
  '%25',
  '2026-02-30',
  '+1',
  '1%20',
];

const HOSTILE_NUMBERS_URL = [
  '1e300',
  '1e400',
  '99999999999999999999',
  '9223372036854775807',
  '-9223372036854775809',
  '-1',
  '0',
  '1.5',
  'NaN',
  '0x10',
  '',
  '%00',
  'a',
  '%ED%A0%80',
  '%FF',
  '1'.repeat(1000),
];
/** The values every query parameter meets once per run (operator or site token), besides the random ones. */
const SYSTEMATIC_URL = [
  '99999999999999999999',
  '9223372036854775807',
  '1e300',
  '1e400',
  '-1',
  '%00%00%00abc',
  'a%00b',
  '%FF%FE',
  '%ED%A0%80',
  'a'.repeat(10_000),
  '',
];
/** The values every top-level body field meets once per run, in an otherwise generated body. */
const SYSTEMATIC_JSON: unknown[] = [
  new RawJson('1e300'),
  new RawJson('99999999999999999999'),
  new RawJson('9223372036854775807'),
  -1,
  'a\u0000b',
  LONG,
  new RawJson(`${'['.repeat(5000)}${']'.repeat(5000)}`),
  null,
  {},
];

const HOSTILE_BODIES: Array<{ text: string | Buffer; type?: string }> = [
  { text: '' },
  { text: '', type: 'application/json' },
  { text: 'null', type: 'application/json' },
  { text: '{', type: 'application/json' },
  { text: '[]', type: 'application/json' },
  { text: '"x"', type: 'application/json' },
  { text: '1e300', type: 'application/json' },
  { text: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc0, 0xaf, 0x22, 0x7d]), type: 'application/json' },
  { text: Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a, 0xc3]), type: 'text/csv' },
  { text: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, type: 'application/json' },
  { text: '{"a":1}', type: 'text/plain' },
  { text: 'a=1&a=2', type: 'application/x-www-form-urlencoded' },
  {
    text: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n\r\nabc\r\n--x--\r\n',
    type: 'multipart/form-data; boundary=x',
  },
  { text: '<a/>', type: 'application/xml' },
  { text: '{"a":1}', type: 'application/json; charset=utf-16' },
  { text: '\u0000,\u0000\n\u0000', type: 'text/csv' },
  { text: `memberNo,name,site\n${'A1,x,1\n'.repeat(20_000)}`, type: 'text/csv' },
];

/** Strings that reach deep code when the schema says only "string": dates, times, names the fixtures use. */
const PLAUSIBLE_STRINGS = [
  '2026-11-29',
  '2026-11-23',
  '2026-W48',
  new Date().toISOString(),
  '20:00',
  '30 19 * * 1-5',
  'A0001',
  'B0001',
  'master.m3u8',
  '240p',
  'sites',
  'members',
  'json',
  'csv',
  'html',
  'Fuzz',
  '甲村',
  'day',
  'month',
];

function arbFromSchema(schema: JsonSchema, ids: number[], depth = 0): fc.Arbitrary<unknown> {
  const hostile = fc.constantFrom(...HOSTILE_JSON);
  const valid = validFromSchema(schema, ids, depth);
  return fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: hostile });
}

/** Values of the schema's shape; `strict`: valid all the way down (no hostile field inside, no unknown key). */
function validFromSchema(schema: JsonSchema, ids: number[], depth: number, strict = false): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => validFromSchema(s, ids, depth, strict)));
  const declared = schema.type ? [schema.type].flat() : null;
  const types = declared ?? (schema.properties ? ['object'] : ['string', 'integer']);
  return fc.oneof(...types.map((type) => validOfType(type, schema, ids, depth, strict)));
}

function validOfType(type: string, schema: JsonSchema, ids: number[], depth: number, strict: boolean): fc.Arbitrary<unknown> {
  const inner = (s: JsonSchema) => (strict ? validFromSchema(s, ids, depth + 1, true) : arbFromSchema(s, ids, depth + 1));
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer': {
      const range = fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 100_000, 2 ** 31) });
      const known = ids.filter((id) => id >= (schema.minimum ?? -Infinity) && id <= (schema.maximum ?? Infinity));
      // Strict values aim at objects that exist (fixture ids), so a body gets past the lookups to the deep code.
      if (strict) return known.length ? fc.constantFrom(...known) : range;
      return fc.oneof(fc.constantFrom(...ids), range);
    }
    case 'number':
      return fc.oneof(fc.constantFrom(...ids), fc.double({ min: schema.minimum ?? -5, max: schema.maximum ?? 1e6, noNaN: true }));
    case 'array':
      if (depth > 3) return fc.constant([]);
      return fc.array(inner(schema.items ?? {}), { maxLength: Math.min(schema.maxItems ?? 4, 4) });
    case 'object': {
      if (depth > 3 || !schema.properties) return fc.constant({});
      const model = Object.fromEntries(Object.entries(schema.properties).map(([k, s]) => [k, inner(s)]));
      const required = (schema.required ?? []).filter((k) => k in model);
      if (strict) return fc.record(model, { requiredKeys: required });
      return fc
        .tuple(fc.record(model, { requiredKeys: required }), fc.option(fc.constantFrom(...HOSTILE_JSON), { freq: 8 }))
        .map(([o, extra]) => (extra === null ? o : { ...o, unknownField: extra }));
    }
    default: {
      const options: fc.Arbitrary<string>[] = [
        fc.constantFrom(...PLAUSIBLE_STRINGS),
        fc.string({ maxLength: Math.min(schema.maxLength ?? 24, 24) }),
      ];
      if (strict) options.length = schema.pattern || schema.format === 'date-time' ? 0 : 1;
      if (schema.pattern) {
        try {
          options.push(fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= (schema.maxLength ?? 200)));
        } catch {
          // a pattern fast-check cannot generate from: the other strings still reach the route
        }
      }
      if (schema.format === 'date-time') options.push(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()));
      if (!options.length) options.push(fc.constantFrom(...PLAUSIBLE_STRINGS));
      return fc.oneof(...options);
    }
  }
}

/** One generated request, and a short text of it for the report. */
export interface FuzzRequest {
  role: RoleName;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export function describeRequest(r: FuzzRequest): string {
  const body =
    r.payload === undefined
      ? ''
      : ` body(${r.headers['content-type'] ?? 'no type'})=${String(
          Buffer.isBuffer(r.payload)
            ? `<bytes ${r.payload.subarray(0, 24).toString('hex')}${r.payload.length > 24 ? `... ${r.payload.length} B` : ''}>`
            : r.payload.length > 160
              ? `${r.payload.slice(0, 160)}... (${r.payload.length} chars)`
              : r.payload,
        )}`;
  const url = r.url.length > 200 ? `${r.url.slice(0, 200)}... (${r.url.length} chars)` : r.url;
  return `${r.role} ${r.method} ${url}${body}`;
}

/** Files of the ready programs the media route serves (and its traversal attempts). */
const MEDIA_FILES = [
  'master.m3u8',
  '240p/index.m3u8',
  '240p/seg_00000.ts',
  'poster.jpg',
  '..%2F..%2Fbroadcast.sqlite',
  '%2e%2e/%2e%2e/broadcast.sqlite',
  '240p/../../../broadcast.sqlite',
  '240p%5C..%5C..%5Cbroadcast.sqlite',
  'a'.repeat(5000),
  '%00',
  '%FF',
  '240p/seg_99999999999999999999.ts',
];

function urlValue(schema: JsonSchema, ids: number[], name: string): fc.Arbitrary<string> {
  const valid =
    name === '*'
      ? fc.constantFrom(...MEDIA_FILES)
      : validFromSchema(schema, ids, 0).map((v) => (typeof v === 'string' ? encodeURIComponent(v) : String(v)));
  const types = [schema.type ?? []].flat();
  const hostile = types.includes('integer') || types.includes('number') ? HOSTILE_NUMBERS_URL : HOSTILE_URL;
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 3, arbitrary: fc.constantFrom(...hostile) },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent) },
  );
}

const CONTENT_TYPES = ['application/json', 'text/plain', 'text/csv', 'application/x-www-form-urlencoded', 'application/octet-stream'];

/** Generated requests for one operation, from every role. */
type RoleHeaders = Record<RoleName, Record<string, string>>;

export function requestArbitrary(op: Operation, headers: RoleHeaders, fx: Fixtures): fc.Arbitrary<FuzzRequest> {
  const ids = [...new Set(Object.values(fx).filter((v): v is number => typeof v === 'number'))];
  const pathParams = op.params.filter((x) => x.in === 'path');
  const queryParams = op.params.filter((x) => x.in === 'query');
  const headerParams = op.params.filter((x) => x.in === 'header');
  const pathArb = fc.record(Object.fromEntries(pathParams.map((x) => [x.name, urlValue(x.schema, ids, x.name)])));
  // Each declared parameter present or not, valid or hostile; now and then a key twice or a key the route does not know.
  const queryArb = fc
    .tuple(
      fc.record(Object.fromEntries(queryParams.map((x) => [x.name, fc.option(urlValue(x.schema, ids, x.name), { freq: 2 })]))),
      fc.option(fc.tuple(fc.constantFrom('unknownParam', ...queryParams.map((x) => x.name)), fc.constantFrom(...HOSTILE_URL)), { freq: 3 }),
    )
    .map(([values, extra]) => {
      const pairs = Object.entries(values)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => `${k}=${v}`);
      if (extra) pairs.push(`${extra[0]}=${extra[1]}`);
      return pairs.join('&');
    });

  const bodyArb: fc.Arbitrary<{ text: string | Buffer; type?: string } | null> = (() => {
    const hostile = fc.constantFrom(...HOSTILE_BODIES);
    if (!op.body) return fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hostile });
    const arbs: fc.Arbitrary<{ text: string | Buffer; type?: string }>[] = [hostile];
    for (const [type, schema] of Object.entries(op.body)) {
      if (type.includes('json')) {
        arbs.push(arbFromSchema(schema, ids).map((v) => ({ text: toJson(v), type })));
        arbs.push(validFromSchema(schema, ids, 0).map((v) => ({ text: toJson(v), type })));
      } else {
        arbs.push(
          fc
            .constantFrom(
              `memberNo,name,site\n${fx.memberA},Fuzz,${fx.siteA}\n`,
              'path,level\n某省/某市/丙县\n',
              'name,parent,level\n丁,某市,county\n',
              'start,end,program_id\n2026-11-30T20:00:00+08:00,2026-11-30T21:00:00+08:00,1\n',
            )
            .map((text) => ({ text, type })),
        );
        arbs.push(fc.string({ maxLength: 200 }).map((text) => ({ text, type })));
      }
    }
    // The right body under a wrong content type.
    arbs.push(fc.tuple(fc.oneof(...arbs.slice(1)), fc.constantFrom(...CONTENT_TYPES)).map(([b, type]) => ({ ...b, type })));
    return fc.oneof(...arbs);
  })();

  const extraHeaders = fc.record(
    {
      'if-none-match': fc.constantFrom('*', '"x"', 'W/"1"', ', ,', '"'.repeat(50)),
      range: fc.constantFrom('bytes=0-10', 'bytes=99999999999999999999-', 'bytes=-0', 'bytes=5-1', 'bytes=0-0,1-1,2-2', 'pages=1'),
      'accept-encoding': fc.constantFrom('gzip', 'br', 'identity;q=0'),
      'idempotency-key': fc.constantFrom('k', 'x'.repeat(500), 'fuzz-request-1'),
    },
    { requiredKeys: [] },
  );

  return fc
    .record({
      role: fc.constantFrom(...ROLES),
      path: pathArb,
      query: queryArb,
      body: bodyArb,
      extra: extraHeaders,
    })
    .map(({ role, path: values, query, body, extra }) => {
      const url = op.path.replace(/:(\w+)|\*/g, (_m, name?: string) => values[name ?? '*'] ?? '') + (query ? `?${query}` : '');
      const h: Record<string, string> = { ...headers[role] };
      for (const [k, v] of Object.entries(extra)) {
        if (k === 'range' || headerParams.some((x) => x.name === k) || k === 'accept-encoding') h[k] = v;
      }
      if (body?.type) h['content-type'] = body.type;
      return { role, method: op.method, url, headers: h, payload: body?.text };
    });
}

/**
 * The same requests every run, before the random ones: each query parameter with each of SYSTEMATIC_URL, each
 * top-level JSON body field with each of SYSTEMATIC_JSON, as the role most likely to get past the guard.
 */
function systematicTarget(op: Operation, headers: RoleHeaders, fx: Fixtures) {
  const role: RoleName = op.path.startsWith('/api/sites/me/') ? 'siteA' : 'operator';
  const pathValues = new Map(
    op.params.filter((x) => x.in === 'path').map((x) => [x.name, x.name === '*' ? 'master.m3u8' : String(fx.program)]),
  );
  const url = op.path.replace(/:(\w+)|\*/g, (_m, name?: string) => pathValues.get(name ?? '*') ?? '1');
  const json = Object.entries(op.body ?? {}).find(([type]) => type.includes('json'));
  const h = (type?: string) => ({ ...headers[role], ...(type ? { 'content-type': type } : {}) });
  return { role, url, json, h };
}

/**
 * A JSON body the route accepts (2xx), found by trying strictly valid samples in the sandbox; the systematic pass
 * changes one field of it at a time, so each hostile value meets the code behind validation. Falls back to the first.
 */
export async function acceptedBody(sandbox: Sandbox, seeded: Seeded, op: Operation, seed: number): Promise<Record<string, unknown>> {
  const { url, json, h } = systematicTarget(op, seeded.headers, seeded.fx);
  if (!json?.[1].properties) return {};
  const ids = [...new Set(Object.values(seeded.fx).filter((v): v is number => typeof v === 'number'))];
  const samples = fc
    .sample(validFromSchema(json[1], ids, 0, true), { seed, numRuns: 15 })
    .filter((v): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v));
  for (const body of samples) {
    const { res } = await sandbox.run(() =>
      seeded.app.inject({
        method: op.method as 'POST',
        url,
        headers: h(json[0]),
        payload: toJson(body),
      }),
    );
    if (res.statusCode < 300) return body;
  }
  return samples[0] ?? {};
}

export function systematicRequests(op: Operation, headers: RoleHeaders, fx: Fixtures, base: Record<string, unknown>): FuzzRequest[] {
  const { role, url, json, h } = systematicTarget(op, headers, fx);
  const out: FuzzRequest[] = [];
  for (const q of op.params.filter((x) => x.in === 'query')) {
    for (const v of SYSTEMATIC_URL) out.push({ role, method: op.method, url: `${url}?${q.name}=${v}`, headers: h() });
  }
  if (json?.[1].properties) {
    const obj = base;
    for (const field of Object.keys(json[1].properties)) {
      for (const v of SYSTEMATIC_JSON) {
        out.push({ role, method: op.method, url, headers: h(json[0]), payload: toJson({ ...obj, [field]: v }) });
      }
    }
  }
  return out;
}

export interface FuzzFinding {
  route: RouteKey;
  problem: string;
  status: number;
  example: string;
  count: number;
}

/**
 * Runs `numRuns` generated requests against one operation; returns every distinct problem (route, kind, status) with
 * the shortest request that showed it. Checked per request: no 5xx; every 4xx is {error:{code,message}}; an error
 * answer wrote nothing (database rows, files under the data dir); nothing stored a number beyond 2^53 or not finite.
 */
export async function fuzzOperation(
  sandbox: Sandbox,
  seeded: Seeded,
  op: Operation,
  params: { seed: number; numRuns: number },
): Promise<{ cases: number; findings: FuzzFinding[] }> {
  const found = new Map<string, FuzzFinding>();
  let cases = 0;
  const note = (problem: string, status: number, req: FuzzRequest) => {
    const kind = problem.replace(/:.*$/, '');
    const key = `${kind}|${status}`;
    const example = describeRequest(req);
    const prev = found.get(key);
    if (!prev) found.set(key, { route: op.key, problem, status, example, count: 1 });
    else {
      prev.count++;
      if (example.length < prev.example.length) Object.assign(prev, { problem, example });
    }
  };
  const examples = systematicRequests(op, seeded.headers, seeded.fx, await acceptedBody(sandbox, seeded, op, params.seed));
  await fc.assert(
    fc.asyncProperty(requestArbitrary(op, seeded.headers, seeded.fx), async (req) => {
      cases++;
      let ran: Awaited<ReturnType<typeof sandbox.run<Awaited<ReturnType<typeof seeded.app.inject>>>>>;
      try {
        ran = await sandbox.run(() =>
          seeded.app.inject({
            method: req.method as 'GET',
            url: req.url,
            headers: req.headers,
            payload: req.payload,
          }),
        );
      } catch (err) {
        note(`the request could not be made: ${(err as Error).message}`, 0, req);
        return true;
      }
      const { res, dbChanged, absurd, filesChanged } = ran;
      for (const p of answerProblems(req.method, res)) note(p, res.statusCode, req);
      if (res.statusCode >= 400 && dbChanged) note('database written although the answer is an error', res.statusCode, req);
      // 1e300 seconds or bytes is no one's input: accepting it puts nonsense into reports (issue 9, the heartbeat).
      if (absurd.length) note(`stored a number nothing can mean: ${absurd.slice(0, 3).join(', ')}`, res.statusCode, req);
      if (res.statusCode >= 400 && filesChanged)
        note(`files written although the answer is an error: ${filesChanged}`, res.statusCode, req);
      return true;
    }),
    {
      // fast-check counts the examples inside numRuns: the random requests come on top of them.
      seed: params.seed,
      numRuns: params.numRuns + examples.length,
      endOnFailure: true,
      examples: examples.map((r) => [r] as [FuzzRequest]),
    },
  );
  return { cases, findings: [...found.values()] };
}

/**
 * Routes the fuzzer does not reach through the OpenAPI document, each with the reason. Anything else the route table
 * has and the document lacks fails the fuzz test: nothing is skipped silently.
 */
const TUS =
  'tus 1.0 resumable upload protocol (@tus/server): its headers, not JSON schemas, carry the request; covered by the ' +
  'authorization matrix and the console upload browser test (test/e2e/console-upload.test.ts)';

export const NOT_IN_OPENAPI: Record<RouteKey, string> = {
  'GET /docs': 'swagger UI page (static, hidden from the document)',
  'GET /docs/': 'swagger UI page (static, hidden from the document)',
  'GET /docs/static/index.html': 'swagger UI page (static, hidden from the document)',
  'GET /docs/static/swagger-initializer.js': 'swagger UI script (static, hidden from the document)',
  'GET /docs/static/*': 'swagger UI files (@fastify/static, hidden from the document)',
  'GET /docs/json': 'the OpenAPI document itself',
  'GET /docs/yaml': 'the OpenAPI document itself',
  'GET /assets/*': "the console's built bundles (@fastify/static, hashed file names)",
  'POST /api/uploads': TUS,
  'PATCH /api/uploads': TUS,
  'HEAD /api/uploads': TUS,
  'DELETE /api/uploads': TUS,
  'OPTIONS /api/uploads': TUS,
  'POST /api/uploads/*': TUS,
  'PATCH /api/uploads/*': TUS,
  'HEAD /api/uploads/*': TUS,
  'DELETE /api/uploads/*': TUS,
  'OPTIONS /api/uploads/*': TUS,
};

/** Inputs the generators leave out, by route, with the reason (printed by the test and the script). */
export const PARTLY_FUZZED: Record<RouteKey, string> = {
  'POST /api/programs':
    'multipart upload: fuzzed with hostile and wrong-type bodies; a well-formed media upload is not generated ' +
    '(each would run ffprobe/ffmpeg; test/integration/catalog-upload.test.ts covers real files)',
};
