// The kiosk on a real site: real server, real agent, real Chromium, driven by the keyboard only (the remote).
// home -> on-demand -> a lecture -> plays -> Back -> a channel; then the server stops and the channel keeps
// playing from the agent across a program boundary. Also: Chinese by default, the English switch persists.
import t from 'tap';
import { focusedKey, openKiosk, startSite, topScreen, videoTime, waitPlaying, type Kiosk, type Site } from './kiosk-site.ts';

const PROGRAM_SECONDS = 10;

t.test('the kiosk driven by a remote, before and after the uplink goes down', async (t) => {
  const site: Site = await startSite({ programSeconds: PROGRAM_SECONDS, programs: 2, channels: 2, minutes: 4 });
  t.teardown(() => site.close());
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
  t.ok(await page.locator('[data-testid=lecture] [data-testid=held]').count() >= 1, 'scheduled lectures show as downloaded');
  await press('ArrowRight');
  t.match(await focusedKey(page), /^lec:\d+$/, 'a lecture card has the focus');
  await press('Enter');
  t.equal(await topScreen(page), 'lecture');
  t.equal(await focusedKey(page), 'play');
  await press('Enter');
  t.equal(await topScreen(page), 'vod');
  const lectureTime = await waitPlaying(page, 2, 20_000);
  t.ok(lectureTime >= 2, `the lecture plays (currentTime ${lectureTime.toFixed(1)} s)`);

  // Back to the lecture page, on-demand, home; then left-over focus moves to a channel and OK tunes it.
  await press('Escape');
  t.equal(await topScreen(page), 'lecture');
  await press('Backspace');
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

  // The uplink goes down. The agent notices, the kiosk says so, and the channel plays on across a boundary.
  const channelId = Number(before);
  const nowEnd = async () =>
    page.evaluate(async (id) => {
      const res = await fetch('/local/channels');
      const list = (await res.json()) as Array<{ id: number; now: { end: number; programId: number | null } | null }>;
      return list.find((c) => c.id === id)?.now ?? null;
    }, channelId);
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
