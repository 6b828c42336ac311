// Re-transcoding a ready program is refused while a broadcast still to come uses it: it would take the
// program off the air and make every site drop what it holds.
import t from 'tap';
import { makeServer } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';

t.test('retranscode: 409 while scheduled, 202 once off the schedule', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const id = await readyProgram(s.app, { seconds: 2 });
  const ch = await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 7, name: '测试' } });
  t.equal(ch.statusCode, 201);
  const start = new Date(Date.now() + 3600_000).toISOString();
  const item = await s.app.inject({ method: 'POST', url: `/api/channels/${ch.json().id}/schedule`, headers: s.auth, payload: { programId: id, start } });
  t.equal(item.statusCode, 201, item.body);

  const refused = await s.app.inject({ method: 'POST', url: `/api/programs/${id}/retranscode`, headers: s.auth });
  t.equal(refused.statusCode, 409);
  t.match(refused.json().error.message, /scheduled on channel .* Take it off the schedule first/);
  t.equal((s.app.db.prepare('SELECT status FROM programs WHERE id = ?').get(id) as { status: string }).status, 'ready', 'still ready and served');

  const del = await s.app.inject({ method: 'DELETE', url: `/api/channels/${ch.json().id}/schedule/${item.json().id}`, headers: s.auth });
  t.equal(del.statusCode, 204);
  const accepted = await s.app.inject({ method: 'POST', url: `/api/programs/${id}/retranscode`, headers: s.auth });
  t.equal(accepted.statusCode, 202);
  t.match(accepted.json(), { id, jobId: Number });
});

t.test('a channel slate cannot be deleted or re-transcoded from the catalog', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { slatesSettled } = await import('../../../server/broadcast/slate.ts');
  const ch = (await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 9, name: '县级频道' } })).json();
  await slatesSettled(s.app.db);
  const slate = (s.app.db.prepare('SELECT generated_slate_id AS id FROM channels WHERE id = ?').get(ch.id) as { id: number }).id;
  t.ok(slate, 'the channel has a generated slate');
  // A station card is not a catalog program: the catalog cannot delete it (its channel would have nothing in gaps).
  const del = await s.app.inject({ method: 'DELETE', url: `/api/programs/${slate}`, headers: s.auth });
  t.equal(del.statusCode, 404);
  t.equal((await s.app.inject({ method: 'GET', url: `/media/programs/${slate}/master.m3u8` })).statusCode, 200, 'the card is still there');
  t.equal((await s.app.inject({ method: 'POST', url: `/api/programs/${slate}/retranscode`, headers: s.auth })).statusCode, 409);
});
