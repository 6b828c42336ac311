// The kiosk on a real site: real server, real agent, real Chromium, driven by the keyboard only (the remote).
// home -> on-demand -> a lecture -> plays -> Back -> a channel; then the server stops and the channel keeps
// playing from the agent across a program boundary. Also: Chinese by default, the English switch persists.
import t from 'tap';
import { focusedKey, openKiosk, startSite, topScreen, videoTime, waitPlaying, type Kiosk, type Site } from '../../testkit/kiosk-site.ts';

const PROGRAM_SECONDS = 10;

t.test('the kiosk driven by a remote, before and after the uplink goes down', async (t) => {
  const site: Site = await startSite({ programSeconds: PROGRAM_SECONDS, programs: 2, extraPrograms: 1, channels: 2, minutes: 4 });
  t.teardown(() => site.close());
  // Chinese titles, as on a real site (the search grid offers the characters that occur in them).
  const titles = ['乡村振兴政策解读', '党史故事', '农业技术讲座'];
  for (const [i, id] of [...site.programIds, ...site.extraProgramIds].entries()) {
    const res = await site.server.app.inject({
      method: 'PATCH',
      url: `/api/programs/${id}`,
      headers: site.server.auth,
      payload: { title: titles[i] },
    });
    t.equal(res.statusCode, 200, `program ${id} titled`);
  }
  await site.agent.syncNow();
  const kiosk: Kiosk = await openKiosk(site.agent.url);
  t.teardown(() => kiosk.close());
  const { page } = kiosk;
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const press = async (key: string) => {
    await page.keyboard.press(key);
    await page.waitForTimeout(150);
  };

  // Home, in Chinese, with the channels and the first one focused.
  await page.waitForSelector('[data-testid=channel-row]');
  t.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN', 'Chinese by default');
  t.match(await page.textContent('[data-testid=ondemand]'), /点播课程/);
  t.equal(await page.locator('[data-testid=channel-row]').count(), 2, 'both channels listed');
  t.match(await page.textContent('[data-testid=site-name]'), /测试村党员活动室/, 'the site name in the header');
  t.equal(await focusedKey(page), `ch:${site.channelIds[0]}`, 'the first channel has the focus');

  // The English switch: right to on-demand, down to the language tile, OK. It survives a reload.
  await press('ArrowRight');
  t.equal(await focusedKey(page), 'ondemand');
  await press('ArrowDown');
  t.equal(await focusedKey(page), 'lang');
  await press('Enter');
  t.match(await page.textContent('[data-testid=ondemand]'), /On demand/, 'English after the switch');
  await page.reload();
  await page.waitForSelector('[data-testid=channel-row]');
  t.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'the choice persists');
  await press('ArrowRight');
  await press('ArrowDown');
  await press('Enter');
  t.match(await page.textContent('[data-testid=ondemand]'), /点播课程/, 'and back to Chinese');

  // On demand: up to the tile, OK; right from the menu into the lectures; OK on the first; OK on Play.
  await press('ArrowUp');
  t.equal(await focusedKey(page), 'ondemand');
  await press('Enter');
  t.equal(await topScreen(page), 'ondemand');
  await page.waitForSelector('[data-testid=lecture]');
  t.ok((await page.locator('[data-testid=lecture] [data-testid=held]').count()) >= 1, 'scheduled lectures show as downloaded');
  await press('ArrowRight');
  t.match(await focusedKey(page), /^lec:\d+$/, 'a lecture card has the focus');
  await press('Enter');
  t.equal(await topScreen(page), 'lecture');
  t.equal(await focusedKey(page), 'play');

  // "Ask for this to be broadcast" with a member number typed on the remote's digits; it reaches the server.
  await press('ArrowRight');
  t.equal(await focusedKey(page), 'ask');
  await press('Enter');
  t.equal(await topScreen(page), 'request');
  for (const d of '2718') await press(d);
  t.equal((await page.textContent('[data-testid=member-no]'))?.trim(), '2718', 'digits type the member number');
  t.ok(await page.evaluate(() => !!document.querySelector('[data-key="d:ok"]')), 'an on-screen OK');
  await page.focus('[data-key="d:ok"]');
  await press('Enter');
  t.equal(await topScreen(page), 'lecture', 'sent: back on the lecture page');
  await t.resolves(
    (async () => {
      for (let i = 0; i < 50; i++) {
        const res = await site.server.app.inject({ method: 'GET', url: '/api/requests', headers: site.server.auth });
        const body = res.json() as { programs: Array<{ programId: number | null; count: number; members: number }> };
        if (body.programs.some((p) => p.count === 1 && p.members === 1)) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the request with a member number never reached the server');
    })(),
    'the request, with its member, reaches GET /api/requests',
  );
  await page.focus('[data-key=play]');
  await press('Enter');
  t.equal(await topScreen(page), 'vod');
  const lectureTime = await waitPlaying(page, 2, 20_000);
  t.ok(lectureTime >= 2, `the lecture plays (currentTime ${lectureTime.toFixed(1)} s)`);

  // Back to the lecture page, on-demand, home; then left-over focus moves to a channel and OK tunes it.
  await press('Escape');
  t.equal(await topScreen(page), 'lecture');
  await press('Backspace');
  t.equal(await topScreen(page), 'ondemand');

  // A lecture the site does not hold: it streams from the server through the agent and is queued for download.
  const extra = site.extraProgramIds[0]!;
  t.notOk(await page.locator(`[data-key="lec:${extra}"] [data-testid=held]`).count(), 'the on-demand-only lecture is not held');
  for (let i = 0; i < 4 && (await focusedKey(page)) !== `lec:${extra}`; i++) await press('ArrowRight');
  t.equal(await focusedKey(page), `lec:${extra}`);
  await press('Enter');
  await press('Enter');
  t.equal(await topScreen(page), 'vod');
  await waitPlaying(page, 1, 20_000);
  t.pass('a lecture not held streams');
  const extraState = await page.evaluate(async (id) => {
    const res = await fetch('/local/catalog');
    const item = ((await res.json()) as { items: Array<{ id: number; held: boolean; download: unknown }> }).items.find((i) => i.id === id);
    return item ? item.held || item.download !== null : false;
  }, extra);
  t.ok(extraState, 'and the agent downloads it (queued, in progress or already held)');
  await press('Escape');
  await press('Escape');
  t.equal(await topScreen(page), 'ondemand');

  // The on-demand viewing became attendance sessions at the agent (queued or already sent to the server).
  const attendance = await page.evaluate(
    async () => (await (await fetch('/local/attendance')).json()) as { open: number; pending: number; delivered: number },
  );
  t.ok(
    attendance.pending + attendance.delivered >= 1,
    `on-demand playback is recorded as viewing sessions (${JSON.stringify(attendance)})`,
  );

  // Search with the character grid: OK on Search, down to the first character, OK: the query narrows.
  for (let i = 0; i < 6 && (await focusedKey(page)) !== 'search'; i++) await press(i < 3 ? 'ArrowLeft' : 'ArrowUp');
  t.equal(await focusedKey(page), 'search');
  await press('Enter');
  t.equal(await topScreen(page), 'search');
  const allResults = await page.locator('[data-testid=result]').count();
  // With the remote, as a member would (a DOM focus from outside would be forgotten when a poll redraws the screen).
  const inChars = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=chars]'));
  for (let i = 0; i < 6 && !(await inChars()); i++) await press('ArrowDown');
  t.ok(await inChars(), 'a character of the grid has the focus');
  const picked = await focusedKey(page);
  await press('Enter');
  t.equal((await page.textContent('[data-testid=query]'))?.trim(), picked?.slice(2), 'the picked character is the query');
  const narrowed = await page.locator('[data-testid=result]').count();
  t.ok(narrowed >= 1 && narrowed <= allResults, `results narrow (${allResults} -> ${narrowed})`);
  await press('Escape');
  t.equal(await topScreen(page), 'ondemand');
  await press('Escape');
  t.equal(await topScreen(page), 'home');
  t.equal(await focusedKey(page), 'ondemand', 'home remembers where the focus was');
  await press('ArrowLeft');
  t.match(await focusedKey(page), /^ch:/);
  await press('Enter');
  t.equal(await topScreen(page), 'broadcast');
  await waitPlaying(page, 2, 20_000);
  t.pass('the channel plays from its live point');

  // Channel up switches channel in place; channel down comes back.
  const tuned = () => page.evaluate(() => document.querySelector('[data-screen=broadcast]')?.getAttribute('data-channel'));
  const before = await tuned();
  await press('PageUp');
  t.not(await tuned(), before, 'PageUp changes channel');
  await waitPlaying(page, 1, 20_000);
  await press('PageDown');
  t.equal(await tuned(), before, 'PageDown comes back');
  await waitPlaying(page, 1, 20_000);

  // Digits jump to a channel by number; Enter shows the info overlay with what is on now.
  const other = site.channelIds.find((id) => String(id) !== before)!;
  await press(String(site.channelIds.indexOf(other) + 1));
  await page.waitForFunction(
    (id) => document.querySelector('[data-screen=broadcast]')?.getAttribute('data-channel') === String(id),
    other,
    { timeout: 5000 },
  );
  t.pass('a digit tunes that channel number');
  await press('PageDown');
  t.equal(await tuned(), before);
  await waitPlaying(page, 1, 20_000);
  await page.evaluate(() => document.querySelector('[data-testid=info]')?.classList.remove('shown'));
  await press('Enter');
  t.ok(await page.locator('[data-testid=info].shown').count(), 'Enter shows the info overlay');
  t.match(await page.textContent('[data-testid=info]'), /测试频道/, 'with the channel name');

  // The uplink goes down. The agent notices, the kiosk says so, and the channel plays on across a boundary.
  const channelId = Number(before);
  const nowEnd = async () =>
    page.evaluate(async (id) => {
      const res = await fetch('/local/channels');
      const list = (await res.json()) as Array<{ id: number; now: { end: number; programId: number | null } | null }>;
      return list.find((c) => c.id === id)?.now ?? null;
    }, channelId);
  // By now the agent has uploaded the on-demand sessions: the server holds them as mode 'ondemand'.
  const ondemandAtServer = async () =>
    (
      site.server.app.db.prepare("SELECT program_id AS programId FROM attendance_sessions WHERE mode = 'ondemand'").all() as Array<{
        programId: number;
      }>
    ).map((r) => r.programId);
  for (let i = 0; i < 75 && (await ondemandAtServer()).length === 0; i++) await page.waitForTimeout(200);
  const sessions = await ondemandAtServer();
  t.ok(
    sessions.length >= 1 && sessions.every((id) => [...site.programIds, extra].includes(id)),
    `on-demand sessions reach the server (programs ${sessions.join(', ')})`,
  );

  await site.stopServer();
  await page.waitForSelector('[data-testid=net][data-online=false]', { state: 'attached', timeout: 30_000 });
  t.pass('the kiosk shows it is offline');
  const onAir = await nowEnd();
  t.ok(onAir, 'something is on air');
  const t0 = await videoTime(page);
  // The picture itself must cross the boundary: its EXT-X-PROGRAM-DATE-TIME instant passes the end of the program.
  await page.waitForFunction(
    (end) => {
      const top = (window as unknown as { kiosk: { top(): { playingDate?(): number | null } } }).kiosk.top();
      return (top.playingDate?.() ?? 0) > end + 2000;
    },
    onAir!.end,
    { timeout: (PROGRAM_SECONDS + 20) * 1000, polling: 500 },
  );
  const after = await nowEnd();
  t.not(after?.end, onAir!.end, 'the agent is past the program boundary too');
  const t1 = await waitPlaying(page, 1, 10_000);
  t.ok(t1 > t0, `the picture moved on offline, across the boundary (${(t1 - t0).toFixed(1)} s)`);
  t.equal(await topScreen(page), 'broadcast', 'still on the channel, not thrown back home');
  t.same(errors, [], 'no page errors');
});
