// Remote and card-reader input, and the session ledger: pure state machines.
import t from 'tap';
import { CardReaderBurst, PanelModel } from '../../../player/kiosk/attendance/input.ts';
import { openFromOnScreen, ScheduleMemory, SessionLedger, programOnAir } from '../../../player/kiosk/attendance/ledger.ts';

t.test('card reader burst vs a person on the remote', async (t) => {
  const b = new CardReaderBurst();
  // A reader: 8 digits 10 ms apart, then Enter
  for (let i = 0; i < 8; i++) t.same(b.digit(String(i + 1), 1000 + i * 10), { kind: 'hold' });
  t.same(b.enter(1080), { kind: 'card', memberNo: '12345678' });
  t.notOk(b.holding);
  // A reader that sends no Enter: a long fast burst is still a card when it stops
  for (let i = 0; i < 10; i++) b.digit('9', 2000 + i * 8);
  t.same(b.timeout(), { kind: 'card', memberNo: '9999999999' });
  // A person: one digit, nothing follows -> released for the kiosk (a channel number)
  b.digit('4', 3000);
  t.same(b.timeout(), { kind: 'release', keys: ['4'] });
  // A person typing 1, 2 slowly: the first is released when the second comes
  b.digit('1', 4000);
  t.same(b.digit('2', 4300), { kind: 'release', keys: ['1'] });
  t.same(b.enter(4600), { kind: 'release', keys: ['2'] }, 'Enter after a slow digit: the digit goes on, Enter is not swallowed');
  // Too short to be a member number, even if fast
  b.digit('1', 5000);
  b.digit('2', 5010);
  t.same(b.enter(5020), { kind: 'release', keys: ['1', '2'] });
});

t.test('panel: prompt takes digits only; active takes navigation; headcount committed on pause or Enter', async (t) => {
  const p = new PanelModel({ commitPauseMs: 2000, promptMs: 10_000, activeMs: 20_000 });
  t.same(p.key('5', 0), { consumed: false, effects: [] }, 'hidden: nothing consumed');
  p.prompt(0);
  t.same(p.key('ArrowUp', 100), { consumed: false, effects: [] }, 'prompt: arrows still zap channels');
  t.same(p.key('1', 200), { consumed: true, effects: [] });
  t.same(p.key('2', 400), { consumed: true, effects: [] });
  t.equal(p.mode, 'active', 'typing makes it active');
  t.same(p.tick(1000), [], 'still typing');
  t.same(p.tick(2500), [{ kind: 'setHeadcount', count: 12 }], 'taken after a 2 s pause');
  t.same(p.key('ArrowDown', 3000), { consumed: true, effects: [] });
  t.equal(p.field, 'member');
  for (const d of '20231') p.key(d, 3100);
  t.same(p.key('Backspace', 3200).effects, []);
  t.equal(p.memberDraft, '2023');
  t.same(p.key('Enter', 3300), { consumed: true, effects: [{ kind: 'signIn', memberNo: '2023' }] });
  t.same(p.key('PageUp', 3400), { consumed: false, effects: [] }, 'channel keys pass through');
  p.key('ArrowUp', 3500);
  p.key('0', 3600);
  p.key('7', 3700);
  t.same(
    p.key('Escape', 3800),
    { consumed: true, effects: [{ kind: 'setHeadcount', count: 7 }] },
    'closing keeps what was typed (leading 0 dropped)',
  );
  t.equal(p.mode, 'hidden');
  p.prompt(10_000);
  t.same(p.tick(19_000), []);
  t.same(p.tick(20_001), [], 'untouched prompt hides without effects');
  t.equal(p.mode, 'hidden');
  p.open(30_000);
  p.key('0', 30_100);
  t.same(p.key('Enter', 30_200).effects, [], '0 is not a headcount');
});

t.test('ledger: one session per program, continuing after the agent closed one', async (t) => {
  let n = 0;
  const l = new SessionLedger(() => `s${++n}`);
  const A = { programId: 1, channelId: 5, mode: 'broadcast' as const };
  const B = { programId: 2, channelId: 5, mode: 'broadcast' as const };
  t.same(l.update(null, 0), []);
  t.match(l.update(A, 0), [{ id: 's1', programId: 1, state: 'open', watchedSeconds: 0 }]);
  t.same(l.update(A, 10), [], 'same program: nothing to open or close');
  t.match(l.progress(12), { id: 's1', watchedSeconds: 12, state: 'open' });
  t.match(l.update(B, 30), [
    { id: 's1', state: 'closed', watchedSeconds: 30 },
    { id: 's2', programId: 2, state: 'open', watchedSeconds: 0 },
  ]);
  t.match(l.update(null, 40), [{ id: 's2', state: 'closed', watchedSeconds: 10 }], 'the slate closes the session');
  t.match(l.update(B, 45), [{ id: 's3', state: 'open', watchedSeconds: 0 }], "the slate seconds (40..45) are in nobody's session");
  t.match(l.update({ ...B, channelId: 6 }, 50), [
    { id: 's3', state: 'closed' },
    { id: 's4', channelId: 6, state: 'open' },
  ]);
  // The agent restarted and closed s4 at 3 s; we are at 60 (10 s into s4): the rest goes to a new session.
  t.match(l.continueAfterAgentClosed('s4', 3, 60), { id: 's5', watchedSeconds: 7, state: 'open' });
  t.equal(l.continueAfterAgentClosed('s1', 0, 60), null, 'an old id is ignored');
  t.match(l.close(70), { id: 's5', watchedSeconds: 17, state: 'closed' });
  t.equal(l.close(80), null);
});

t.test('program on air at the playhead from now/next', async (t) => {
  const ch = {
    now: { programId: 1, title: 'a', start: 1000, end: 2000, offsetSec: 0 },
    next: { programId: 2, title: 'b', start: 2500, end: 3000 },
  };
  t.equal(programOnAir(ch, 1500, 1500), 1);
  t.equal(programOnAir(ch, 2200, 1500), null, 'gap: the slate');
  t.equal(programOnAir(ch, 2600, 1500), 2);
  t.equal(programOnAir(ch, 3100, 1500), undefined, 'beyond what we know: fetch again');
  t.equal(programOnAir(ch, 900, 1500), undefined);
  t.equal(programOnAir({ now: null, next: ch.next }, 2000, 1900), null, 'nothing on now: slate until next');
  t.equal(programOnAir({ now: null, next: null }, 2000, 1900), null);
  t.equal(programOnAir({ now: null, next: null }, 200_000, 1900), undefined);
  t.equal(programOnAir({ now: null, next: ch.next }, 1800, 1900), undefined, 'before what was asked about');
});

t.test('schedule memory: the picture lags the clock, so programs the agent calls past stay known', async (t) => {
  const m = new ScheduleMemory();
  const slot = (programId: number | null, start: number, end: number) => ({ programId, title: '', start, end });
  // 8 s programs; each answer is ~10 s ahead of the picture.
  m.add({ now: { ...slot(1, 0, 8000), offsetSec: 5 }, next: slot(2, 8000, 16_000) }, 5000);
  m.add({ now: { ...slot(2, 8000, 16_000), offsetSec: 5 }, next: slot(null, 16_000, 18_000) }, 13_000);
  m.add({ now: { ...slot(3, 18_000, 26_000), offsetSec: 2 }, next: slot(1, 26_000, 34_000) }, 20_000);
  t.equal(m.programAt(3000), 1, 'program 1 is long past for the agent, still on screen');
  t.equal(m.programAt(9000), 2);
  t.equal(m.programAt(17_000), null, 'slate slot');
  t.equal(m.programAt(19_000), 3);
  t.equal(m.programAt(33_000), 1);
  t.equal(m.programAt(35_000), undefined, 'beyond what is known');
  t.equal(m.programAt(-1), undefined);
});

t.test("tuned in during a program's first seconds: the previous item places the picture at once", async (t) => {
  const slot = (programId: number | null, start: number, end: number) => ({ programId, title: '', start, end });
  // Program 2 started 3 s ago; the picture is ~10 s behind, still on program 1's last seconds.
  const answer = { previous: slot(1, 0, 60_000), now: { ...slot(2, 60_000, 120_000), offsetSec: 3 }, next: slot(3, 120_000, 180_000) };
  t.equal(programOnAir(answer, 53_000, 63_000), 1, 'the end of the previous program is on screen');
  t.equal(programOnAir({ now: answer.now, next: answer.next }, 53_000, 63_000), undefined, 'without it: not known (was not counted)');
  t.equal(programOnAir({ ...answer, previous: slot(null, 50_000, 60_000) }, 53_000, 63_000), null, 'a slate before: nothing to count');
});

t.test('ledger: a picture placed late counts from when it started', async (t) => {
  let n = 0;
  const l = new SessionLedger(() => `s${++n}`);
  const A = { programId: 1, channelId: 5, mode: 'broadcast' as const };
  t.match(l.update(A, 2.5, 0.5), [{ id: 's1', state: 'open', watchedSeconds: 2 }], 'opened with the 2 s played before it was known');
  t.match(l.close(10), { id: 's1', watchedSeconds: 9.5 });
  t.match(l.update(A, 20, 25), [{ id: 's2', watchedSeconds: 0 }], 'a start after now is taken as now');
});

t.test("a picture placed late: the seconds before its program began on screen are not the program's", async (t) => {
  const m = new ScheduleMemory();
  const slot = (programId: number | null, start: number, end: number) => ({ programId, title: '', start, end });
  // The slate until 10 s, then program 1 (8 s). The picture started at total 0, on the slate.
  m.add({ now: null, next: slot(1, 10_000, 18_000) }, 0);
  t.equal(m.programStartAt(12_000), 10_000);
  t.equal(m.programStartAt(5000), undefined, 'the slate has no program start');
  // Placed at 13 s on screen with 13 s of picture behind it: program 1 has been on screen for 3 s only.
  t.equal(openFromOnScreen(0, 13, 13_000, m.programStartAt(13_000)), 10, "opens at the program's start (total 10)");
  // The program began before the picture started (tuned in mid-program): every second on screen is the program's.
  t.equal(openFromOnScreen(0, 5, 15_000, 10_000), 0);
  t.equal(openFromOnScreen(2, 5, 15_000, undefined), 2, 'start not known: from the picture start');
  t.equal(openFromOnScreen(0, 5, 9_000, 10_000), 5, 'never after now');
});
