// PATCH /api/regions/:id {relayUrl}: checked and normalised, inherited by the subtree (the nearest relay wins),
// shown own and effective on region rows, and named in each site's manifest (whose ETag then changes).
import t from 'tap';
import { serverWithSite } from '../agent/agent-fixture.ts';

t.test('relay URLs on regions', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const { app, auth } = site.s;
  const pair = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: site.pairingCode } });
  const siteAuth = { authorization: `Bearer ${pair.json().token}` };
  const village = (await app.inject({ url: `/api/regions/${site.villageId}`, headers: auth })).json();
  const [province, , county] = village.ancestors as Array<{ id: number }>;
  const patch = (id: number, relayUrl: unknown, headers = auth) =>
    app.inject({ method: 'PATCH', url: `/api/regions/${id}`, headers, payload: { relayUrl } });
  const manifest = async (etag?: string) => {
    const res = await app.inject({ url: '/api/sites/me/manifest', headers: { ...siteAuth, ...(etag ? { 'if-none-match': etag } : {}) } });
    return { status: res.statusCode, etag: res.headers.etag as string, relayUrl: res.statusCode === 200 ? res.json().relayUrl : undefined };
  };

  const before = await manifest();
  t.equal(before.relayUrl, null, 'no relay anywhere: media from the origin');

  await t.test('bad URLs are refused with a message saying what to fix, nothing stored', async (t) => {
    const cases: Array<[unknown, RegExp]> = [
      ['relay.county.example', /not an absolute URL.*http:\/\//],
      ['ftp://relay.county.example/', /http:\/\/ or https:\/\//],
      ['http://relay.county.example/?token=1', /query/],
      ['http://relay.county.example/#x', /fragment/],
      ['http://user:secret@relay.county.example/', /user name or password/],
      ['', /relayUrl/],
      [42, /relayUrl/],
    ];
    for (const [value, message] of cases) {
      const res = await patch(county!.id, value);
      t.equal(res.statusCode, 400, `${JSON.stringify(value)} refused`);
      t.match(res.json(), { error: { code: String, message } }, `${JSON.stringify(value)}: ${res.json().error?.message}`);
    }
    t.equal((await app.inject({ url: `/api/regions/${county!.id}`, headers: auth })).json().relayUrl, null, 'nothing stored');
    t.equal((await manifest(before.etag)).status, 304, 'the manifest did not change');
  });

  await t.test('only operators set it', async (t) => {
    const res = await patch(county!.id, 'http://relay.county.example/', siteAuth);
    t.equal(res.statusCode, 401);
  });

  await t.test('inherited by the subtree, nearest wins, null clears', async (t) => {
    const set = await patch(province!.id, 'HTTP://Province-Relay.example:8080');
    t.equal(set.statusCode, 200);
    t.match(
      set.json(),
      { relayUrl: 'http://province-relay.example:8080/', effectiveRelayUrl: 'http://province-relay.example:8080/' },
      'normalised',
    );
    const rows = (await app.inject({ url: '/api/regions', headers: auth })).json();
    const flat: Array<{ id: number; relayUrl: string | null; effectiveRelayUrl: string | null }> = [];
    const walk = (ns: Array<(typeof flat)[number] & { children: unknown[] }>) => {
      for (const n of ns) {
        flat.push(n);
        walk(n.children as typeof ns);
      }
    };
    walk(rows);
    const villageRow = flat.find((r) => r.id === site.villageId)!;
    t.match(
      villageRow,
      { relayUrl: null, effectiveRelayUrl: 'http://province-relay.example:8080/' },
      'the village inherits in GET /api/regions',
    );
    const m1 = await manifest(before.etag);
    t.equal(m1.status, 200, 'the manifest changed (new ETag)');
    t.equal(m1.relayUrl, 'http://province-relay.example:8080/');

    t.equal((await patch(county!.id, 'https://relay.county.example/dyb')).statusCode, 200);
    const m2 = await manifest(m1.etag);
    t.equal(m2.relayUrl, 'https://relay.county.example/dyb/', "the county's own relay wins over the province's");
    t.equal(
      (await app.inject({ url: `/api/regions/${site.villageId}`, headers: auth })).json().effectiveRelayUrl,
      'https://relay.county.example/dyb/',
    );

    t.equal((await patch(county!.id, null)).statusCode, 200);
    const m3 = await manifest(m2.etag);
    t.equal(m3.relayUrl, 'http://province-relay.example:8080/', 'cleared: back to the province relay');
    t.equal((await manifest(m3.etag)).status, 304, 'and stable');

    const renamed = await app.inject({
      method: 'PATCH',
      url: `/api/regions/${province!.id}`,
      headers: auth,
      payload: { name: 'Renamed province' },
    });
    t.equal(renamed.json().relayUrl, 'http://province-relay.example:8080/', 'a patch without relayUrl keeps it');
  });
});
