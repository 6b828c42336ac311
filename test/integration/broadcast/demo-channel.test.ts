// The `npm start` demo channel: the ready lectures back to back, a week ahead, kept up idempotently.
import t from 'tap';
import { makeServer } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { ensureDemoChannel, DEMO_AHEAD_MS, DEMO_CHANNEL_NUMBER } from '../../../scripts/demo.ts';
import { slatesSettled } from '../../../server/broadcast/slate.ts';

t.test('demo channel: days of back-to-back items, extended without overlap or duplicates', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const a = await readyProgram(s.app, { seconds: 20 });
  const b = await readyProgram(s.app, { seconds: 25 });
  const now = Date.now() - 60_000; // the schedule starts a minute ago, so a lecture is on air when the live playlist is read
  const id = ensureDemoChannel(s.app, now);
  await slatesSettled(s.app.db);
  const items = () =>
    s.app.db
      .prepare('SELECT program_id AS p, start_at AS s, end_at AS e FROM schedule_items WHERE channel_id = ? ORDER BY start_at')
      .all(id) as Array<{ p: number; s: number; e: number }>;
  const first = items();
  t.ok(first.length > 1000, `${first.length} items`);
  t.ok(first.at(-1)!.e >= now + DEMO_AHEAD_MS, 'scheduled ahead beyond the 48 h sites hold');
  t.ok(DEMO_AHEAD_MS >= 48 * 3600_000);
  t.ok(
    first.every((x, i) => i === 0 || x.s === first[i - 1]!.e),
    'back to back, no overlap, no gap',
  );
  t.ok(
    first.every((x, i) => x.p === (i % 2 === 0 ? a : b)),
    'the lectures in turn',
  );

  t.equal(ensureDemoChannel(s.app, now), id, 'the same channel again');
  t.equal(items().length, first.length, 'nothing added when the time ahead is already covered');
  const later = now + 86_400_000;
  ensureDemoChannel(s.app, later);
  const extended = items();
  t.ok(extended.at(-1)!.e >= later + DEMO_AHEAD_MS, 'a day later it reaches as far ahead again');
  t.ok(
    extended.every((x, i) => i === 0 || x.s === extended[i - 1]!.e),
    'still back to back',
  );
  t.ok(
    extended.every((x, i) => i === 0 || x.p !== extended[i - 1]!.p),
    'the rotation continues where it stopped',
  );

  const live = await s.app.inject({ method: 'GET', url: `/live/channels/${id}/240p.m3u8` });
  t.equal(live.statusCode, 200, 'the channel is on air');
  t.match(live.body, new RegExp(`/media/programs/(${a}|${b})/v1/240p/seg_`), 'playing a demo lecture');
  t.equal((await s.app.inject({ method: 'GET', url: '/api/channels' })).json()[0].number, DEMO_CHANNEL_NUMBER);
});
