// A relay that answers wrong bytes of the right length (a broken or hostile county box): every file is refused
// by its sha256 and fetched from the origin, and the relay never receives the site's token.
import crypto from 'node:crypto';
import http from 'node:http';
import t from 'tap';
import { agentFor, publishedProgram, rmDir, serverWithSite } from '../agent/agent-fixture.ts';

t.test('wrong bytes from the relay are refused; no token goes to it', async (t) => {
  const site = await serverWithSite({ bandwidthKbps: 100_000 });
  t.teardown(() => site.s.close());
  const { app, auth } = site.s;
  const programId = await publishedProgram(site.s, 4, '中继错误');

  // Answers every media path with random bytes of the size the origin has (asked with HEAD).
  const seen: Array<{ url: string; authorization: string | undefined }> = [];
  const relay = http.createServer(async (req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
    const head = await fetch(`${site.serverUrl}${req.url}`, { method: 'HEAD' });
    const size = Number(head.headers.get('content-length') ?? 0);
    res.writeHead(200, { 'content-length': size });
    res.end(crypto.randomBytes(size));
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => relay.close(() => r())));
  const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/`;
  const patched = await app.inject({ method: 'PATCH', url: `/api/regions/${site.villageId}`, headers: auth, payload: { relayUrl } });
  t.equal(patched.statusCode, 200);

  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  await a.syncNow();
  const res = await fetch(`${a.url}/local/downloads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ programId }),
  });
  t.equal(res.status, 202);
  await a.whenIdle();
  const files = a.sync.catalog!.programs.find((p) => p.id === programId)!.files;
  const status = (await (await fetch(`${a.url}/local/status`)).json()).mediaSources;
  t.match(
    status,
    { relayUrl, relayFiles: 0, originFiles: files.length, lastRelayError: /sha256/ },
    'every file from the origin after the hash refused the relay',
  );
  t.ok(seen.length >= 1, `the relay was asked (${seen.length} times) until it rested`);
  t.ok(
    seen.every((r) => r.url.startsWith('/media/programs/')),
    'only media paths',
  );
  t.same(
    seen.filter((r) => r.authorization),
    [],
    'the site token never went to the relay',
  );
  const catalog = (await (await fetch(`${a.url}/local/catalog`)).json()).items.find((i: { id: number }) => i.id === programId);
  t.equal(catalog.held, true, 'the lecture is held, verified');
});
