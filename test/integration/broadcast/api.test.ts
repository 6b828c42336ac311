// Broadcast through its HTTP interface: channels (CRUD, regions, generated slate), schedule items and their
// rules, recurring slots (fixed program, next episode of a series, idempotent materialisation), copy and
// export/import, guides (EPG, now/next, XMLTV checked by the XMLTV project's tv_validate_file, M3U), live playlists (every one parsed
// with m3u8-parser), and who may call what.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';
import { makeServer, tempDir, userAuth } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { validateXmltv } from './checks.ts';
import { createRegion } from '../../../server/sites/regions.ts';
import { slatesSettled } from '../../../server/broadcast/slate.ts';
import { materialiseAll } from '../../../server/broadcast/slots.ts';
import { invalidateChannel, timelineInputForChannel } from '../../../server/broadcast/timeline-input.ts';
import { mediaPlaylist } from '../../../common/playlist.ts';
import { RUNG_NAMES } from '../../../common/ladder.ts';

const { Parser } = createRequire(import.meta.url)('m3u8-parser') as {
  Parser: new () => { push(s: string): void; end(): void; manifest: Parsed };
};
interface Parsed {
  targetDuration: number;
  mediaSequence: number;
  discontinuitySequence: number;
  discontinuityStarts: number[];
  segments: Array<{ uri: string; duration: number; discontinuity?: boolean; dateTimeString?: string }>;
  playlists?: Array<{ uri: string; attributes: { BANDWIDTH?: number; RESOLUTION?: { width: number; height: number } } }>;
}
function parse(text: string): Parsed {
  const p = new Parser();
  p.push(text);
  p.end();
  return p.manifest;
}

/** Checks a media playlist's structure; returns the parsed form. */
function checkMediaPlaylist(t: Test, text: string, what: string): Parsed {
  const m = parse(text);
  const ok =
    text.startsWith('#EXTM3U\n') &&
    m.segments.length >= 3 &&
    !m.segments[0].discontinuity && // no leading discontinuity (Kodi)
    m.segments.every(
      (s) =>
        s.duration > 0 && Math.round(s.duration) <= m.targetDuration && /^\/media\/programs\/\d+\/v\d+\/\w+\/seg_\d{5}\.ts$/.test(s.uri),
    ) &&
    m.segments.every((s, i) => !s.discontinuity || s.dateTimeString) &&
    Number.isInteger(m.mediaSequence) &&
    Number.isInteger(m.discontinuitySequence);
  t.ok(ok, `${what}: parses and is well formed`, ok ? {} : { text });
  return m;
}

const DAY = 86_400_000;

t.test('broadcast API', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const zone = app.config.provinceTz;
  const organizer = await userAuth(app, 'organizer1', 'organizer');
  const inject = (method: string, url: string, headers: Record<string, string> = auth, payload?: unknown) =>
    app.inject({ method: method as 'GET', url, headers, payload: payload as string });

  // A real ready program (transcoded by the product) and catalog rows that are not ready.
  const lecture = await readyProgram(app, { seconds: 6, title: '党的建设 第一讲' });
  const stamp = new Date().toISOString();
  const addProgram = (title: string, extra: { seriesId?: number; episode?: number } = {}) =>
    Number(
      app.db
        .prepare('INSERT INTO programs (title, series_id, episode, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(title, extra.seriesId ?? null, extra.episode ?? null, stamp, stamp).lastInsertRowid,
    );
  const queued = addProgram('尚未转码的课程');

  // ---- channels ----
  const created = await inject('POST', '/api/channels', auth, { number: 1, name: '远程教育一台', description: '综合频道' });
  t.equal(created.statusCode, 201, created.body);
  const ch1 = created.json();
  t.match(ch1, {
    number: 1,
    name: '远程教育一台',
    regionIds: [],
    slate: { source: 'generated' },
    liveUrl: `/live/channels/${ch1.id}/master.m3u8`,
  });
  const ch2 = (await inject('POST', '/api/channels', auth, { number: 2, name: '农业科技频道' })).json();

  const dup = await inject('POST', '/api/channels', auth, { number: 1, name: 'Other' });
  t.equal(dup.statusCode, 409);
  t.match(dup.json().error, { code: 'number_taken', message: /number 1 .*远程教育一台/ });
  t.equal((await inject('POST', '/api/channels', auth, { number: 3, name: '   ' })).statusCode, 400, 'blank name');
  t.equal((await inject('POST', '/api/channels', auth, { name: 'no number' })).statusCode, 400, 'number required');
  t.equal(
    (await inject('POST', '/api/channels', auth, { number: 3, name: 'x', slateProgramId: 99999 })).statusCode,
    400,
    'unknown slate program',
  );
  t.equal((await inject('GET', '/api/channels/9999')).statusCode, 404);

  await slatesSettled(app.db);
  const withSlate = (await inject('GET', `/api/channels/${ch1.id}`)).json();
  t.match(withSlate.slate, { source: 'generated', status: 'ready', error: null }, 'generated slate is ready');
  const slateId = withSlate.slate.programId as number;
  const slateRungs = (
    app.db.prepare('SELECT name FROM renditions WHERE program_id = ? ORDER BY height').all(slateId) as Array<{ name: string }>
  ).map((r) => r.name);
  t.same(slateRungs.sort(), [...RUNG_NAMES].sort(), 'slate in every house rung');
  const slateSeg = await inject('GET', `/media/programs/${slateId}/v1/240p/seg_00000.ts`, {});
  t.equal(slateSeg.statusCode, 200, 'slate media served');

  // Regions: the reach of a channel (issue 4's contract).
  const province = createRegion(app.db, { name: '本省', level: 'province' });
  const county = createRegion(app.db, { name: '甲县', level: 'prefecture', parentId: province.id });
  const reach = await inject('PATCH', `/api/channels/${ch1.id}`, auth, { regionIds: [county.id, county.id] });
  t.equal(reach.statusCode, 200, reach.body);
  t.same(reach.json().regionIds, [county.id]);
  t.same(app.db.prepare('SELECT region_id FROM channel_regions WHERE channel_id = ?').all(ch1.id), [{ region_id: county.id }]);
  const badRegion = await inject('PATCH', `/api/channels/${ch1.id}`, auth, { regionIds: [county.id, 4242] });
  t.equal(badRegion.statusCode, 400);
  t.match(badRegion.json().error.message, /no region 4242/);
  t.same((await inject('GET', `/api/channels/${ch1.id}`)).json().regionIds, [county.id], 'a refused edit changes nothing');
  t.same((await inject('PATCH', `/api/channels/${ch1.id}`, auth, { regionIds: [] })).json().regionIds, [], 'no regions: every site');
  const edited = await inject('PATCH', `/api/channels/${ch2.id}`, auth, { description: '种植与养殖', logo: '/media/logo2.png' });
  t.match(edited.json(), { name: '农业科技频道', description: '种植与养殖', logo: '/media/logo2.png' });
  t.equal((await inject('PATCH', `/api/channels/${ch2.id}`, auth, { number: 1 })).statusCode, 409, 'renumber onto a taken number');
  t.same(
    (await inject('GET', '/api/channels', {})).json().map((c: { number: number }) => c.number),
    [1, 2],
    'public list by number',
  );

  // ---- schedule items ----
  const now = Date.now();
  // A clean hour two days ahead in the province zone, so day copies and weeks are easy to reason about.
  const day = DateTime.fromMillis(now, { zone }).plus({ days: 2 }).startOf('day');
  const at = (h: number, m = 0) => day.set({ hour: h, minute: m }).toMillis();
  const a = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: new Date(at(9)).toISOString() });
  t.equal(a.statusCode, 201, a.body);
  const itemA = a.json();
  const lectureMs =
    Math.ceil((app.db.prepare('SELECT duration FROM programs WHERE id = ?').get(lecture) as { duration: number }).duration) * 1000;
  t.match(itemA, {
    programId: lecture,
    title: '党的建设 第一讲',
    state: 'scheduled',
    warning: null,
    end: new Date(at(9) + lectureMs).toISOString(),
  });

  const clash = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, {
    programId: lecture,
    start: at(9) + 2000,
    durationSeconds: 60,
  });
  t.equal(clash.statusCode, 409);
  t.match(clash.json().error, { code: 'overlap', message: new RegExp(`item ${itemA.id} \\("党的建设 第一讲"`) }, 'names the clashing item');
  const local = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, {
    programId: queued,
    start: day.set({ hour: 10 }).toFormat("yyyy-LL-dd'T'HH:mm:ss"),
    durationSeconds: 1800,
  });
  t.equal(local.statusCode, 201, 'a time without offset is province time');
  const itemB = local.json();
  t.equal(itemB.start, new Date(at(10)).toISOString());
  t.match(itemB.warning, /is queued: the slate plays/, 'not-ready program: a warning');
  const noLength = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: queued, start: at(11) });
  t.equal(noLength.statusCode, 400);
  t.match(noLength.json().error.message, /length is unknown: give end or durationSeconds/);
  t.equal((await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: 'tomorrow' })).statusCode, 400);
  t.equal((await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: 4242, start: at(12) })).statusCode, 404);
  t.equal(
    (await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: at(12), end: at(11) })).statusCode,
    400,
  );
  const past = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: now - 60_000 });
  t.equal(past.statusCode, 409);
  t.equal(past.json().error.code, 'in_the_past');

  const moved = await inject('PATCH', `/api/channels/${ch1.id}/schedule/${itemB.id}`, auth, { start: at(10, 30) });
  t.equal(moved.statusCode, 200);
  t.match(moved.json(), { start: new Date(at(10, 30)).toISOString(), end: new Date(at(11)).toISOString() }, 'moving keeps the length');
  t.equal(
    (await inject('PATCH', `/api/channels/${ch1.id}/schedule/${itemB.id}`, auth, { start: at(9) })).statusCode,
    409,
    'moved onto another',
  );

  // Items that started or ended cannot change. (Made by hand: the API refuses to create them.)
  const insertRaw = (start: number, end: number, programId: number | null = lecture) =>
    Number(
      app.db
        .prepare('INSERT INTO schedule_items (channel_id, program_id, start_at, end_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(ch2.id, programId, start, end, stamp, stamp).lastInsertRowid,
    );
  const ended = insertRaw(now - 3_600_000, now - 3_000_000);
  const onAir = insertRaw(now - 1000, now + 600_000);
  invalidateChannel(app.db, ch2.id);
  for (const [id, code] of [
    [ended, 'item_ended'],
    [onAir, 'item_started'],
  ] as const) {
    const p = await inject('PATCH', `/api/channels/${ch2.id}/schedule/${id}`, auth, { durationSeconds: 5 });
    t.equal(p.statusCode, 409);
    t.equal(p.json().error.code, code);
    t.equal((await inject('DELETE', `/api/channels/${ch2.id}/schedule/${id}`)).statusCode, 409);
  }
  t.equal((await inject('DELETE', `/api/channels/${ch1.id}/schedule/${onAir}`)).statusCode, 404, 'an item of another channel');

  const sched = (await inject('GET', `/api/channels/${ch2.id}/schedule?from=${now - DAY}&to=${now + DAY}`)).json();
  t.same(
    sched.items.map((i: { id: number; state: string }) => [i.id, i.state]),
    [
      [ended, 'ended'],
      [onAir, 'on_air'],
    ],
  );

  // ---- now / EPG ----
  const nn = (await inject('GET', `/api/channels/${ch2.id}/now`, {})).json();
  t.match(nn.now, { itemId: onAir, programId: lecture, title: '党的建设 第一讲', slate: false });
  t.ok(nn.now.offsetSeconds >= 1 && nn.now.offsetSeconds < 600, 'offset into the item');
  t.equal(nn.next, null, 'nothing after: the slate (not an item) is next');
  const epg = (await inject('GET', `/api/channels/${ch1.id}/epg?from=${day.toMillis()}&to=${day.plus({ days: 1 }).toMillis()}`, {})).json();
  t.same(
    epg.items.map((i: { id: number; status: string }) => [i.id, i.status]),
    [
      [itemA.id, 'ready'],
      [itemB.id, 'not_ready'],
    ],
  );
  t.equal((await inject('GET', `/api/channels/${ch1.id}/epg?from=${at(12)}&to=${at(11)}`, {})).statusCode, 400);

  // ---- recurring slots ----
  const slot = await inject('POST', `/api/channels/${ch1.id}/slots`, auth, {
    days: [1, 2, 3, 4, 5, 6, 7],
    time: '19:30',
    programId: lecture,
  });
  t.equal(slot.statusCode, 201, slot.body);
  const slotItems = () =>
    app.db.prepare('SELECT id, program_id, start_at FROM schedule_items WHERE slot_id = ? ORDER BY start_at').all(slot.json().id) as Array<{
      id: number;
      program_id: number;
      start_at: number;
    }>;
  const first = slotItems();
  t.ok(first.length >= 7 && first.length <= 9, `a week ahead materialised (${first.length})`);
  t.ok(
    first.every((r) => DateTime.fromMillis(r.start_at, { zone }).toFormat('HH:mm') === '19:30'),
    'at 19:30 province time',
  );
  t.same(materialiseAll(app.db, zone, Date.now()).created, 0, 'running again creates nothing');
  const removed = first[first.length - 1];
  t.equal((await inject('DELETE', `/api/channels/${ch1.id}/schedule/${removed.id}`)).statusCode, 204, 'a materialised item is editable');
  materialiseAll(app.db, zone, Date.now());
  t.same(
    slotItems().map((r) => r.id),
    first.slice(0, -1).map((r) => r.id),
    'a deleted occurrence is not made again',
  );
  t.equal(slotItems().length, first.length - 1);

  // Next episode of a series, in episode order, wrapping. Episode rows are inserted out of order on purpose.
  const series = Number(app.db.prepare('INSERT INTO series (title, created_at) VALUES (?, ?)').run('基层治理系列', stamp).lastInsertRowid);
  const ep3 = addProgram('第三集', { seriesId: series, episode: 3 });
  const ep1 = addProgram('第一集', { seriesId: series, episode: 1 });
  const ep2 = addProgram('第二集', { seriesId: series, episode: 2 });
  const serial = await inject('POST', `/api/channels/${ch2.id}/slots`, auth, {
    cron: '0 8 * * *',
    seriesId: series,
    durationSeconds: 1800,
  });
  t.equal(serial.statusCode, 201, serial.body);
  const eps = app.db
    .prepare('SELECT program_id, start_at, end_at FROM schedule_items WHERE slot_id = ? ORDER BY start_at')
    .all(serial.json().id) as Array<{ program_id: number; start_at: number; end_at: number }>;
  t.ok(eps.length >= 7, 'a week of episodes');
  t.same(
    eps.slice(0, 6).map((e) => e.program_id),
    [ep1, ep2, ep3, ep1, ep2, ep3],
    'next episode each time, wrapping',
  );
  t.ok(eps.every((e) => e.end_at - e.start_at === 1_800_000 && DateTime.fromMillis(e.start_at, { zone }).hour === 8));
  t.equal(serial.json().nextEpisode, eps.length, 'the slot remembers the next episode');
  materialiseAll(app.db, zone, Date.now());
  t.equal(
    (app.db.prepare('SELECT COUNT(*) AS n FROM schedule_items WHERE slot_id = ?').get(serial.json().id) as { n: number }).n,
    eps.length,
    'idempotent',
  );

  const badSlots: Array<[unknown, RegExp]> = [
    [{ cron: '61 * * * *', programId: lecture }, /cron/],
    [{ cron: '0 8 * *', programId: lecture }, /5 fields/],
    [{ days: [1], time: '25:00', programId: lecture }, /HH:MM/],
    [{ days: [1], time: '08:00', programId: lecture, seriesId: series }, /either programId or seriesId/],
    [{ days: [1], time: '08:00' }, /either programId or seriesId/],
  ];
  for (const [body, message] of badSlots) {
    const r = await inject('POST', `/api/channels/${ch1.id}/slots`, auth, body);
    t.equal(r.statusCode, 400, JSON.stringify(body));
    t.match(r.json().error.message, message);
  }
  const listed = (await inject('GET', `/api/channels/${ch1.id}/slots`)).json();
  t.match(listed, [{ id: slot.json().id, days: [1, 2, 3, 4, 5, 6, 7], time: '19:30', programId: lecture }]);
  t.equal((await inject('DELETE', `/api/channels/${ch2.id}/slots/${serial.json().id}`)).statusCode, 204);
  t.equal(
    (app.db.prepare('SELECT COUNT(*) AS n FROM schedule_items WHERE slot_id = ?').get(serial.json().id) as { n: number }).n,
    0,
    'its future items go',
  );

  // ---- copy a day, a week ----
  const dayStr = day.toISODate()!;
  const nextWeek = day.plus({ days: 7 }).toISODate()!;
  const copy = await inject('POST', `/api/channels/${ch1.id}/schedule/copy`, auth, { fromDate: dayStr, toDate: nextWeek });
  t.equal(copy.statusCode, 201, copy.body);
  const copied = copy.json().created as Array<{ start: string; programId: number }>;
  const sourceDay = (
    await inject('GET', `/api/channels/${ch1.id}/schedule?from=${day.toMillis()}&to=${day.plus({ days: 1 }).toMillis()}`)
  ).json().items as Array<{ start: string; end: string; programId: number }>;
  t.same(
    copied.map((c) => [DateTime.fromISO(c.start, { zone }).toFormat('HH:mm:ss'), c.programId]),
    sourceDay.map((c) => [DateTime.fromISO(c.start, { zone }).toFormat('HH:mm:ss'), c.programId]),
    'same times and programs a week later',
  );
  const again = await inject('POST', `/api/channels/${ch1.id}/schedule/copy`, auth, { fromDate: dayStr, toDate: nextWeek });
  t.equal(again.statusCode, 409, 'copying twice clashes');
  t.match(again.json().error.message, /overlaps item \d+/);
  const weekCopy = await inject('POST', `/api/channels/${ch1.id}/schedule/copy`, auth, {
    fromDate: dayStr,
    toDate: dayStr,
    days: 7,
    toChannelId: ch2.id,
  });
  t.equal(weekCopy.statusCode, 201, 'a week onto another channel');
  t.ok(weekCopy.json().created.length > copied.length);
  t.equal(
    (await inject('POST', `/api/channels/${ch1.id}/schedule/copy`, auth, { fromDate: '2026-13-01', toDate: dayStr })).statusCode,
    400,
  );

  // ---- export / import a week ----
  const exported = await inject('GET', `/api/channels/${ch1.id}/schedule/export?week=${dayStr}`);
  t.equal(exported.statusCode, 200);
  const week = exported.json();
  t.ok(week.items.length >= 3, 'the week has items');
  const csv = await inject('GET', `/api/channels/${ch1.id}/schedule/export?week=${dayStr}&format=csv`);
  t.match(csv.headers['content-type'], /text\/csv/);
  const csvLines = csv.body.trim().split('\n');
  t.equal(csvLines[0], 'start,end,program_id,title');
  t.equal(csvLines.length, week.items.length + 1);
  t.ok(csv.body.includes('党的建设 第一讲'), 'titles in UTF-8');

  const ch3 = (await inject('POST', '/api/channels', auth, { number: 3, name: '导入测试' })).json();
  const jsonImport = await inject('POST', `/api/channels/${ch3.id}/schedule/import`, auth, week);
  t.equal(jsonImport.statusCode, 201, jsonImport.body);
  t.same(
    jsonImport.json().created.map((i: { start: string; programId: number }) => [Date.parse(i.start), i.programId]),
    week.items.map((i: { start: string; programId: number }) => [Date.parse(i.start), i.programId]),
  );
  const twice = await inject('POST', `/api/channels/${ch3.id}/schedule/import`, auth, week);
  t.equal(twice.statusCode, 409, 'importing over itself clashes');
  const csvImport = await app.inject({
    method: 'POST',
    url: `/api/channels/${ch3.id}/schedule/import?fromWeek=${dayStr}&toWeek=${day.plus({ days: 14 }).toISODate()}`,
    headers: { ...auth, 'content-type': 'text/csv' },
    payload: csv.body,
  });
  t.equal(csvImport.statusCode, 201, csvImport.body);
  t.same(
    csvImport.json().created.map((i: { start: string }) => DateTime.fromISO(i.start, { zone }).minus({ days: 14 }).toMillis()),
    week.items.map((i: { start: string }) => Date.parse(i.start)),
    'CSV moved by two weeks, same local times',
  );
  const before = (app.db.prepare('SELECT COUNT(*) AS n FROM schedule_items').get() as { n: number }).n;
  const badCsv = await app.inject({
    method: 'POST',
    url: `/api/channels/${ch3.id}/schedule/import`,
    headers: { ...auth, 'content-type': 'text/csv' },
    payload: `start,end,program_id\n${new Date(at(23)).toISOString()},,${lecture}\nnot-a-time,,${lecture}\n`,
  });
  t.equal(badCsv.statusCode, 400);
  t.match(badCsv.json().error.message, /items\[1\]\.start/);
  t.equal((app.db.prepare('SELECT COUNT(*) AS n FROM schedule_items').get() as { n: number }).n, before, 'all or nothing');

  // ---- guides for set-top boxes ----
  const xml = await inject('GET', '/epg.xml?hours=72', {});
  t.equal(xml.statusCode, 200);
  t.match(xml.headers['content-type'], /application\/xml/);
  t.ok(xml.body.includes('<title lang="zh">党的建设 第一讲</title>'), 'Chinese titles');
  t.ok(xml.body.includes('<display-name lang="zh">远程教育一台</display-name>'));
  const dir = tempDir('dyb-epg-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const xmlFile = path.join(dir, 'epg.xml');
  fs.writeFileSync(xmlFile, xml.body);
  t.equal(validateXmltv(xmlFile), '', "tv_validate_file (the XMLTV project's validator) accepts the guide");
  const programmes = xml.body.match(/<programme /g)?.length ?? 0;
  t.ok(programmes >= 4, `programmes listed (${programmes})`);

  const m3u = await inject('GET', '/channels.m3u', {});
  t.match(m3u.headers['content-type'], /mpegurl/);
  const m3uLines = m3u.body.trim().split('\n');
  t.match(m3uLines[0], /^#EXTM3U url-tvg="http:\/\/localhost(:\d+)?\/epg\.xml"/);
  t.equal(m3uLines.length, 1 + 2 * 3);
  t.match(
    m3uLines[1],
    new RegExp(`^#EXTINF:-1 tvg-id="1\\.dyb\\.example" tvg-name="远程教育一台" tvg-chno="1" group-title="[^"]+",远程教育一台$`),
  );
  t.match(m3uLines[2], new RegExp(`/live/channels/${ch1.id}/master\\.m3u8$`));
  t.ok(xml.body.includes('<channel id="1.dyb.example">'), 'tvg-id matches the XMLTV channel id');

  // ---- live playlists ----
  const master = await inject('GET', `/live/channels/${ch2.id}/master.m3u8`, {});
  t.equal(master.statusCode, 200);
  t.match(master.headers['content-type'], /application\/vnd\.apple\.mpegurl/);
  t.equal(master.headers['cache-control'], 'max-age=1', 'master: max-age=1 like every live playlist');
  t.equal(
    (await inject('GET', `/live/channels/${ch2.id}/master.m3u8`, { 'if-none-match': `W/${master.headers.etag}, "other"` })).statusCode,
    304,
    'master: ETag honoured, also weak or in a list',
  );
  const variants = parse(master.body).playlists ?? [];
  t.same(
    variants.map((v) => v.uri),
    RUNG_NAMES.map((r) => `${r}.m3u8`),
    'one variant per house rung',
  );
  t.ok(variants.every((v) => (v.attributes.BANDWIDTH ?? 0) > 0 && v.attributes.RESOLUTION));
  for (const rung of RUNG_NAMES) {
    const res = await inject('GET', `/live/channels/${ch2.id}/${rung}.m3u8`, {});
    t.equal(res.statusCode, 200);
    t.equal(res.headers['cache-control'], 'max-age=1');
    t.match(res.headers['content-type'], /application\/vnd\.apple\.mpegurl/);
    const m = checkMediaPlaylist(t, res.body, `live ${rung}`);
    // The lecture has only 240p: every rung plays it from its highest (only) rung.
    t.ok(
      m.segments.some((seg) => seg.uri.startsWith(`/media/programs/${lecture}/v1/240p/`)),
      `${rung}: the lecture, at its own rung`,
    );
    const again304 = await inject('GET', `/live/channels/${ch2.id}/${rung}.m3u8`, { 'if-none-match': String(res.headers.etag) });
    t.ok(again304.statusCode === 304 || again304.headers.etag !== res.headers.etag, 'ETag honoured (304 unless the window moved)');
  }
  const segUri = parse((await inject('GET', `/live/channels/${ch2.id}/240p.m3u8`, {})).body).segments[0].uri;
  t.equal((await inject('GET', segUri, {})).statusCode, 200, 'listed media is served');
  t.equal((await inject('GET', `/live/channels/${ch2.id}/1080p.m3u8`, {})).statusCode, 400, 'unknown rung');
  t.equal((await inject('GET', '/live/channels/9999/240p.m3u8', {})).statusCode, 404);

  // A program that aired being re-transcoded (status back to queued, files kept until it publishes): what was
  // on air stays as it was, so the sequences do not jump (the rebuild is forced here; the cache would expire).
  const pre = parse((await inject('GET', `/live/channels/${ch2.id}/240p.m3u8`, {})).body);
  app.db.prepare("UPDATE programs SET status = 'queued' WHERE id = ?").run(lecture);
  invalidateChannel(app.db, ch2.id);
  const post = parse((await inject('GET', `/live/channels/${ch2.id}/240p.m3u8`, {})).body);
  app.db.prepare("UPDATE programs SET status = 'ready' WHERE id = ?").run(lecture);
  invalidateChannel(app.db, ch2.id);
  t.ok(
    post.mediaSequence - pre.mediaSequence >= 0 && post.mediaSequence - pre.mediaSequence <= 1,
    `media sequence steady (${pre.mediaSequence} -> ${post.mediaSequence})`,
  );
  const uriAt = (m: Parsed, seq: number) => m.segments[seq - m.mediaSequence]?.uri;
  t.ok(
    pre.segments.every((x, i) => uriAt(post, pre.mediaSequence + i) === undefined || uriAt(post, pre.mediaSequence + i) === x.uri),
    'same segment at each sequence',
  );

  // A program that turns ready just before its item starts is played: the cached timeline is rebuilt at the start
  // (nothing tells broadcast when a program's status changes).
  const t1 = Date.now();
  const soon = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: t1 + 2000 });
  t.equal(soon.statusCode, 201, soon.statusCode === 201 ? 'scheduled to start in 2 s' : soon.body);
  app.db.prepare("UPDATE programs SET status = 'processing' WHERE id = ?").run(lecture);
  const beforeStart = await inject('GET', `/live/channels/${ch1.id}/240p.m3u8`, {});
  t.notOk(beforeStart.body.includes(`/programs/${lecture}/`), 'not ready: not listed');
  app.db.prepare("UPDATE programs SET status = 'ready' WHERE id = ?").run(lecture);
  await new Promise((r) => setTimeout(r, Math.max(0, t1 + 2600 - Date.now())));
  const afterStart = await inject('GET', `/live/channels/${ch1.id}/240p.m3u8`, {});
  t.ok(afterStart.body.includes(`/media/programs/${lecture}/v1/240p/seg_00000.ts`), 'ready by its start: it plays', {
    text: afterStart.body,
  });

  // Every playlist of the next minutes (program, not-ready item, gap, boundaries) parses; counters never go back.
  const t0 = Date.now() + 6000;
  const shortA = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: t0 + 5000 });
  const shortB = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, {
    programId: queued,
    start: t0 + 5000 + lectureMs,
    durationSeconds: 7,
  });
  const shortC = await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, {
    programId: lecture,
    start: t0 + 5000 + lectureMs + 9500,
  });
  t.same([shortA.statusCode, shortB.statusCode, shortC.statusCode], [201, 201, 201]);
  const input = timelineInputForChannel(app.db, ch1.id, t0, t0 + 60_000);
  let last = { seq: -1, disc: -1 };
  let sawProgram = 0;
  let sawSlate = 0;
  let monotonic = true;
  for (let at2 = t0; at2 < t0 + 45_000; at2 += 250) {
    for (const rung of RUNG_NAMES) {
      const text = mediaPlaylist(input, rung, at2);
      const m = parse(text);
      const ok =
        m.segments.length >= 3 && !m.segments[0].discontinuity && m.segments.every((x) => Math.round(x.duration) <= m.targetDuration);
      if (!ok) t.fail(`playlist at ${at2} ${rung} malformed`, { text });
      if (rung !== '240p') continue;
      if (m.mediaSequence < last.seq || m.discontinuitySequence < last.disc) monotonic = false;
      last = { seq: m.mediaSequence, disc: m.discontinuitySequence };
      if (m.segments.some((x) => x.uri.includes(`/programs/${lecture}/`))) sawProgram++;
      if (m.segments.some((x) => x.uri.includes(`/programs/${slateId}/`))) sawSlate++;
    }
  }
  t.ok(monotonic, 'media and discontinuity sequences never go back');
  t.ok(sawProgram > 0 && sawSlate > 0, 'program and slate (gap, not-ready item) both listed');

  // ---- who may call what ----
  const item = (await inject('POST', `/api/channels/${ch1.id}/schedule`, auth, { programId: lecture, start: at(15) })).json();
  const writes: Array<[string, string, unknown]> = [
    ['POST', '/api/channels', { number: 9, name: 'x' }],
    ['PATCH', `/api/channels/${ch1.id}`, { name: 'x' }],
    ['DELETE', `/api/channels/${ch3.id}`, undefined],
    ['POST', `/api/channels/${ch1.id}/schedule`, { programId: lecture, start: at(16) }],
    ['PATCH', `/api/channels/${ch1.id}/schedule/${item.id}`, { start: at(17) }],
    ['DELETE', `/api/channels/${ch1.id}/schedule/${item.id}`, undefined],
    ['POST', `/api/channels/${ch1.id}/schedule/copy`, { fromDate: dayStr, toDate: day.plus({ days: 21 }).toISODate() }],
    ['POST', `/api/channels/${ch1.id}/schedule/import`, week],
    ['POST', `/api/channels/${ch1.id}/slots`, { days: [1], time: '06:00', programId: lecture }],
    ['DELETE', `/api/channels/${ch1.id}/slots/${slot.json().id}`, undefined],
  ];
  for (const [method, url, body] of writes) {
    t.equal((await inject(method, url, {}, body)).statusCode, 401, `${method} ${url} without a token`);
    t.equal((await inject(method, url, { authorization: 'Bearer forged' }, body)).statusCode, 401, `${method} ${url} forged token`);
    t.equal((await inject(method, url, organizer, body)).statusCode, 403, `${method} ${url} as organizer`);
  }
  const signedInReads = [
    `/api/channels/${ch1.id}/schedule`,
    `/api/channels/${ch1.id}/slots`,
    `/api/channels/${ch1.id}/schedule/export?week=${dayStr}`,
  ];
  for (const url of signedInReads) {
    t.equal((await inject('GET', url, {})).statusCode, 401, `GET ${url} needs a user`);
    t.equal((await inject('GET', url, organizer)).statusCode, 200, `GET ${url} as organizer`);
  }
  const publicReads = [
    '/api/channels',
    `/api/channels/${ch1.id}`,
    `/api/channels/${ch1.id}/now`,
    `/api/channels/${ch1.id}/epg`,
    '/epg.xml',
    '/channels.m3u',
    `/live/channels/${ch1.id}/master.m3u8`,
    `/live/channels/${ch1.id}/240p.m3u8`,
  ];
  for (const url of publicReads) t.equal((await inject('GET', url, {})).statusCode, 200, `GET ${url} is public (set-top boxes)`);

  // ---- delete a channel ----
  // Its own card, once made (until then the view names the house slate, which every channel shares and which stays).
  await slatesSettled(app.db);
  const ch3Card = (await inject('GET', `/api/channels/${ch3.id}`)).json().slate as { programId: number | null; source: string };
  t.equal(ch3Card.source, 'generated', 'the channel has its own card');
  const ch3Slate = ch3Card.programId;
  t.equal((await inject('DELETE', `/api/channels/${ch3.id}`)).statusCode, 204);
  t.equal((await inject('GET', `/live/channels/${ch3.id}/240p.m3u8`, {})).statusCode, 404);
  t.equal(
    (app.db.prepare('SELECT COUNT(*) AS n FROM schedule_items WHERE channel_id = ?').get(ch3.id) as { n: number }).n,
    0,
    'its schedule goes',
  );
  if (ch3Slate !== null) t.notOk(app.db.prepare('SELECT 1 FROM programs WHERE id = ?').get(ch3Slate), 'its generated slate goes');
  t.ok(app.db.prepare('SELECT 1 FROM programs WHERE id = ?').get(lecture), 'programs stay');
});
