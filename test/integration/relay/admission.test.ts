// Admission control on a really overloaded server (a heap threshold it is always over, so the pressure is real
// and lasting, not timed): site routes answer 503 + Retry-After before any work, the console's routes keep
// working, and a real agent waits as told on its manifest poll and heartbeat; a download answered 503 waits too.
import t from 'tap';
import { makeServer, tempDir } from '../../../testkit/helpers.ts';
import { agentFor, flakyLink, publishedProgram, rmDir, serverWithSite } from '../agent/agent-fixture.ts';

const LEVELS = ['province', 'prefecture', 'county', 'township', 'village'] as const;

t.test('an overloaded origin turns sites away, not operators', async (t) => {
  const dataDir = tempDir();
  const s = await makeServer({
    dataDir,
    overloadMaxEventLoopDelayMs: 0,
    overloadMaxHeapBytes: 1, // always over: the server is "overloaded" from its first sample on
    overloadSampleMs: 20,
    overloadSustainedSamples: 2,
    overloadRetryAfterSeconds: 40,
  });
  t.teardown(async () => {
    await s.close();
    rmDir(dataDir);
  });
  await s.app.listen({ port: 0, host: '127.0.0.1' });
  const serverUrl = `http://127.0.0.1:${(s.app.server.address() as { port: number }).port}`;
  let parentId: number | null = null;
  for (const level of LEVELS) {
    parentId = (
      await s.app.inject({ method: 'POST', url: '/api/regions', headers: s.auth, payload: { name: level, level, parentId } })
    ).json().id;
  }
  const created = (
    await s.app.inject({ method: 'POST', url: '/api/sites', headers: s.auth, payload: { name: 'Hall', regionId: parentId } })
  ).json();

  // Wait (bounded) for the samples in a row that make the pressure count; sites are turned away before their
  // token is even read, so no token is needed to see it.
  let probe = await s.app.inject({ url: '/api/sites/me/manifest' });
  for (let i = 0; i < 500 && probe.statusCode !== 503; i++) {
    await new Promise((r) => setTimeout(r, 20));
    probe = await s.app.inject({ url: '/api/sites/me/manifest' });
  }
  t.equal(probe.statusCode, 503, 'turned away before authentication: no token check, no database work');

  // A real agent: pairing is not a /me route (a new site can still pair), then its manifest poll hears the wait.
  const a = await agentFor(serverUrl, { pairCode: created.pairingCode, autoSync: true, syncIntervalMs: 5_000 });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  while (a.sync.nextPollAt === null) await new Promise((r) => setTimeout(r, 20));
  t.ok(
    a.sync.nextPollAt - Date.now() > 30_000,
    `the next manifest poll waits as told (in ${Math.round((a.sync.nextPollAt - Date.now()) / 1000)} s)`,
  );
  t.match(a.sync.lastError, /503/);
  await a.attendance.heartbeat.beat();
  t.ok((a.attendance.heartbeat.status.retryAfterMs ?? 0) >= 40_000, 'the heartbeat heard the Retry-After');

  const siteAuth = { authorization: `Bearer ${a.store.pairing()!.token}` };
  const manifest = await s.app.inject({ url: '/api/sites/me/manifest', headers: siteAuth });
  t.equal(manifest.statusCode, 503, 'the manifest is refused');
  const wait = Number(manifest.headers['retry-after']);
  t.ok(wait >= 40 && wait <= 80, `Retry-After between the base and twice it (${wait} s)`);
  t.match(manifest.json(), { error: { code: 'overloaded', message: /overloaded.*try again in \d+ s/ } });
  const heartbeat = await s.app.inject({ method: 'POST', url: '/api/sites/me/heartbeat', headers: siteAuth, payload: {} });
  t.equal(heartbeat.statusCode, 503, 'heartbeat refused');
  t.ok(heartbeat.headers['retry-after'], 'with Retry-After');
  const batch = await s.app.inject({ method: 'POST', url: '/api/sites/me/attendance', headers: siteAuth, payload: { sessions: [] } });
  t.equal(batch.statusCode, 503, 'attendance refused');

  for (const url of ['/api/regions', '/api/sites', '/api/channels', '/api/reports/sites']) {
    const res = await s.app.inject({ url, headers: s.auth });
    t.equal(res.statusCode, 200, `operator ${url} still answers`);
  }
});

t.test('a download answered 503 + Retry-After waits that long, then resumes by itself', async (t) => {
  const site = await serverWithSite({ bandwidthKbps: 100_000 });
  t.teardown(() => site.s.close());
  const programId = await publishedProgram(site.s, 4, '忙碌');
  const link = await flakyLink(site.serverUrl);
  t.teardown(() => link.close());
  const a = await agentFor(link.url, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  await a.syncNow();
  link.failNext(/\/media\//, 503, { 'retry-after': '2' });
  const before = link.seen.length;
  const res = await fetch(`${a.url}/local/downloads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ programId }),
  });
  t.equal(res.status, 202);
  await a.whenIdle();
  const media = () => link.seen.slice(before).filter((r) => r.path.startsWith('/media/')).length;
  t.equal(media(), 1, 'one media request, then the agent waits');
  t.match(a.sync.lastError, /503/, 'the status says why');
  // No manifest poll runs here (autoSync off): only the Retry-After brings the downloads back.
  const item = async () => (await (await fetch(`${a.url}/local/catalog`)).json()).items.find((i: { id: number }) => i.id === programId);
  let held = false;
  for (let i = 0; i < 300 && !held; i++) {
    await new Promise((r) => setTimeout(r, 100));
    held = (await item()).held;
  }
  t.ok(held, 'the lecture was fetched once the wait was over, with no poll to restart it');
  const status = await (await fetch(`${a.url}/local/status`)).json();
  t.ok(status.mediaSources.originFiles >= 1, 'counted as from the origin');
});
