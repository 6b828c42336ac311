// The one CSV formula guard (common/csv-cell.ts) used by schedule exports and attendance reports.
import t from 'tap';
import { csvCell } from '../../../common/csv-cell.ts';
import { toCsv } from '../../../server/attendance/render.ts';
import { weekToCsv } from '../../../server/broadcast/transfer.ts';

const risky = ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '＝1', '＋1', '－1', '＠A1'];
const plain = ['课程', 'a=b', ' 1', '1-2', ''];

t.test('formula-like text gets a leading apostrophe; other values are unchanged', async (t) => {
  for (const v of risky) t.equal(csvCell(v), `'${v}`, JSON.stringify(v));
  for (const v of plain) t.equal(csvCell(v), v, JSON.stringify(v));
  t.equal(csvCell(-5), -5, 'numbers stay numbers');
  t.equal(csvCell(null), null);
});

t.test('both CSV writers use it', async (t) => {
  const schedule = weekToCsv([{ start: 's', end: 'e', programId: 1, title: '＝HYPERLINK("x")' }]);
  t.match(schedule, /'＝HYPERLINK/);
  const report = toCsv({ title: 'r', notes: [], columns: [{ key: 'name', label: 'Name' }], rows: [{ name: '＠cmd' }] });
  t.match(report, /'＠cmd/);
});
