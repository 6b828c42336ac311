// Issue 12: a member who watched at several sites is listed with every site and its share of their watched time,
// in the members report's JSON, CSV and HTML.
import t from 'tap';
import { parse } from 'csv-parse/sync';
import { makeServer } from '../../../testkit/helpers.ts';
import { postBatch, provinceDate, provinceTime, seedTree, session } from './fixtures.ts';

t.test('the members report lists each site a member watched at, with its share', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { tokens } = seedTree(s.app.db);
  const now = Date.now();
  const roll = 'memberNo,name,site\nM1,孙多站,1\nM2,周一站,2\n';
  const csvHeaders = { ...s.auth, 'content-type': 'text/csv' };
  t.equal((await s.app.inject({ method: 'POST', url: '/api/members/import', headers: csvHeaders, payload: roll })).statusCode, 200);
  // M1 (roll of site 1) watched 30 min at site 1, 2 x 45 min at site 2 and 60 min at site 3; M2 only at site 2.
  const at = (h: number) => provinceTime(now, 1, h);
  const sent = async (token: string, id: string, start: number, seconds: number, memberNo = 'M1') =>
    t.equal(
      (
        await postBatch(s.app, token, {
          sentAt: Date.now(),
          sessions: [
            session({ id, start, end: start + seconds * 1000, watchedSeconds: seconds, members: [{ memberNo, watchedSeconds: seconds }] }),
          ],
        })
      ).json().accepted.length,
      1,
    );
  await sent(tokens[1], 'a', at(8), 1800);
  await sent(tokens[2], 'b1', at(10), 2700);
  await sent(tokens[2], 'b2', at(12), 2700);
  await sent(tokens[3], 'c', at(14), 3600);
  await sent(tokens[2], 'd', at(16), 1200, 'M2');
  const day = provinceDate(now, 1);
  const url = `/api/reports/members?from=${day}&to=${day}&per=day`;

  const json = (await s.app.inject({ method: 'GET', url, headers: s.auth })).json();
  const m1 = json.rows.find((r: { memberNo: string }) => r.memberNo === 'M1');
  t.match(m1, { siteId: 1, siteName: '东村, 第一站', hours: 3, sessions: 4 }, 'home site is the roll site');
  t.same(
    m1.sites,
    [
      { siteId: 2, siteName: '东村二站', share: 0.5 },
      { siteId: 3, siteName: '西村站', share: 0.33 },
      { siteId: 1, siteName: '东村, 第一站', share: 0.17 },
    ],
    'every site, largest share first',
  );
  t.same(json.rows.find((r: { memberNo: string }) => r.memberNo === 'M2').sites, [{ siteId: 2, siteName: '东村二站', share: 1 }]);

  const csv = (await s.app.inject({ method: 'GET', url: `${url}&format=csv`, headers: s.auth })).body;
  const [head, ...rows] = parse(csv.replace(/^\uFEFF/, '')) as string[][];
  const col = head.findIndex((h) => h.startsWith('Sites watched'));
  t.ok(col >= 0, 'a column of sites and shares');
  t.equal(rows.find((r) => r[0] === 'M1')?.[col], '东村二站 50%; 西村站 33%; 东村, 第一站 17%');

  const html = (await s.app.inject({ method: 'GET', url: `${url}&format=html`, headers: s.auth })).body;
  t.match(html, /东村二站 50%; 西村站 33%; 东村, 第一站 17%/);

  // An organizer of county 2 sees only the sites of their region: shares of the time watched there.
  const { userAuth } = await import('../../../testkit/helpers.ts');
  const org = await userAuth(s.app, 'org2', 'organizer', 2);
  const scoped = (await s.app.inject({ method: 'GET', url, headers: org })).json();
  t.same(
    scoped.rows.find((r: { memberNo: string }) => r.memberNo === 'M1').sites,
    [
      { siteId: 2, siteName: '东村二站', share: 0.75 },
      { siteId: 1, siteName: '东村, 第一站', share: 0.25 },
    ],
    'a site outside the region is not shown',
  );
});
