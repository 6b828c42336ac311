// Carrying a central channel, with two real servers on sockets: the centre schedules a channel; a paired province
// carries it with a provincial window; the centre's items are copied (mapped to the mirrored program once the mirror
// holds it, cut where the window begins), the operator fills the window with the ordinary routes, and the guide and
// the timeline sites compute name the central program then the provincial one. Edits outside the window and of
// central items are refused; a central change follows; the centre down keeps the copy; bad bodies say why.
import t from 'tap';
import { DateTime } from 'luxon';
import { readyProgram } from '../../../testkit/programs.ts';
import { line, listening, registerProvince } from '../platforms/fixtures.ts';
import { timelineInputForChannel } from '../../../server/broadcast/timeline-input.ts';
import { liveWindow } from '../../../common/timeline.ts';
import type { Channel, Epg, ScheduleItem } from '../../../common/api/broadcast.ts';
import type { Program } from '../../../common/api/catalog.ts';

const TZ = 'Asia/Shanghai';
const iso = (ms: number) => new Date(ms).toISOString();

t.test('a central channel carried with a provincial window', async (t) => {
  const centre = await listening();
  t.teardown(() => centre.close());
  const centralProgram = await readyProgram(centre.app, { seconds: 3, title: '中央讲座' });
  const { regionId, code } = await registerProvince(centre, '某省');
  await centre.app.inject({
    method: 'PATCH',
    url: `/api/programs/${centralProgram}`,
    headers: centre.auth,
    payload: { distribute: true, distributeTo: [regionId] },
  });

  // The window: 10 minutes from a full hour three hours ahead (same day in the province zone), so nothing here waits.
  const w = DateTime.now().setZone(TZ).startOf('hour').plus({ hours: 3 });
  const W = w.toMillis();
  const window = { days: [w.weekday], start: w.toFormat('HH:mm'), end: w.plus({ minutes: 10 }).toFormat('HH:mm') };
  const centreChannel = (
    await centre.app.inject({ method: 'POST', url: '/api/channels', headers: centre.auth, payload: { number: 1, name: '中央一台' } })
  ).json() as Channel;
  const schedule = async (start: number, end: number) => {
    const r = await centre.app.inject({
      method: 'POST',
      url: `/api/channels/${centreChannel.id}/schedule`,
      headers: centre.auth,
      payload: { programId: centralProgram, start: iso(start), end: iso(end) },
    });
    t.equal(r.statusCode, 201, r.body);
    return r.json() as ScheduleItem;
  };
  await schedule(W - 3_000, W + 60_000); // runs into the window: cut where it begins
  await schedule(W + 5 * 60_000, W + 6 * 60_000); // inside the window: left out
  const later = await schedule(W + 15 * 60_000, W + 16 * 60_000); // after it: kept

  const hop = await line(centre.url);
  t.teardown(() => hop.close());
  const province = await listening({ upstreamUrl: hop.url, upstreamPairCode: code, provinceTz: TZ });
  t.teardown(() => province.close());
  await province.app.upstream.pair();
  const localProgram = await readyProgram(province.app, { seconds: 3, title: '省台节目' });
  const carry = (payload: object) => province.app.inject({ method: 'POST', url: '/api/channels', headers: province.auth, payload });

  // Bad bodies: each refused with the reason, nothing written.
  const bad: Array<[object, number, string, RegExp]> = [
    [{ number: 5, name: 'x', windows: [window] }, 400, 'bad_request', /only for a carried channel: give carry/],
    [
      { number: 5, name: 'x', carry: centreChannel.id, windows: [{ ...window, start: '25:00' }] },
      400,
      'invalid_input',
      /windows\.0\.start must be a time of day written HH:MM, from 00:00 to 24:00/,
    ],
    [
      { number: 5, name: 'x', carry: centreChannel.id, windows: [{ days: [1], start: '20:00', end: '19:00' }] },
      400,
      'bad_windows',
      /windows\[0\] \(Mon 20:00-19:00\) ends before it starts/,
    ],
    [
      { number: 5, name: 'x', carry: centreChannel.id, windows: [window, { days: [w.weekday], start: '00:00', end: '24:00' }] },
      400,
      'bad_windows',
      /windows\[0\].*and windows\[1\].*overlap/,
    ],
    [
      { number: 5, name: 'x', carry: 999 },
      422,
      'unknown_central_channel',
      new RegExp(`no channel 999: it may carry ${centreChannel.id} "中央一台"`),
    ],
  ];
  for (const [payload, status, code, message] of bad) {
    const r = await carry(payload);
    t.equal(r.statusCode, status, `${JSON.stringify(payload)}: ${r.body}`);
    t.match(r.json().error, { code, message });
  }
  const atCentre = await centre.app.inject({
    method: 'POST',
    url: '/api/channels',
    headers: centre.auth,
    payload: { number: 9, name: 'x', carry: 1 },
  });
  t.match(atCentre.json().error, { code: 'no_upstream' }, 'a centre follows nobody');
  t.same((await province.app.inject({ url: '/api/channels' })).json(), [], 'nothing half-written');

  // Carried before the mirror holds the program: the slots are kept, program null (the slate would play).
  // (Its own fields come along: here a ready slate, since this test server makes no house slate.)
  const created = await carry({
    number: 5,
    name: '转播中央一台',
    carry: centreChannel.id,
    windows: [window],
    slateProgramId: localProgram,
  });
  t.equal(created.statusCode, 201, created.body);
  const channel = created.json() as Channel;
  t.match(channel.carry, { centralChannelId: centreChannel.id, centralName: '中央一台', windows: [window], lastError: null });
  t.ok(channel.carry?.lastSyncAt, 'synced at creation');
  t.equal((await carry({ number: 6, name: 'again', carry: centreChannel.id })).json().error.code, 'already_carried');
  const range = `from=${iso(W - 3_600_000)}&to=${iso(W + 3_600_000)}`;
  const items = async () =>
    (await province.app.inject({ url: `/api/channels/${channel.id}/schedule?${range}`, headers: province.auth })).json()
      .items as ScheduleItem[];
  t.match(await items(), [
    { start: iso(W - 3_000), end: iso(W), programId: null, origin: 'central' },
    { start: iso(W + 15 * 60_000), end: iso(W + 16 * 60_000), programId: null, origin: 'central' },
  ]);

  // The mirror brings the program in; the next sync fills the items in with it.
  await province.app.mirror!.sync();
  const programs = (await province.app.inject({ url: '/api/programs', headers: province.auth })).json().items as Program[];
  const mirrored = programs.find((p) => p.origin === 'central')!;
  t.match(mirrored, { origin: 'central', status: 'ready' });
  await province.app.carrier.sync();
  // The slate: the mirrored program, so what plays in the window can only be the provincial item.
  await province.app.inject({
    method: 'PATCH',
    url: `/api/channels/${channel.id}`,
    headers: province.auth,
    payload: { slateProgramId: mirrored.id },
  });
  const copied = await items();
  t.match(copied, [
    { start: iso(W - 3_000), end: iso(W), programId: mirrored.id, title: '中央讲座', origin: 'central', warning: null },
    { start: iso(W + 15 * 60_000), programId: mirrored.id, origin: 'central' },
  ]);

  // Below: central items are read-only; outside the window nothing may be added; inside it the operator fills it.
  const item = (method: 'POST' | 'PATCH' | 'DELETE', payload?: object, itemId?: number) =>
    province.app.inject({
      method,
      url: `/api/channels/${channel.id}/schedule${itemId ? `/${itemId}` : ''}`,
      headers: province.auth,
      payload,
    });
  const outside = await item('POST', { programId: localProgram, start: iso(W + 12 * 60_000) });
  t.equal(outside.statusCode, 409);
  t.match(outside.json().error, {
    code: 'carried_by_centre',
    message: new RegExp(`carries the centre's channel "中央一台".*windows \\(\\S+ ${window.start}-${window.end}`),
  });
  const straddling = await item('POST', { programId: localProgram, start: iso(W + 9 * 60_000), durationSeconds: 120 });
  t.equal(straddling.json().error?.code, 'carried_by_centre', 'running out of the window');
  for (const [method, payload] of [
    ['PATCH', { start: iso(W + 40 * 60_000) }],
    ['DELETE', undefined],
  ] as const) {
    const r = await item(method, payload, copied[1]!.id);
    t.equal(r.statusCode, 409, `${method} of a central item`);
    t.equal(r.json().error.code, 'central_item');
  }
  const slot = await province.app.inject({
    method: 'POST',
    url: `/api/channels/${channel.id}/slots`,
    headers: province.auth,
    payload: { days: [1, 2, 3, 4, 5, 6, 7], time: '03:00', programId: localProgram },
  });
  t.equal(slot.statusCode, 409, 'a recurring slot outside the windows');
  t.equal(slot.json().error.code, 'carried_by_centre');
  t.same((await province.app.inject({ url: `/api/channels/${channel.id}/slots`, headers: province.auth })).json(), [], 'no slot kept');
  const filled = await item('POST', { programId: localProgram, start: iso(W) });
  t.equal(filled.statusCode, 201, filled.body);
  t.match(filled.json(), { origin: 'local', programId: localProgram });

  const guide = (await province.app.inject({ url: `/api/channels/${channel.id}/epg?${range}` })).json() as Epg;
  t.match(
    guide.items.map((i) => [i.programId, i.title, i.status]),
    [
      [mirrored.id, '中央讲座', 'ready'],
      [localProgram, '省台节目', 'ready'],
      [mirrored.id, '中央讲座', 'ready'],
    ],
    'the guide: the central program, then the provincial one in the window, then the centre again',
  );
  // What a site computes for the instant just after the window opens (the manifest's timeline input).
  const input = timelineInputForChannel(province.app.db, channel.id, W - 60_000, W + 60_000);
  const played = liveWindow(input, W + 2_000); // inside the 3 s provincial program
  const text = played.map((s) => `${s.programId}@${s.start - W}`).join(' ');
  t.ok(
    played.some((s) => s.start >= W - 3_000 && s.start < W && s.programId === mirrored.id),
    `the central program's segments before the window: ${text}`,
  );
  t.ok(
    played.some((s) => s.start >= W) && played.every((s) => s.start < W || s.programId === localProgram),
    `then the provincial program's, nothing of the centre inside the window: ${text}`,
  );

  // The centre moves its later item and adds one: it follows for the future.
  await centre.app.inject({
    method: 'PATCH',
    url: `/api/channels/${centreChannel.id}/schedule/${later.id}`,
    headers: centre.auth,
    payload: { start: iso(W + 20 * 60_000) },
  });
  await schedule(W + 30 * 60_000, W + 31 * 60_000);
  await province.app.carrier.sync();
  t.match(
    (await items()).map((i) => [i.start, i.origin]),
    [
      [iso(W - 3_000), 'central'],
      [iso(W), 'local'],
      [iso(W + 20 * 60_000), 'central'],
      [iso(W + 30 * 60_000), 'central'],
    ],
  );

  // The centre unreachable: the copy stands, the error says why.
  const before = await items();
  hop.mode = 'down';
  await province.app.carrier.sync();
  const down = (await province.app.inject({ url: `/api/channels/${channel.id}`, headers: province.auth })).json() as Channel;
  t.match(down.carry?.lastError, /^The centre could not be reached at .*; the schedule already copied stands\.$/);
  t.notMatch(down.carry?.lastError, hop.url.replace('http://', ''), 'the public channel list does not tell the centre address');
  t.same(await items(), before, 'the schedule already copied is kept');
  hop.mode = 'pass';
  await province.app.carrier.sync();
  t.equal(
    ((await province.app.inject({ url: `/api/channels/${channel.id}`, headers: province.auth })).json() as Channel).carry?.lastError,
    null,
  );

  // New windows: a provincial item left outside refuses them; a channel of the province's own has none to change.
  const moved = await province.app.inject({
    method: 'PATCH',
    url: `/api/channels/${channel.id}`,
    headers: province.auth,
    payload: { windows: [{ ...window, days: [(w.weekday % 7) + 1] }] },
  });
  t.equal(moved.statusCode, 409);
  t.match(moved.json().error, { code: 'outside_windows', message: /would lie outside the new windows/ });
  const own = await province.app.inject({
    method: 'POST',
    url: '/api/channels',
    headers: province.auth,
    payload: { number: 8, name: '自办' },
  });
  const notCarried = await province.app.inject({
    method: 'PATCH',
    url: `/api/channels/${own.json().id}`,
    headers: province.auth,
    payload: { windows: [window] },
  });
  t.equal(notCarried.json().error?.code, 'not_carried');
  t.equal(own.json().carry, null);
});
