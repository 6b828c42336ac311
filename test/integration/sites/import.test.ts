import t from 'tap';
import { makeServer } from '../../../testkit/helpers.ts';

t.test('region CSV import: both layouts, all or nothing, rows named', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const importCsv = (body: string, type = 'text/csv') =>
    app.inject({ method: 'POST', url: '/api/regions/import', headers: { ...s.auth, 'content-type': type }, payload: body });
  const count = () => (app.db.prepare('SELECT count(*) AS n FROM regions').get() as { n: number }).n;

  // A spreadsheet pasted as tab-separated text, Chinese headers and level names, a level skipped.
  const tsv =
    '路径\t级别\n河南省 / 信阳市 / 光山县 / 泼陂河镇 / 黄涂湾村\t\n河南省>信阳市>光山县>泼陂河镇>东岳村\t村\n河南省/信阳市/光山县/县直社区\t社区\n';
  const first = await importCsv(tsv, 'text/tab-separated-values');
  t.equal(first.statusCode, 200);
  t.match(first.json(), { created: 7, existing: 0 });
  const levels = Object.fromEntries(
    (app.db.prepare('SELECT name, level FROM regions').all() as Array<{ name: string; level: string }>).map((r) => [r.name, r.level]),
  );
  t.same(levels, {
    河南省: 'province',
    信阳市: 'prefecture',
    光山县: 'county',
    泼陂河镇: 'township',
    黄涂湾村: 'village',
    东岳村: 'village',
    县直社区: 'village',
  });

  const again = await importCsv('path\n河南省/信阳市/光山县/泼陂河镇/黄涂湾村\n');
  t.match(again.json(), { created: 0, existing: 1 }, 're-importing is harmless');
  t.equal(count(), 7);

  // name,parent,level with a parent defined further down and a parent given by path.
  const named = await importCsv(
    'name,parent,level\n' + '新集村,新集镇,village\n' + '新集镇,光山县,township\n' + '黄涂湾村,河南省/信阳市/光山县/新集镇,village\n',
  );
  t.equal(named.statusCode, 200);
  t.match(named.json(), { created: 3, existing: 0 });
  t.equal(count(), 10);

  // Bad rows: 400 naming each row, nothing imported.
  const bad = await importCsv(
    'name,parent,level\n' +
      '好村,新集镇,village\n' + // fine on its own
      '坏县,新集镇,county\n' + // level above its parent
      '无名,不存在的镇,village\n' + // unknown parent
      '孤村,新集镇,hamlet\n' + // unknown level
      ',新集镇,village\n', // empty name
  );
  t.equal(bad.statusCode, 400);
  const msg = bad.json().error.message as string;
  t.match(msg, /Nothing was imported/);
  t.match(msg, /Row 3: "坏县" \(county\) cannot sit under township/);
  t.match(msg, /Row 4: parent "不存在的镇"/);
  t.match(msg, /Row 5: level "hamlet"/);
  t.match(msg, /Row 6: name is empty/);
  t.notMatch(msg, /Row 2:/, 'good rows are not blamed');
  t.equal(count(), 10, 'nothing imported');

  const ambiguous = await importCsv('name,parent\n孤村,黄涂湾村\n');
  t.equal(ambiguous.statusCode, 400);
  t.match(ambiguous.json().error.message, /Row 2: parent "黄涂湾村" matches 2 regions: write its path/);

  const levelClash = await importCsv('path,level\n河南省/信阳市,county\n');
  t.match(levelClash.json().error.message, /Row 2: "信阳市" is already a prefecture/);
  const tooDeep = await importCsv('path\n河南省/信阳市/光山县/泼陂河镇/黄涂湾村/某组\n');
  t.match(tooDeep.json().error.message, /villages are the lowest level/);

  t.match((await importCsv('foo,bar\n1,2\n')).json().error.message, /Unknown header/);
  t.equal((await importCsv('path\n')).statusCode, 400, 'header only');
  t.equal((await importCsv('')).statusCode, 400, 'empty body');
  t.equal((await importCsv('path\n"unterminated\n')).statusCode, 400, 'malformed CSV');
  t.equal(count(), 10);
});
