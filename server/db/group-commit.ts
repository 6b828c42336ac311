// Group commit: writes that arrive together share one commit. Each commit is an fsync (synchronous=FULL), and at a
// province's evening peak hundreds of sites a second send a heartbeat or an attendance batch: one fsync each kept the
// event loop waiting on the disk while requests queued behind it.
import type { Db } from './connection.ts';

/** Runs `work` in the next group commit; resolves with its result once that commit is on disk. */
export type GroupCommit = <T>(work: () => T) => Promise<T>;

interface Queued {
  work: () => unknown;
  done: (value: unknown) => void;
  failed: (err: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; err: unknown };
}

const perDb = new WeakMap<Db, GroupCommit>();

/**
 * The database's group committer (one per connection, shared by every writer that uses it). Work queued before the
 * event loop turns runs in one transaction, each piece in its own savepoint: a piece that throws is rolled back
 * alone and rejects alone, the others commit. Nobody is answered before the commit, so "acknowledged" still means
 * "on disk".
 */
export function groupCommit(db: Db): GroupCommit {
  let committer = perDb.get(db);
  if (committer) return committer;

  let queue: Queued[] = [];
  const piece = db.transaction((work: () => unknown) => work()); // nested in `all`: a SAVEPOINT
  const all = db.transaction((group: Queued[]) => {
    for (const q of group) {
      try {
        q.outcome = { ok: true, value: piece(q.work) };
      } catch (err) {
        q.outcome = { ok: false, err };
      }
    }
  });
  const flush = () => {
    const group = queue;
    queue = [];
    try {
      all(group);
    } catch (err) {
      for (const q of group) q.failed(err); // the commit itself failed: nothing of the group is stored
      return;
    }
    for (const q of group) {
      const o = q.outcome!;
      if (o.ok) q.done(o.value);
      else q.failed(o.err);
    }
  };

  committer = <T>(work: () => T) =>
    new Promise<T>((done, failed) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({ work, done: done as (value: unknown) => void, failed });
    });
  perDb.set(db, committer);
  return committer;
}
