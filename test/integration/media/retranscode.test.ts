// Re-transcoding a scheduled program is accepted: the new output is a new version, the current one stays on air
// (versions.test.ts follows the switch through playlists, manifests and a site); station cards have no source.
import t from 'tap';
import { makeServer } from '../../../testkit/helpers.ts';
import { readyProgram } from '../../../testkit/programs.ts';
import { currentVersion } from '../../../server/media/media-data.ts';

t.test('retranscode: 202 while scheduled, and the program stays on air meanwhile', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const id = await readyProgram(s.app, { seconds: 2 });
  await s.app.inject({ method: 'PATCH', url: `/api/programs/${id}`, headers: s.auth, payload: { published: true } });
  const ch = await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 7, name: '测试' } });
  t.equal(ch.statusCode, 201);
  const start = new Date(Date.now() + 3600_000).toISOString();
  const item = await s.app.inject({
    method: 'POST',
    url: `/api/channels/${ch.json().id}/schedule`,
    headers: s.auth,
    payload: { programId: id, start },
  });
  t.equal(item.statusCode, 201, item.body);

  const accepted = await s.app.inject({ method: 'POST', url: `/api/programs/${id}/retranscode`, headers: s.auth });
  t.equal(accepted.statusCode, 202);
  t.match(accepted.json(), { id, jobId: Number });
  t.equal((await s.app.inject({ method: 'GET', url: `/media/programs/${id}/v1/master.m3u8` })).statusCode, 200, 'version 1 still served');
});

t.test('a channel slate cannot be deleted or re-transcoded from the catalog', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { slatesSettled } = await import('../../../server/broadcast/slate.ts');
  const ch = (
    await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 9, name: '县级频道' } })
  ).json();
  await slatesSettled(s.app.db);
  const slate = (s.app.db.prepare('SELECT generated_slate_id AS id FROM channels WHERE id = ?').get(ch.id) as { id: number }).id;
  t.ok(slate, 'the channel has a generated slate');
  // A station card is not a catalog program: the catalog cannot delete it (its channel would have nothing in gaps).
  const del = await s.app.inject({ method: 'DELETE', url: `/api/programs/${slate}`, headers: s.auth });
  t.equal(del.statusCode, 404);
  t.equal(
    (await s.app.inject({ method: 'GET', url: `/media/programs/${slate}/v${currentVersion(s.app.db, slate)}/master.m3u8` })).statusCode,
    200,
    'the card is still there',
  );
  t.equal((await s.app.inject({ method: 'POST', url: `/api/programs/${slate}/retranscode`, headers: s.auth })).statusCode, 409);
});
