// The provincial windows of a carried channel and the centre's schedule fitted around them (pure).
import t from 'tap';
import { DateTime } from 'luxon';
import { planCarried, windowHolding, windowOccurrences, windowsProblem, windowText } from '../../../server/upstream/carried-windows.ts';

const zone = 'Asia/Shanghai';
// Monday 2026-03-02 in the province zone.
const at = (day: number, hhmm: string) => DateTime.fromISO(`2026-03-0${day + 1}T${hhmm}:00`, { zone }).toMillis();
const mon = (hhmm: string) => at(1, hhmm);
const daily = { days: [1, 2, 3, 4, 5, 6, 7], start: '19:30', end: '20:00' };

t.test('windows: which are wrong, and why', async (t) => {
  t.equal(windowsProblem([daily, { days: [6], start: '20:00', end: '24:00' }]), null);
  t.match(windowsProblem([{ days: [1], start: '20:00', end: '19:30' }]), /windows\[0\] \(Mon 20:00-19:30\) ends before it starts/);
  t.match(windowsProblem([{ days: [2], start: '10:00', end: '10:00' }]), /ends before it starts/);
  t.match(
    windowsProblem([daily, { days: [3, 5], start: '19:45', end: '21:00' }]),
    /windows\[0\] \(daily 19:30-20:00\) and windows\[1\] \(Wed,Fri 19:45-21:00\) overlap on Wed/,
  );
  t.equal(windowsProblem([daily, { days: [3], start: '20:00', end: '21:00' }]), null, 'touching is not overlapping');
  t.equal(
    windowsProblem([
      { days: [1], start: '09:00', end: '10:00' },
      { days: [2], start: '09:00', end: '10:00' },
    ]),
    null,
  );
  t.equal(windowText({ days: [5, 1], start: '00:00', end: '24:00' }), 'Mon,Fri 00:00-24:00');
});

t.test('occurrences in the province zone, and the one holding a span', async (t) => {
  const occ = windowOccurrences([daily, { days: [1], start: '23:00', end: '24:00' }], zone, mon('00:00'), at(2, '00:00'));
  t.same(occ, [
    { start: mon('19:30'), end: mon('20:00') },
    { start: mon('23:00'), end: at(2, '00:00') },
  ]);
  t.same(windowOccurrences([daily], zone, mon('19:45'), mon('19:50')), [{ start: mon('19:30'), end: mon('20:00') }], 'one already open');
  t.same(windowOccurrences([], zone, mon('00:00'), at(3, '00:00')), []);
  t.ok(windowHolding([daily], zone, { start: mon('19:30'), end: mon('20:00') }), 'the whole window');
  t.notOk(windowHolding([daily], zone, { start: mon('19:29'), end: mon('19:40') }), 'starting before it');
  t.notOk(windowHolding([daily], zone, { start: mon('19:50'), end: mon('20:01') }), 'running past it');
  const adjacent = [
    { days: [1], start: '19:00', end: '19:30' },
    { days: [1], start: '19:30', end: '20:00' },
  ];
  t.notOk(windowHolding(adjacent, zone, { start: mon('19:15'), end: mon('19:45') }), 'two touching windows are two occurrences');
});

t.test("the centre's items fitted around windows, the fixed past and provincial items", async (t) => {
  const localIds = new Map([[101, 1]]);
  const central = [
    { start: mon('18:00'), end: mon('19:00'), programId: 101 }, // clear: kept, mapped to the local program
    { start: mon('19:00'), end: mon('19:45'), programId: 102 }, // runs into the window: cut at 19:30, not mirrored
    { start: mon('19:45'), end: mon('20:30'), programId: 101 }, // starts inside the window: left out
    { start: mon('20:30'), end: mon('21:00'), programId: null }, // a gap-less item without a program keeps its slot
    { start: mon('21:00'), end: mon('22:00'), programId: 101 }, // runs into a provincial item: cut at 21:30
    { start: mon('22:00'), end: mon('23:00'), programId: 101 }, // starts inside a provincial item: left out
  ];
  const blocked = [{ start: mon('21:30'), end: mon('22:30') }];
  const plan = planCarried({ central, localIds, windows: [daily], zone, nowMs: mon('12:00'), blocked });
  t.same(plan, [
    { start: mon('18:00'), end: mon('19:00'), centralProgramId: 101, programId: 1 },
    { start: mon('19:00'), end: mon('19:30'), centralProgramId: 102, programId: null },
    { start: mon('20:30'), end: mon('21:00'), centralProgramId: null, programId: null },
    { start: mon('21:00'), end: mon('21:30'), centralProgramId: 101, programId: 1 },
  ]);
  const later = planCarried({ central, localIds, windows: [], zone, nowMs: mon('18:00'), blocked: [] });
  t.same(
    later.map((i) => i.start),
    [mon('19:00'), mon('19:45'), mon('20:30'), mon('21:00'), mon('22:00')],
    'an item starting by now is never planned (the past and the item on air are fixed)',
  );
});
