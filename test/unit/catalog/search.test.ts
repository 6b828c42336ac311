import t from 'tap';
import Database from 'better-sqlite3';
import { buildProgramQuery, searchTerms } from '../../../server/catalog/search.ts';
import { PROGRAM_SORTS as SORTS } from '../../../common/api/catalog.ts';

t.test('terms split on ASCII and ideographic spaces; quotes keep phrases', async (t) => {
  t.same(searchTerms('党史  乡村振兴\u3000"market economy" x'), ['党史', '乡村振兴', 'market economy', 'x']);
  t.same(searchTerms('   '), []);
});

t.test('3+ character terms use the trigram index, shorter ones LIKE', async (t) => {
  const long = buildProgramQuery({ q: '乡村振兴', limit: 10, offset: 0 });
  t.match(long.pageSql, /programs_fts MATCH \?/);
  t.notMatch(long.pageSql, /LIKE/);
  t.same(long.countParams, ['"乡村振兴"']);
  t.match(long.pageSql, /ORDER BY programs_fts\.rank/, 'relevance first when searching');

  const short = buildProgramQuery({ q: '党史', limit: 10, offset: 0 });
  t.notMatch(short.pageSql, /MATCH/);
  t.match(short.pageSql, /LIKE \? ESCAPE/);
  t.equal(short.countParams[0], '%党史%');

  const esc = buildProgramQuery({ q: '5%', limit: 10, offset: 0 });
  t.equal(esc.countParams[0], '%5\\%%', 'LIKE wildcards in the query are literal');

  const quote = buildProgramQuery({ q: 'say "hi" abc"d', limit: 1, offset: 0 });
  t.ok(
    quote.countParams.every((p) => typeof p === 'string'),
    'quotes never break the FTS syntax',
  );
});

t.test('every sort and filter combination is valid SQL against the real schema', async (t) => {
  // The real migrations, in memory: the query text must prepare and run.
  const { migrate } = await import('../../../server/db/connection.ts');
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  migrate(db);
  for (const sort of [undefined, ...SORTS]) {
    for (const q of [undefined, '党史', '乡村振兴 政策', '"a b" c']) {
      const b = buildProgramQuery({
        q,
        sort,
        category: 'party-history',
        audience: 'rural-members',
        seriesId: 1,
        status: 'ready',
        published: true,
        limit: 5,
        offset: 5,
      });
      t.doesNotThrow(() => db.prepare(b.pageSql).all(...b.pageParams), `${sort} ${q}`);
      t.doesNotThrow(() => db.prepare(b.countSql).get(...b.countParams));
    }
  }
});
