// Questionnaires and quizzes through the console in a real Chromium against a real server (SQLite file, ffmpeg):
// an operator writes a quiz with a mistake (the API's message is shown, nothing is stored), fixes and publishes it;
// two paired sites send answers through POST /api/sites/me/answers with their own tokens, as a site agent does;
// the results page shows the counts worked out by hand below; an organizer sees only their county's answers, is
// refused another county, and the CSV export has a BOM; survey topics reach the requests page as "most wanted".
import fs from 'node:fs';
import t from 'tap';
import type { Page } from 'playwright-core';
import { userAuth } from '../../testkit/helpers.ts';
import { readyProgram } from '../../testkit/programs.ts';
import { openConsole, pickProgram, shot, signIn, startConsoleServer } from '../../testkit/console-app.ts';
import type { AnswerBatch, AnswerBatchResult, Questionnaire } from '../../common/api/questionnaires.ts';

/** The count cells of each question's option table on the results page, in page order. */
async function optionCounts(page: Page): Promise<string[][]> {
  await page.waitForSelector('[data-test=question-result] [data-test=option-count]');
  return page.$$eval('[data-test=question-result]', (cards) =>
    cards.map((c) => [...c.querySelectorAll('[data-test=option-count]')].map((e) => (e.textContent ?? '').trim())),
  );
}

t.test('questionnaires and quizzes in the console', async (t) => {
  const cs = await startConsoleServer();
  t.teardown(() => cs.close());
  const { app, auth } = cs.server;
  const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object | string, headers: Record<string, string> = auth) => {
    const res = await app.inject({ method, url, headers, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const province = await call('POST', '/api/regions', { name: '某省', level: 'province' });
  const countyA = await call('POST', '/api/regions', { name: '东县', level: 'county', parentId: province.id });
  const countyB = await call('POST', '/api/regions', { name: '西县', level: 'county', parentId: province.id });
  const villageA = await call('POST', '/api/regions', { name: '东村', level: 'village', parentId: countyA.id });
  const villageB = await call('POST', '/api/regions', { name: '西村', level: 'village', parentId: countyB.id });
  const siteA = await call('POST', '/api/sites', { name: '东村活动室', regionId: villageA.id });
  const siteB = await call('POST', '/api/sites', { name: '西村活动室', regionId: villageB.id });
  const tokenA = (await call('POST', '/api/sites/pair', { code: siteA.pairingCode }, {})).token as string;
  const tokenB = (await call('POST', '/api/sites/pair', { code: siteB.pairingCode }, {})).token as string;
  const roll = `memberNo,name,site\nM001,张三,${siteA.id}\nM002,李四,${siteA.id}\nM101,王五,${siteB.id}\n`;
  await call('POST', '/api/members/import', roll, { ...auth, 'content-type': 'text/csv' });
  await userAuth(app, 'dongxian', 'organizer', countyA.id);
  const programId = await readyProgram(app, { seconds: 2, title: '党章学习第一讲' });
  await call('PATCH', `/api/programs/${programId}`, { published: true });

  /** Sends a batch as a site agent does; returns the server's answer. */
  const send = async (token: string, answers: AnswerBatch['answers']): Promise<AnswerBatchResult> =>
    call('POST', '/api/sites/me/answers', { sentAt: Date.now(), answers }, { authorization: `Bearer ${token}` });

  const b = await openConsole();
  t.teardown(() => b.close());
  const { page } = b;
  let quizId = 0;

  t.test('a quiz with no right answer is refused with the API message; fixed, it is published', async (t) => {
    await signIn(page, cs.url, 'admin', undefined, '/questionnaires');
    await page.waitForSelector('[data-test=questionnaire-table]');
    await page.click('[data-test=new-questionnaire]');
    await page.waitForSelector('[data-test=questionnaire-edit]');
    await page.locator('[data-test=qn-kind] >> text=课后测验').click();
    await page.fill('input[data-test=qn-title]', '党章学习测验');
    await pickProgram(page, page.locator('[data-test=program-picker]'), '党章', '党章学习第一讲');
    const first = page.locator('[data-test=question]').nth(0);
    await first.locator('input[data-test=question-text]').fill('党的根本宗旨是什么？');
    await first.locator('input[data-test=option-text]').nth(0).fill('全心全意为人民服务');
    await first.locator('input[data-test=option-text]').nth(1).fill('发展经济');
    // The mistake: a quiz question without its right answer.
    await page.click('[data-test=qn-publish]');
    await page.click('.el-message-box__btns .el-button--primary');
    const error = await page.waitForSelector('[data-test=form-error]');
    const shown = ((await error.textContent()) ?? '').trim();
    const payload = {
      kind: 'quiz',
      title: '党章学习测验',
      programId,
      regionIds: [],
      opensAt: null,
      closesAt: null,
      passMark: 60,
      questions: [{ type: 'single', text: '党的根本宗旨是什么？', options: ['全心全意为人民服务', '发展经济'], correct: [] }],
    };
    const direct = await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload });
    t.equal(direct.statusCode, 400, 'the API refuses that form');
    t.equal(shown, direct.json().error.message, `the page shows the API's own message ("${shown}")`);
    t.match(await first.getAttribute('class'), /flagged/, 'the question it names is marked');
    t.equal((await call('GET', '/api/questionnaires')).total, 0, 'nothing was stored');
    t.match(page.url(), /\/questionnaires\/new$/);
    await shot(page, 'questionnaire-refused');

    // Fixed: the right answer ticked, a second (multiple choice) question added.
    await first.locator('[data-test=option-correct]').nth(0).click();
    await page.click('[data-test=add-question]');
    const second = page.locator('[data-test=question]').nth(1);
    await second.locator('[data-test=question-type]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '多选' }).first().click();
    await second.locator('input[data-test=question-text]').fill('哪些属于“四个意识”？');
    await second.locator('[data-test=add-option]').click();
    const texts = ['政治意识', '消费意识', '大局意识'];
    for (const [i, text] of texts.entries()) await second.locator('input[data-test=option-text]').nth(i).fill(text);
    await second.locator('[data-test=option-correct]').nth(0).click();
    await second.locator('[data-test=option-correct]').nth(2).click();
    await page.click('[data-test=qn-publish]');
    await page.click('.el-message-box__btns .el-button--primary');
    await page.waitForSelector('[data-test=qn-status] >> text=已发布');
    await page.waitForURL(/\/questionnaires\/\d+$/);
    quizId = Number(/\/questionnaires\/(\d+)$/.exec(page.url())![1]);
    const stored: Questionnaire = await call('GET', `/api/questionnaires/${quizId}`);
    t.equal(stored.status, 'published');
    t.equal(stored.kind, 'quiz');
    t.equal(stored.programId, programId, 'attached to the lecture picked');
    t.same(
      stored.questions.map((q) => [q.type, q.options, q.correct]),
      [
        ['single', ['全心全意为人民服务', '发展经济'], [0]],
        ['multiple', ['政治意识', '消费意识', '大局意识'], [0, 2]],
      ],
      'the questions as written, with their right answers',
    );
    await shot(page, 'questionnaire-published');
  });

  t.test('answers sent by the sites show on the results page with the right counts', async (t) => {
    t.ok(quizId, 'the quiz exists');
    const at = Date.now() - 60_000;
    const member = (id: string, memberNo: string, q0: number, q1: number[]) => ({
      id,
      questionnaireId: quizId,
      answeredAt: at,
      memberNo,
      responses: [
        { question: 0, choices: [q0] },
        { question: 1, choices: q1 },
      ],
    });
    const batchA = [
      member('a-1', 'M001', 0, [0, 2]), // all right: passes
      member('a-2', 'M002', 1, [0]), // both wrong: fails
      {
        id: 'a-room',
        questionnaireId: quizId,
        answeredAt: at,
        room: { headcount: 5 },
        responses: [
          { question: 0, counts: [4, 1] },
          { question: 1, counts: [3, 2, 1] },
        ],
      },
    ];
    t.same((await send(tokenA, batchA)).accepted.sort(), ['a-1', 'a-2', 'a-room']);
    t.same((await send(tokenA, batchA)).accepted.sort(), ['a-1', 'a-2', 'a-room'], 'a resend is acknowledged again');
    t.same((await send(tokenB, [member('b-1', 'M101', 0, [0, 2])])).accepted, ['b-1']);

    await page.goto(`${cs.url}/questionnaires/${quizId}/results`);
    // Question 1: option 1 = M001 + 4 hands + M101, option 2 = M002 + 1 hand. Question 2: 政治意识 = M001 + M002 + 3
    // hands + M101, 消费意识 = 2 hands, 大局意识 = M001 + 1 hand + M101. The resend counted once.
    t.same(
      await optionCounts(page),
      [
        ['6', '2'],
        ['6', '2', '3'],
      ],
      'counts per option, each answer once',
    );
    await page.waitForSelector('[data-test=question-result] [data-test=chart] canvas');
    // The two quiz tables come from the server a page at a time, after the report.
    await page.waitForSelector('[data-test=quiz-members] .el-table__row');
    await page.waitForSelector('[data-test=quiz-sites] .el-table__row');
    const members = (await page.textContent('[data-test=quiz-members]')) ?? '';
    t.match(members, /M001[\s\S]*张三/);
    t.match((await page.textContent('[data-test=quiz-members-pager]')) ?? '', /3/, "the pager counts the server's total");
    t.match(members, /M101/);
    const sites = (await page.textContent('[data-test=quiz-sites]')) ?? '';
    t.match(sites, /东村活动室/);
    t.match(sites, /西村活动室/);
    t.equal(await page.textContent('[data-test=pass-rate]'), '67%', 'M001 and M101 passed, M002 did not: 2 of 3');
    await shot(page, 'questionnaire-results');
  });

  t.test('an organizer sees only their county; another county is refused; the CSV export has a BOM', async (t) => {
    await page.evaluate(() => localStorage.clear());
    await signIn(page, cs.url, 'dongxian', 'dongxian-password', `/questionnaires/${quizId}/results`);
    await page.waitForLoadState('networkidle');
    t.same(
      await optionCounts(page),
      [
        ['5', '2'],
        ['5', '2', '2'],
      ],
      'only 东县 answers are counted',
    );
    await page.waitForSelector('[data-test=quiz-members] .el-table__row');
    const members = (await page.textContent('[data-test=quiz-members]')) ?? '';
    t.match(members, /M001/);
    t.notMatch(members, /M101|王五/, "the other county's member is not listed");
    t.notMatch((await page.textContent('[data-test=quiz-sites]')) ?? '', /西村/);
    await shot(page, 'questionnaire-results-organizer');
    const exported = async (button: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(`[data-test=${button}]`)]);
      return fs.readFileSync((await download.path())!);
    };
    const answersCsv = await exported('export-csv');
    t.same([...answersCsv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM first, so Excel reads the Chinese');
    t.match(answersCsv.toString('utf8'), /全心全意为人民服务,5,[\s\S]*发展经济,2,/, 'the counts on screen, for their county');
    const membersCsv = (await exported('export-members-csv')).toString('utf8');
    t.match(membersCsv, /^\uFEFF[\s\S]*M001[\s\S]*M002/);
    t.notMatch(membersCsv, /M101|王五/, 'the export holds what is on screen, no more');
    await page.goto(`${cs.url}/questionnaires/${quizId}/results?regionId=${countyB.id}`);
    const refused = await page.waitForSelector('[data-test=report-error]');
    t.ok(((await refused.textContent()) ?? '').trim().length > 0, `refused with the API's message (${await refused.textContent()})`);
    // The study record: their members' quiz results, no one else's.
    await page.goto(`${cs.url}/reports/study`);
    await page.waitForSelector('[data-test=study-table] .el-table__row');
    const study = (await page.textContent('[data-test=study-table]')) ?? '';
    t.match(study, /M001[\s\S]*党章学习测验/, "a member's quiz result is in their study record");
    t.notMatch(study, /M101/);
    await shot(page, 'study-record-organizer');
    // The editor is for operators only.
    await page.goto(`${cs.url}/questionnaires/${quizId}`);
    await page.waitForURL(/\/reports\/activity$/);
    t.pass('kept out of the editor');
  });

  t.test("survey topics rank as the most wanted on the operator's requests page", async (t) => {
    await page.evaluate(() => localStorage.clear());
    const topics = (await call('GET', '/api/taxonomy')).categories.slice(0, 3) as Array<{ id: string; zh: string }>;
    const survey: Questionnaire = await call('POST', '/api/questionnaires', {
      kind: 'survey',
      title: '学习需求调查',
      questions: [{ type: 'topics', text: '您最想学哪些内容？', options: topics.map((c) => c.id) }],
    });
    await call('POST', `/api/questionnaires/${survey.id}/publish`);
    const at = Date.now() - 60_000;
    const res = await send(tokenA, [
      { id: 's-room', questionnaireId: survey.id, answeredAt: at, room: { headcount: 9 }, responses: [{ question: 0, counts: [2, 7, 0] }] },
    ]);
    t.same(res.accepted, ['s-room']);
    await signIn(page, cs.url, 'admin', undefined, '/requests');
    const box = page.locator('[data-test=demand-topics]');
    await box.locator('.el-table__row').first().waitFor();
    const cells = (await box.locator('.el-table__row').first().locator('td').allTextContents()).map((c) => c.trim());
    t.same(cells.slice(2, 4), [topics[1].zh, '7'], 'the topic most hands chose is first, with its votes');
    await shot(page, 'requests-demand-topics');
  });

  t.test('the list pages on the server; an answered quiz is fixed and its deletion refused with the 409 message', async (t) => {
    await page.goto(`${cs.url}/questionnaires`);
    await page.locator('[data-test=qn-filter-kind]').click();
    await page.locator('.el-select-dropdown__item:visible', { hasText: '课后测验' }).first().click();
    await page.waitForURL(/kind=quiz/);
    const rowSelector = '[data-test=questionnaire-table] .el-table__body-wrapper .el-table__row';
    const rows = page.locator(rowSelector);
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 1, rowSelector);
    t.match((await rows.first().textContent()) ?? '', /党章学习测验[\s\S]*4/, 'the quiz alone, with its 4 answers');
    await shot(page, 'questionnaire-list');

    await page.goto(`${cs.url}/questionnaires/${quizId}`);
    await page.waitForSelector('[data-test=qn-status]');
    t.ok(await page.locator('input[data-test=question-text]').first().isDisabled(), 'answered questions cannot be edited');
    await page.click('[data-test=qn-delete]');
    await page.click('.el-message-box__btns .el-button--primary');
    const error = await page.waitForSelector('[data-test=form-error]');
    const direct = await app.inject({ method: 'DELETE', url: `/api/questionnaires/${quizId}`, headers: auth });
    t.equal(direct.statusCode, 409);
    t.equal(((await error.textContent()) ?? '').trim(), direct.json().error.message, "the API's reason, as is");

    // A draft nobody answered goes.
    const draft: Questionnaire = await call('POST', '/api/questionnaires', {
      kind: 'survey',
      title: '草稿问卷',
      questions: [{ type: 'rating', text: '本期节目打分' }],
    });
    await page.goto(`${cs.url}/questionnaires/${draft.id}`);
    await page.waitForSelector('[data-test=qn-status]');
    await page.click('[data-test=qn-delete]');
    await page.click('.el-message-box__btns .el-button--primary');
    await page.waitForURL(/\/questionnaires$/);
    t.equal((await app.inject({ method: 'GET', url: `/api/questionnaires/${draft.id}`, headers: auth })).statusCode, 404, 'deleted');
  });

  t.test('no script errors', async (t) => {
    t.same(b.errors, []);
  });
});
