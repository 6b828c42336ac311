// The site agent against a real server on a socket: pairing once, the manifest's ETag, member requests queued
// locally and forwarded exactly once, the local API's error shape.
import t from 'tap';
import { agentFor, newSite, rmDir, serverWithSite } from './agent-fixture.ts';

t.test('pairs once, keeps its token across restarts; the code does not work twice', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());

  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(() => rmDir(a.dataDir));
  const pairing = a.store.pairing();
  t.equal(pairing?.siteId, site.siteId, 'paired as the registered site');
  const status = await (await fetch(`${a.url}/local/status`)).json();
  t.match(status, { paired: true, siteId: site.siteId, serverUrl: site.serverUrl, version: /\d+\.\d+\.\d+/ });

  // The server keeps only a hash: the token works, a forged one does not.
  const me = await fetch(`${site.serverUrl}/api/sites/me/manifest`, { headers: { authorization: `Bearer ${pairing!.token}` } });
  t.equal(me.status, 200, 'the stored token reads the manifest');
  await me.arrayBuffer();

  const other = agentFor(site.serverUrl, { pairCode: site.pairingCode });
  await t.rejects(other, /Pairing refused/, 'a second agent with the same code is refused');

  // Restart on the same data dir without the code: still paired (unattended boot).
  await a.close();
  const again = await agentFor(site.serverUrl, { dataDir: a.dataDir });
  t.teardown(() => again.close());
  t.equal(again.store.pairing()?.token, pairing!.token, 'the token survived the restart');
  await again.syncNow();
  t.equal(again.sync.online, true);
  t.equal(again.sync.manifest?.siteId, site.siteId);

  const unpaired = agentFor(site.serverUrl, {});
  await t.rejects(unpaired, /not paired.*--pair/, 'an unpaired agent without a code says how to pair');
});

t.test('a refused token (site revoked, re-registered) is replaced by pairing with the code given at start', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  const dataDir = a.dataDir;
  t.teardown(() => rmDir(dataDir));
  await a.close();

  const revoke = await site.s.app.inject({ method: 'POST', url: `/api/sites/${site.siteId}/revoke`, headers: site.s.auth });
  t.equal(revoke.statusCode, 200);
  const replacement = await newSite(site.s, site.villageId);

  // Without a code the agent keeps running on its cache and says why it cannot sync.
  const stuck = await agentFor(site.serverUrl, { dataDir });
  await stuck.syncNow();
  t.match(stuck.sync.lastError, /401/);
  t.match(await (await fetch(`${stuck.url}/local/status`)).json(), { online: true, lastError: /401/ });
  await stuck.close();

  const b = await agentFor(site.serverUrl, { dataDir, pairCode: replacement.pairingCode });
  t.teardown(() => b.close());
  await b.syncNow();
  t.equal(b.store.pairing()?.siteId, replacement.siteId, 'paired again as the new site');
  t.equal(b.sync.manifest?.siteId, replacement.siteId);
  t.equal(b.sync.lastError, null);
});

t.test('manifest sync uses the ETag: unchanged answers 304 and the agent keeps its copy', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });

  const changes: boolean[] = [];
  a.sync.on('synced', (e: { changed: boolean }) => changes.push(e.changed));
  await a.syncNow();
  await a.syncNow();
  t.same(changes, [true, false], 'first sync takes the manifest, the second gets 304');
  const etag = a.store.manifest()?.etag;
  t.ok(etag, 'the ETag is stored with the manifest');

  const res = await fetch(`${site.serverUrl}/api/sites/me/manifest`, {
    headers: { authorization: `Bearer ${a.store.pairing()!.token}`, 'if-none-match': etag! },
  });
  t.equal(res.status, 304, 'the server agrees the stored ETag is current');

  // A change on the server (site renamed) gives a new manifest on the next sync.
  const patch = await site.s.app.inject({
    method: 'PATCH',
    url: `/api/sites/${site.siteId}`,
    headers: site.s.auth,
    payload: { name: 'Renamed hall' },
  });
  t.equal(patch.statusCode, 200);
  await a.syncNow();
  t.same(changes, [true, false, true]);
  t.equal(a.sync.manifest?.siteName, 'Renamed hall');
  t.not(a.store.manifest()?.etag, etag);
  const status = await (await fetch(`${a.url}/local/status`)).json();
  t.equal(status.siteName, 'Renamed hall');
  t.type(status.lastSyncAt, 'number');
});

t.test('member requests are kept locally and counted once by the server, even when retried', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  await a.syncNow();

  const post = (body: unknown) =>
    fetch(`${a.url}/local/requests`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const empty = await post({});
  t.equal(empty.status, 400);
  t.match(await empty.json(), { error: { code: 'bad_request', message: /programId.*topic/ } });
  const wrong = await post({ topic: 'x', color: 'red' });
  t.equal(wrong.status, 400, 'unknown fields are refused');
  t.match(await wrong.json(), { error: { message: /Check the request/ } });

  const ok = await post({ topic: '  种植技术  ', memberNo: 'M-001', clientId: 'kiosk-1' });
  t.equal(ok.status, 202);
  t.match(await ok.json(), { clientId: 'kiosk-1', queued: true });
  const again = await post({ topic: '种植技术', memberNo: 'M-001', clientId: 'kiosk-1' });
  t.equal(again.status, 202, 'the kiosk retrying the same request is accepted');
  await a.sync.flushOutbox();
  t.equal(a.store.outboxSize(), 0, 'delivered and removed from the outbox');

  // The uplink retries the same client id (e.g. the ack was lost): the server does not count it again.
  await a.sync['o'].uplink.sendRequest({ topic: '种植技术', memberNo: 'M-001' }, 'kiosk-1');

  const demand = await site.s.app.inject({ method: 'GET', url: '/api/requests', headers: site.s.auth });
  t.equal(demand.statusCode, 200);
  const body = demand.json();
  t.equal(body.total, 1, 'one request counted');
  t.match(body.topics, [{ topic: '种植技术', count: 1, sites: 1 }]);

  const missing = await fetch(`${a.url}/local/downloads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ programId: 99999 }),
  });
  t.equal(missing.status, 404);
  t.match(await missing.json(), { error: { code: 'not_found', message: /99999/ } });
});

t.test('requests made while the server is down wait in the outbox', async (t) => {
  const site = await serverWithSite();
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  await a.syncNow();
  await site.s.close();

  await a.syncNow();
  t.equal(a.sync.online, false, 'the agent notices the server is gone');
  const status = await (await fetch(`${a.url}/local/status`)).json();
  t.equal(status.online, false, '/local/status says offline');

  const res = await fetch(`${a.url}/local/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: '养殖' }),
  });
  t.equal(res.status, 202);
  await a.sync.flushOutbox();
  t.equal(a.store.outboxSize(), 1, 'kept for later');
});
