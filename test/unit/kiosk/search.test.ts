import t from 'tap';
import { characterGrid, filterItems, normalise } from '../../../player/kiosk/src/search.ts';

const items = [
  { title: '乡村振兴战略解读', lecturer: '张明', seriesTitle: '乡村振兴' },
  { title: '基层党组织建设', lecturer: '李华', seriesTitle: null },
  { title: '果树修剪技术', lecturer: '张明', seriesTitle: '农业技术' },
  { title: 'Excel 入门 2', lecturer: 'Wang', seriesTitle: null },
];

t.test('filter by title, series or lecturer, every part of the query', async (t) => {
  t.equal(filterItems(items, '').length, 4);
  t.same(
    filterItems(items, '振兴').map((i) => i.title),
    ['乡村振兴战略解读'],
  );
  t.same(
    filterItems(items, '张明').map((i) => i.title),
    ['乡村振兴战略解读', '果树修剪技术'],
    'by lecturer',
  );
  t.same(
    filterItems(items, '农业').map((i) => i.title),
    ['果树修剪技术'],
    'by series',
  );
  t.same(
    filterItems(items, '张 技术').map((i) => i.title),
    ['果树修剪技术'],
    'parts in any order',
  );
  t.same(
    filterItems(items, 'excel').map((i) => i.title),
    ['Excel 入门 2'],
    'case-insensitive',
  );
  t.same(
    filterItems(items, 'ＥＸＣＥＬ').map((i) => i.title),
    ['Excel 入门 2'],
    'full-width letters',
  );
  t.equal(filterItems(items, '没有').length, 0);
  t.equal(normalise('ＡＢ１'), 'ab1');
});

t.test('the character grid offers only picks that keep a match', async (t) => {
  const all = characterGrid(items);
  t.ok(all.includes('乡') && all.includes('党') && all.includes('张'));
  t.notOk(
    all.some((c) => /[0-9a-z ]/.test(c)),
    'letters, digits and spaces are on the keypad instead',
  );
  t.equal(all[0], '张', 'the most frequent character first (张 in two lectures)');
  const afterZhang = characterGrid(items, '张');
  t.same(afterZhang, ['明'], 'after 张 only 明 continues a match');
  t.same(filterItems(items, '张' + afterZhang[0]).length, 2);
  for (const ch of characterGrid(items, '乡')) {
    t.ok(filterItems(items, '乡' + ch).length > 0, `乡${ch} still matches`);
  }
  t.same(characterGrid(items, '没有'), [], 'no match, nothing to offer');
  t.equal(characterGrid(items, '', 3).length, 3, 'limited');
});
