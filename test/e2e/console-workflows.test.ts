// The operator's and the organizer's everyday work through the console in a real Chromium: a failed and a
// rate-limited sign-in show the API's messages; two items on the same start are refused with the clashing item
// named; a site is registered and the pairing code read off the page pairs a real site; an organizer sees only
// their own region in the reports, is refused another region, and the CSV export downloads with a BOM.
import fs from 'node:fs';
import t from 'tap';
import { DateTime } from 'luxon';
import { userAuth } from '../../testkit/helpers.ts';
import { readyProgram } from '../../testkit/programs.ts';
import { openConsole, shot, signIn, startConsoleServer } from '../../testkit/console-app.ts';

t.test('operator and organizer workflows', async (t) => {
  const cs = await startConsoleServer();
  t.teardown(() => cs.close());
  const { app, auth, config } = cs.server;
  const post = async (url: string, payload: object) => {
    const res = await app.inject({ method: 'POST', url, headers: auth, payload });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const province = await post('/api/regions', { name: '某省', level: 'province' });
  const countyA = await post('/api/regions', { name: '东县', level: 'county', parentId: province.id });
  const countyB = await post('/api/regions', { name: '西县', level: 'county', parentId: province.id });
  const villageA = await post('/api/regions', { name: '东村', level: 'village', parentId: countyA.id });
  const villageB = await post('/api/regions', { name: '西村', level: 'village', parentId: countyB.id });
  await post('/api/sites', { name: '东村活动室', regionId: villageA.id });
  await post('/api/sites', { name: '西村活动室', regionId: villageB.id });
  await userAuth(app, 'dongxian', 'organizer', countyA.id);
  const programId = await readyProgram(app, { seconds: 4, title: '政策解读' });
  const channel = await post('/api/channels', { number: 1, name: '党员教育频道' });

  const b = await openConsole();
  t.teardown(() => b.close());
  const { page } = b;

  t.test('two items at the same start: the second is refused, naming the first', async (t) => {
    await signIn(page, cs.url);
    const start = DateTime.now().setZone(config.provinceTz).plus({ days: 1 }).set({ hour: 20, minute: 0 });
    await page.goto(`${cs.url}/channels/${channel.id}?week=${start.startOf('week').toISODate()}`);
    await page.waitForSelector('[data-test=week-timeline]');
    const add = async () => {
      await page.click('[data-test=add-item]');
      const dialog = page.locator('.el-dialog:visible');
      await dialog.locator('[data-test=program-picker]').click();
      await page.keyboard.type('政策');
      await page.locator('.el-select-dropdown__item:visible', { hasText: '政策解读' }).first().click();
      const input = dialog.locator('.el-date-editor input');
      await input.fill(start.toFormat('yyyy-MM-dd HH:mm'));
      await input.press('Enter');
      await dialog.locator('[data-test=add-save]').click();
    };
    await add();
    await page.waitForSelector('[data-test=schedule-block]');
    t.equal(await page.locator('[data-test=schedule-block]').count(), 1, 'the first item is on the timeline');
    await add();
    const error = await page.waitForSelector('[data-test=add-error]');
    t.match(await error.textContent(), /overlaps item \d+ \("政策解读"/, 'the refusal names the clashing item');
    await shot(page, 'schedule-overlap');
    await page.keyboard.press('Escape');
    const items = (await app.inject({ method: 'GET', url: `/api/channels/${channel.id}/schedule?from=${start.minus({ days: 1 }).toUTC().toISO()}&to=${start.plus({ days: 1 }).toUTC().toISO()}`, headers: auth })).json();
    t.equal(items.items.length, 1, 'only one item stored');
    t.equal(items.items[0].programId, programId);
  });

  t.test('register a site and read its pairing code', async (t) => {
    await page.goto(`${cs.url}/sites`);
    await page.click('[data-test=register-site]');
    const dialog = page.locator('.el-dialog:visible');
    await dialog.locator('input[data-test=site-name]').fill('东村第二活动室');
    await dialog.locator('[data-test=site-village]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '东村' }).first().click();
    await dialog.locator('[data-test=site-save]').click();
    const shown = ((await (await page.waitForSelector('[data-test=pairing-code]')).textContent()) ?? '').trim();
    t.match(shown, /^[A-Z0-9]{4}-[A-Z0-9]{4}$/, `a code like ABCD-2345 is shown large (${shown})`);
    t.ok(await page.locator('[data-test=pairing-slip] img').count(), 'with a QR code');
    await shot(page, 'site-pairing-code');
    const paired = await app.inject({ method: 'POST', url: '/api/sites/pair', payload: { code: shown } });
    t.equal(paired.statusCode, 200, 'the code read off the page pairs the site');
    await page.keyboard.press('Escape');
  });

  t.test('an organizer sees only their region; the CSV export has a BOM', async (t) => {
    await page.evaluate(() => localStorage.clear());
    await signIn(page, cs.url, 'dongxian', 'dongxian-password', '/reports/activity');
    t.notOk(await page.locator('.el-aside >> text=节目库').count(), 'no operator pages in the menu');
    await page.waitForSelector('[data-test=activity-table]');
    await page.waitForLoadState('networkidle');
    const table = (await page.textContent('[data-test=activity-table]')) ?? '';
    t.match(table, /东村/, 'their village is in the report');
    t.notMatch(table, /西村|西县/, 'the other county is not');
    await shot(page, 'organizer-activity');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=export-csv]')]);
    const file = await download.path();
    const bytes = fs.readFileSync(file!);
    t.same([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM first, so Excel reads the Chinese');
    const csv = bytes.toString('utf8');
    t.match(csv, /东村/);
    t.notMatch(csv, /西村/, 'the export holds what is on screen, no more');
    // Another county by address: refused with the API's message.
    await page.goto(`${cs.url}/reports/activity?regionId=${countyB.id}`);
    const err = await page.waitForSelector('[data-test=report-error]');
    t.match(await err.textContent(), /outside your region/);
    // An organizer opening an operator page lands on the reports.
    await page.goto(`${cs.url}/library`);
    await page.waitForURL(/\/reports\/activity$/);
    t.pass('kept out of the library');
  });
  t.test('sign-in failures show the API message, and the rate-limit message when limited', async (t) => {
    // Last: the login limiter may count every attempt from this address, whatever the username.
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${cs.url}/login`);
    await page.fill('input[name=username]', 'nobody');
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('[data-test=login-submit]');
    t.match(await page.textContent('[data-test=login-error]'), /Wrong username or password/);
    let text = '';
    for (let i = 0; i < 12 && !/Too many/.test(text); i++) {
      await page.click('[data-test=login-submit]');
      await page.waitForTimeout(150);
      text = (await page.textContent('[data-test=login-error]')) ?? '';
    }
    t.match(text, /尝试次数过多.*\d+ ?(s|秒)/, 'the limit and when to try again');
    await shot(page, 'login-limited');
  });

  t.test('no script errors', async (t) => {
    t.same(b.errors, []);
  });
});
