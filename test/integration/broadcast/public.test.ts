// Issue 9 for broadcast, through HTTP: schedule CSV exports write formula-like titles as text; unpublished programs
// never reach the public guides (EPG, now/next, XMLTV) nor an organizer's schedule and export, and do not play on
// public live playlists; X-Forwarded-Host never reaches the cacheable /channels.m3u and /epg.xml. The XMLTV
// guide passes the XMLTV project's validator.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { makeServer, tempDir, userAuth } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { slatesSettled } from '../../../server/broadcast/slate.ts';
import { TBA_TITLE } from '../../../common/api/broadcast.ts';
import { validateXmltv } from './checks.ts';

const sleepUntil = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

t.test('public guides, exports and playlists', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const organizer = await userAuth(app, 'organizer9', 'organizer');
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: auth, payload });

  const ch = (await post('/api/channels', { number: 1, name: '公共频道' })).json();
  const published = await readyProgram(app, { seconds: 4, title: '公开课程' });
  const draftTitle = '内部草稿：尚未审核';
  const draft = await readyProgram(app, { seconds: 10, title: draftTitle });
  const unpublish = await app.inject({ method: 'PATCH', url: `/api/programs/${draft}`, headers: auth, payload: { published: false } });
  t.equal(unpublish.statusCode, 200, unpublish.body);
  await slatesSettled(app.db);

  // ---- formula-like titles in the schedule CSV ----
  // (Tab and CR starts are covered in test/unit/broadcast-csv-cell.test.ts: the catalog trims titles.)
  const formulas = ["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1:A2)', '＝1+1', '＋1', '－1', '＠SUM(A1)'];
  const day = Date.now() + 3 * 86_400_000;
  const week = new Date(day).toISOString().slice(0, 10);
  const weekStart = Date.parse(`${week}T00:00:00+08:00`);
  for (const [i, title] of formulas.entries()) {
    const p = await app.inject({ method: 'PATCH', url: `/api/programs/${published}`, headers: auth, payload: { title } });
    t.equal(p.statusCode, 200, p.body);
    const r = await post(`/api/channels/${ch.id}/schedule`, { programId: published, start: weekStart + 3_600_000 * (i + 1) });
    t.equal(r.statusCode, 201, r.body);
    // Each item shows the title its program had when exported: export now, one row at a time.
    const csv = await get(`/api/channels/${ch.id}/schedule/export?week=${week}&format=csv`, auth);
    const rows = parseCsv(csv.body, { columns: true }) as Array<{ title: string }>;
    t.ok(rows.length > 0 && rows.every((row) => row.title === `'${title}`), `CSV writes ${JSON.stringify(title)} as text`, { rows });
  }
  await app.inject({ method: 'PATCH', url: `/api/programs/${published}`, headers: auth, payload: { title: '公开课程' } });

  // ---- a draft scheduled on air soon ----
  const start = Date.now() + 2000;
  const item = await post(`/api/channels/${ch.id}/schedule`, { programId: draft, start });
  t.equal(item.statusCode, 201, item.body);
  t.match(item.json(), { title: draftTitle, published: false, warning: /not published/ }, 'the operator sees the draft and is warned');

  const from = start - 60_000;
  const to = start + 86_400_000;
  const epg = (await get(`/api/channels/${ch.id}/epg?from=${from}&to=${to}`)).json();
  const entry = epg.items.find((i: { id: number }) => i.id === item.json().id);
  t.same([entry.title, entry.programId, entry.status], [TBA_TITLE, null, 'not_ready'], 'public EPG: to be announced, no program id');
  const xml = await get('/epg.xml');
  t.notOk(xml.body.includes(draftTitle), 'XMLTV: no draft title');
  t.ok(xml.body.includes(TBA_TITLE), 'XMLTV: to be announced');
  const dir = tempDir('dyb-epg-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, 'epg.xml'), xml.body);
  t.equal(validateXmltv(path.join(dir, 'epg.xml')), '', 'tv_validate_file accepts the guide');

  const orgList = (await get(`/api/channels/${ch.id}/schedule?from=${from}&to=${to}`, organizer)).json();
  t.equal(orgList.items.find((i: { id: number }) => i.id === item.json().id).title, TBA_TITLE, 'organizer schedule: to be announced');
  const opList = (await get(`/api/channels/${ch.id}/schedule?from=${from}&to=${to}`, auth)).json();
  t.equal(opList.items.find((i: { id: number }) => i.id === item.json().id).title, draftTitle, 'operator schedule: the draft title');
  const draftWeek = new Date(start).toISOString().slice(0, 10);
  for (const [who, headers] of [
    ['organizer', organizer],
    ['operator', auth],
  ] as const) {
    const json = await get(`/api/channels/${ch.id}/schedule/export?week=${draftWeek}`, headers);
    const csv = await get(`/api/channels/${ch.id}/schedule/export?week=${draftWeek}&format=csv`, headers);
    const shows = who === 'operator';
    t.equal(json.body.includes(draftTitle), shows, `JSON export as ${who}: draft title ${shows ? 'shown' : 'hidden'}`);
    t.equal(csv.body.includes(draftTitle), shows, `CSV export as ${who}: draft title ${shows ? 'shown' : 'hidden'}`);
  }

  // At air time the slate plays publicly, and now/next does not name the draft.
  await sleepUntil(start + 500);
  const live = await get(`/live/channels/${ch.id}/240p.m3u8`);
  t.equal(live.statusCode, 200);
  t.notOk(live.body.includes(`/media/programs/${draft}/`), 'the draft does not play on the public live playlist', { text: live.body });
  const now = (await get(`/api/channels/${ch.id}/now`)).json();
  t.match(now.now, { itemId: item.json().id, programId: null, title: TBA_TITLE, slate: true }, 'now: to be announced, slate');
  t.notOk(JSON.stringify(now).includes(draftTitle));

  // ---- X-Forwarded-Host is not reflected; the Host header (or PUBLIC_URL) is ----
  const forged = { host: 'tv.village.local', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };
  for (const url of ['/channels.m3u', '/epg.xml']) {
    const r = await get(url, forged);
    t.notOk(r.body.includes('evil.example'), `${url}: X-Forwarded-Host ignored`);
    t.ok(r.body.includes('http://tv.village.local/live/channels/'), `${url}: links from the Host header`);
  }
  const m3u = (await get('/channels.m3u', forged)).body;
  t.match(m3u, /tvg-id="1\.dyb\.example"/, 'tvg-id is the XMLTV id');
});

t.test('PUBLIC_URL sets the links of cacheable guides', async (t) => {
  const s = await makeServer({ publicUrl: 'https://tv.example.org', xmltvIdDomain: 'tv.example.org' });
  t.teardown(() => s.close());
  await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 7, name: '七台' } });
  const headers = { host: 'other.host', 'x-forwarded-host': 'evil.example' };
  const m3u = (await s.app.inject({ method: 'GET', url: '/channels.m3u', headers })).body;
  t.match(m3u, /^#EXTM3U url-tvg="https:\/\/tv\.example\.org\/epg\.xml"/);
  t.match(m3u, /tvg-id="7\.tv\.example\.org"/);
  t.ok(m3u.includes('https://tv.example.org/live/channels/'));
  t.notOk(/other\.host|evil\.example/.test(m3u));
  const xml = (await s.app.inject({ method: 'GET', url: '/epg.xml', headers })).body;
  t.ok(xml.includes('<channel id="7.tv.example.org">') && xml.includes('<url>https://tv.example.org/live/channels/'));
  t.notOk(/other\.host|evil\.example/.test(xml));
});
