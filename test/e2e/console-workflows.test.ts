// The operator's and the organizer's everyday work through the console in a real Chromium: a failed and a
// rate-limited sign-in show the API's messages; two items on the same start are refused with the clashing item
// named; recurring slots (weekdays, a fixed program and a series' next episode) show their next 8 days; a day and a
// week are copied; the week is exported as CSV and JSON and imported again, a bad line refused with its reason; a site
// is registered and the pairing code read off the page pairs a real site; an organizer sees only their own region in
// the reports, is refused another region, and the CSV export downloads with a BOM.
import fs from 'node:fs';
import t from 'tap';
import { DateTime } from 'luxon';
import { userAuth } from '../../testkit/helpers.ts';
import { readyProgram } from '../../testkit/programs.ts';
import { openConsole, pickProgram, shot, signIn, startConsoleServer } from '../../testkit/console-app.ts';

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
      await pickProgram(page, dialog.locator('[data-test=program-picker]'), '政策', '政策解读');
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
    const items = (
      await app.inject({
        method: 'GET',
        url: `/api/channels/${channel.id}/schedule?from=${start.minus({ days: 1 }).toUTC().toISO()}&to=${start.plus({ days: 1 }).toUTC().toISO()}`,
        headers: auth,
      })
    ).json();
    t.equal(items.items.length, 1, 'only one item stored');
    t.equal(items.items[0].programId, programId);
  });

  t.test('schedule tools: recurring slots previewed, copy a day and a week, export and import', async (t) => {
    const zone = config.provinceTz;
    const call = async (method: 'GET' | 'PATCH', url: string, payload?: object) => {
      const res = await app.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };
    // A series of two episodes: the policy talk and a second lecture.
    const series = await post('/api/series', { title: '党史学习' });
    const second = await readyProgram(app, { seconds: 4, title: '党史第二讲' });
    await call('PATCH', `/api/programs/${programId}`, { seriesId: series.id, episode: 1 });
    await call('PATCH', `/api/programs/${second}`, { seriesId: series.id, episode: 2 });
    const itemsBetween = async (from: DateTime, to: DateTime) =>
      (await call('GET', `/api/channels/${channel.id}/schedule?from=${from.toUTC().toISO()}&to=${to.toUTC().toISO()}`)).items as Array<{
        start: string;
        programId: number;
        slotId: number | null;
        title: string | null;
      }>;

    // Two recurring slots on every weekday: a fixed program at 19:00 and the series' next episode at 19:30.
    await page.goto(`${cs.url}/channels/${channel.id}?tab=slots`);
    await page.waitForSelector('[data-test=slot-table]');
    const addSlot = async (time: string, pick: () => Promise<void>) => {
      await page.click('[data-test=new-slot]');
      const dialog = page.locator('.el-dialog:visible');
      for (const day of ['周六', '周日']) {
        const box = dialog.locator('.el-checkbox', { hasText: day });
        if (!(await box.evaluate((e) => e.classList.contains('is-checked')))) await box.click(); // the form keeps the last days
      }
      await dialog.locator('[data-test=slot-time]').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: time }).first().click();
      await pick();
      await dialog.locator('[data-test=slot-save]').click();
      await dialog.waitFor({ state: 'hidden' });
    };
    await addSlot('19:00', async () => {
      await pickProgram(page, page.locator('.el-dialog:visible [data-test=program-picker]'), '政策', '政策解读');
    });
    await addSlot('19:30', async () => {
      const dialog = page.locator('.el-dialog:visible');
      await dialog.locator('label.el-radio', { hasText: '系列下一集' }).click();
      await dialog.locator('[data-test=slot-series]').click();
      await page.locator('.el-select-dropdown__item:visible', { hasText: '党史学习' }).first().click();
    });
    const rows = page.locator('[data-test=slot-table] .el-table__body > tbody > tr.el-table__row');
    await rows.nth(1).waitFor();
    const now = DateTime.now().setZone(zone);
    const upcoming = (await itemsBetween(now, now.plus({ days: 8 }))).filter((i) => i.slotId !== null);
    const fixed = upcoming.filter((i) => DateTime.fromISO(i.start, { zone }).toFormat('HH:mm') === '19:00');
    const episodes = upcoming.filter((i) => DateTime.fromISO(i.start, { zone }).toFormat('HH:mm') === '19:30');
    t.equal(fixed.length, 8, 'the fixed slot airs on each of the next 8 days');
    t.ok(
      fixed.every((i) => i.programId === programId),
      'always the same program',
    );
    t.equal(episodes.length, 8, 'the series slot airs on each of the next 8 days');
    t.same(
      episodes.slice(0, 4).map((i) => i.programId),
      [programId, second, programId, second],
      'the next episode each time',
    );
    // The preview on the page lists the same occurrences: expand both rows.
    for (const i of [0, 1]) await rows.nth(i).locator('.el-table__expand-icon').click();
    await page.locator('[data-test=slot-occurrence]').nth(15).waitFor();
    const shown = await page.locator('[data-test=slot-occurrence]').allTextContents();
    t.equal(shown.length, 16, 'sixteen occurrences previewed (8 days x 2 slots)');
    t.equal(shown.filter((x) => /党史第二讲/.test(x)).length, 4, 'the second episode in every other series airing');
    await shot(page, 'schedule-slots');

    // Copy a day, then the week, in a week beyond the slots' 8 days.
    const w3 = now.startOf('week').plus({ weeks: 3 });
    const at = (day: DateTime, hhmm: string) => day.set({ hour: Number(hhmm.slice(0, 2)), minute: Number(hhmm.slice(3)) });
    for (const start of [at(w3, '08:00'), at(w3, '09:00'), at(w3.plus({ days: 2 }), '08:00')]) {
      await post(`/api/channels/${channel.id}/schedule`, { programId: second, start: start.toUTC().toISO() });
    }
    await page.goto(`${cs.url}/channels/${channel.id}?week=${w3.toISODate()}`);
    await page.locator('[data-test=schedule-block]').nth(2).waitFor();
    const pickDate = async (which: 'from' | 'to', day: DateTime) => {
      const input = page.locator('.el-dialog:visible .el-date-editor input').nth(which === 'from' ? 0 : 1);
      await input.fill(day.toISODate()!);
      await input.press('Enter');
    };
    await page.click('[data-test=copy-day]');
    await pickDate('from', w3);
    await pickDate('to', w3.plus({ days: 1 }));
    await page.locator('.el-dialog:visible [data-test=copy-save]').click();
    await page.locator('.el-message-box:visible').waitFor();
    await page.locator('.el-message-box:visible .el-button--primary').click();
    await page.locator('[data-test=schedule-block]').nth(4).waitFor();
    const tuesday = await itemsBetween(w3.plus({ days: 1 }), w3.plus({ days: 2 }));
    t.same(
      tuesday.map((i) => DateTime.fromISO(i.start, { zone }).toFormat('HH:mm')),
      ['08:00', '09:00'],
      'Monday copied onto Tuesday',
    );
    const w4 = w3.plus({ weeks: 1 });
    await page.click('[data-test=copy-week]');
    await pickDate('from', w3);
    await pickDate('to', w4);
    await page.locator('.el-dialog:visible [data-test=copy-save]').click();
    await page.locator('.el-message-box:visible .el-button--primary').click();
    const week4 = await itemsBetween(w4, w4.plus({ weeks: 1 }));
    t.equal(week4.length, 5, 'the whole week copied to the next');

    // Export the copied week as CSV and JSON: the downloaded files hold its five items.
    await page.goto(`${cs.url}/channels/${channel.id}?week=${w4.toISODate()}`);
    await page.locator('[data-test=schedule-block]').nth(4).waitFor();
    const exportAs = async (format: 'csv' | 'json') => {
      await page.hover('[data-test=export-week]');
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-test=export-${format}]:visible`).click()]);
      return { name: download.suggestedFilename(), text: fs.readFileSync((await download.path())!, 'utf8') };
    };
    const csv = await exportAs('csv');
    t.match(csv.name, /\.csv$/);
    const lines = csv.text.trim().split(/\r?\n/);
    t.equal(lines[0], 'start,end,program_id,title', 'the CSV header');
    t.equal(lines.length, 6, 'five items in the CSV');
    t.match(lines[1], new RegExp(`^${w4.toISODate()}T08:00:00[+-]\\d\\d:\\d\\d,.*,${second},党史第二讲$`), 'start, end, program and title');
    const json = await exportAs('json');
    const exported = JSON.parse(json.text) as { week: string; items: Array<{ start: string; programId: number }> };
    t.equal(exported.week, w4.toISODate(), 'the JSON names its week');
    t.same(
      exported.items.map((i) => i.start),
      week4.map((i) => DateTime.fromISO(i.start, { zone }).toISO({ suppressMilliseconds: true })),
    );

    // Import: the JSON into the week after, the CSV into the one after that; each lands in the week on screen.
    const importInto = async (week: DateTime, name: string, body: string) => {
      await page.goto(`${cs.url}/channels/${channel.id}?week=${week.toISODate()}`);
      await page.waitForSelector('[data-test=week-timeline]');
      await page.setInputFiles('[data-test=import-file]', {
        name,
        mimeType: name.endsWith('.csv') ? 'text/csv' : 'application/json',
        buffer: Buffer.from(body),
      });
    };
    const w5 = w4.plus({ weeks: 1 });
    const w6 = w5.plus({ weeks: 1 });
    await importInto(w5, 'week.json', json.text);
    await page.locator('.el-message-box:visible .el-button--primary').click();
    await page.locator('[data-test=schedule-block]').nth(4).waitFor();
    const landed = (await itemsBetween(w5, w6)).map((i) => Date.parse(i.start));
    t.same(
      landed,
      week4.map((i) => DateTime.fromISO(i.start, { zone }).plus({ weeks: 1 }).toMillis()),
      'the JSON lands a week on',
    );
    await importInto(w6, 'week.csv', csv.text);
    await page.locator('.el-message-box:visible .el-button--primary').click();
    await page.locator('[data-test=schedule-block]').nth(4).waitFor();
    t.equal((await itemsBetween(w6, w6.plus({ weeks: 1 }))).length, 5, 'the CSV lands in the week on screen');
    // A bad line: refused whole, with the line and what it needs shown on the page.
    const w7 = w6.plus({ weeks: 1 });
    await importInto(
      w7,
      'bad.csv',
      `start,end,program_id,title\n${w7.toISODate()}T08:00:00+08:00,,${second},ok\n${w7.toISODate()}T09:00:00+08:00,,,missing\n`,
    );
    const error = await page.waitForSelector('[data-test=import-error]');
    t.match(await error.textContent(), /bad\.csv: CSV line 3: needs columns start and program_id/, 'the refused line and its reason');
    t.equal((await itemsBetween(w7, w7.plus({ weeks: 1 }))).length, 0, 'nothing half-imported');
    await shot(page, 'schedule-import-refused');
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
