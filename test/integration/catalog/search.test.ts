// GET /api/programs: Chinese substring search (short and long terms), filters, paging, sorting, total,
// and what organizers may see. Programs are seeded through the catalog's own insert (no media needed).
import t from 'tap';
import fs from 'node:fs';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { insertProgram } from '../../../server/catalog/repo.ts';
import { normalizeProgramFields } from '../../../server/catalog/metadata.ts';

const SEED: Record<string, unknown>[] = [
  {
    title: '党史学习教育第一讲',
    description: '中国共产党的百年奋斗历程',
    category: 'party-history',
    audiences: ['rural-members'],
    series: '党史学习教育',
    episode: 1,
    lecturer: '李教授',
  },
  {
    title: '党史学习教育第二讲',
    description: '新民主主义革命时期',
    category: 'party-history',
    audiences: ['rural-members', 'elderly-members'],
    series: '党史学习教育',
    episode: 2,
  },
  {
    title: '党史学习教育第三讲',
    description: '社会主义革命和建设时期',
    category: 'party-history',
    audiences: ['elderly-members'],
    series: '党史学习教育',
    episode: 3,
  },
  {
    title: '乡村振兴政策解读',
    description: '2024年中央一号文件要点 Rural revitalisation',
    category: 'current-affairs',
    audiences: ['village-cadres'],
    tags: ['乡村振兴', '政策'],
  },
  {
    title: '大棚蔬菜种植技术',
    description: '温室大棚的温度与湿度管理',
    category: 'agriculture-tech',
    audiences: ['rural-members'],
    lecturer: '张农艺师',
  },
  {
    title: '农村土地承包法讲解',
    description: 'Land contract law for villages',
    category: 'laws-regulations',
    audiences: ['village-cadres', 'graduate-officials'],
  },
  {
    title: '老年人健康养生',
    description: '高血压的预防和日常保健',
    category: 'health-culture',
    audiences: ['elderly-members'],
    published: false,
  },
  {
    title: 'Market Economy Basics',
    description: '市场经济基础知识 for migrant members',
    category: 'market-economy',
    audiences: ['migrant-members'],
    language: 'en',
  },
];

t.test('search, filters, paging and sorting', async (t) => {
  const s = await makeServer();
  t.teardown(async () => {
    await s.close();
    fs.rmSync(s.config.dataDir, { recursive: true, force: true });
  });
  const { db } = s.app;
  const ids: number[] = [];
  SEED.forEach((raw, i) => {
    const f = normalizeProgramFields(raw);
    // Distinct, increasing creation times so "newest first" is well defined.
    const now = new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString();
    ids.push(db.transaction(() => insertProgram(db, { ...f, title: f.title! }, { name: `${i}.mp4`, size: 1, probe: null }, now))());
  });
  db.prepare("UPDATE programs SET status = 'ready', duration = 30 + id WHERE id IN (?, ?)").run(ids[0], ids[4]);

  const get = async (qs: string, headers = s.auth) => {
    const res = await s.app.inject({ method: 'GET', url: `/api/programs?${qs}`, headers });
    t.equal(res.statusCode, 200, `${qs}: ${res.statusCode} ${res.statusCode === 200 ? '' : res.body}`);
    return res.json() as { items: { id: number; title: string }[]; total: number };
  };
  const titles = (r: { items: { title: string }[] }) => r.items.map((i) => i.title);

  t.same((await get('')).total, SEED.length, 'operators see every program');
  t.same(
    titles(await get('q=' + encodeURIComponent('党史'))).sort(),
    ['党史学习教育第一讲', '党史学习教育第三讲', '党史学习教育第二讲'].sort(),
    '2-character Chinese substring',
  );
  t.same(titles(await get('q=' + encodeURIComponent('乡村振兴'))), ['乡村振兴政策解读'], '4-character term through the trigram index');
  t.same(titles(await get('q=' + encodeURIComponent('温度与湿度'))), ['大棚蔬菜种植技术'], 'substring inside the description');
  t.same(titles(await get('q=' + encodeURIComponent('张农艺师'))), ['大棚蔬菜种植技术'], 'lecturer is searched');
  t.same(
    titles(await get('q=' + encodeURIComponent('革命 时期'))).sort(),
    ['党史学习教育第三讲', '党史学习教育第二讲'].sort(),
    'two terms: both must match',
  );
  t.same(titles(await get('q=LAND')), ['农村土地承包法讲解'], 'case-insensitive Latin search');
  t.same(titles(await get('q=' + encodeURIComponent('第四讲'))), [], 'no match');
  t.same((await get('q=' + encodeURIComponent('%'))).total, 0, 'LIKE wildcards are literal');

  t.same(
    titles(await get('category=party-history&sort=-episode')),
    ['党史学习教育第三讲', '党史学习教育第二讲', '党史学习教育第一讲'],
    'category filter, episodes in reverse',
  );
  t.same((await get('audience=elderly-members')).total, 3, 'audience filter');
  const seriesId = (db.prepare('SELECT id FROM series').get() as { id: number }).id;
  t.same(
    titles(await get(`series=${seriesId}&sort=episode`)),
    ['党史学习教育第一讲', '党史学习教育第二讲', '党史学习教育第三讲'],
    'series in episode order',
  );
  t.same((await get('status=ready')).total, 2, 'status filter');
  t.same(
    (await get('published=false')).items.map((i) => i.id),
    [ids[6]],
    'operators can list drafts',
  );
  t.same(
    titles(await get('q=' + encodeURIComponent('党史') + '&audience=rural-members')).sort(),
    ['党史学习教育第一讲', '党史学习教育第二讲'].sort(),
    'search and filter combine',
  );

  const page1 = await get('limit=3&offset=0&sort=title');
  const page2 = await get('limit=3&offset=3&sort=title');
  const page3 = await get('limit=3&offset=6&sort=title');
  t.equal(page1.total, SEED.length, 'total counts every match, not the page');
  t.same(
    [...titles(page1), ...titles(page2), ...titles(page3)],
    SEED.map((x) => x.title as string).sort(),
    'pages cover everything once, in title order',
  );
  t.same(titles(await get('sort=-createdAt&limit=1')), [SEED[SEED.length - 1].title], 'newest first');
  t.same(titles(await get('sort=-duration&limit=2')), [SEED[4].title, SEED[0].title], 'longest first, unknown durations last');

  for (const bad of ['category=cooking', 'limit=0', 'limit=5000', 'offset=-1', 'sort=colour', 'status=done', 'series=abc', 'colour=red']) {
    const res = await s.app.inject({ method: 'GET', url: `/api/programs?${bad}`, headers: s.auth });
    t.equal(res.statusCode, 400, `${bad} refused`);
    t.ok(res.json().error.message, res.json().error.message);
  }

  // Organizers read the published catalog only.
  const region = await s.app.inject({ method: 'POST', url: '/api/regions', headers: s.auth, payload: { name: '某县', level: 'county' } });
  const org = await userAuth(s.app, 'organizer1', 'organizer', region.json().id);
  t.equal((await get('', org)).total, SEED.length - 1, 'organizers do not see drafts');
  t.equal((await get('published=false', org)).total, 0, 'not even when asking');
  t.equal((await s.app.inject({ method: 'GET', url: `/api/programs/${ids[6]}`, headers: org })).statusCode, 404);
  t.equal((await s.app.inject({ method: 'GET', url: `/api/programs/${ids[6]}`, headers: s.auth })).statusCode, 200);

  // Edits are searchable at once (the FTS index follows updates).
  const patch = await s.app.inject({
    method: 'PATCH',
    url: `/api/programs/${ids[3]}`,
    headers: s.auth,
    payload: { title: '美丽乡村建设', tags: ['人居环境'] },
  });
  t.equal(patch.statusCode, 200);
  t.same(titles(await get('q=' + encodeURIComponent('乡村振兴'))), [], 'old title no longer found');
  t.same(titles(await get('q=' + encodeURIComponent('人居环境'))), ['美丽乡村建设'], 'new tag found');
});
