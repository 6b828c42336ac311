// Real county relay (stock nginx with scripts/deploy/nginx-relay.conf) between real agents and a real origin:
// each media file crosses the origin's uplink once however many sites ask; a corrupted cached copy is refused by
// its sha256 and fetched from the origin; with the relay down the sites finish from the origin.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { startRelay } from '../../../scripts/deploy/relay-process.ts';
import { agentFor, newSite, publishedProgram, rmDir, serverWithSite } from '../agent/agent-fixture.ts';
import type { RunningAgent } from '../../../player/agent/agent.ts';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

async function postJson(url: string, body: object) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** Asks the agent's local API for the lecture (as the TV does) and waits until it is held. */
async function fetchLecture(a: RunningAgent, programId: number) {
  await a.syncNow();
  const res = await postJson(`${a.url}/local/downloads`, { programId });
  if (res.status !== 202)
    throw new Error(
      `download request: ${res.status} ${await res.text()} (${a.sync.lastError}, ${JSON.stringify(a.sync.manifest)?.slice(0, 300)})`,
    );
  await a.whenIdle();
  const status = await (await fetch(`${a.url}/local/status`)).json();
  return status.mediaSources as {
    relayUrl: string | null;
    relayFiles: number;
    originFiles: number;
    relayFailures: number;
    lastRelayError: string | null;
  };
}

const heldHashes = (a: RunningAgent, files: Array<{ path: string }>) =>
  files.map((f) => sha(fs.readFileSync(path.join((a as RunningAgent & { dataDir: string }).dataDir, 'media', f.path))));

/** nginx's cache file of a URI: it starts with a header holding "KEY: <uri>". */
function cachedFile(cacheDir: string, uri: string): string | undefined {
  for (const name of fs.readdirSync(cacheDir, { recursive: true })) {
    const abs = path.join(cacheDir, String(name));
    if (!fs.statSync(abs).isFile()) continue;
    if (fs.readFileSync(abs).subarray(0, 1024).includes(`KEY: ${uri}\n`)) return abs;
  }
  return undefined;
}

t.test('sites behind one county relay', async (t) => {
  const site = await serverWithSite({ bandwidthKbps: 100_000 });
  t.teardown(() => site.s.close());
  const { app, auth } = site.s;
  const programId = await publishedProgram(site.s, 8, '县级中继讲座');

  // Every media answer the origin gives with a body, by path, counted on its own socket server.
  const bodies = new Map<string, number>();
  app.server.on('request', (req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/media/'))
      res.on('finish', () => {
        if (res.statusCode === 200 || res.statusCode === 206) bodies.set(url, (bodies.get(url) ?? 0) + 1);
      });
  });

  const origin = new URL(site.serverUrl).host;
  const relay = await startRelay({ origin });
  t.teardown(async () => {
    await relay.stop();
    rmDir(relay.dir);
  });

  const village = (await app.inject({ url: `/api/regions/${site.villageId}`, headers: auth })).json();
  const county = village.ancestors.find((r: { level: string }) => r.level === 'county');
  const patched = await app.inject({ method: 'PATCH', url: `/api/regions/${county.id}`, headers: auth, payload: { relayUrl: relay.url } });
  t.equal(patched.statusCode, 200, 'the county gets its relay');

  const agents: RunningAgent[] = [];
  t.teardown(async () => {
    for (const a of agents) {
      await a.close();
      rmDir((a as RunningAgent & { dataDir: string }).dataDir);
    }
  });
  const addAgent = async () => {
    const { pairingCode } = await newSite(site.s, site.villageId, { bandwidthKbps: 100_000 });
    const a = await agentFor(site.serverUrl, { pairCode: pairingCode });
    agents.push(a);
    return a;
  };

  // 1. Three sites at once through a cold relay: the origin sends each file once.
  const first = [await addAgent(), await addAgent(), await addAgent()];
  const sources = await Promise.all(first.map((a) => fetchLecture(a, programId)));
  const files = first[0]!.sync.catalog!.programs.find((p) => p.id === programId)!.files;
  t.ok(files.length >= 3, `${files.length} files in the lecture`);
  t.equal(first[0]!.sync.manifest!.relayUrl, relay.url, "the manifest names the county's relay to a village site");
  for (const [i, s] of sources.entries()) {
    t.match(
      s,
      { relayUrl: relay.url, relayFiles: files.length, originFiles: 0, relayFailures: 0 },
      `site ${i + 1}: every file from the relay`,
    );
  }
  for (const [i, a] of first.entries())
    t.same(
      heldHashes(a, files),
      files.map((f) => f.sha256),
      `site ${i + 1} holds the right bytes`,
    );
  const once = files.map((f) => bodies.get(`/media/${f.path}`) ?? 0);
  t.same(
    once,
    files.map(() => 1),
    'the origin sent each file once for three sites',
  );

  // The heartbeat says where the media came from; the site health report shows it.
  await first[0]!.attendance.heartbeat.beat();
  const report = (await app.inject({ url: '/api/reports/sites', headers: auth })).json();
  const row = report.sites.find((r: { siteId: number }) => r.siteId === first[0]!.sync.manifest!.siteId);
  t.match(row.mediaSources, { relayUrl: relay.url, relayFiles: files.length, originFiles: 0 }, 'site health shows the relay counts');

  // 2. A cached segment corrupted on the relay's disk (same size): the next site refuses it by hash and takes
  //    that one file from the origin, the rest still from the relay.
  const victim = files.find((f) => f.path.endsWith('.ts'))!;
  const cached = cachedFile(relay.cacheDir, `/media/${victim.path}`);
  t.ok(cached, 'the segment is in the relay cache');
  const buf = fs.readFileSync(cached!);
  buf[buf.length - 10] ^= 0xff; // the body is at the end of nginx's cache file
  fs.writeFileSync(cached!, buf);
  const fourth = await addAgent();
  const s4 = await fetchLecture(fourth, programId);
  t.match(
    s4,
    { relayFiles: files.length - 1, originFiles: 1, relayFailures: 1 },
    'one file refused from the relay, fetched from the origin',
  );
  t.match(s4.lastRelayError, /sha256/, 'the reason is the hash');
  t.equal(
    sha(fs.readFileSync(path.join((fourth as RunningAgent & { dataDir: string }).dataDir, 'media', victim.path))),
    victim.sha256,
    'right bytes held',
  );
  t.equal(bodies.get(`/media/${victim.path}`), 2, 'the origin sent that file again, only that one');

  // 3. The relay is down: a new site gets everything from the origin and says so.
  await relay.stop();
  const fifth = await addAgent();
  const s5 = await fetchLecture(fifth, programId);
  t.match(s5, { relayFiles: 0, originFiles: files.length }, 'every file from the origin');
  t.ok(s5.relayFailures >= 1 && s5.relayFailures < files.length, `the relay was tried, then rested (${s5.relayFailures} failures)`);
  t.match(s5.lastRelayError, /unreachable/, 'and says why');
  t.same(
    heldHashes(fifth, files),
    files.map((f) => f.sha256),
    'the right bytes held',
  );
});
