// Issue 12 through HTTP: a new channel plays at once (its ready items, the house slate in gaps), answers 503 with
// Retry-After only when nothing at all can play, and keeps its media and discontinuity sequences steady when a
// program that aired is deleted afterwards.
import t from 'tap';
import { createRequire } from 'node:module';
import { makeServer } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { slatesSettled } from '../../../server/broadcast/slate.ts';
import { ensureHouseSlate } from '../../../server/broadcast/slate.ts';
import { invalidateChannel } from '../../../server/broadcast/timeline-input.ts';

const { Parser } = createRequire(import.meta.url)('m3u8-parser') as {
  Parser: new () => { push(s: string): void; end(): void; manifest: Parsed };
};
interface Parsed {
  mediaSequence: number;
  discontinuitySequence: number;
  segments: Array<{ uri: string; duration: number; dateTimeString?: string }>;
}
function parse(text: string): Parsed {
  const p = new Parser();
  p.push(text);
  p.end();
  return p.manifest;
}
const sleepUntil = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

t.test('nothing at all to play: 503 with Retry-After and a message', async (t) => {
  // No ffmpeg: the channel's card fails, and no house slate exists on this fresh server.
  const s = await makeServer({ ffmpegPath: '/nonexistent/ffmpeg' });
  t.teardown(() => s.close());
  const ch = await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 1, name: '空频道' } });
  t.equal(ch.statusCode, 201, ch.body);
  await slatesSettled(s.app.db);
  const res = await s.app.inject({ method: 'GET', url: `/live/channels/${ch.json().id}/240p.m3u8` });
  t.equal(res.statusCode, 503);
  t.equal(res.headers['retry-after'], '5');
  t.match(res.json().error, { code: 'nothing_to_play', message: /nothing to play yet.*Try again in 5 seconds/ });
  const now = await s.app.inject({ method: 'GET', url: `/api/channels/${ch.json().id}/now` });
  t.equal(now.statusCode, 503);
  t.equal(now.headers['retry-after'], '5');
});

t.test('a new channel plays at once; deleting a program after it aired moves no counter', async (t) => {
  // Without the suite's card cache: the gap right after POST is what this checks, before the card is rendered.
  const s = await makeServer({ slateCacheDir: undefined });
  t.teardown(() => s.close());
  const { app, auth } = s;
  const inject = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => app.inject({ method, url, headers: auth, payload });

  // The house slate, made once per server by the product's slate generator (as the plugin does at start).
  const houseId = await ensureHouseSlate(app.db, app.config, app.log);
  t.ok(houseId, 'the house slate is made');
  const card = { programId: houseId! };
  const lecture = await readyProgram(app, { seconds: 10, title: '新频道第一课' });

  // Right after POST: 200, the house slate plays (the channel's own card is still being made).
  const created = await inject('POST', '/api/channels', { number: 1, name: '新频道' });
  t.equal(created.statusCode, 201, created.body);
  const ch = created.json();
  // Far enough ahead that a loaded machine still reads the playlist before the item starts.
  const start = Date.now() + 8000;
  const item = await inject('POST', `/api/channels/${ch.id}/schedule`, { programId: lecture, start });
  t.equal(item.statusCode, 201, item.body);
  const atOnce = await app.inject({ method: 'GET', url: `/live/channels/${ch.id}/240p.m3u8` });
  t.equal(atOnce.statusCode, 200, `plays at once: ${atOnce.body}`);
  t.ok(
    parse(atOnce.body).segments.every((x) => x.uri.startsWith(`/media/programs/${card.programId}/`)),
    'the house slate fills the gap',
    { text: atOnce.body },
  );
  const channelView = (await inject('GET', `/api/channels/${ch.id}`)).json();
  t.ok(['house', 'generated'].includes(channelView.slate.source) && channelView.slate.status === 'ready', 'the view says what fills gaps');

  // At its start the scheduled program plays.
  await sleepUntil(start + 600);
  const onAir = parse((await app.inject({ method: 'GET', url: `/live/channels/${ch.id}/240p.m3u8` })).body);
  t.ok(
    onAir.segments.some((x) => x.uri === `/media/programs/${lecture}/v1/240p/seg_00000.ts`),
    'the program plays at its start',
  );

  // After it ended, delete it from the catalog; the rebuilt timeline (forced here: the cache would expire) keeps the past.
  const lectureEnd = Date.parse(item.json().end);
  await sleepUntil(lectureEnd + 1500);
  const before = parse((await app.inject({ method: 'GET', url: `/live/channels/${ch.id}/240p.m3u8` })).body);
  const del = await inject('DELETE', `/api/programs/${lecture}`);
  t.equal(del.statusCode, 204, del.body);
  invalidateChannel(app.db, ch.id);
  const after = parse((await app.inject({ method: 'GET', url: `/live/channels/${ch.id}/240p.m3u8` })).body);
  const step = after.mediaSequence - before.mediaSequence;
  t.ok(step >= 0 && step <= 2, `media sequence continues (${before.mediaSequence} -> ${after.mediaSequence})`);
  // The window may still start at the channel's epoch: the segment on air (the last listed) must not jump either.
  const last = (m: Parsed) => m.mediaSequence + m.segments.length - 1;
  t.ok(
    last(after) - last(before) >= 0 && last(after) - last(before) <= 2,
    `the segment on air continues (${last(before)} -> ${last(after)})`,
  );
  const discStep = after.discontinuitySequence - before.discontinuitySequence;
  t.ok(
    discStep >= 0 && discStep <= 2,
    `discontinuity sequence continues (${before.discontinuitySequence} -> ${after.discontinuitySequence})`,
  );
  const uriAt = (m: Parsed, seq: number) => m.segments[seq - m.mediaSequence]?.uri;
  const shared = before.segments.map((x, i) => [x.uri, uriAt(after, before.mediaSequence + i)]).filter(([, b]) => b !== undefined);
  t.ok(shared.length > 0 && shared.every(([a, b]) => a === b), 'the same segment at each sequence number');
  const item2 = (await inject('GET', `/api/channels/${ch.id}/schedule?from=${start - 1000}&to=${lectureEnd + 1000}`)).json().items[0];
  t.match(item2, { programId: null, warning: /deleted/ }, 'the item says its program is gone');
});
