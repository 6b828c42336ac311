// The authorization matrix: every route the app serves x every role, with the answer each role must get. A route
// without a row fails the test (and a row whose route is gone), so nobody adds a route without deciding who may call it.
//
// Columns: anon = no token; orgA = organizer of the county the sample data lives in; orgB = organizer of the other
// county; operator; siteA = the paired site in county A; siteB = the paired site in county B.
// Cells:
//   401     not signed in / wrong kind of token (a site token on a user route, a user token on a site route)
//   403     signed in, but the role may not do this (or the object is outside the organizer's region)
//   deny    401 or 403 (either is right: e.g. a draft's media asked for by someone who is not an operator)
//   hidden  403 or 404: an object outside the organizer's region, refused or not shown to exist
//   2xx     answered with success
//   scoped  2xx, limited to the caller's region (checked: region A's names never reach orgB or siteB)
//   pass    the guard let the caller through: any answer but 401/403 (e.g. 400 for the empty body the matrix sends)
// Every 2xx is also checked for leaks: a draft's title never reaches a non-operator, region A's names never reach
// region B's organizer or site (see leaks() in route-inventory.ts). Write routes get an empty JSON body: their guard
// must answer before the body is parsed (issue 9), so anon gets 401 and a wrong role 403, never a 400.
// Every GET row is asked with HEAD as well, which must answer with the same status.
//
// Adding a route: add a row below (the failure message names the route and prints a row to start from).
// Routes announced by issue 9/10 work that will need rows: the tus upload endpoint under /api/uploads/, the console
// SPA at `/` and `/api/config`, signed preview media under /media/signed/.
import t from 'tap';
import { stopSlates } from '../../../server/broadcast/slate.ts';
import { leaks, routeTable, ROLES, seededServer, type Fixtures, type RoleName } from './route-inventory.ts';

type Cell = '401' | '403' | 'deny' | 'hidden' | '2xx' | 'scoped' | 'pass';

interface Probe {
  cells: Record<RoleName, Cell>;
  /** Path parameter -> a fixture name (see Fixtures) or a literal. */
  params?: Record<string, keyof Fixtures | `=${string}`>;
  /** Query string, `$name` replaced by the fixture's id. */
  query?: string;
  /** Body text and its content type; write routes default to `{}` as JSON. */
  body?: { text: string; type: string };
}

/** One probe from six cells written in column order: anon orgA orgB operator siteA siteB. */
function p(cells: string, sample: Omit<Probe, 'cells'> = {}): Probe {
  const c = cells.trim().split(/\s+/) as Cell[];
  if (c.length !== ROLES.length) throw new Error(`a matrix row needs ${ROLES.length} cells: "${cells}"`);
  return { cells: Object.fromEntries(ROLES.map((r, i) => [r, c[i]])) as Record<RoleName, Cell>, ...sample };
}

const csv = (text: string) => ({ text, type: 'text/csv' });
const PUBLIC = '2xx    2xx    2xx    2xx    2xx    2xx';
const OPERATOR_READ = '401    403    403    2xx    401    401';
const OPERATOR_WRITE = '401    403    403    pass   401    401';
const USER_READ = '401    2xx    2xx    2xx    401    401';
const SITE_CALL = '401    401    401    401    pass   pass';

// prettier-ignore
const MATRIX: Record<string, Probe[]> = {
  //                                                   anon   orgA   orgB   oper   siteA  siteB
  // --- swagger UI and the OpenAPI document (public)
  'GET /docs': [p(PUBLIC)],
  'GET /docs/': [p(PUBLIC)],
  'GET /docs/static/index.html': [p('pass   pass   pass   pass   pass   pass')], // a redirect to /docs/
  'GET /docs/static/swagger-initializer.js': [p(PUBLIC)],
  'GET /docs/static/*': [p(PUBLIC, { params: { '*': '=index.css' } })],
  'GET /docs/json': [p(PUBLIC)],
  'GET /docs/yaml': [p(PUBLIC)],
  // --- auth and users
  'POST /api/auth/login': [p('pass   pass   pass   pass   pass   pass')],
  'POST /api/auth/logout': [p('401    pass   pass   pass   401    401')],
  'GET /api/auth/me': [p(USER_READ)],
  'GET /api/users': [p(OPERATOR_READ)],
  'POST /api/users': [p(OPERATOR_WRITE)],
  'PATCH /api/users/:id': [p(OPERATOR_WRITE, { params: { id: 'orgAUser' } })],
  'DELETE /api/users/:id': [p('401    403    403    2xx    401    401', { params: { id: 'orgBUser' } })],
  // --- catalog: organizers read the published catalog, operators everything
  'POST /api/programs': [p(OPERATOR_WRITE)],
  'GET /api/programs': [p(USER_READ)],
  'GET /api/programs/:id': [
    p(USER_READ, { params: { id: 'program' } }),
    p('401    pass   pass   2xx    401    401', { params: { id: 'draft' } }),
  ],
  'PATCH /api/programs/:id': [p(OPERATOR_WRITE, { params: { id: 'program' } })],
  'DELETE /api/programs/:id': [p('401    403    403    2xx    401    401', { params: { id: 'bare' } })],
  'POST /api/programs/:id/retranscode': [p(OPERATOR_WRITE, { params: { id: 'bare' } })],
  'GET /api/taxonomy': [p(USER_READ)],
  'GET /api/series': [p(USER_READ)],
  'POST /api/series': [p(OPERATOR_WRITE)],
  'GET /api/series/:id': [p(USER_READ, { params: { id: 'series' } })],
  'PATCH /api/series/:id': [p(OPERATOR_WRITE, { params: { id: 'series' } })],
  'DELETE /api/series/:id': [p(OPERATOR_WRITE, { params: { id: 'series' } })],
  // --- media: published programs open to all (set-top boxes, hls.js); a draft's media for operators only
  'GET /media/programs/:id/*': [
    p(PUBLIC, { params: { id: 'program', '*': '=v1/master.m3u8' } }),
    p('hidden hidden hidden 2xx    hidden hidden', { params: { id: 'draft', '*': '=v1/master.m3u8' } }),
  ],
  // A signed preview grant is checked, not the caller: a forged one is refused to everybody.
  'GET /media/signed/:grant/programs/:id/*': [
    p('hidden hidden hidden hidden hidden hidden', { params: { grant: '=4102444800000.forged', id: 'draft', '*': '=v1/master.m3u8' } }),
  ],
  // --- the console: its page and bundles are public (the data behind them is not); tus uploads for operators
  'GET /': [p(PUBLIC)],
  'GET /*': [p(PUBLIC, { params: { '*': '=library' } })],
  'GET /assets/*': [p('pass   pass   pass   pass   pass   pass', { params: { '*': '=missing.js' } })],
  'GET /api/config': [p(PUBLIC)],
  'GET /api/console/summary': [p(USER_READ)],
  'GET /api/console/sites': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
  ],
  'GET /api/console/activity-by-day': [p(USER_READ, { query: 'from=2026-11-01&to=2026-11-02' })],
  'POST /api/uploads': [p(OPERATOR_WRITE)],
  'PATCH /api/uploads': [p(OPERATOR_WRITE)],
  'HEAD /api/uploads': [p(OPERATOR_WRITE)],
  'DELETE /api/uploads': [p(OPERATOR_WRITE)],
  'OPTIONS /api/uploads': [p(OPERATOR_WRITE)],
  'POST /api/uploads/*': [p(OPERATOR_WRITE, { params: { '*': '=no-such-upload' } })],
  'PATCH /api/uploads/*': [p(OPERATOR_WRITE, { params: { '*': '=no-such-upload' } })],
  'HEAD /api/uploads/*': [p(OPERATOR_WRITE, { params: { '*': '=no-such-upload' } })],
  'DELETE /api/uploads/*': [p(OPERATOR_WRITE, { params: { '*': '=no-such-upload' } })],
  'OPTIONS /api/uploads/*': [p(OPERATOR_WRITE, { params: { '*': '=no-such-upload' } })],
  'GET /api/jobs': [p(OPERATOR_READ)],
  'GET /api/jobs/:id': [p(OPERATOR_READ, { params: { id: '=1' } })],
  'POST /api/jobs/:id/cancel': [p(OPERATOR_WRITE, { params: { id: '=1' } })],
  // --- broadcast: channels and guides are public; schedules read by users, written by operators
  'GET /api/channels': [p(PUBLIC)],
  'POST /api/channels': [p(OPERATOR_WRITE)],
  'GET /api/channels/:id': [p(PUBLIC, { params: { id: 'channel' } })],
  'PATCH /api/channels/:id': [p(OPERATOR_WRITE, { params: { id: 'channel' } })],
  'DELETE /api/channels/:id': [p(OPERATOR_WRITE, { params: { id: 'channel' } })],
  'GET /api/channels/:id/schedule': [p(USER_READ, { params: { id: 'channel' } })],
  'POST /api/channels/:id/schedule': [p(OPERATOR_WRITE, { params: { id: 'channel' } })],
  'PATCH /api/channels/:id/schedule/:itemId': [p(OPERATOR_WRITE, { params: { id: 'channel', itemId: 'scheduleItem' } })],
  'DELETE /api/channels/:id/schedule/:itemId': [
    p('401    403    403    2xx    401    401', { params: { id: 'channel', itemId: 'scheduleItem' } }),
  ],
  'POST /api/channels/:id/schedule/copy': [p(OPERATOR_WRITE, { params: { id: 'channel' } })],
  'GET /api/channels/:id/schedule/export': [p(USER_READ, { params: { id: 'channel' }, query: 'week=2026-11-23&format=csv' })],
  'POST /api/channels/:id/schedule/import': [p(OPERATOR_WRITE, { params: { id: 'channel' } })],
  'POST /api/channels/:id/slots': [p(OPERATOR_WRITE, { params: { id: 'channel' } })],
  'GET /api/channels/:id/slots': [p(USER_READ, { params: { id: 'channel' } })],
  'DELETE /api/channels/:id/slots/:slotId': [p(OPERATOR_WRITE, { params: { id: 'channel', slotId: 'slot' } })],
  'GET /api/channels/:id/now': [p(PUBLIC, { params: { id: 'channel' } })],
  'GET /api/channels/:id/epg': [p(PUBLIC, { params: { id: 'channel' } })],
  'GET /live/channels/:id/master.m3u8': [p(PUBLIC, { params: { id: 'channel' } })],
  'GET /live/channels/:id/:rung.m3u8': [p(PUBLIC, { params: { id: 'channel', rung: '=240p' } })],
  'GET /epg.xml': [p(PUBLIC)],
  'GET /channels.m3u': [p(PUBLIC)],
  // --- regions: operators write; organizers read their own subtree
  'GET /api/regions': [p('401    scoped scoped 2xx    401    401')],
  'POST /api/regions': [p(OPERATOR_WRITE)],
  'POST /api/regions/import': [p(OPERATOR_WRITE, { body: csv('path\n某省/某市/丙县\n') })],
  'GET /api/regions/:id': [p('401    2xx    403    2xx    401    401', { params: { id: 'townA' } })],
  'PATCH /api/regions/:id': [p(OPERATOR_WRITE, { params: { id: 'townA' } })],
  'DELETE /api/regions/:id': [p(OPERATOR_WRITE, { params: { id: 'townA' } })],
  'GET /api/regions/children': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'parentId=$countyA' }),
  ],
  'GET /api/regions/search': [p('401    scoped scoped 2xx    401    401', { query: 'q=%E5%8E%BF' })],
  // --- sites: operators manage; organizers read their subtree; a site speaks for itself only
  'POST /api/sites/pair': [p('pass   pass   pass   pass   pass   pass')],
  'POST /api/sites': [p(OPERATOR_WRITE)],
  'GET /api/sites': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
  ],
  'GET /api/sites/me/manifest': [p('401    401    401    401    2xx    2xx')],
  'GET /api/sites/me/catalog': [p('401    401    401    401    2xx    2xx')],
  'POST /api/sites/me/requests': [p(SITE_CALL)],
  'POST /api/sites/me/attendance': [p(SITE_CALL)],
  'POST /api/sites/me/heartbeat': [p(SITE_CALL)],
  'GET /api/sites/:id': [p('401    2xx    403    2xx    401    401', { params: { id: 'siteA' } })],
  'PATCH /api/sites/:id': [p(OPERATOR_WRITE, { params: { id: 'siteA' } })],
  'DELETE /api/sites/:id': [p(OPERATOR_WRITE, { params: { id: 'siteUnpaired' } })],
  'POST /api/sites/:id/revoke': [p('401    403    403    2xx    401    401', { params: { id: 'siteA' } })],
  'POST /api/sites/:id/pairing-code': [p('401    403    403    2xx    401    401', { params: { id: 'siteA' } })],
  'GET /api/requests': [p(OPERATOR_READ)],
  'POST /api/requests/handled': [p(OPERATOR_WRITE)],
  // --- platforms (issue 13): the centre's downstream provinces (a platform token, held by no role here) and the upstream link
  'POST /api/platforms': [p(OPERATOR_WRITE)],
  'GET /api/platforms': [p(OPERATOR_READ)],
  'POST /api/platforms/:id/revoke': [p(OPERATOR_WRITE, { params: { id: '=1' } })],
  'POST /api/platforms/pair': [p('pass   pass   pass   pass   pass   pass')],
  'POST /api/platforms/me/figures': [p('401    401    401    401    401    401')],
  'POST /api/platforms/me/demand': [p('401    401    401    401    401    401')],
  'GET /api/platforms/demand': [p(OPERATOR_READ)],
  'GET /api/upstream': [p(OPERATOR_READ)],
  'POST /api/upstream/send': [p(OPERATOR_WRITE)],
  // This server follows no centre: an operator is let through and told so (409), others are refused first.
  'GET /api/upstream/channels': [p('401    403    403    pass   401    401')],
  'GET /api/platforms/me/library': [p('401    401    401    401    401    401')],
  'GET /api/platforms/me/channels': [p('401    401    401    401    401    401')],
  // --- attendance: reports and rolls scoped to the organizer's region
  'POST /api/attendance/rollup': [p(OPERATOR_WRITE)],
  'GET /api/reports/activity': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
  ],
  'GET /api/reports/reach': [
    p('401    scoped scoped 2xx    401    401', { query: 'programId=$program' }),
    p('401    2xx    403    2xx    401    401', { query: 'programId=$program&regionId=$countyA' }),
    p('401    pass   pass   2xx    401    401', { query: 'programId=$draft' }),
  ],
  'GET /api/reports/members': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
    p('401    2xx    hidden 2xx    401    401', { query: 'siteId=$siteA' }),
  ],
  'GET /api/reports/sites': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
  ],
  'GET /api/members': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
    p('401    2xx    403    2xx    401    401', { query: 'siteId=$siteA' }),
  ],
  // --- questionnaires: operators write; organizers read published ones reaching their region, and their results
  'POST /api/questionnaires': [p(OPERATOR_WRITE)],
  'GET /api/questionnaires': [p('401    scoped scoped 2xx    401    401')],
  'GET /api/questionnaires/:id': [
    p('401    2xx    hidden 2xx    401    401', { params: { id: 'questionnaire' } }),
    p('401    hidden hidden 2xx    401    401', { params: { id: 'questionnaireDraft' } }),
  ],
  'PATCH /api/questionnaires/:id': [p(OPERATOR_WRITE, { params: { id: 'questionnaire' } })],
  'DELETE /api/questionnaires/:id': [p('401    403    403    2xx    401    401', { params: { id: 'questionnaireDraft' } })],
  'POST /api/questionnaires/:id/publish': [p('401    403    403    2xx    401    401', { params: { id: 'questionnaireDraft' } })],
  'POST /api/sites/me/answers': [p(SITE_CALL)],
  'GET /api/reports/questionnaires/:id': [
    p('401    scoped hidden 2xx    401    401', { params: { id: 'questionnaire' } }),
    p('401    2xx    hidden 2xx    401    401', { params: { id: 'questionnaire' }, query: 'regionId=$countyA&format=csv' }),
  ],
  // The sample questionnaire is a survey: whoever passes the scope check is told it has no quiz results (400).
  'GET /api/reports/questionnaires/:id/sites': [p('401    pass   hidden pass   401    401', { params: { id: 'questionnaire' } })],
  'GET /api/reports/questionnaires/:id/members': [p('401    pass   hidden pass   401    401', { params: { id: 'questionnaire' } })],
  'GET /api/reports/study': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
  ],
  'GET /api/reports/demand': [
    p('401    scoped scoped 2xx    401    401'),
    p('401    2xx    403    2xx    401    401', { query: 'regionId=$countyA' }),
  ],
  'POST /api/members/import': [
    p('401    2xx    403    2xx    401    401', { body: csv('memberNo,name,site\nA0002,Alpha-member-甲二,$siteA\n') }),
  ],
};

function cellHolds(cell: Cell, status: number): boolean {
  switch (cell) {
    case '401':
      return status === 401;
    case '403':
      return status === 403;
    case 'deny':
      return status === 401 || status === 403;
    case 'hidden':
      return status === 403 || status === 404;
    case '2xx':
    case 'scoped':
      return status >= 200 && status < 300;
    case 'pass':
      return status !== 401 && status !== 403 && status < 500;
  }
}

const s = await seededServer();
t.teardown(() => s.close());
const { app, fx, headers } = s;

const fixture = (v: string): string => {
  if (v.startsWith('=')) return v.slice(1);
  const id = fx[v as keyof Fixtures];
  if (id === undefined || id === null) throw new Error(`the matrix names fixture "${v}", which the seeding did not make`);
  return String(id);
};
const fill = (text: string) => text.replace(/\$(\w+)/g, (_m, name: string) => fixture(name));

t.test('every route the app serves has a row, and every row a route', async (t) => {
  const served = routeTable(app);
  const missing = [...served].filter((k) => !(k in MATRIX));
  const extra = Object.keys(MATRIX).filter((k) => !served.has(k));
  const hint = `'${missing[0] ?? 'METHOD /path'}': [p('401 403 403 2xx 401 401')]`;
  t.same(missing, [], `routes without a matrix row (add one per route, e.g. ${hint}): ${missing.join(', ')}`);
  t.same(extra, [], `matrix rows for routes the app does not serve (renamed or removed?): ${extra.join(', ')}`);
  t.equal(ROLES.length, 6, 'six roles');
});

for (const [key, probes] of Object.entries(MATRIX)) {
  const [method, route] = key.split(' ');
  t.test(key, async (t) => {
    for (const probe of probes) {
      const url =
        route.replace(/:(\w+)|\*/g, (m, name?: string) => {
          const v = probe.params?.[name ?? '*'];
          if (v === undefined) throw new Error(`the row ${key} gives no value for ${m}`);
          return encodeURIComponent(fixture(v)).replace(/%2F/g, '/');
        }) + (probe.query ? `?${fill(probe.query)}` : '');
      const write = method !== 'GET' && method !== 'DELETE';
      const body = probe.body
        ? { text: fill(probe.body.text), type: probe.body.type }
        : write
          ? { text: '{}', type: 'application/json' }
          : null;
      for (const role of ROLES) {
        const cell = probe.cells[role];
        const h: Record<string, string> = { ...headers[role], ...(body ? { 'content-type': body.type } : {}) };
        // Each cell in a fresh transaction, rolled back: one role's successful write never changes the next cell.
        app.db.exec('BEGIN');
        try {
          const res = await app.inject({ method: method as 'GET', url, headers: h, payload: body?.text });
          const said = `${res.statusCode} ${res.body.slice(0, 160)}`;
          t.ok(cellHolds(cell, res.statusCode), `${role} ${method} ${url}: expected ${cell}, got ${said}`);
          if (res.statusCode >= 200 && res.statusCode < 300) {
            for (const leak of leaks(role, res.body)) t.fail(`${role} ${method} ${url}: ${leak}`);
          }
          if (method === 'GET') {
            const head = await app.inject({ method: 'HEAD', url, headers: h });
            t.equal(head.statusCode, res.statusCode, `${role} HEAD ${url} answers as GET does`);
          }
        } finally {
          await stopSlates(app.db); // a channel written with success queued a slate (ffmpeg): not needed here
          if (app.db.inTransaction) app.db.exec('ROLLBACK');
        }
      }
    }
  });
}
