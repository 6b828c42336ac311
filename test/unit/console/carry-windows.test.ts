// The provincial windows of a carried channel on the console's week: which days they shade and where, and where a
// new item goes by default (the first free moment inside a window, after what is already there), in the province zone.
import t from 'tap';
import { nextWindowStart, windowBands } from '../../../server/console/src/carry-windows.ts';

// Asia/Shanghai has no DST: a province wall time is UTC+8.
const at = (day: string, hhmm: string) =>
  Date.parse(`${day}T${hhmm === '24:00' ? '00:00' : hhmm}:00+08:00`) + (hhmm === '24:00' ? 86_400_000 : 0);
const dayOf = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(ms);
const addDays = (day: string, n: number) => {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const item = (day: string, from: string, to: string) => ({
  start: new Date(at(day, from)).toISOString(),
  end: new Date(at(day, to)).toISOString(),
});

const evening = { days: [1, 2, 3, 4, 5], start: '19:30', end: '20:00' };
const lateSunday = { days: [7], start: '22:00', end: '24:00' };

t.test('windowBands: only on the window days, placed by wall clock', async (t) => {
  // 2026-11-30 is a Monday, 2026-12-06 a Sunday.
  t.same(
    windowBands('2026-11-30', [evening, lateSunday]).map((b) => [b.leftPct, b.widthPct]),
    [[(19.5 / 24) * 100, (0.5 / 24) * 100]],
  );
  t.same(
    windowBands('2026-12-06', [evening, lateSunday]).map((b) => [b.leftPct, b.widthPct]),
    [[(22 / 24) * 100, (2 / 24) * 100]],
    'Sunday is 7, and 24:00 ends the day',
  );
  t.same(windowBands('2026-12-05', [evening, lateSunday]), [], 'Saturday: none');
});

t.test('nextWindowStart', async (t) => {
  const noon = at('2026-11-30', '12:00');
  t.equal(nextWindowStart([evening], noon, [], at, dayOf, addDays), at('2026-11-30', '19:30'), "today's window");
  t.equal(
    nextWindowStart([evening], noon, [item('2026-11-30', '19:00', '19:40')], at, dayOf, addDays),
    at('2026-11-30', '19:40'),
    'after an item reaching into the window',
  );
  t.equal(
    nextWindowStart([evening], noon, [item('2026-11-30', '19:30', '19:45'), item('2026-11-30', '19:45', '20:00')], at, dayOf, addDays),
    at('2026-12-01', '19:30'),
    'a full window: the next day',
  );
  t.equal(nextWindowStart([evening], at('2026-11-30', '19:40'), [], at, dayOf, addDays), at('2026-11-30', '19:40'), 'already inside one');
  t.equal(nextWindowStart([evening], at('2026-12-04', '20:00'), [], at, dayOf, addDays), at('2026-12-07', '19:30'), 'over the weekend');
  t.equal(
    nextWindowStart([lateSunday, evening], noon, [], at, dayOf, addDays),
    at('2026-11-30', '19:30'),
    'the earliest, whatever the order',
  );
  t.equal(nextWindowStart([], noon, [], at, dayOf, addDays), null, 'no window');
});
