// Which week a schedule CSV came from (so an import lands in the week on screen): the Monday of its earliest start,
// read from instants with an offset (as exported) or province wall times (as typed), whatever the column order.
import t from 'tap';
import { csvRecords, csvSourceWeek } from '../../../server/console/src/schedule-import.ts';

const days = {
  provinceDay: (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(ms),
  mondayOf: (day: string) => {
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
  },
};

t.test('csvRecords reads quotes, escaped quotes, commas and newlines inside quotes, CRLF and a BOM', async (t) => {
  t.same(csvRecords('\uFEFFa,b\r\n"x,1","say ""hi""\nthere"\n\n3,\n'), [
    ['a', 'b'],
    ['x,1', 'say "hi"\nthere'],
    ['3', ''],
  ]);
});

t.test('csvSourceWeek', async (t) => {
  const exported =
    'start,end,program_id,title\n2026-12-23T20:00:00+08:00,2026-12-23T20:30:00+08:00,4,"a, b"\n' +
    '2026-12-21T08:00:00+08:00,2026-12-21T08:30:00+08:00,4,x\n';
  t.equal(csvSourceWeek(exported, days), '2026-12-21', 'the Monday of the earliest start, not of the first line');
  t.equal(csvSourceWeek('program_id,start\n3,2026-12-27 20:00\n', days), '2026-12-21', 'a wall time on Sunday belongs to that week');
  t.equal(
    csvSourceWeek('start,program_id\n2026-12-20T16:30:00Z,3\n', days),
    '2026-12-21',
    'UTC late Sunday is Monday 00:30 in the province',
  );
  t.equal(csvSourceWeek('program_id\n3\n', days), undefined, 'no start column');
  t.equal(csvSourceWeek('start,program_id\nsoon,3\n', days), undefined, 'no readable start: left to the server to refuse');
});
