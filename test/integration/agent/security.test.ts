// The site agent as an attacker on the same network (or a web page in the kiosk's browser) would try it:
// its /media proxy must not carry the site token to other server paths, its local server must not answer a
// rebound DNS name, its token must not be readable by other users of the PC, its pages carry security headers,
// and a server that says "too many attempts" or "busy, retry after N s" is believed.
import t from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { tempDir } from '../../../testkit/helpers.ts';
import { agentFor, flakyLink, publishedProgram, rmDir, serverWithSite } from './agent-fixture.ts';
import { MediaCache } from '../../../player/agent/cache.ts';
import { AgentStore, openAgentDb } from '../../../player/agent/store.ts';
import { SiteSync } from '../../../player/agent/sync.ts';
import { Uplink } from '../../../player/agent/uplink.ts';

/** GET with the path sent exactly as written (fetch would normalise it) and any Host header. */
function rawGet(
  base: string,
  rawPath: string,
  host?: string,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: rawPath,
        method,
        headers: { ...(host ? { host } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A logger whose lines the test can read. */
function capturedLog(): { log: Logger; lines: Array<{ msg: string; [k: string]: unknown }> } {
  const lines: Array<{ msg: string }> = [];
  const log: Logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as { msg: string }) });
  return { log, lines };
}

t.test('the /media proxy passes program files only, and never takes the token elsewhere', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const link = await flakyLink(site.serverUrl);
  t.teardown(() => link.close());
  const a = await agentFor(link.url, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  const programId = await publishedProgram(site.s, 2, 'Proxy test');

  const attacks = [
    '/media/programs%5C..%5C..%5Capi%5Csites%5Cme%5Cmanifest',
    '/media/programs/%252e%252e/%252e%252e/api/sites/me/manifest',
    '/media/programs/%2e%2e/%2e%2e/api/sites/me/manifest',
    '/media/programs/1/..%2F..%2F..%2Fapi%2Fsites%2Fme%2Fmanifest',
    '/media/programs/1/%2e%2e/%2e%2e/%2e%2e/api/sites/me/manifest',
    '/media/programs\\..\\..\\api\\sites\\me\\manifest',
    '/media/api/sites/me/manifest',
    '/media//evil.example/programs/1/master.m3u8',
    `/media/programs/${programId}/../../../api/sites/me/manifest`,
    `/media/programs/${programId}/240p/../../../../api/sites/me/manifest`,
  ];
  const before = link.seen.length;
  for (const attack of attacks) {
    const res = await rawGet(a.url, attack);
    t.ok(res.status === 400 || res.status === 404, `${attack}: refused (${res.status})`);
    t.notMatch(res.body, /siteName|"required"|"catalog"/, `${attack}: no manifest in the answer`);
  }
  const forwarded = link.seen.slice(before).map((s) => s.path);
  t.same(forwarded, [], 'none of them reached the server');

  // Program files still stream through (not held yet), the rung subfolder included.
  const master = await rawGet(a.url, `/media/programs/${programId}/v1/master.m3u8`);
  t.equal(master.status, 200, 'the master playlist streams through');
  const media = /^(\d+p\/index\.m3u8)$/m.exec(master.body)?.[1];
  t.ok(media, 'the master names a rung playlist in its folder');
  t.equal((await rawGet(a.url, `/media/programs/${programId}/v1/${media}`)).status, 200, 'the rung playlist streams through');
  t.same(
    link.seen
      .slice(before)
      .map((s) => s.path.split('/').slice(0, 4).join('/'))
      .filter((p) => !p.startsWith(`/media/programs/${programId}`)),
    [],
    'only program media was asked of the server',
  );
});

t.test('the local server answers only to its own host names (no DNS rebinding)', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode, allowedHosts: ['kiosk.lan'] });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  for (const host of ['evil.example', `evil.example:${a.port}`, `127.0.0.1.evil.example:${a.port}`, `localhost:${a.port + 1}`]) {
    const res = await rawGet(a.url, '/local/status', host);
    t.equal(res.status, 421, `Host ${host}: refused`);
    t.match(JSON.parse(res.body), { error: { code: 'foreign_host', message: /answers only to .*127\.0\.0\.1/ } });
    const forged = await rawGet(a.url, '/local/headcount', host, 'POST', JSON.stringify({ count: 40 }));
    t.equal(forged.status, 421, `Host ${host}: a forged headcount is refused`);
  }
  t.equal((await rawGet(a.url, '/local/sitting')).body.includes('"headcount":null'), true, 'no headcount was recorded');
  for (const host of [`127.0.0.1:${a.port}`, `localhost:${a.port}`, `LOCALHOST:${a.port}`, `[::1]:${a.port}`, `kiosk.lan:${a.port}`]) {
    t.equal((await rawGet(a.url, '/local/status', host)).status, 200, `Host ${host}: answered`);
  }
});

t.test('the kiosk page and every answer carry the security headers', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  for (const p of ['/', '/local/status', '/media/nothing']) {
    const res = await rawGet(a.url, p);
    t.match(res.headers['content-security-policy'], /default-src 'self'.*script-src 'self'/, `${p}: CSP`);
    t.notMatch(res.headers['content-security-policy'], /unsafe-inline|unsafe-eval|\*/, `${p}: nothing inline, no wildcard`);
    t.equal(res.headers['x-content-type-options'], 'nosniff', `${p}: nosniff`);
    t.equal(res.headers['referrer-policy'], 'no-referrer', `${p}: no referrer`);
  }
});

t.test('the token is readable by the agent user only: data dir 0700, database files 0600', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const dataDir = path.join(tempDir('dyb-agent-mode-'), 'data');
  fs.mkdirSync(dataDir, { mode: 0o755 }); // an existing dir made by hand with the usual umask
  const a = await agentFor(site.serverUrl, { pairCode: site.pairingCode, dataDir });
  t.teardown(async () => {
    await a.close();
    rmDir(path.dirname(dataDir));
  });
  await a.syncNow();
  const mode = (f: string) => fs.statSync(f).mode & 0o777;
  t.equal(mode(dataDir), 0o700, 'data dir 0700');
  const files = fs.readdirSync(dataDir).filter((f) => /\.sqlite(-wal|-shm)?$/.test(f));
  t.ok(files.includes('agent.sqlite') && files.includes('agent.sqlite-wal'), `database files present: ${files.join(', ')}`);
  for (const f of files) t.equal(mode(path.join(dataDir, f)), 0o600, `${f} 0600`);
  t.match(
    fs.readFileSync(path.join(dataDir, 'agent.sqlite-wal')).toString('latin1') +
      fs.readFileSync(path.join(dataDir, 'agent.sqlite')).toString('latin1'),
    a.store.pairing()!.token,
    'the token is in these files',
  );
});

t.test('the pairing code can come from a prompt; without one the agent says how to give it', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  let asked = 0;
  const a = await agentFor(site.serverUrl, { askPairCode: async () => (asked++, ` ${site.pairingCode} `) });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  t.equal(asked, 1, 'asked once');
  t.equal(a.store.pairing()?.siteId, site.siteId, 'paired with the typed code');
  await t.rejects(agentFor(site.serverUrl, { askPairCode: async () => '' }), /AGENT_PAIR_CODE/, 'no code: says to set AGENT_PAIR_CODE');
});

t.test('pairing answered 429 says too many attempts and waits as told, never "bad code"', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  // Someone at this address used up the attempts.
  let limited: Response | null = null;
  for (let i = 0; i < 30 && limited === null; i++) {
    const res = await fetch(`${site.serverUrl}/api/sites/pair`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'WRONG-0000' }),
    });
    await res.arrayBuffer();
    if (res.status === 429) limited = res;
  }
  t.ok(limited, 'the server limits pairing attempts');
  const told = Number(limited!.headers.get('retry-after'));
  t.ok(told > 0, `the server says when to retry (${told} s)`);

  const dir = tempDir('dyb-agent-429-');
  t.teardown(() => rmDir(dir));
  const { log, lines } = capturedLog();
  const db = openAgentDb(path.join(dir, 'agent.sqlite'));
  const store = new AgentStore(db);
  const uplink = new Uplink(site.serverUrl);
  const cache = new MediaCache(path.join(dir, 'media'), store, log, Date.now);
  const sync = new SiteSync({ store, cache, uplink, log, clock: Date.now, quotaBytes: 1e9, syncIntervalMs: 60_000 });
  const pairing = sync.ensurePaired(site.pairingCode);
  pairing.catch(() => undefined);
  while (!lines.some((l) => /too many pairing attempts/.test(l.msg))) await new Promise((r) => setTimeout(r, 50));
  const line = lines.find((l) => /too many pairing attempts/.test(l.msg))!;
  t.match(line.msg, /retrying in \d+ s/, `told the truth: ${line.msg}`);
  t.ok((line.retryInMs as number) > 0 && (line.retryInMs as number) <= told * 1000, 'waits what the server said');
  t.notOk(
    lines.some((l) => /refused|new pairing code/i.test(l.msg)),
    'did not call the code bad',
  );
  await sync.close();
  await t.rejects(pairing, /stopping/, 'stopping ends the wait');
  t.equal(store.pairing(), null, 'not paired, nothing stored');
  db.close();
});

t.test('503 with Retry-After on the manifest and the heartbeat: the agent waits that long', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const link = await flakyLink(site.serverUrl);
  t.teardown(() => link.close());
  const first = await agentFor(link.url, { pairCode: site.pairingCode });
  const dataDir = first.dataDir;
  await first.close();
  t.teardown(() => rmDir(dataDir));

  link.failNext(/\/api\/sites\/me\/manifest/, 503, { 'retry-after': '120' });
  const a = await agentFor(link.url, { dataDir, autoSync: true, syncIntervalMs: 5_000 });
  t.teardown(() => a.close());
  while (a.sync.nextPollAt === null) await new Promise((r) => setTimeout(r, 20));
  t.ok(
    a.sync.nextPollAt - Date.now() > 100_000,
    `the next manifest poll waits the 120 s the server asked (in ${Math.round((a.sync.nextPollAt - Date.now()) / 1000)} s)`,
  );
  t.match(a.sync.lastError, /503/);

  link.failNext(/\/api\/sites\/me\/heartbeat/, 503, { 'retry-after': '300' });
  await a.attendance.heartbeat.beat();
  t.equal(a.attendance.heartbeat.status.retryAfterMs, 300_000, 'the heartbeat heard the Retry-After');

  // A closed viewing session goes up; the server is busy.
  link.failNext(/\/api\/sites\/me\/attendance/, 503, { 'retry-after': '240' });
  const session = { id: 'busy-1', programId: 1, channelId: null, mode: 'ondemand', watchedSeconds: 5, state: 'closed' };
  const reported = await fetch(`${a.url}/local/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(session),
  });
  t.equal(reported.status, 200);
  const flushed = await a.attendance.flushNow();
  t.match(flushed.error, /503/, 'the upload met the busy server');
  t.equal(a.attendance.uploader.status.retryAfterMs, 240_000, 'the uploader heard the Retry-After');
  t.equal(a.attendance.queue.counts().pending, 1, 'the session waits, nothing lost');
});

t.test('long poll: a server that answers 304 at once does not make the agent spin', async (t) => {
  const site = await serverWithSite();
  t.teardown(() => site.s.close());
  const link = await flakyLink(site.serverUrl, { ignoreLongPolls: true });
  t.teardown(() => link.close());
  const a = await agentFor(link.url, { pairCode: site.pairingCode, autoSync: true, syncIntervalMs: 60_000 });
  t.teardown(async () => {
    await a.close();
    rmDir(a.dataDir);
  });
  const synced: boolean[] = [];
  a.sync.on('synced', (e: { changed: boolean }) => synced.push(e.changed));
  while (synced.length < 2) await new Promise((r) => setTimeout(r, 20));
  t.same(synced, [true, false], 'a manifest, then an unchanged one');
  const polls = link.seen.filter((s) => s.path === '/api/sites/me/manifest');
  t.equal(polls.length, 2);
  t.match(polls[1], { prefer: 'wait=55', ifNoneMatch: /"/ }, 'the second poll asks the server to hold it');
  while (a.sync.nextPollAt === null) await new Promise((r) => setTimeout(r, 20));
  t.ok(a.sync.nextPollAt - Date.now() > 40_000, 'answered at once, so the next poll is a full interval away');
});
