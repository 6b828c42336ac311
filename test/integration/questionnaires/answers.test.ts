// Answers from sites: exactly once by (site, id), reasons for refusals, the window (answers made while open are
// taken after close), member rolls, and the manifest carrying what reaches the site.
import t from 'tap';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeServer } from '../../../testkit/helpers.ts';
import { QUIZ, SURVEY, createPublished, memberAnswer, postAnswers, roomAnswer, seedTree } from './fixtures.ts';

const counts = (app: import('fastify').FastifyInstance) => ({
  answers: (app.db.prepare('SELECT count(*) AS n FROM questionnaire_answers').get() as { n: number }).n,
  tally: (app.db.prepare('SELECT coalesce(sum(count), 0) AS n FROM questionnaire_counts WHERE question >= 0').get() as { n: number }).n,
});

t.test('a resend and a concurrent duplicate are stored once; refusals carry reasons', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const { tokens } = seedTree(app.db);
  const id = await createPublished(app, auth, SURVEY);
  const draft = (await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload: SURVEY })).json().id;
  const good = [
    memberAnswer('m-1', id, 'M001', [
      { question: 0, choices: [1] },
      { question: 2, rating: 4 },
    ]),
    roomAnswer('r-1', id, 10, [
      { question: 0, counts: [3, 5, 2] },
      { question: 1, counts: [10, 4, 0] },
    ]),
  ];
  const bad = [
    memberAnswer('x-draft', draft, 'M001', [{ question: 0, choices: [0] }]),
    memberAnswer('x-question', id, 'M001', [{ question: 9, choices: [0] }]),
    memberAnswer('x-option', id, 'M001', [{ question: 0, choices: [3] }]),
    roomAnswer('x-count', id, 4, [{ question: 1, counts: [5, 0, 0] }]),
    roomAnswer('x-sum', id, 4, [{ question: 0, counts: [2, 2, 1] }]),
    memberAnswer('x-rating', id, 'M001', [{ question: 2, rating: 6 }]),
    memberAnswer('x-future', id, 'M001', [{ question: 0, choices: [0] }], Date.now() + 3600_000),
    { ...memberAnswer('x-both', id, 'M001', [{ question: 0, choices: [0] }]), room: { headcount: 3 } },
    memberAnswer('x-two', id, 'M001', [{ question: 0, choices: [0, 1] }]),
  ];
  const res = await postAnswers(app, tokens[1], [...good, ...bad]);
  t.equal(res.statusCode, 200, res.body);
  t.same(res.json().accepted.sort(), ['m-1', 'r-1']);
  t.same(Object.fromEntries(res.json().rejected.map((r: { id: string; reason: string }) => [r.id, r.reason])), {
    'x-draft': 'unknown_questionnaire',
    'x-question': 'unknown_question',
    'x-option': 'option_out_of_range',
    'x-count': 'count_exceeds_headcount',
    'x-sum': 'count_exceeds_headcount',
    'x-rating': 'rating_out_of_range',
    'x-future': 'in_future',
    'x-both': 'malformed',
    'x-two': 'malformed',
  });
  for (const r of res.json().rejected) t.ok(r.message.length > 10, `${r.id}: ${r.message}`);
  const once = counts(app);
  // member: q0 respondent+choice, q2 respondent+rating = 4; room: q0 10+10, q1 10+14 = 44
  t.same(once, { answers: 2, tally: 48 });

  const again = await postAnswers(app, tokens[1], good);
  t.same(again.json().accepted.sort(), ['m-1', 'r-1'], 'a resend is acknowledged');
  const [a, b] = await Promise.all([postAnswers(app, tokens[1], good), postAnswers(app, tokens[1], good)]);
  t.same(a.json().accepted.sort(), ['m-1', 'r-1']);
  t.same(b.json().accepted.sort(), ['m-1', 'r-1']);
  t.same(counts(app), once, 'nothing counted twice');
  const q = await app.inject({ url: `/api/questionnaires/${id}`, headers: auth });
  t.equal(q.json().answers, 2);

  const conflict = await postAnswers(app, tokens[1], [memberAnswer('m-1', id, 'M001', [{ question: 0, choices: [2] }])]);
  t.equal(conflict.json().rejected[0].reason, 'id_conflict');
  t.same(counts(app), once, 'the first version is kept');

  const otherSite = await postAnswers(app, tokens[2], [good[0]]);
  t.same(otherSite.json().accepted, ['m-1'], 'ids are per site');
  t.equal(counts(app).answers, 3);
});

t.test('window: made while open is taken after close; made after close or before opening is refused', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const { tokens } = seedTree(app.db);
  const now = Date.now();
  const id = await createPublished(app, auth, {
    ...SURVEY,
    opensAt: new Date(now - 3 * 86_400_000).toISOString(),
    closesAt: new Date(now - 86_400_000).toISOString(),
  });
  // The site's clock runs 5 minutes fast: its times are corrected by sentAt.
  const skew = 5 * 60_000;
  const r = [{ question: 0, choices: [0] }];
  const res = await postAnswers(
    app,
    tokens[1],
    [
      memberAnswer('offline-while-open', id, 'M1', r, now - 2 * 86_400_000 + skew),
      memberAnswer('after-close', id, 'M1', r, now - 86_400_000 + 3600_000 + skew),
      memberAnswer('before-open', id, 'M1', r, now - 4 * 86_400_000 + skew),
    ],
    now + skew,
  );
  t.same(res.json().accepted, ['offline-while-open']);
  t.same(
    res.json().rejected.map((x: { reason: string }) => x.reason),
    ['outside_window', 'outside_window'],
  );
  t.match(res.json().rejected[0].message, /after the questionnaire closed at/);
  t.ok(Math.abs(res.json().clockOffsetMs + skew) < 5000);
});

t.test("members: another site's roll refused; unknown numbers refused once the site has a roll", async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const { tokens } = seedTree(app.db);
  const id = await createPublished(app, auth, QUIZ);
  const r = [{ question: 0, choices: [1] }];
  const noRoll = await postAnswers(app, tokens[1], [memberAnswer('n1', id, 'ANY-1', r)]);
  t.same(noRoll.json().accepted, ['n1'], 'a site without a roll: taken unverified, as attendance does');
  const now = new Date().toISOString();
  const ins = app.db.prepare('INSERT INTO members (member_no, name, site_id, imported_at) VALUES (?, ?, ?, ?)');
  ins.run('M1', '张三', 1, now);
  ins.run('M3', '李四', 3, now);
  const res = await postAnswers(app, tokens[1], [
    memberAnswer('a1', id, ' M1 ', r),
    memberAnswer('a2', id, 'M3', r),
    memberAnswer('a3', id, 'M-TYPO', r),
  ]);
  t.same(res.json().accepted, ['a1']);
  t.same(
    res.json().rejected.map((x: { reason: string }) => x.reason),
    ['member_of_other_site', 'unknown_member'],
  );
});

t.test('bad bodies are 400s naming the field; no token is 401', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app } = s;
  const { tokens } = seedTree(app.db);
  const noToken = await app.inject({ method: 'POST', url: '/api/sites/me/answers', payload: { sentAt: 1, answers: [] } });
  t.equal(noToken.statusCode, 401);
  const bad = await app.inject({
    method: 'POST',
    url: '/api/sites/me/answers',
    headers: { authorization: `Bearer ${tokens[1]}` },
    payload: { sentAt: Date.now(), answers: [{ id: 'a', questionnaireId: 'x', answeredAt: 1, responses: [] }] },
  });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().error.message, /questionnaireId/);
});

t.test('the manifest carries published questionnaires reaching the site, and its ETag moves on publishing', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const { tokens } = seedTree(app.db);
  const site1 = { authorization: `Bearer ${tokens[1]}` };
  const first = await app.inject({ url: '/api/sites/me/manifest', headers: site1 });
  t.equal(first.statusCode, 200, first.body);
  t.same(first.json().questionnaires, []);
  const east = await createPublished(app, auth, { ...SURVEY, title: 'east', regionIds: [2] });
  await createPublished(app, auth, { ...SURVEY, title: 'west', regionIds: [3] });
  await createPublished(app, auth, { ...SURVEY, title: 'next month', opensAt: new Date(Date.now() + 30 * 86_400_000).toISOString() });
  await createPublished(app, auth, {
    ...SURVEY,
    title: 'long closed',
    closesAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
    opensAt: new Date(Date.now() - 60 * 86_400_000).toISOString(),
  });
  const quiz = await createPublished(app, auth, QUIZ);
  await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload: { ...SURVEY, title: 'draft' } });
  await sleep(1100); // the manifest re-reads what it is built from at most once a second
  const next = await app.inject({ url: '/api/sites/me/manifest', headers: site1 });
  t.not(next.headers.etag, first.headers.etag);
  const got = next.json().questionnaires;
  t.same(
    got.map((q: { id: number }) => q.id),
    [east, quiz],
  );
  t.match(got[1], { kind: 'quiz', programId: 1, passMark: 60, opensAt: null, closesAt: null });
  t.same(got[1].questions[0], { type: 'single', text: '1+1=?', options: ['1', '2', '3'], correct: [1] });
  t.equal(got[0].questions[3].topics[2].zh, '党史学习');
  const west = await app.inject({ url: '/api/sites/me/manifest', headers: { authorization: `Bearer ${tokens[3]}` } });
  t.same(
    west.json().questionnaires.map((q: { title: string }) => q.title),
    ['west', QUIZ.title],
  );
});
