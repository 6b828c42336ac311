// Writing questionnaires through the API: round trip, checks with messages, publishing, answered ones fixed,
// who may write and who may read.
import t from 'tap';
import { makeServer, userAuth } from '../../../testkit/helpers.ts';
import { QUIZ, SURVEY, createPublished, memberAnswer, postAnswers, seedTree } from './fixtures.ts';

t.test('round trip: create, read, list, patch, publish, delete', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  seedTree(app.db);
  const created = await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload: { ...SURVEY, regionIds: [2] } });
  t.equal(created.statusCode, 201, created.body);
  const q = created.json();
  t.match(q, { kind: 'survey', title: SURVEY.title, status: 'draft', regionIds: [2], answers: 0, programId: null, passMark: null });
  t.same(q.questions[2], { type: 'rating', text: '上次课程满意度', options: [] });
  t.same(
    q.questions[3].topics.map((x: { id: string }) => x.id),
    ['agriculture-tech', 'laws-regulations', 'party-history'],
  );
  t.equal(q.questions[3].topics[0].zh, '现代农业与科技');

  const topicsDefault = await app.inject({
    method: 'POST',
    url: '/api/questionnaires',
    headers: auth,
    payload: {
      kind: 'survey',
      title: 'x',
      questions: [{ type: 'topics', text: '主题' }],
    },
  });
  t.equal(topicsDefault.json().questions[0].options.length, 8, 'a topics question without options offers every category');

  const got = await app.inject({ url: `/api/questionnaires/${q.id}`, headers: auth });
  t.same(got.json(), q);
  const list = await app.inject({ url: '/api/questionnaires?kind=survey&limit=1', headers: auth });
  t.equal(list.json().total, 2);
  t.equal(list.json().items.length, 1);
  t.equal(list.json().items[0].id, topicsDefault.json().id, 'newest first');

  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/questionnaires/${q.id}`,
    headers: auth,
    payload: { title: '学习需求调查（修订）', closesAt: '2099-01-01T00:00:00Z' },
  });
  t.equal(patched.statusCode, 200, patched.body);
  t.equal(patched.json().title, '学习需求调查（修订）');
  t.equal(patched.json().closesAt, '2099-01-01T00:00:00.000Z');
  t.same(patched.json().questions, q.questions, 'questions untouched');

  const pub = await app.inject({ method: 'POST', url: `/api/questionnaires/${q.id}/publish`, headers: auth });
  t.equal(pub.json().status, 'published');
  t.ok(pub.json().publishedAt);

  const del = await app.inject({ method: 'DELETE', url: `/api/questionnaires/${q.id}`, headers: auth });
  t.equal(del.statusCode, 204);
  t.equal((await app.inject({ url: `/api/questionnaires/${q.id}`, headers: auth })).statusCode, 404);
});

t.test('checks answer 400 with a message naming what to fix', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  seedTree(app.db);
  const cases: Array<[string, unknown, RegExp]> = [
    ['quiz without program', { ...QUIZ, programId: undefined }, /give programId/],
    ['quiz without pass mark', { ...QUIZ, passMark: undefined }, /needs passMark/],
    [
      'quiz question without correct',
      { ...QUIZ, questions: [{ type: 'single', text: 'a', options: ['x', 'y'] }] },
      /Question 1: .*right answer/,
    ],
    [
      'correct out of range',
      { ...QUIZ, questions: [{ type: 'single', text: 'a', options: ['x', 'y'], correct: [2] }] },
      /correct answer 2 is not an option/,
    ],
    [
      'single with two right answers',
      { ...QUIZ, questions: [{ type: 'single', text: 'a', options: ['x', 'y'], correct: [0, 1] }] },
      /exactly one right answer/,
    ],
    ['rating in a quiz', { ...QUIZ, questions: [{ type: 'rating', text: 'a' }] }, /single or multiple/],
    ['rating with options', { ...SURVEY, questions: [{ type: 'rating', text: 'a', options: ['x'] }] }, /no options/],
    ['one option', { ...SURVEY, questions: [{ type: 'single', text: 'a', options: ['x'] }] }, /at least 2 options/],
    ['duplicate option', { ...SURVEY, questions: [{ type: 'multiple', text: 'a', options: ['x', 'x'] }] }, /appears twice/],
    [
      'unknown topic',
      { ...SURVEY, questions: [{ type: 'topics', text: 'a', options: ['cooking'] }] },
      /"cooking" is not a topic.*political-theory/,
    ],
    [
      'correct in a survey',
      { ...SURVEY, questions: [{ type: 'single', text: 'a', options: ['x', 'y'], correct: [0] }] },
      /belong to quizzes/,
    ],
    ['pass mark in a survey', { ...SURVEY, passMark: 50 }, /quizzes only/],
    [
      'window backwards',
      { ...SURVEY, opensAt: '2030-01-02T00:00:00Z', closesAt: '2030-01-01T00:00:00Z' },
      /closesAt must be after opensAt/,
    ],
    ['unknown program', { ...QUIZ, programId: 999 }, /programId 999 is not a lecture/],
    ['unknown region', { ...SURVEY, regionIds: [99] }, /regionId 99 does not exist/],
    ['no questions', { ...SURVEY, questions: [] }, /questions/],
  ];
  for (const [name, payload, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload: payload as object });
    t.equal(res.statusCode, 400, `${name}: ${res.body}`);
    t.match(res.json().error.message, message, name);
  }
  t.equal((app.db.prepare('SELECT count(*) AS n FROM questionnaires').get() as { n: number }).n, 0, 'nothing stored');
});

t.test('answered questionnaires keep their questions; title and window may still change; delete refused', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  const { tokens } = seedTree(app.db);
  const id = await createPublished(app, auth, QUIZ);
  const before = await app.inject({
    method: 'PATCH',
    url: `/api/questionnaires/${id}`,
    headers: auth,
    payload: { questions: [{ type: 'single', text: '3+3=?', options: ['6', '7'], correct: [0] }] },
  });
  t.equal(before.statusCode, 200, 'published without answers: questions may change');
  await postAnswers(app, tokens[1], [memberAnswer('a1', id, 'M1', [{ question: 0, choices: [0] }])]);
  const res = await app.inject({
    method: 'PATCH',
    url: `/api/questionnaires/${id}`,
    headers: auth,
    payload: { questions: [{ type: 'single', text: '3+3=?', options: ['6', '8'], correct: [0] }] },
  });
  t.equal(res.statusCode, 409);
  t.equal(res.json().error.code, 'questionnaire_answered');
  t.match(res.json().error.message, /1 answers.*Title, regions, window and pass mark may still change/);
  const same = await app.inject({
    method: 'PATCH',
    url: `/api/questionnaires/${id}`,
    headers: auth,
    payload: { title: '新标题', closesAt: new Date(Date.now() + 3600_000).toISOString(), passMark: 80 },
  });
  t.equal(same.statusCode, 200, same.body);
  t.equal(same.json().passMark, 80);
  const del = await app.inject({ method: 'DELETE', url: `/api/questionnaires/${id}`, headers: auth });
  t.equal(del.statusCode, 409);
  t.match(del.json().error.message, /close it instead/);
});

t.test('organizers read published questionnaires reaching their region and write nothing', async (t) => {
  const s = await makeServer();
  t.teardown(() => s.close());
  const { app, auth } = s;
  seedTree(app.db);
  const east = await userAuth(app, 'org-east', 'organizer', 2);
  const forEast = await createPublished(app, auth, { ...SURVEY, title: 'east', regionIds: [5] });
  const forWest = await createPublished(app, auth, { ...SURVEY, title: 'west', regionIds: [3] });
  const forAll = await createPublished(app, auth, { ...SURVEY, title: 'all' });
  const draft = (await app.inject({ method: 'POST', url: '/api/questionnaires', headers: auth, payload: SURVEY })).json().id;
  const list = await app.inject({ url: '/api/questionnaires', headers: east });
  t.same(
    list
      .json()
      .items.map((x: { id: number }) => x.id)
      .sort(),
    [forEast, forAll].sort(),
  );
  t.equal((await app.inject({ url: `/api/questionnaires/${forWest}`, headers: east })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/questionnaires/${draft}`, headers: east })).statusCode, 404);
  t.equal((await app.inject({ url: `/api/questionnaires/${forEast}`, headers: east })).statusCode, 200);
  const write = await app.inject({ method: 'POST', url: '/api/questionnaires', headers: east, payload: SURVEY });
  t.equal(write.statusCode, 403);
  t.equal((await app.inject({ method: 'POST', url: `/api/questionnaires/${forEast}/publish`, headers: east })).statusCode, 403);
  t.equal((await app.inject({ url: '/api/questionnaires' })).statusCode, 401);
});
