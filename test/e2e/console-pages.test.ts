// Every page of the console in a real Chromium against a real server: signs in, opens each pinned route (a reload
// on a deep link works), sees its heading and no blank page or script error, and saves a screenshot of each.
// Also: an unknown API path stays a JSON 404, the English switch is remembered, an expired token sends the user to
// /login and back to where they were.
import t from 'tap';
import { openConsole, shot, signIn, startConsoleServer } from '../../testkit/console-app.ts';
import { DateTime } from 'luxon';
import { readyProgram } from '../../testkit/programs.ts';
import type { Page } from 'playwright-core';

/**
 * What is cut off at this viewport: the header cells of visible tables that reach past the window's right edge, and
 * a horizontal scrollbar on the page itself. Empty when everything fits.
 */
async function offscreenHeaders(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > width) out.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
    for (const th of document.querySelectorAll<HTMLElement>('.el-table__header-wrapper th')) {
      const box = th.getBoundingClientRect();
      if (!box.width || th.closest('.el-dialog, .el-popper')) continue; // hidden, or in a closed dialog
      if (box.left < 0 || box.right > width + 0.5)
        out.push(`${th.textContent?.trim() || '(no label)'}: ${Math.round(box.left)}-${Math.round(box.right)} of ${width}`);
    }
    return out;
  });
}

t.test('each console page renders, with its data, at 1366x768', async (t) => {
  const cs = await startConsoleServer();
  t.teardown(() => cs.close());
  const { app, auth } = cs.server;
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const province = await post('/api/regions', { name: '某省', level: 'province' });
  const county = await post('/api/regions', { name: '某县', level: 'county', parentId: province.id });
  const village = await post('/api/regions', { name: '幸福村', level: 'village', parentId: county.id });
  await post('/api/sites', { name: '幸福村党员活动室', regionId: village.id });
  const programId = await readyProgram(app, { seconds: 4, title: '乡村振兴政策解读' });
  const channel = await post('/api/channels', { number: 1, name: '党员教育频道' });
  const airAt = DateTime.now().plus({ hours: 1 });
  await post(`/api/channels/${channel.id}/schedule`, { programId, start: airAt.toUTC().toISO() });
  // The week that holds the item (it may be next week late on a Sunday).
  const week = airAt.setZone(cs.server.config.provinceTz).startOf('week').toISODate();

  // The province also follows this server as its centre and sent a day up: the sites and members reports list it.
  const platform = await post('/api/platforms', { regionId: province.id });
  const paired = await app.inject({ method: 'POST', url: '/api/platforms/pair', payload: { code: platform.pairingCode } });
  const today = DateTime.now().setZone(cs.server.config.provinceTz).toISODate()!;
  const sentUp = await app.inject({
    method: 'POST',
    url: '/api/platforms/me/figures',
    headers: { authorization: `Bearer ${paired.json().token}` },
    payload: {
      sentAt: new Date().toISOString(),
      days: [
        {
          day: today,
          activity: [
            {
              regionId: 1,
              parentId: null,
              name: '某省',
              level: 'province',
              sites: 1200,
              sitesWatching: 900,
              sessions: 950,
              viewingHours: 1400,
              personHours: 9800,
              broadcastHours: 1000,
              distinctMembers: 7600,
            },
          ],
          reach: [],
          sites: { registered: 1200, paired: 1150, connected: 1010, ready: 980 },
        },
      ],
    },
  });
  t.equal(sentUp.statusCode, 200, sentUp.body);

  const b = await openConsole();
  t.teardown(() => b.close());
  const { page } = b;

  // Unknown non-API paths are the console (a reload works); unknown API paths stay JSON 404s.
  const api404 = await page.request.get(`${cs.url}/api/no-such-thing`);
  t.equal(api404.status(), 404);
  t.match(await api404.json(), { error: { code: 'not_found' } });
  const deep = await page.request.get(`${cs.url}/channels/${channel.id}`);
  t.equal(deep.status(), 200);
  t.match(await deep.text(), /<div id="app">/);

  await signIn(page, cs.url);
  t.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'Chinese first');
  const pages: Array<[string, string, string]> = [
    ['dashboard', '/', '[data-test=dashboard]'],
    ['library', '/library', '[data-test=library]'],
    ['program-detail', `/library/${programId}`, '[data-test=program-detail]'],
    ['channels', '/channels', '[data-test=channels]'],
    ['schedule', `/channels/${channel.id}?week=${week}`, '[data-test=schedule-block]'],
    ['sites', '/sites', '[data-test=sites]'],
    ['requests', '/requests', '[data-test=requests]'],
    ['report-activity', '/reports/activity', '[data-test=report-activity]'],
    ['report-reach', '/reports/reach', '[data-test=report-reach]'],
    ['report-members', '/reports/members', '[data-test=report-members]'],
    ['report-sites', '/reports/sites', '[data-test=report-sites]'],
    ['members', '/members', '[data-test=members]'],
    ['users', '/users', '[data-test=users]'],
    ['platforms', '/platforms', '[data-test=platform-table]'],
    ['upstream', '/upstream', '[data-test=upstream-link]'],
  ];
  for (const [name, path, selector] of pages) {
    await page.goto(`${cs.url}${path}`); // a full load of the deep link, as a reload does
    await page.waitForSelector(selector);
    await page.waitForLoadState('networkidle');
    t.notOk(await page.locator('.el-alert--error').count(), `${name}: no error shown`);
    t.same(await offscreenHeaders(page), [], `${name}: every table column's header is inside the 1366x768 viewport`);
    await shot(page, name);
  }
  // The data shows: the program in the library, the item on the week timeline, the site in the list.
  await page.goto(`${cs.url}/library`);
  await page.waitForSelector('text=乡村振兴政策解读');
  await page.goto(`${cs.url}/channels/${channel.id}?week=${week}`);
  await page.waitForSelector('[data-test=schedule-block]');
  t.equal(await page.locator('[data-test=schedule-block]').count(), 1, 'the scheduled item is on the timeline');
  await page.goto(`${cs.url}/channels/${channel.id}`);
  await page.waitForSelector('[data-test=week-timeline]');
  t.equal(await page.locator('[data-test=now-marker]').count(), 1, 'now is marked once in this week');
  await page.goto(`${cs.url}/sites`);
  await page.waitForSelector('text=幸福村党员活动室');
  // What the province sent up, in the reports (counts only).
  await page.goto(`${cs.url}/reports/sites`);
  t.match(await page.locator('[data-test=province-sites]').textContent(), /某省.*1,200.*1,150.*1,010.*980/, 'the province sites sent up');
  await page.goto(`${cs.url}/reports/members`);
  t.match(await page.locator('[data-test=province-members]').textContent(), /某省.*7,600.*950/, 'the province members sent up');
  await page.goto(`${cs.url}/sites`);
  await page.waitForSelector('text=幸福村党员活动室');

  // English is remembered across a reload.
  await page.click('[data-test=lang]');
  await page.reload();
  await page.waitForSelector('.el-aside');
  t.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  t.match(await page.textContent('.el-aside'), /Library/);
  await page.waitForSelector('text=幸福村党员活动室');
  await shot(page, 'sites-en');
  t.same(await offscreenHeaders(page), [], 'sites in English: every column inside 1366x768');
  await page.setViewportSize({ width: 1920, height: 1080 });
  t.same(await offscreenHeaders(page), [], 'sites in English: every column inside 1920x1080');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.click('[data-test=lang]');

  // An expired token anywhere: back to /login with a note, then back to the page.
  await page.goto(`${cs.url}/channels`);
  await page.waitForSelector('[data-test=channels]');
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('dyb-console-session') ?? '{}');
    s.token = 'expired-token';
    localStorage.setItem('dyb-console-session', JSON.stringify(s));
  });
  await page.reload();
  await page.waitForURL(/\/login\?/);
  t.match(await page.textContent('.el-alert--warning'), /过期/, 'the note says the sign-in expired');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'admin-test-password');
  await page.click('[data-test=login-submit]');
  await page.waitForURL(/\/channels$/);
  t.pass('back on the page after signing in again');
  t.same(b.errors, [], 'no script errors');
});
