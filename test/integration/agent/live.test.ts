// Live channels at the site: the agent's playlists equal the server's for the same instant, it holds every
// segment they name, and with the server gone it goes on from its cache, in step with the clock. Also: what
// the schedule needs in the next 48 h is never evicted to make room for a lecture.
import crypto from 'node:crypto';
import t from 'tap';
import { slatesSettled } from '../../../server/broadcast/slate.ts';
import { agentFor, newSite, publishedProgram, rmDir, serverWithSite } from './agent-fixture.ts';

const sha = (b: Buffer | Uint8Array) => crypto.createHash('sha256').update(b).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const uris = (playlist: string) => playlist.split('\n').filter((l) => l && !l.startsWith('#'));

t.test('channel playlists: same text as the server, held at the site, played on with the server gone', async (t) => {
  const site = await serverWithSite({ bandwidthKbps: 100_000, maxRung: '240p', downloadWindow: '00:00-06:00' });
  let serverOpen = true;
  t.teardown(() => (serverOpen ? site.s.close() : undefined));
  const { s } = site;
  const p1 = await publishedProgram(s, 4, '节目一');
  const p2 = await publishedProgram(s, 4, '节目二');
  const extra = await publishedProgram(s, 4, '点播讲座');
  const ch = await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 1, name: '测试频道' } });
  t.equal(ch.statusCode, 201);
  const channelId = ch.json().id as number;
  await slatesSettled(s.app.db);

  let frozen: number | null = null;
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode, clock: () => frozen ?? Date.now() });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });

  // p1, p2 back to back, a 2 s gap (the slate), p1 again. Starts a few seconds from now: scheduled once the agent is
  // up, so a slow start on a loaded machine does not eat the seconds the comparison below needs.
  const first = Math.ceil((Date.now() + 6000) / 1000) * 1000;
  for (const [programId, at] of [
    [p1, first],
    [p2, first + 4000],
    [p1, first + 10_000],
  ] as const) {
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/channels/${channelId}/schedule`,
      headers: s.auth,
      payload: { programId, start: new Date(at).toISOString() },
    });
    t.equal(res.statusCode, 201, `scheduled ${programId} at +${(at - first) / 1000}s`);
  }
  await a.syncNow(); // outside the window, but everything airs within 2 h: fetched at once
  const status = await (await fetch(`${a.url}/local/status`)).json();
  t.equal(status.cacheReadiness, 1, 'every file the schedule needs is held');
  const manifest = a.sync.manifest!;
  t.notOk(a.store.wanted().length, 'nothing on-demand was fetched');
  t.notOk(
    a.sync.catalog!.programs.find((p) => p.id === extra)!.files.some((f) => a.store.held(f.path)),
    'an unscheduled lecture is not held',
  );

  const channels = await (await fetch(`${a.url}/local/channels`)).json();
  t.match(channels, [{ id: channelId, number: 1, name: '测试频道' }]);
  // Next before the first item starts, now once it has, previous once it is over (a slow machine may get there first).
  const slot = [channels[0].previous, channels[0].now, channels[0].next].find((x: { start: number } | null) => x && x.start === first);
  t.match(slot, { programId: p1, title: '节目一', end: first + 4000 }, 'the guide shows the first program with its title');

  // The agent's master lists the one rung the site holds, announced as the server announces it.
  const agentMaster = await (await fetch(`${a.url}/live/channels/${channelId}/master.m3u8`)).text();
  const serverMaster = await (await fetch(`${site.serverUrl}/live/channels/${channelId}/master.m3u8`)).text();
  t.same(uris(agentMaster), ['240p.m3u8']);
  const variant = agentMaster.split('\n').find((l) => l.startsWith('#EXT-X-STREAM-INF'))!;
  t.ok(serverMaster.includes(variant), "the variant line is the server's own");

  // Same instant, same text: bracket each agent answer between two identical server answers.
  const samples: Array<{ at: number; text: string }> = [];
  while (Date.now() < first + 13_000) {
    const s1 = await (await fetch(`${site.serverUrl}/live/channels/${channelId}/240p.m3u8`)).text();
    const at = Date.now();
    const mine = await fetch(`${a.url}/live/channels/${channelId}/240p.m3u8`);
    const text = await mine.text();
    const s2 = await (await fetch(`${site.serverUrl}/live/channels/${channelId}/240p.m3u8`)).text();
    if (s1 === s2) {
      t.equal(text, s1, `agent playlist equals the server's at +${((at - first) / 1000).toFixed(1)}s`);
      t.equal(mine.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      samples.push({ at, text });
    }
    await sleep(1500);
  }
  t.ok(samples.length >= 5, `${samples.length} instants compared`);
  const named = samples.flatMap((x) => uris(x.text)).join('\n');
  t.ok(named.includes(`/programs/${p1}/`) && named.includes(`/programs/${p2}/`), 'the compared instants span both programs');
  t.ok(
    samples.some((x) => x.text.includes('#EXT-X-DISCONTINUITY\n')),
    'and program boundaries',
  );

  // Uplink gone: the same instants give the same text from the agent alone, and every segment named is served from disk.
  await s.close();
  serverOpen = false;
  await a.syncNow();
  t.equal((await (await fetch(`${a.url}/local/status`)).json()).online, false, 'offline is shown');
  const served = new Set<string>();
  for (const sample of samples) {
    frozen = sample.at;
    const text = await (await fetch(`${a.url}/live/channels/${channelId}/240p.m3u8`)).text();
    t.equal(text, sample.text, `offline, the playlist at +${((sample.at - first) / 1000).toFixed(1)}s is unchanged`);
    for (const uri of uris(text)) {
      if (served.has(uri)) continue;
      served.add(uri);
      const res = await fetch(`${a.url}${uri}`);
      const body = Buffer.from(await res.arrayBuffer());
      const held = a.store.held(uri.replace(/^\/media\//, ''));
      t.ok(res.status === 200 && held && sha(body) === held.sha256, `${uri} played from the cache`);
    }
  }
  // And later than anything sampled (past the last item: the slate, still from disk).
  frozen = first + 60_000;
  const late = await (await fetch(`${a.url}/live/channels/${channelId}/240p.m3u8`)).text();
  for (const uri of uris(late)) t.equal((await fetch(`${a.url}${uri}`)).status, 200, `${uri} (slate after the schedule) served offline`);
});

t.test('files the schedule needs within 48 h are never evicted for a lecture', async (t) => {
  const site = await serverWithSite({ bandwidthKbps: 100_000, maxRung: '240p' });
  t.teardown(() => site.s.close());
  const { s } = site;
  const scheduled = await publishedProgram(s, 4, '晚间节目');
  const lecture = await publishedProgram(s, 4, '点播讲座');
  const ch = await s.app.inject({ method: 'POST', url: '/api/channels', headers: s.auth, payload: { number: 2, name: '晚间频道' } });
  const channelId = ch.json().id as number;
  await slatesSettled(s.app.db);
  const at = Date.now() + 3600_000;
  t.equal(
    (
      await s.app.inject({
        method: 'POST',
        url: `/api/channels/${channelId}/schedule`,
        headers: s.auth,
        payload: { programId: scheduled, start: new Date(at).toISOString() },
      })
    ).statusCode,
    201,
  );

  // Learn the sizes with a first agent, then run one whose quota holds the schedule but not the lecture too.
  const probe = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  await probe.syncNow();
  const required = probe.sync.manifest!.required.reduce((n, f) => n + f.size, 0);
  const lectureBytes = probe.sync.catalog!.programs.find((p) => p.id === lecture)!.files.reduce((n, f) => n + f.size, 0);
  await probe.close();
  rmDir(probe.dataDir);

  const other = await newSite(s, site.villageId, { bandwidthKbps: 100_000, maxRung: '240p' });
  const quota = required + Math.floor(lectureBytes / 2);
  const a = await agentFor(site.serverUrl, { pairCode: other.pairingCode, quotaBytes: quota });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  await a.syncNow();
  t.equal((await (await fetch(`${a.url}/local/status`)).json()).cacheReadiness, 1, 'the schedule is held');
  const evicted: unknown[] = [];
  a.sync.on('evicted', (e) => evicted.push(e));

  const res = await fetch(`${a.url}/local/downloads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ programId: lecture }),
  });
  t.equal(res.status, 202);
  await a.whenIdle();
  t.same(evicted, [], 'nothing scheduled was evicted');
  t.equal((await (await fetch(`${a.url}/local/status`)).json()).cacheReadiness, 1, 'the schedule is still held');
  const item = (await (await fetch(`${a.url}/local/catalog`)).json()).items.find((i: { id: number }) => i.id === lecture);
  t.match(item, { held: false, download: null }, 'the lecture that does not fit is not held (it streams instead)');
  t.ok(a.store.heldBytes() <= quota, 'within the quota');
});
