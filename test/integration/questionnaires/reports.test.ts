// Reports checked against hand-computed answers: a survey's distribution by region, a quiz's pass rates and scores,
// the study record, the demand list; organizers see their region only; CSV with BOM, HTML with a chart per question.
import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { session, postBatch, provinceTime } from '../attendance/fixtures.ts';
import { QUIZ, SURVEY, createPublished, memberAnswer, postAnswers, roomAnswer, seedTree } from './fixtures.ts';

async function setup() {
  const s = await makeServer();
  const { app, auth } = s;
  const { tokens } = seedTree(app.db);
  const ins = app.db.prepare('INSERT INTO members (member_no, name, site_id, imported_at) VALUES (?, ?, ?, ?)');
  for (const [no, name, site] of [
    ['M1', '张三', 1],
    ['M2', '王五', 1],
    ['M3', '李四', 3],
  ] as const)
    ins.run(no, name, site, new Date().toISOString());
  const survey = await createPublished(app, auth, SURVEY);
  const quiz = await createPublished(app, auth, QUIZ);
  const ok = async (token: string, answers: Parameters<typeof postAnswers>[2]) => {
    const res = await postAnswers(app, token, answers);
    if (res.json().rejected.length) throw new Error(res.body);
  };
  await ok(tokens[1], [
    memberAnswer('s1', survey, 'M1', [
      { question: 0, choices: [1] },
      { question: 1, choices: [0, 2] },
      { question: 2, rating: 4 },
      { question: 3, choices: [0] },
    ]),
    roomAnswer('s2', survey, 10, [
      { question: 0, counts: [3, 5, 2] },
      { question: 3, counts: [6, 4, 0] },
    ]),
    memberAnswer('q1', quiz, 'M1', [
      { question: 0, choices: [1] },
      { question: 1, choices: [2, 0] },
      { question: 2, choices: [1] },
    ]),
    memberAnswer('q2', quiz, 'M1', [
      { question: 0, choices: [0] },
      { question: 1, choices: [0] },
      { question: 2, choices: [1] },
    ]),
    memberAnswer('q3', quiz, 'M2', [
      { question: 0, choices: [0] },
      { question: 1, choices: [0] },
      { question: 2, choices: [0] },
    ]),
    roomAnswer('q4', quiz, 5, [{ question: 0, counts: [1, 4, 0] }]),
  ]);
  await ok(tokens[3], [
    memberAnswer('s3', survey, 'M3', [
      { question: 0, choices: [0] },
      { question: 2, rating: 2 },
      { question: 3, choices: [0, 2] },
    ]),
    memberAnswer('q5', quiz, 'M3', [
      { question: 0, choices: [1] },
      { question: 1, choices: [0, 2] },
      { question: 2, choices: [0] },
    ]),
  ]);
  return { s, tokens, survey, quiz };
}

t.test('survey results per option and by region, scoped to the organizer', async (t) => {
  const { s, survey } = await setup();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const all = (await app.inject({ url: `/api/reports/questionnaires/${survey}`, headers: auth })).json();
  t.same(all.totals, { answers: 3, memberAnswers: 2, roomAnswers: 1, people: 12, sites: 2 });
  const [q0, q1, q2, q3] = all.questions;
  t.equal(q0.respondents, 12);
  t.same(
    q0.options.map((o: { count: number }) => o.count),
    [4, 6, 2],
  );
  t.same(
    q0.options.map((o: { share: number }) => o.share),
    [0.3333, 0.5, 0.1667],
  );
  t.same(q0.byRegion, [
    // by name in Chinese collation (Hong before Qian)
    { regionId: 2, regionName: '红旗县', respondents: 11, counts: [3, 6, 2] },
    { regionId: 3, regionName: '前进县', respondents: 1, counts: [1, 0, 0] },
  ]);
  t.same(
    q1.options.map((o: { count: number }) => o.count),
    [1, 0, 1],
  );
  t.equal(q2.respondents, 2);
  t.same(
    q2.options.map((o: { text: string; count: number }) => [o.text, o.count]),
    [
      ['1', 0],
      ['2', 1],
      ['3', 0],
      ['4', 1],
      ['5', 0],
    ],
  );
  t.equal(q2.ratingAverage, 3);
  t.same(
    q3.options.map((o: { count: number }) => o.count),
    [8, 4, 1],
  );
  t.equal(q3.options[0].text, '现代农业与科技 / Modern agriculture and technology');

  const east = await userAuth(app, 'org-east', 'organizer', 2);
  const mine = (await app.inject({ url: `/api/reports/questionnaires/${survey}`, headers: east })).json();
  t.same(mine.totals, { answers: 2, memberAnswers: 1, roomAnswers: 1, people: 11, sites: 1 });
  t.same(
    mine.questions[0].options.map((o: { count: number }) => o.count),
    [3, 6, 2],
  );
  t.same(mine.questions[0].byRegion, [{ regionId: 4, regionName: '城关镇', respondents: 11, counts: [3, 6, 2] }]);
  const outside = await app.inject({ url: `/api/reports/questionnaires/${survey}?regionId=3`, headers: east });
  t.equal(outside.statusCode, 403);
  t.match(outside.json().error.message, /outside your region/);

  const csv = await app.inject({ url: `/api/reports/questionnaires/${survey}?format=csv`, headers: east });
  t.match(csv.headers['content-type'], /text\/csv/);
  t.ok(csv.body.startsWith('\uFEFF'), 'CSV starts with a BOM');
  t.match(csv.body, /最想学的主题/);
  t.notMatch(csv.body, /前进县/);
  const html = await app.inject({ url: `/api/reports/questionnaires/${survey}?format=html`, headers: auth });
  t.equal(html.body.split('<svg').length - 1, 4, 'one bar chart per question');
  t.match(html.body, /每周想学几次/);
});

t.test('quiz: pass rate per site, best score per member; rooms count hands on the right option', async (t) => {
  const { s, quiz } = await setup();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const r = (await app.inject({ url: `/api/reports/questionnaires/${quiz}`, headers: auth })).json();
  t.equal(r.quiz.passMark, 60);
  t.equal(r.quiz.passRate, 0.6667);
  t.same(
    r.quiz.sites.map((x: { siteId: number; members: number; passed: number; passRate: number; roomAnswers: number }) => [
      x.siteId,
      x.members,
      x.passed,
      x.passRate,
      x.roomAnswers,
    ]),
    [
      [1, 2, 1, 0.5, 1],
      [3, 1, 1, 1, 0],
    ],
  );
  t.same(
    r.quiz.members.map((m: { memberNo: string; name: string; right: number; attempts: number; passed: boolean; verified: boolean }) => [
      m.memberNo,
      m.name,
      m.right,
      m.attempts,
      m.passed,
      m.verified,
    ]),
    [
      ['M1', '张三', 2, 2, true, true],
      ['M2', '王五', 1, 1, false, true],
      ['M3', '李四', 3, 1, true, true],
    ],
  );
  // q0: respondents M1 x2, M2, M3, room of 5 = 9; right: M1 once, M3, 4 hands = 6
  t.equal(r.questions[0].respondents, 9);
  t.equal(r.questions[0].correctShare, 0.6667);
  t.same(r.questions[0].correct, [1]);
  const members = await app.inject({ url: `/api/reports/questionnaires/${quiz}?format=csv&list=members`, headers: auth });
  t.match(members.body, /M2,王五,东村, 第一站|M2,王五,"东村, 第一站"/);
  const east = await userAuth(app, 'org-east', 'organizer', 2);
  const mine = (await app.inject({ url: `/api/reports/questionnaires/${quiz}`, headers: east })).json();
  t.same(
    mine.quiz.members.map((m: { memberNo: string }) => m.memberNo),
    ['M1', 'M2'],
    'no member outside the region',
  );

  // A pass mark raised after answering re-grades: 2 of 3 no longer passes 80%.
  await app.inject({ method: 'PATCH', url: `/api/questionnaires/${quiz}`, headers: auth, payload: { passMark: 80 } });
  const regraded = (await app.inject({ url: `/api/reports/questionnaires/${quiz}`, headers: auth })).json();
  t.same(
    regraded.quiz.members.map((m: { passed: boolean }) => m.passed),
    [false, false, true],
  );
  t.equal(regraded.quiz.passRate, 0.3333);
});

t.test("quiz tables a page at a time: pages add up to the whole table, scoped to the organizer's region", async (t) => {
  const { s, quiz, survey } = await setup();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const whole = (await app.inject({ url: `/api/reports/questionnaires/${quiz}`, headers: auth })).json().quiz;
  const pages = async (table: 'sites' | 'members', headers: Record<string, string>, pageSize: number) => {
    const items: unknown[] = [];
    for (let page = 1; ; page++) {
      const res = await app.inject({ url: `/api/reports/questionnaires/${quiz}/${table}?page=${page}&pageSize=${pageSize}`, headers });
      t.equal(res.statusCode, 200, res.body);
      const body = res.json();
      t.match(body, { page, pageSize });
      if (!body.items.length) return { items, total: body.total as number, pagesRead: page - 1 };
      t.ok(body.items.length <= pageSize);
      items.push(...body.items);
    }
  };
  const members = await pages('members', auth, 2);
  t.same(members.items, whole.members, 'member pages, in order, are the whole table');
  t.equal(members.total, 3);
  t.equal(members.pagesRead, 2);
  const sites = await pages('sites', auth, 1);
  t.same(sites.items, whole.sites, 'site pages, in order, are the whole table');
  t.equal(sites.total, 2);

  const east = await userAuth(app, 'org-east', 'organizer', 2);
  const eastMembers = await pages('members', east, 1);
  t.same(
    eastMembers.items.map((m) => (m as { memberNo: string }).memberNo),
    ['M1', 'M2'],
    'no member outside the region',
  );
  t.equal(eastMembers.total, 2);
  const eastSites = await pages('sites', east, 5);
  t.same(
    eastSites.items.map((x) => (x as { siteId: number }).siteId),
    [1],
  );
  t.equal(eastSites.total, 1);

  const csv = await app.inject({ url: `/api/reports/questionnaires/${quiz}?format=csv&list=members`, headers: auth });
  t.equal(csv.body.split('\n').filter((l) => /^M\d,/.test(l)).length, 3, 'the CSV export stays whole');
  const notQuiz = await app.inject({ url: `/api/reports/questionnaires/${survey}/members`, headers: auth });
  t.equal(notQuiz.statusCode, 400);
  t.equal(notQuiz.json().error.code, 'not_a_quiz');
  const bad = await app.inject({ url: `/api/reports/questionnaires/${quiz}/sites?pageSize=0`, headers: auth });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().error.message, /pageSize/);
});

t.test('study record: lectures completed, hours watched, quiz results', async (t) => {
  const { s, tokens, quiz } = await setup();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const start = provinceTime(Date.now(), 1, 9);
  const res = await postBatch(app, tokens[1], {
    sentAt: Date.now(),
    sessions: [
      session({
        id: 'w1',
        programId: 1,
        start,
        end: start + 3600_000,
        watchedSeconds: 3500,
        members: [{ memberNo: 'M1', watchedSeconds: 3500 }],
      }),
      session({
        id: 'w2',
        programId: 2,
        start: start + 4000_000,
        end: start + 7600_000,
        watchedSeconds: 1800,
        members: [
          { memberNo: 'M1', watchedSeconds: 1800 },
          { memberNo: 'M2', watchedSeconds: 1800 },
        ],
      }),
    ],
  });
  t.same(res.json().accepted.sort(), ['w1', 'w2']);
  const east = await userAuth(app, 'org-east', 'organizer', 2);
  const r = (await app.inject({ url: '/api/reports/study', headers: east })).json();
  t.same(
    r.members.map(
      (m: { memberNo: string; lecturesCompleted: number; watchedHours: number; quizzesTaken: number; quizzesPassed: number }) => [
        m.memberNo,
        m.lecturesCompleted,
        m.watchedHours,
        m.quizzesTaken,
        m.quizzesPassed,
      ],
    ),
    [
      ['M1', 1, 1.47, 1, 1],
      ['M2', 0, 0.5, 1, 0],
    ],
  );
  t.same(r.members[0].quizzes, [{ questionnaireId: quiz, title: QUIZ.title, score: 0.6667, passed: true }]);
  const all = (await app.inject({ url: '/api/reports/study', headers: auth })).json();
  t.same(
    all.members.map((m: { memberNo: string }) => m.memberNo),
    ['M1', 'M2', 'M3'],
  );
  const csv = await app.inject({ url: '/api/reports/study?format=csv', headers: east });
  t.ok(csv.body.startsWith('\uFEFF'));
  t.notMatch(csv.body, /李四/);
  t.equal((await app.inject({ url: '/api/reports/study?regionId=3', headers: east })).statusCode, 403);
  t.equal((await app.inject({ url: '/api/reports/study?from=2026-13-01', headers: east })).statusCode, 400);
});

t.test('demand: most wanted topics from surveys beside requests, ranked by count', async (t) => {
  const { s, tokens } = await setup();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const req = await app.inject({
    method: 'POST',
    url: '/api/sites/me/requests',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { programId: 1, topic: '养猪' },
  });
  t.equal(req.statusCode, 201, req.body);
  const r = (await app.inject({ url: '/api/reports/demand', headers: auth })).json();
  t.same(
    r.wantedTopics.map((x: { topic: string; count: number; sites: number }) => [x.topic, x.count, x.sites]),
    [
      ['agriculture-tech', 8, 2],
      ['laws-regulations', 4, 1],
      ['party-history', 1, 1],
    ],
  );
  t.equal(r.wantedTopics[0].zh, '现代农业与科技');
  t.same(
    r.requestedPrograms.map((x: { programId: number; count: number }) => [x.programId, x.count]),
    [[1, 1]],
  );
  t.same(
    r.requestedTopics.map((x: { topic: string }) => x.topic),
    ['养猪'],
  );
  const west = await userAuth(app, 'org-west', 'organizer', 3);
  const w = (await app.inject({ url: '/api/reports/demand', headers: west })).json();
  t.same(
    w.wantedTopics.map((x: { topic: string; count: number }) => [x.topic, x.count]),
    [
      ['agriculture-tech', 1],
      ['party-history', 1],
    ],
  );
  t.same(w.requestedPrograms, [], 'requests from another region stay hidden');
});
