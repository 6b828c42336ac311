// Re-transcoding a ready program is refused while a broadcast still to come uses it: it would take the
// program off the air and make every site drop what it holds.
import t from 'tap';
import { makeServer } from '../helpers.ts';
import { readyProgram } from '../fixtures/programs.ts';

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
