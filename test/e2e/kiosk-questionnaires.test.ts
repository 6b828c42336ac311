// Surveys and quizzes on a real site: real server, real agents, real Chromium, answered with the remote's keys
// only (and a member card). On the channel the room takes the quiz offered in the corner when the item it watched
// ends, the picture playing on until OK; a member takes a lecture's quiz offered in the corner when the lecture ends, signs in
// with a card and sees the score; the room answers a survey by counts of hands (a count above the headcount is
// refused on screen); a member's answer made with the uplink down reaches the server once, across a lost
// acknowledgement and an agent restart.
import t, { type Test } from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { focusedKey, openKiosk, startSite, swipeCard, topScreen, waitPlaying, type Site } from '../../testkit/kiosk-site.ts';
import { tempDir } from '../../testkit/helpers.ts';
import { startAgent, type RunningAgent } from '../../player/agent/agent.ts';
import type { QuestionnaireReport } from '../../common/api/questionnaires.ts';

const PROGRAM_SECONDS = 6;

async function serverApi<T>(site: Site, method: 'POST' | 'GET', url: string, payload?: object): Promise<T> {
  const res = await site.server.app.inject({ method, url, headers: site.server.auth, ...(payload ? { payload } : {}) });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}

async function published(site: Site, body: object): Promise<number> {
  const { id } = await serverApi<{ id: number }>(site, 'POST', '/api/questionnaires', body);
  await serverApi(site, 'POST', `/api/questionnaires/${id}/publish`);
  return id;
}

const report = (site: Site, id: number) => serverApi<QuestionnaireReport>(site, 'GET', `/api/reports/questionnaires/${id}?format=json`);

/** The remote: one key, then a pause (a person on a remote, never a card reader's burst). */
const remote =
  (page: Page) =>
  async (...keys: string[]) => {
    for (const key of keys) {
      await page.keyboard.press(key);
      await page.waitForTimeout(120);
    }
  };

/** The agent's uplink through a switch: up, down (connections dropped), or "lost answer" (the server gets the
 * request and commits it, the agent never hears back). */
async function uplinkSwitch(target: string) {
  let mode: 'up' | 'down' | 'lose-answer' = 'up';
  const server = http.createServer((req, res) => {
    if (mode === 'down') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const lose = mode === 'lose-answer' && req.url === '/api/sites/me/answers';
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
      ) as Record<string, string>;
      fetch(new URL(req.url ?? '/', target), {
        method: req.method,
        headers,
        ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
      }).then(
        async (up) => {
          const body = Buffer.from(await up.arrayBuffer());
          if (lose) {
            req.socket.destroy();
            return;
          }
          const out: Record<string, string> = {};
          up.headers.forEach((v, k) => {
            if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k)) out[k] = v;
          });
          res.writeHead(up.status, out);
          res.end(body);
        },
        () => req.socket.destroy(),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    set: (m: typeof mode) => {
      mode = m;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections(); // the agent keeps its connections alive
      }),
  };
}

/** Home -> the "surveys and quizzes" tile (right, down, down) -> OK on the first row (surveys come first). */
async function openFirstQuestionnaire(t: Test, page: Page) {
  const press = remote(page);
  await page.waitForSelector('[data-testid=channel-row]');
  await press('ArrowRight', 'ArrowDown', 'ArrowDown');
  t.equal(await focusedKey(page), 'questionnaires', 'the menu entry is reached with the arrows');
  await press('Enter');
  t.equal(await topScreen(page), 'questionnaires');
  await page.waitForSelector('[data-testid=q-row]');
  await press('Enter');
  t.equal(await topScreen(page), 'questionnaire');
}

t.test('surveys and quizzes answered with the remote at a site', async (t) => {
  const site = await startSite({ programSeconds: PROGRAM_SECONDS, programs: 2, channels: 1, minutes: 2 });
  t.teardown(() => site.close());
  const quizBody = (programId: number) => ({
    kind: 'quiz',
    title: '课后测验',
    programId,
    passMark: 50,
    questions: [
      { type: 'single', text: '本课讲的是哪一年的政策？', options: ['2020 年', '2024 年', '2026 年'], correct: [1] },
      { type: 'multiple', text: '哪些属于乡村振兴的内容？', options: ['产业', '旅游签证', '人才'], correct: [0, 2] },
    ],
  });
  // Each scheduled lecture has a quiz: whichever the on-demand list shows first is the one played.
  const quizIds = new Map<number, number>();
  for (const p of site.programIds) quizIds.set(p, await published(site, quizBody(p)));
  const surveyId = await published(site, {
    kind: 'survey',
    title: '学习需求调查',
    questions: [
      { type: 'single', text: '您多久看一次远程教育？', options: ['每天', '每周', '很少'] },
      { type: 'multiple', text: '您想学哪些内容？', options: ['种植技术', '法律知识', '党史'] },
      { type: 'rating', text: '课程对您有帮助吗？' },
    ],
  });
  await site.agent.syncNow();

  await t.test('on the channel, the quiz of the item seen on air is offered when it ends, without stopping the picture', async (t) => {
    const kiosk = await openKiosk(site.agent.url);
    t.teardown(() => kiosk.close());
    const { page } = kiosk;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const press = remote(page);
    // Home opens on channel 1 (the two quizzed lectures back to back); OK tunes in.
    await page.waitForFunction(() => (document.activeElement as HTMLElement | null)?.dataset.key?.startsWith('ch:'));
    const tunedAt = Date.now();
    await press('Enter');
    t.equal(await topScreen(page), 'broadcast');
    await waitPlaying(page, 1, 30_000);

    await page.waitForSelector('[data-testid=quiz-offer].shown', { timeout: 60_000 });
    const offerSeenAt = Date.now();
    const airing = (await page.getAttribute('[data-testid=quiz-offer]', 'data-airing')) ?? '';
    const offered = Number(await page.getAttribute('[data-testid=quiz-offer]', 'data-questionnaire'));
    const [channelId, programId, start] = airing.split(':').map(Number);
    t.equal(channelId, site.channelIds[0], 'an airing of the channel on screen');
    t.equal(offered, quizIds.get(programId!), "that item's own quiz");
    const end = start! + PROGRAM_SECONDS * 1000;
    t.ok(end > tunedAt && end <= offerSeenAt, 'offered after the item ended, an item that was on air while the TV showed the channel');
    t.match(await page.textContent('[data-testid=quiz-offer]'), /课后测验/, 'offered in the corner');
    t.equal(await topScreen(page), 'broadcast', 'the channel stays on screen');
    await waitPlaying(page, 1, 20_000);
    t.ok(await page.isVisible('[data-testid=quiz-offer].shown'), 'the picture plays on under the offer');

    await press('Enter');
    t.equal(await topScreen(page), 'questionnaire', 'OK opens it');
    t.equal(await page.getAttribute('[data-testid=q-form]', 'data-questionnaire'), String(offered), 'the quiz the corner offered');
    // The room answers: 5 people; hands 3/1/0 on the single choice, 4/0/5 on the multiple one.
    await press('2', '5', 'Enter');
    await page.waitForSelector('[data-testid=q-form][data-phase=question]');
    await press('3', 'ArrowDown', '1', 'ArrowRight', '4', 'ArrowDown', 'ArrowDown', '5', 'ArrowRight');
    t.match(await page.textContent('[data-testid=q-review]'), /已答 2 \/ 2 题/);
    await press('Enter');
    await page.waitForSelector('[data-testid=q-done]');
    await site.agent.questionnaires.flushNow();
    await site.agent.questionnaires.flushNow();
    const r = await report(site, offered);
    t.equal(r.totals.roomAnswers, 1, 'the answer reached the server once');
    t.same(
      r.questions.map((q) => q.options.map((o) => o.count)),
      [
        [3, 1, 0],
        [4, 0, 5],
      ],
      'with the hands counted',
    );
    t.same(site.agent.questionnaires.queue.counts(), { pending: 0, delivered: 1, rejected: 0 });
    await press('Enter');
    t.equal(await topScreen(page), 'broadcast', 'leaving the quiz goes back to the channel');
    t.same(errors, [], 'no page errors');
  });

  await t.test('a member answers the quiz offered when a lecture ends, and sees the score', async (t) => {
    const kiosk = await openKiosk(site.agent.url, { width: 1366, height: 768 });
    t.teardown(() => kiosk.close());
    const { page } = kiosk;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const press = remote(page);
    await page.waitForSelector('[data-testid=channel-row]');
    // On demand -> the first lecture -> Play; it runs to its end.
    await press('ArrowRight', 'Enter');
    await page.waitForSelector('[data-testid=lecture]');
    await press('ArrowRight', 'Enter');
    t.equal(await topScreen(page), 'lecture');
    await press('Enter');
    t.equal(await topScreen(page), 'vod');
    const played = Number(await page.getAttribute('[data-screen=vod]', 'data-program'));
    await page.waitForSelector('[data-testid=quiz-offer].shown', { timeout: 60_000 });
    t.equal(await topScreen(page), 'lecture', 'the lecture ended; nothing opened by itself');
    t.match(await page.textContent('[data-testid=quiz-offer]'), /课后测验/, 'the quiz is offered in the corner');
    await press('Enter');
    t.equal(await topScreen(page), 'questionnaire', 'OK opens it');
    t.equal(await page.getAttribute('[data-testid=q-form]', 'data-questionnaire'), String(quizIds.get(played)), "the lecture's own quiz");

    await press('1');
    t.equal(await page.getAttribute('[data-testid=q-form]', 'data-phase'), 'who');
    await press('Enter');
    t.match(await page.textContent('[data-testid=q-notice]'), /会员号/, 'no number typed: asked for one');
    // The member swipes a card (the attendance sign-in takes it; the form sees the member signed in).
    await swipeCard(page, '20240001');
    await page.waitForSelector('[data-testid=q-form][data-phase=question]');
    t.match(await page.textContent('.q-who'), /会员 20240001/, 'the card signed the member in');
    t.match(await page.textContent('[data-testid=q-progress]'), /第 1 \/ 2 题/);
    await press('Enter');
    t.match(await page.textContent('[data-testid=q-notice]'), /请先按数字键选择/, 'OK without a pick does not move on');
    await press('7');
    t.match(await page.textContent('[data-testid=q-notice]'), /没有第 7 项/, 'a digit beyond the options is refused');
    await press('1', '2');
    t.same(await pickedRows(page), [1], 'a single choice keeps the last digit');
    if (process.env.KIOSK_QUIZ_SCREENSHOT) await page.screenshot({ path: process.env.KIOSK_QUIZ_SCREENSHOT });
    await press('Enter', '1', '2', '3', '2');
    t.same(await pickedRows(page), [0, 2], 'a multiple choice toggles: 2 picked then unpicked');
    await press('ArrowLeft');
    t.same(await pickedRows(page), [1], 'Left goes back with the answer kept');
    await press('ArrowRight', 'Enter');
    t.match(await page.textContent('[data-testid=q-review]'), /已答 2 \/ 2 题/);
    await press('Enter');
    await page.waitForSelector('[data-testid=q-result]');
    t.equal(await page.getAttribute('[data-testid=q-result]', 'data-passed'), 'true');
    t.match(await page.textContent('[data-testid=q-score]'), /答对 2 \/ 2 题/, "the member's score");

    await site.agent.questionnaires.flushNow();
    const r = await report(site, quizIds.get(played)!);
    t.equal(r.totals.memberAnswers, 1, 'the answer reached the server');
    t.same(
      r.quiz?.members.map((m) => [m.memberNo, m.passed]),
      [['20240001', true]],
    );
    await press('Enter');
    t.equal(await topScreen(page), 'lecture', 'OK leaves the result');
    t.same(errors, [], 'no page errors');
  });

  await t.test('the room answers a survey by counts of hands', async (t) => {
    const kiosk = await openKiosk(site.agent.url, { width: 1920, height: 1080 });
    t.teardown(() => kiosk.close());
    const { page } = kiosk;
    const press = remote(page);
    await openFirstQuestionnaire(t, page);
    t.equal(await page.getAttribute('[data-testid=q-form]', 'data-questionnaire'), String(surveyId));
    await press('2', '1', '0', 'Enter');
    await page.waitForSelector('[data-testid=q-form][data-phase=question]');
    await press('6', 'ArrowDown', '5');
    t.match(await page.textContent('[data-testid=q-notice]'), /11 人超过了现场的 10 人/, 'more hands than people is refused on screen');
    t.same(await counts(page), ['6', '0', '0'], 'the refused count is not kept');
    await press('4');
    t.same(await counts(page), ['6', '4', '0']);
    await press('Enter', 'Enter');
    t.match(await page.textContent('[data-testid=q-progress]'), /第 2 \/ 3 题/, 'OK on the last option goes to the next question');
    await press('1', '0', 'ArrowDown', '7', 'ArrowRight');
    await press('2', 'ArrowDown', '3', 'ArrowDown', '5', 'ArrowRight');
    t.match(await page.textContent('[data-testid=q-review]'), /已答 3 \/ 3 题/);
    await press('Enter');
    await page.waitForSelector('[data-testid=q-done]');
    await site.agent.questionnaires.flushNow();
    const r = await report(site, surveyId);
    t.equal(r.totals.roomAnswers, 1);
    t.equal(r.totals.people, 10, 'the room counts as its headcount');
    t.same(
      r.questions[0]!.options.map((o) => o.count),
      [6, 4, 0],
    );
    t.same(
      r.questions[1]!.options.map((o) => o.count),
      [10, 7, 0],
    );
    t.same(
      r.questions[2]!.options.map((o) => o.count),
      [2, 3, 5, 0, 0],
      'rating: hands for 1, 2, 3...',
    );

    // What the remote cannot send, the agent refuses with reasons (the kiosk's own POST, from the page).
    const bad = [
      { id: 'bad-1', questionnaireId: surveyId, memberNo: '1001', responses: [{ question: 9, choices: [0] }] },
      { id: 'bad-2', questionnaireId: surveyId, memberNo: '1001', responses: [{ question: 0, choices: [5] }] },
      { id: 'bad-3', questionnaireId: surveyId, room: { headcount: 3 }, responses: [{ question: 1, counts: [4, 0, 0] }] },
    ];
    // No named functions inside evaluate: the page has no bundler helpers.
    const refused = await page.evaluate(
      (bodies) =>
        Promise.all(
          bodies.map((body) =>
            fetch('/local/answers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
              async (res) => ({ status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } }),
            ),
          ),
        ),
      bad,
    );
    t.same(
      refused.map((r) => [r.status, r.body.error?.code]),
      [
        [400, 'unknown_question'],
        [400, 'option_out_of_range'],
        [400, 'count_exceeds_headcount'],
      ],
    );
    for (const r of refused) t.ok((r.body.error?.message.length ?? 0) > 15, `a reason a person can act on: ${r.body.error?.message}`);
  });

  await t.test('an answer made offline arrives once: after the uplink returns, across a lost answer and a restart', async (t) => {
    const uplink = await uplinkSwitch(site.serverUrl);
    t.teardown(() => uplink.close());
    const regionId = site.agent.sync.manifest!.regionId;
    const second = await serverApi<{ pairingCode: string }>(site, 'POST', '/api/sites', {
      name: '离线村活动室',
      regionId,
      downloadWindow: '00:00-00:00',
      bandwidthKbps: 100_000,
      maxRung: '240p',
    });
    const dir = tempDir('dyb-kiosk-q-agent-');
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
    const start = (pairCode?: string) =>
      startAgent({
        serverUrl: uplink.url,
        dataDir: dir,
        port: 0,
        ...(pairCode ? { pairCode } : {}),
        syncIntervalMs: 2000,
        logLevel: 'silent',
      });
    let agent: RunningAgent = await start(second.pairingCode);
    t.teardown(() => agent.close());
    await agent.syncNow();
    const before = (await report(site, surveyId)).totals.memberAnswers;

    uplink.set('down');
    const kiosk = await openKiosk(agent.url);
    t.teardown(() => kiosk.close());
    const { page } = kiosk;
    const press = remote(page);
    await openFirstQuestionnaire(t, page);
    await press('1', ...'30300001', 'Enter');
    await page.waitForSelector('[data-testid=q-form][data-phase=question]');
    await press('1', 'Enter', '2', '3', 'Enter', '4', 'Enter', 'Enter');
    await page.waitForSelector('[data-testid=q-done]');
    t.equal(agent.questionnaires.queue.counts().pending, 1, 'kept at the site while the uplink is down');
    t.match((await agent.questionnaires.flushNow()).error, /unreachable/);

    uplink.set('lose-answer');
    t.ok((await agent.questionnaires.flushNow()).error, 'the server took it but the agent never heard back');
    t.equal((await report(site, surveyId)).totals.memberAnswers, before + 1, 'stored at the server');
    t.equal(agent.questionnaires.queue.counts().pending, 1, 'still queued at the site: it was never acknowledged');

    await agent.close();
    uplink.set('up');
    agent = await start(); // restarted: paired already, the queue read back from its file
    t.equal(fs.existsSync(path.join(dir, 'answers.sqlite')), true);
    for (let i = 0; i < 100 && agent.questionnaires.queue.counts().pending > 0; i++) await agent.questionnaires.flushNow();
    t.same(agent.questionnaires.queue.counts(), { pending: 0, delivered: 1, rejected: 0 }, 'sent again and acknowledged');
    const r = await report(site, surveyId);
    t.equal(r.totals.memberAnswers, before + 1, 'counted once at the server');
    t.same(
      r.questions[1]!.options.map((o) => o.count),
      [10, 8, 1],
      'its choices counted once (the room had 10, 7 and 0)',
    );
  });
});

function pickedRows(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=q-option]')].flatMap((el, i) => (el.getAttribute('data-picked') === 'true' ? [i] : [])),
  );
}

function counts(page: Page): Promise<string[]> {
  return page.evaluate(() => [...document.querySelectorAll('[data-testid=q-count]')].map((el) => el.textContent!.replace(/\D/g, '')));
}
