// Resume in the browser: a lecture stopped half-way with Back is offered again from where it was left, and
// resuming starts the picture there. Real server, real agent serving the kiosk (under its Content-Security-
// Policy), real headless Chromium, driven with the remote's keys.
import t from 'tap';
import { focusedKey, openKiosk, startSite, topScreen, videoTime, waitPlaying, type Kiosk, type Site } from '../../testkit/kiosk-site.ts';
import { resumeStart } from '../../player/kiosk/src/resume.ts';
import { formatDuration } from '../../player/kiosk/src/format.ts';

const PROGRAM_SECONDS = 48;

t.test('Back half-way through a lecture, come back: it offers to resume there, and resumes there', async (t) => {
  const site: Site = await startSite({ programSeconds: PROGRAM_SECONDS, programs: 2, channels: 1, minutes: 2 });
  t.teardown(() => site.close());
  const kiosk: Kiosk = await openKiosk(site.agent.url);
  t.teardown(() => kiosk.close());
  const { page } = kiosk;
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  const press = async (key: string) => {
    await page.keyboard.press(key);
    await page.waitForTimeout(150);
  };

  // Home -> on demand -> the first lecture -> Play.
  await page.waitForSelector('[data-testid=channel-row]');
  await press('ArrowRight');
  t.equal(await focusedKey(page), 'ondemand');
  await press('Enter');
  await page.waitForSelector('[data-testid=lecture]');
  await press('ArrowRight');
  const lectureKey = await focusedKey(page);
  t.match(lectureKey, /^lec:\d+$/, 'a lecture card has the focus');
  await press('Enter');
  t.equal(await topScreen(page), 'lecture');
  t.equal(await page.locator('[data-testid=resume]').count(), 0, 'never watched: no resume offered');
  t.equal(await focusedKey(page), 'play');
  await press('Enter');
  t.equal(await topScreen(page), 'vod');
  await waitPlaying(page, 1, 30_000);

  // Half-way: two steps forward with the remote (15 s each), let it play on a little, then Back.
  await press('ArrowRight');
  await press('ArrowRight');
  const left = await waitPlaying(page, 1, 30_000, 30);
  t.ok(left > 30 && left < PROGRAM_SECONDS - 15, `stopped half-way, at ${left.toFixed(1)} s of ${PROGRAM_SECONDS}`);
  await press('Escape');
  t.equal(await topScreen(page), 'lecture', 'Back: the lecture page');

  // Come back to it: out to the list, in again.
  await press('Escape');
  t.equal(await topScreen(page), 'ondemand');
  await page.focus(`[data-key="${lectureKey}"]`);
  await press('Enter');
  t.equal(await topScreen(page), 'lecture');
  await page.waitForSelector('[data-testid=resume]');
  const offered = (await page.textContent('[data-testid=resume]')) ?? '';
  const start = resumeStart(left, PROGRAM_SECONDS);
  t.ok(start > 0, 'a position worth resuming');
  // The label shows whole seconds; the page saved the position at Back, a moment after the test read it.
  const shown = /(\d+):(\d\d)/.exec(offered);
  t.ok(shown, `the offer shows a time: "${offered}"`);
  const shownS = Number(shown![1]) * 60 + Number(shown![2]);
  t.ok(
    shownS >= Math.floor(start) && shownS <= Math.floor(start) + 2,
    `offered from ${formatDuration(shownS)}, left at ${left.toFixed(1)} s`,
  );
  t.equal(await focusedKey(page), 'resume', 'resume is the first choice');
  t.ok(await page.locator('[data-testid=play]').count(), 'playing from the start is offered too');

  // Resume: the picture starts where it was left (a few seconds before, to pick up the thread), not at 0.
  await press('Enter');
  t.equal(await topScreen(page), 'vod');
  await page.waitForFunction(
    () => {
      const v = [...document.querySelectorAll<HTMLVideoElement>('[data-screen] video')].filter((x) => !x.closest('[hidden]')).pop();
      return !!v && !v.paused && v.currentTime > 0 && v.readyState >= 3;
    },
    undefined,
    { timeout: 30_000, polling: 100 },
  );
  const resumedAt = await videoTime(page);
  t.ok(resumedAt >= shownS - 1, `resumed at ${resumedAt.toFixed(1)} s (offered ${shownS} s), not from the start`);
  t.ok(resumedAt < left + 5, 'and not past where it was left');
  await waitPlaying(page, 1, 30_000, resumedAt);
  t.same(problems, [], 'no page errors and nothing refused by the Content-Security-Policy');
});
