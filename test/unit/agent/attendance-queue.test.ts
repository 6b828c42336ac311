// The site's durable queue: accrual of watched time, headcount and members, close/recover rules, and the
// ack/delete rules (only acknowledged ids leave; a finished id never reopens).
import t, { type Test } from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AttendanceQueue, sessionHeadcount } from '../../../player/agent/attendance/queue.ts';

function tempQueue(t: Test, opts: ConstructorParameters<typeof AttendanceQueue>[1] = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-queue-'));
  const file = path.join(dir, 'attendance.sqlite');
  const q = AttendanceQueue.open(file, opts);
  t.teardown(() => {
    q.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { q, file, dir };
}

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const s = (sec: number) => T0 + sec * 1000;
const open = (id: string, watched: number, extra: object = {}) => ({
  id,
  programId: 7,
  channelId: 2,
  mode: 'broadcast' as const,
  watchedSeconds: watched,
  state: 'open' as const,
  ...extra,
});

t.test('opened with WAL and synchronous=FULL', async (t) => {
  const { q } = tempQueue(t);
  t.equal(q.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(q.db.pragma('synchronous', { simple: true }), 2, 'FULL');
});

t.test('watched time only grows, never beyond wall time, and a closed session is frozen', async (t) => {
  const { q } = tempQueue(t);
  q.report(open('a', 0), s(0));
  q.report(open('a', 10), s(10));
  q.report(open('a', 8), s(12)); // an out-of-order retry: ignored, not subtracted
  t.equal(q.report(open('a', 500), s(20)).watchedSeconds, 23, 'a jump of 490 s in 8 s of wall time adds at most 8 s + 5 s slack');
  const closed = q.report({ ...open('a', 30), state: 'closed' }, s(25));
  t.equal(closed.state, 'closed');
  t.equal(closed.watchedSeconds, 30);
  t.equal(q.report(open('a', 60), s(50)).state, 'closed', 'progress after close is answered "closed"');
  const [wire] = q.batch(10);
  t.match(wire, {
    id: 'a',
    programId: 7,
    channelId: 2,
    mode: 'broadcast',
    start: s(0),
    end: s(25),
    watchedSeconds: 25,
    headcount: 0,
    members: [],
  });
  t.equal(wire!.watchedSeconds, 25, 'watched capped at the session span (25 s), never more than end - start');
});

t.test('headcount: retroactive for the uncounted seconds, weighted when changed, carried to the next program', async (t) => {
  const { q } = tempQueue(t);
  q.report(open('p1', 0), s(0));
  q.report(open('p1', 10), s(10));
  q.setHeadcount(4, s(11)); // the first answer covers the 10 s already watched
  q.report(open('p1', 30), s(31));
  q.setHeadcount(10, s(31)); // six more arrive: the next 30 s count 10
  q.report({ ...open('p1', 60), state: 'closed' }, s(61));
  // person-seconds = 30*4 + 30*10 = 420 over 60 s -> 7
  q.report(open('p2', 0, { programId: 8 }), s(62));
  q.report({ ...open('p2', 20, { programId: 8 }), state: 'closed' }, s(82));
  const batch = q.batch(10);
  t.same(
    batch.map((b) => [b.id, b.headcount]),
    [
      ['p1', 7],
      ['p2', 10],
    ],
    'p2 carries the last answer',
  );
  t.equal(sessionHeadcount(100, 0, 100), 0, 'never answered: 0');
  t.equal(q.sitting(s(83)).headcount, 10);
});

t.test('a new sitting after a long idle gap starts with no headcount and no members', async (t) => {
  const { q } = tempQueue(t, { sittingGapMs: 60_000 });
  q.setHeadcount(3, s(0));
  q.signIn('1001', s(0));
  q.report(open('x', 0), s(1));
  q.report({ ...open('x', 5), state: 'closed' }, s(6));
  t.equal(q.sitting(s(30)).headcount, 3);
  t.equal(q.sitting(s(200)).headcount, null, 'after the gap the sitting reads empty');
  q.report(open('y', 0), s(200));
  q.report({ ...open('y', 5), state: 'closed' }, s(205));
  const y = q.batch(10).find((b) => b.id === 'y')!;
  t.equal(y.headcount, 0);
  t.same(y.members, []);
});

t.test('members accrue watched time from sign-in on, across programs, until sign-out', async (t) => {
  const { q } = tempQueue(t);
  q.report(open('m1', 0), s(0));
  q.report(open('m1', 20), s(20));
  q.signIn('2001', s(20));
  q.report(open('m1', 50), s(50));
  q.signIn(' 2002'.trim(), s(50));
  q.report({ ...open('m1', 60), state: 'closed' }, s(60));
  q.report(open('m2', 0), s(61));
  q.signOut('2001', s(70));
  q.report({ ...open('m2', 15), state: 'closed' }, s(76));
  const [m1, m2] = q.batch(10);
  t.same(m1!.members, [
    { memberNo: '2001', watchedSeconds: 40 },
    { memberNo: '2002', watchedSeconds: 10 },
  ]);
  // m2: 2001 was signed out before any progress was reported (the next report carries all 15 s)
  t.same(m2!.members, [
    { memberNo: '2001', watchedSeconds: 0 },
    { memberNo: '2002', watchedSeconds: 15 },
  ]);
});

t.test('only acknowledged ids are deleted; rejected ones are kept aside; a finished id never reopens', async (t) => {
  const { q } = tempQueue(t);
  for (const id of ['s1', 's2', 's3', 's4']) {
    q.report(open(id, 0), s(0));
    q.report({ ...open(id, 5), state: 'closed' }, s(5));
  }
  q.report(open('still-open', 0), s(6));
  q.report(open('still-open', 3), s(9));
  t.same(
    q.batch(10).map((b) => b.id),
    ['s1', 's2', 's3', 's4'],
    'open sessions are not sent',
  );
  t.same(
    q.batch(2).map((b) => b.id),
    ['s1', 's2'],
    'batch size respected',
  );
  t.equal(q.acknowledge(['s1', 'unknown', 'still-open'], s(10)), 1, 'unknown and open ids are ignored');
  t.equal(q.reject([{ id: 's2', reason: 'unknown_program', message: 'no such program' }], s(10)), 1);
  t.same(
    q.batch(10).map((b) => b.id),
    ['s3', 's4'],
  );
  t.match(q.counts(), { open: 1, pending: 2, rejected: 1, delivered: 1 });
  t.match(q.rejectedItems(), [{ id: 's2', reason: 'unknown_program', session: { id: 's2', watchedSeconds: 5 } }]);
  t.equal(q.report(open('s1', 9), s(20)).state, 'closed', 'a delivered id stays closed');
  t.equal(q.report(open('s2', 9), s(20)).state, 'closed', 'a rejected id stays closed');
  t.equal(q.batch(10).length, 2, 'nothing re-queued');
  t.equal(q.acknowledge(['s1'], s(30)), 0, 'a second ack of the same id is a no-op');
});

t.test('nothing watched: discarded, not sent', async (t) => {
  const { q } = tempQueue(t);
  q.report(open('zap', 0), s(0));
  q.report({ ...open('zap', 0), state: 'closed' }, s(2));
  q.report({ ...open('never-opened', 0), state: 'closed' }, s(2));
  t.equal(q.batch(10).length, 0);
  t.equal(q.report(open('zap', 4), s(6)).state, 'closed');
});

t.test('power cut: reopening the file closes open sessions at their last progress; stale sessions too', async (t) => {
  const { q, file } = tempQueue(t);
  q.report(open('cut', 0), s(0));
  q.report(open('cut', 40), s(40));
  q.report(open('idle', 0), s(0));
  q.report(open('idle', 5), s(5));
  t.equal(q.closeStale(s(100), 60_000), 1, 'idle: no report for 95 s > 60 s');
  t.equal(q.closeStale(s(100), 90_000), 0);
  q.db.close(); // as if the process died: no clean shutdown step
  const again = AttendanceQueue.open(file);
  t.teardown(() => again.close());
  t.equal(again.recoverOpen(), 1);
  const byId = Object.fromEntries(again.batch(10).map((b) => [b.id, b]));
  t.match(byId.cut, { start: s(0), end: s(40), watchedSeconds: 40 });
  t.match(byId.idle, { end: s(5), watchedSeconds: 5 });
  t.equal(again.report(open('cut', 50), s(50)).state, 'closed', 'the kiosk hears "closed" and starts a new session');
});

t.test('watched time is never sent longer than the program', async (t) => {
  const { q } = tempQueue(t, { programDuration: (id) => (id === 7 ? 30 : null) });
  q.report(open('re', 0, { mode: 'ondemand', channelId: null }), s(0));
  q.report({ ...open('re', 45, { mode: 'ondemand', channelId: null }), state: 'closed' }, s(45)); // watched part twice
  t.match(q.batch(1)[0], { watchedSeconds: 30, channelId: null, mode: 'ondemand' });
});
