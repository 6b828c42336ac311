// The watched-time tracker as a pure state machine: events in, seconds out.
import t from 'tap';
import { WatchTracker, type TrackerEvent } from '../../../player/kiosk/attendance/tracker.ts';

/** Plays media from t0 at real speed for `seconds`, one timeupdate every 250 ms, starting at wall time `at`. */
function play(tr: WatchTracker, at: number, t0: number, seconds: number): { at: number; t: number } {
  let a = at;
  let m = t0;
  for (let i = 0; i < seconds * 4; i++) {
    a += 250;
    m += 0.25;
    tr.feed({ type: 'timeupdate', at: a, t: m });
  }
  return { at: a, t: m };
}

t.test('counts real playback progress only', async (t) => {
  const tr = new WatchTracker();
  tr.feed({ type: 'timeupdate', at: 0, t: 0 }); // before 'playing': nothing counts
  tr.feed({ type: 'playing', at: 0, t: 0 });
  let p = play(tr, 0, 0, 10);
  t.equal(tr.watchedSeconds, 10, '10 s played');

  tr.feed({ type: 'pause', at: p.at, t: p.t });
  // time passes while paused; a stray timeupdate with the same position
  tr.feed({ type: 'timeupdate', at: p.at + 30_000, t: p.t });
  t.equal(tr.watchedSeconds, 10, 'paused time does not count');
  tr.feed({ type: 'playing', at: p.at + 30_000, t: p.t });
  p = play(tr, p.at + 30_000, p.t, 5);
  t.equal(tr.watchedSeconds, 15);
});

t.test('stalls count nothing, with or without a waiting event', async (t) => {
  const tr = new WatchTracker();
  tr.feed({ type: 'playing', at: 0, t: 0 });
  let p = play(tr, 0, 0, 4);
  // hls.js runs dry: 'waiting', then 8 s without progress, then 'playing' again
  tr.feed({ type: 'waiting', at: p.at, t: p.t });
  tr.feed({ type: 'timeupdate', at: p.at + 4000, t: p.t });
  tr.feed({ type: 'playing', at: p.at + 8000, t: p.t });
  p = play(tr, p.at + 8000, p.t, 4);
  t.equal(tr.watchedSeconds, 8);
  // a stall the browser did not announce: timeupdates keep coming with a frozen position
  const frozen = p;
  for (let i = 1; i <= 20; i++) tr.feed({ type: 'timeupdate', at: frozen.at + i * 250, t: frozen.t });
  p = play(tr, frozen.at + 5000, frozen.t, 2);
  t.equal(tr.watchedSeconds, 10, 'the frozen 5 s added nothing');
});

t.test('seeking is a jump, not watching', async (t) => {
  const tr = new WatchTracker();
  tr.feed({ type: 'playing', at: 0, t: 0 });
  let p = play(tr, 0, 0, 6);
  tr.feed({ type: 'seeking', at: p.at, t: p.t });
  tr.feed({ type: 'timeupdate', at: p.at + 100, t: 300 });
  tr.feed({ type: 'seeked', at: p.at + 600, t: 300 });
  p = play(tr, p.at + 600, 300, 4);
  t.equal(tr.watchedSeconds, 10, 'forward seek of 294 s added nothing');
  // backward seek
  tr.feed({ type: 'seeking', at: p.at, t: p.t });
  tr.feed({ type: 'seeked', at: p.at + 200, t: 10 });
  play(tr, p.at + 200, 10, 3);
  t.equal(tr.watchedSeconds, 13, 'rewatching counts as watching time');
  // a jump without any seeking event (e.g. a live edge catch-up) is capped by the wall time
  const j = new WatchTracker();
  j.feed({ type: 'playing', at: 0, t: 0 });
  j.feed({ type: 'timeupdate', at: 250, t: 0.25 });
  j.feed({ type: 'timeupdate', at: 500, t: 40 });
  t.equal(j.watchedSeconds, 0.5);
});

t.test('hidden time does not count', async (t) => {
  const tr = new WatchTracker();
  tr.feed({ type: 'playing', at: 0, t: 0 });
  let p = play(tr, 0, 0, 3);
  tr.feed({ type: 'visibility', at: p.at, hidden: true });
  p = play(tr, p.at, p.t, 20); // the video keeps running behind a hidden page
  t.equal(tr.watchedSeconds, 3);
  tr.feed({ type: 'visibility', at: p.at, hidden: false });
  play(tr, p.at, p.t, 2);
  // Counting resumes from the first progress sample after the page shows again (one 250 ms step later).
  t.equal(tr.watchedSeconds, 4.75);
  const startsHidden = new WatchTracker({ hidden: true });
  startsHidden.feed({ type: 'playing', at: 0, t: 0 });
  play(startsHidden, 0, 0, 5);
  t.equal(startsHidden.watchedSeconds, 0, 'a page loaded hidden counts nothing until shown');
});

t.test('playback rate and ended', async (t) => {
  const tr = new WatchTracker();
  tr.feed({ type: 'playing', at: 0, t: 0 });
  // at 2x, 4 media seconds take 2 real seconds
  for (let i = 1; i <= 8; i++) tr.feed({ type: 'timeupdate', at: i * 250, t: i * 0.5, rate: 2 });
  t.equal(tr.watchedSeconds, 2);
  const events: TrackerEvent[] = [
    { type: 'timeupdate', at: 2250, t: 4.25, rate: 1 },
    { type: 'ended', at: 2500, t: 4.5 },
    { type: 'timeupdate', at: 9000, t: 10 },
  ];
  for (const e of events) tr.feed(e);
  t.equal(tr.watchedSeconds, 2.5, 'nothing after the end');
});
