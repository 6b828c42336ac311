// The agent's own SQLite: survives reopening, keeps eviction order through request -> held -> lost -> re-queued,
// and an outbox whose rows leave only when acknowledged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { AgentStore, openAgentDb } from '../../../player/agent/store.ts';

t.test('state survives a reopen; FULL sync; outbox keeps a row until it is acknowledged', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-agent-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'agent.sqlite');
  let db = openAgentDb(file);
  t.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous = FULL (2)');
  let store = new AgentStore(db);
  store.savePairing({ siteId: 7, token: 'secret', serverUrl: 'http://x' });
  store.enqueue('request', 'c1', { topic: 'a' }, 1000);
  store.enqueue('request', 'c1', { topic: 'a' }, 1001);
  store.enqueue('request', 'c2', { programId: 3 }, 2000);
  t.equal(store.outboxSize(), 2, 'the same client id is queued once');
  db.close();

  db = openAgentDb(file);
  store = new AgentStore(db);
  t.teardown(() => db.close());
  t.same(store.pairing(), { siteId: 7, token: 'secret', serverUrl: 'http://x' });
  t.same(
    store.dueOutbox(1500).map((r) => r.clientId),
    ['c1'],
    'only rows due by now',
  );
  store.retryOutbox('c1', 10_000, 'link down');
  t.same(
    store.dueOutbox(5000).map((r) => r.clientId),
    ['c2'],
    'a failed row waits for its backoff',
  );
  store.ackOutbox('c2');
  t.same(store.dueOutbox(20_000), [{ clientId: 'c1', kind: 'request', body: { topic: 'a' }, attempts: 1 }]);
});

t.test('eviction order follows watching and requests, and survives a lost file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-agent-store-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = openAgentDb(path.join(dir, 'agent.sqlite'));
  t.teardown(() => db.close());
  const store = new AgentStore(db);

  store.want(1, 100);
  store.want(2, 200);
  t.same(store.wanted(), [1, 2], 'requests in order');
  t.same(
    [...store.lastUsed()],
    [
      [1, 100],
      [2, 200],
    ],
  );
  store.unwant([1, 2]); // both fully held
  t.same(store.wanted(), []);
  t.same(
    [...store.lastUsed()],
    [
      [1, 100],
      [2, 200],
    ],
    'a held lecture keeps its request time as last use',
  );
  store.markWatched(1, 300);
  store.markWatched(1, 250);
  t.equal(store.lastUsed().get(1), 300, 'last watched only moves forward');
  store.wantAgain(2); // lost a file
  t.same(store.wanted(), [2], 're-queued');
  t.equal(store.lastUsed().get(2), 200, 'without jumping ahead in the eviction order');
});
