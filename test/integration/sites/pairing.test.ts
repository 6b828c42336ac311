import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { hashToken } from '../../../server/auth/tokens.ts';
import { CODE_ALPHABET } from '../../../server/sites/pairing-code.ts';
import { ensureDemoSite } from '../../../server/sites/demo.ts';

async function villageChain(s: Awaited<ReturnType<typeof makeServer>>) {
  const res = await s.app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...s.auth, 'content-type': 'text/csv' },
    payload: 'path,level\n某省/某市/甲县/甲镇/甲村,\n某省/某市/乙县/乙镇/乙村,\n某省/某市/乙县/乙镇/丙村,\n',
  });
  if (res.statusCode !== 200) throw new Error(res.body);
  const byName = new Map<string, number>(res.json().regions.map((r: { name: string; id: number }) => [r.name, r.id]));
  return byName;
}

t.test('register, pair once, revoke, re-issue', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const r = await villageChain(s);

  const notVillage = await app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: { name: 'x', regionId: r.get('甲镇') },
  });
  t.equal(notVillage.statusCode, 400, 'sites belong to villages');
  t.match(notVillage.json().error.message, /village/);
  const badWindow = await app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: { name: 'x', regionId: r.get('甲村'), downloadWindow: '25:00-06:00' },
  });
  t.equal(badWindow.statusCode, 400);
  t.match(badWindow.json().error.message, /HH:MM-HH:MM/);
  const badRung = await app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: { name: 'x', regionId: r.get('甲村'), maxRung: '1080p' },
  });
  t.equal(badRung.statusCode, 400);

  const created = await app.inject({
    method: 'POST',
    url: '/api/sites',
    headers: s.auth,
    payload: {
      name: '甲村活动室',
      regionId: r.get('甲村'),
      contact: '王书记 138',
      downloadWindow: '22:30-5:00',
      bandwidthKbps: 512,
      maxRung: '360p',
    },
  });
  t.equal(created.statusCode, 201);
  const { id, pairingCode } = created.json();
  t.match(pairingCode, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  t.ok(
    [...pairingCode.replace('-', '')].every((c) => CODE_ALPHABET.includes(c)),
    'no ambiguous characters',
  );
  const stored = app.db.prepare('SELECT * FROM sites WHERE id = ?').get(id) as Record<string, unknown>;
  t.notOk(JSON.stringify(stored).includes(pairingCode.replace('-', '')), 'the code itself is not stored');
  t.match(created.json().site, {
    status: 'unpaired',
    downloadWindow: '22:30-05:00',
    maxRung: '360p',
    regionPath: ['某省', '某市', '甲县', '甲镇', '甲村'],
  });

  // A person may type it in lower case with a space instead of the dash.
  const typed = pairingCode.toLowerCase().replace('-', ' ');
  const paired = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: typed } });
  t.equal(paired.statusCode, 200);
  const { siteId, token } = paired.json();
  t.equal(siteId, id);
  t.equal(
    (app.db.prepare('SELECT token_hash FROM sites WHERE id = ?').get(id) as { token_hash: string }).token_hash,
    hashToken(token),
    'only the hash of the token is kept',
  );

  const again = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: pairingCode } });
  t.equal(again.statusCode, 400, 'a code works once');
  t.match(again.json().error.message, /already used/);
  const junk = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: '12' } });
  t.equal(junk.statusCode, 400);

  const siteAuth = { authorization: `Bearer ${token}` };
  const manifest = () => app.inject({ method: 'GET', url: '/api/sites/me/manifest', headers: siteAuth });
  t.equal((await manifest()).statusCode, 200, 'the token works');
  t.equal((await app.inject({ method: 'GET', url: `/api/sites/${id}`, headers: s.auth })).json().status, 'paired');

  // Re-issuing a code keeps the current token until the new code is used.
  const reissued = await app.inject({ method: 'POST', url: `/api/sites/${id}/pairing-code`, headers: s.auth });
  t.equal(reissued.statusCode, 200);
  t.equal((await manifest()).statusCode, 200, 'old token still valid while the new code is unused');
  const repaired = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: reissued.json().pairingCode } });
  t.equal(repaired.statusCode, 200);
  t.equal((await manifest()).statusCode, 401, 're-pairing replaces the old token');
  const token2 = repaired.json().token;
  const site2 = { authorization: `Bearer ${token2}` };

  // Revoke: the token stops at once.
  const revoked = await app.inject({ method: 'POST', url: `/api/sites/${id}/revoke`, headers: s.auth });
  t.equal(revoked.statusCode, 200);
  t.equal(revoked.json().status, 'revoked');
  const after = await app.inject({ method: 'GET', url: '/api/sites/me/manifest', headers: site2 });
  t.equal(after.statusCode, 401, "a revoked site's token is refused");
  t.equal((await app.inject({ method: 'POST', url: `/api/sites/${id}/revoke`, headers: s.auth })).statusCode, 409);
  const back = await app.inject({ method: 'POST', url: `/api/sites/${id}/pairing-code`, headers: s.auth });
  t.equal(
    (await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: back.json().pairingCode } })).statusCode,
    200,
    'a new code brings a revoked site back',
  );
  t.equal((await app.inject({ method: 'GET', url: `/api/sites/${id}`, headers: s.auth })).json().status, 'paired');

  // An expired code is refused.
  const late = (
    await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name: '乙村站', regionId: r.get('乙村') } })
  ).json();
  app.db.prepare("UPDATE sites SET pairing_expires_at = '2000-01-01T00:00:00.000Z' WHERE id = ?").run(late.id);
  const expired = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: late.pairingCode } });
  t.equal(expired.statusCode, 400);
  t.equal(expired.json().error.code, 'pairing_code_expired');

  // PATCH settings.
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/sites/${late.id}`,
    headers: s.auth,
    payload: { maxRung: '240p', regionId: r.get('丙村') },
  });
  t.equal(patched.statusCode, 200);
  t.match(patched.json(), { maxRung: '240p', regionName: '丙村' });
  t.equal(
    (await app.inject({ method: 'PATCH', url: `/api/sites/${late.id}`, headers: s.auth, payload: { regionId: r.get('乙县') } })).statusCode,
    400,
  );
  t.equal((await app.inject({ method: 'PATCH', url: '/api/sites/999', headers: s.auth, payload: { name: 'x' } })).statusCode, 404);

  // A region with sites cannot be deleted.
  const del = await app.inject({ method: 'DELETE', url: `/api/regions/${r.get('丙村')}`, headers: s.auth });
  t.equal(del.statusCode, 409);
  t.equal(del.json().error.code, 'has_sites');

  // A site that never paired may be deleted; one with history is revoked instead.
  const mistake = await app.inject({ method: 'DELETE', url: `/api/sites/${late.id}`, headers: s.auth });
  t.equal(mistake.statusCode, 204);
  t.equal((await app.inject({ method: 'GET', url: `/api/sites/${late.id}`, headers: s.auth })).statusCode, 404);
  const history = await app.inject({ method: 'DELETE', url: `/api/sites/${id}`, headers: s.auth });
  t.equal(history.statusCode, 409);
  t.match(history.json().error.message, /revoke/);
});

t.test('listing, organizer scoping and auth on every route', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const r = await villageChain(s);
  const mk = async (name: string, village: string) =>
    (await app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name, regionId: r.get(village) } })).json()
      .id as number;
  const a = await mk('甲一', '甲村');
  const b = await mk('乙一', '乙村');
  const c = await mk('丙一', '丙村');
  await app.inject({ method: 'POST', url: `/api/sites/${c}/revoke`, headers: s.auth });

  const all = await app.inject({ method: 'GET', url: '/api/sites', headers: s.auth });
  t.equal(all.json().length, 3);
  t.equal(all.headers['x-total-count'], '3');
  const inB = await app.inject({ method: 'GET', url: `/api/sites?regionId=${r.get('乙县')}`, headers: s.auth });
  t.same(
    inB
      .json()
      .map((x: { id: number }) => x.id)
      .sort(),
    [b, c].sort(),
    'filter by region subtree',
  );
  const revokedOnly = await app.inject({ method: 'GET', url: '/api/sites?status=revoked', headers: s.auth });
  t.same(
    revokedOnly.json().map((x: { id: number }) => x.id),
    [c],
  );
  const search = await app.inject({ method: 'GET', url: `/api/sites?q=${encodeURIComponent('甲')}`, headers: s.auth });
  t.same(
    search.json().map((x: { id: number }) => x.id),
    [a],
  );

  const org = await userAuth(app, 'org-b', 'organizer', r.get('乙县')!);
  const orgList = await app.inject({ method: 'GET', url: '/api/sites', headers: org });
  t.same(
    orgList
      .json()
      .map((x: { id: number }) => x.id)
      .sort(),
    [b, c].sort(),
    'an organizer sees only their subtree',
  );
  t.equal((await app.inject({ method: 'GET', url: `/api/sites?regionId=${r.get('甲县')}`, headers: org })).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: `/api/sites/${a}`, headers: org })).statusCode, 403);
  t.equal((await app.inject({ method: 'GET', url: `/api/sites/${b}`, headers: org })).statusCode, 200);

  // Writes need an operator; everything needs some token except pairing.
  const writes: Array<[string, string, object | undefined]> = [
    ['POST', '/api/sites', { name: 'x', regionId: r.get('甲村') }],
    ['PATCH', `/api/sites/${a}`, { name: 'x' }],
    ['POST', `/api/sites/${a}/revoke`, undefined],
    ['DELETE', `/api/sites/${a}`, undefined],
    ['POST', `/api/sites/${a}/pairing-code`, undefined],
    ['POST', '/api/regions', { name: 'x', level: 'province' }],
    ['PATCH', `/api/regions/${r.get('甲村')}`, { name: 'x' }],
    ['DELETE', `/api/regions/${r.get('甲村')}`, undefined],
    ['GET', '/api/requests', undefined],
  ];
  for (const [method, url, payload] of writes) {
    const m = method as 'POST';
    t.equal((await app.inject({ method: m, url, payload })).statusCode, 401, `${method} ${url} without a token`);
    t.equal((await app.inject({ method: m, url, payload, headers: org })).statusCode, 403, `${method} ${url} as organizer`);
  }
  const imp = await app.inject({
    method: 'POST',
    url: '/api/regions/import',
    headers: { ...org, 'content-type': 'text/csv' },
    payload: 'path\nx',
  });
  t.equal(imp.statusCode, 403);
  for (const url of ['/api/sites', `/api/sites/${a}`, '/api/regions', `/api/regions/${r.get('甲村')}`])
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 401, `GET ${url} without a token`);
  for (const [method, url] of [
    ['GET', '/api/sites/me/manifest'],
    ['POST', '/api/sites/me/requests'],
  ])
    t.equal(
      (await app.inject({ method: method as 'GET', url, headers: s.auth, payload: method === 'POST' ? { topic: 'x' } : undefined }))
        .statusCode,
      401,
      `${url} needs a site token, not a user's`,
    );
});

t.test('pairing is rate-limited', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  let last = 0;
  for (let i = 0; i < 12; i++)
    last = (await s.app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: `AAAA-AAA${CODE_ALPHABET[i]}` } })).statusCode;
  t.equal(last, 429, 'the 11th try within a minute is refused');
});

t.test('ensureDemoSite is idempotent and always hands out a working code', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const first = ensureDemoSite(s.app);
  t.equal(first.paired, false);
  const paired = await s.app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: first.pairingCode } });
  t.equal(paired.statusCode, 200);
  t.equal(paired.json().siteId, first.siteId);
  const second = ensureDemoSite(s.app);
  t.equal(second.siteId, first.siteId, 'same site');
  t.equal(second.paired, true);
  t.not(second.pairingCode, first.pairingCode, 'a fresh code');
  t.equal((s.app.db.prepare('SELECT count(*) AS n FROM regions').get() as { n: number }).n, 5, 'the region chain is made once');
  const site = (await s.app.inject({ method: 'GET', url: `/api/sites/${first.siteId}`, headers: s.auth })).json();
  t.same(site.regionPath, ['演示省', '演示市', '演示县', '演示镇', '演示村']);
  const manifest = await s.app.inject({
    method: 'GET',
    url: '/api/sites/me/manifest',
    headers: { authorization: `Bearer ${paired.json().token}` },
  });
  t.equal(manifest.statusCode, 200, 'the first token still works while the fresh code is unused');
});
