// Group commit (server/db/group-commit.ts) on a real SQLite file: pieces queued together share one commit (seen as
// WAL frames: a page written by three pieces is one frame, not three), each piece is answered with its own result
// once committed, and a piece that throws is rolled back and rejected alone.
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../../../server/db/connection.ts';
import { groupCommit } from '../../../server/db/group-commit.ts';
import { tempDir } from '../../../testkit/helpers.ts';

t.test('pieces queued together: one commit, each answered, a failing one alone', async (t) => {
  const dir = tempDir('dyb-group-commit-');
  const file = path.join(dir, 'db.sqlite');
  const db = openDb(file);
  t.teardown(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  db.exec('CREATE TABLE kv (k INTEGER PRIMARY KEY, v TEXT)');
  const commit = groupCommit(db);
  t.equal(groupCommit(db), commit, 'one committer per connection, shared by its writers');
  const put = (k: number) => () => db.prepare('INSERT INTO kv VALUES (?, ?)').run(k, `v${k}`).changes;
  const wal = () => fs.statSync(`${file}-wal`).size;

  await commit(put(0));
  const w0 = wal();
  await commit(put(1));
  const oneCommit = wal() - w0; // the frames of one commit touching this page
  const w1 = wal();
  const together = await Promise.allSettled([
    commit(put(2)),
    commit(() => {
      put(3)();
      throw new Error('this piece fails');
    }),
    commit(put(4)),
  ]);
  t.equal(wal() - w1, oneCommit, 'three pieces queued together were one commit');
  t.same(
    together.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  t.equal((together[0] as PromiseFulfilledResult<number>).value, 1, 'each piece gets its own result');
  t.match((together[1] as PromiseRejectedResult).reason, /this piece fails/);
  t.same(
    db
      .prepare('SELECT k FROM kv ORDER BY k')
      .all()
      .map((r) => (r as { k: number }).k),
    [0, 1, 2, 4],
    'the failing piece was rolled back alone (its insert of 3 is gone)',
  );

  const w2 = wal();
  for (const k of [5, 6, 7]) await commit(put(k));
  t.equal(wal() - w2, 3 * oneCommit, 'pieces awaited one after another are a commit each');
});
