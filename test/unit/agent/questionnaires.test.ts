// Questionnaires at the site agent: the kiosk's POST /local/answers through HTTP (app.inject) on a real SQLite
// queue file, the answer rules, and delivery to a real HTTP server with the attendance uploader's protocol
// (acknowledge after commit, resend counted once, Retry-After honoured, a queue reopened after a restart).
import t, { type Test } from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { createQuestionnaires, type SiteAnswer } from '../../../player/agent/questionnaires/index.ts';
import type { ManifestQuestionnaire } from '../../../common/manifest.ts';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const HOUR = 3_600_000;

const survey: ManifestQuestionnaire = {
  id: 1,
  kind: 'survey',
  title: 'What do you want to learn?',
  programId: null,
  opensAt: T0 - HOUR,
  closesAt: T0 + HOUR,
  passMark: null,
  questions: [
    { type: 'single', text: 'How often do you watch?', options: ['Daily', 'Weekly', 'Rarely'] },
    { type: 'multiple', text: 'Which topics?', options: ['Farming', 'Health', 'Law', 'History'] },
    { type: 'rating', text: 'How useful are the lectures?', options: [] },
  ],
};
const quiz: ManifestQuestionnaire = {
  id: 2,
  kind: 'quiz',
  title: 'Lecture 7 quiz',
  programId: 7,
  opensAt: null,
  closesAt: null,
  passMark: 60,
  questions: [
    { type: 'single', text: 'Q1', options: ['a', 'b', 'c'], correct: [1] },
    { type: 'multiple', text: 'Q2', options: ['a', 'b', 'c'], correct: [0, 2] },
  ],
};

interface Received {
  bodies: Array<{ sentAt: number; answers: SiteAnswer[] }>;
  held: Set<string>;
}

/** A stand-in for the server's answers endpoint on a real socket: holds ids, answers like the contract. */
async function answersServer(t: Test, behave: (n: number) => { status: number; retryAfter?: string } | null = () => null) {
  const got: Received = { bodies: [], held: new Set() };
  let n = 0;
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      n++;
      const forced = behave(n);
      if (forced) {
        res.writeHead(forced.status, {
          'content-type': 'application/json',
          ...(forced.retryAfter ? { 'retry-after': forced.retryAfter } : {}),
        });
        res.end(JSON.stringify({ error: { code: 'busy', message: 'try later' } }));
        return;
      }
      t.equal(req.url, '/api/sites/me/answers');
      t.equal(req.headers.authorization, 'Bearer site-token');
      const body = JSON.parse(text) as Received['bodies'][number];
      got.bodies.push(body);
      for (const a of body.answers) got.held.add(a.id);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: body.answers.map((a) => a.id), rejected: [], clockOffsetMs: 0 }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  return { got, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls: () => n };
}

async function site(t: Test, opts: { dir?: string; serverUrl?: string; now?: () => number } = {}) {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-answers-'));
  if (!opts.dir) t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const qs = createQuestionnaires({
    dataDir: dir,
    serverUrl: opts.serverUrl ?? 'http://127.0.0.1:9',
    getToken: () => 'site-token',
    clock: opts.now ?? (() => T0),
    log: pino({ level: 'silent' }),
    entries: () => [survey, quiz],
    backoff: { baseMs: 10, capMs: 50, jitter: 0 },
  });
  const app = Fastify();
  await app.register(qs.plugin);
  t.teardown(async () => {
    await app.close();
    await qs.stop();
  });
  return { qs, app, dir };
}

const memberQuiz = (id: string, choices: number[][]) => ({
  id,
  questionnaireId: 2,
  memberNo: ' 1001 ',
  responses: choices.map((c, question) => ({ question, choices: c })),
});

t.test('the kiosk lists what reached the site, with whether each takes answers now', async (t) => {
  const { app } = await site(t);
  const res = await app.inject({ method: 'GET', url: '/local/questionnaires' });
  t.equal(res.statusCode, 200);
  const list = res.json() as Array<{ id: number; kind: string; open: boolean; questions: Array<{ options: string[] }> }>;
  t.same(
    list.map((q) => [q.id, q.kind, q.open]),
    [
      [1, 'survey', true],
      [2, 'quiz', true],
    ],
  );
  t.same(list[0]!.questions[2]!.options, [], 'a rating has no option texts');
});

t.test('a member answer is queued once, stamped with the agent clock, and a quiz answer is scored', async (t) => {
  const { app, qs } = await site(t);
  const first = await app.inject({ method: 'POST', url: '/local/answers', payload: memberQuiz('ans-1', [[1], [2, 0]]) });
  t.equal(first.statusCode, 201);
  t.same(first.json(), { id: 'ans-1', queued: true, answeredAt: T0, score: { correct: 2, total: 2, percent: 100, passed: true } });
  const again = await app.inject({ method: 'POST', url: '/local/answers', payload: memberQuiz('ans-1', [[1], [2, 0]]) });
  t.equal(again.statusCode, 200, 'a retry with the same id');
  t.equal(again.json().queued, false);
  t.equal(qs.queue.counts().pending, 1, 'counted once');
  const stored = qs.queue.batch(10)[0]!;
  t.equal(stored.memberNo, '1001', 'spaces a card reader adds are removed');
  const failed = await app.inject({ method: 'POST', url: '/local/answers', payload: memberQuiz('ans-2', [[0], [2]]) });
  t.same(failed.json().score, { correct: 0, total: 2, percent: 0, passed: false });
});

t.test('bad answers are refused with a reason that says what to fix, and nothing is queued', async (t) => {
  const { app, qs } = await site(t);
  const post = (payload: object) => app.inject({ method: 'POST', url: '/local/answers', payload });
  const cases: Array<[string, object, number, string]> = [
    [
      'unknown question',
      { id: 'b1', questionnaireId: 1, memberNo: '1001', responses: [{ question: 5, choices: [0] }] },
      400,
      'unknown_question',
    ],
    [
      'option out of range',
      { id: 'b2', questionnaireId: 1, memberNo: '1001', responses: [{ question: 0, choices: [3] }] },
      400,
      'option_out_of_range',
    ],
    [
      'two options to a single question',
      { id: 'b3', questionnaireId: 1, memberNo: '1001', responses: [{ question: 0, choices: [0, 1] }] },
      400,
      'malformed',
    ],
    ['rating 6', { id: 'b4', questionnaireId: 1, memberNo: '1001', responses: [{ question: 2, rating: 6 }] }, 400, 'rating_out_of_range'],
    [
      'more hands than people on a single choice',
      { id: 'b5', questionnaireId: 1, room: { headcount: 10 }, responses: [{ question: 0, counts: [6, 5, 0] }] },
      400,
      'count_exceeds_headcount',
    ],
    [
      'a count above the headcount on a multiple choice',
      { id: 'b6', questionnaireId: 1, room: { headcount: 10 }, responses: [{ question: 1, counts: [11, 0, 0, 0] }] },
      400,
      'count_exceeds_headcount',
    ],
    ['neither member nor room', { id: 'b7', questionnaireId: 1, responses: [] }, 400, 'malformed'],
    ['a bad member number', { id: 'b8', questionnaireId: 1, memberNo: 'no way!', responses: [] }, 400, 'bad_member'],
    ['unknown questionnaire', { id: 'b9', questionnaireId: 99, memberNo: '1001', responses: [] }, 404, 'unknown_questionnaire'],
    ['not JSON-schema valid', { id: 'b10', questionnaireId: 1, memberNo: '1001', responses: [{ question: -1 }] }, 400, 'bad_request'],
  ];
  for (const [what, payload, status, code] of cases) {
    const res = await post(payload);
    t.equal(res.statusCode, status, what);
    const err = (res.json() as { error?: { code: string; message: string } }).error;
    if (code !== 'bad_request') t.equal(err?.code, code, what);
    t.ok(err && err.message.length > 10, `${what}: ${err?.message}`);
  }
  const room = await post({
    id: 'ok-room',
    questionnaireId: 1,
    room: { headcount: 10 },
    responses: [
      { question: 0, counts: [6, 4, 0] },
      { question: 1, counts: [10, 10, 3, 0] },
    ],
  });
  t.equal(room.statusCode, 201, 'a room whose hands add up is taken');
  t.equal(qs.queue.counts().pending, 1, 'only the good answer is queued');
});

t.test('outside the window: refused at the kiosk, yet an answer made while open is delivered after it closed', async (t) => {
  let now = T0 + 2 * HOUR;
  const server = await answersServer(t);
  const { app, qs } = await site(t, { now: () => now, serverUrl: server.url });
  const late = await app.inject({
    method: 'POST',
    url: '/local/answers',
    payload: { id: 'late', questionnaireId: 1, memberNo: '1001', responses: [] },
  });
  t.equal(late.statusCode, 409);
  t.equal(late.json().error.code, 'outside_window');
  now = T0; // open: answered offline, the window closes before the uplink returns
  t.equal(
    (
      await app.inject({
        method: 'POST',
        url: '/local/answers',
        payload: { id: 'in-time', questionnaireId: 1, memberNo: '1001', responses: [{ question: 0, choices: [0] }] },
      })
    ).statusCode,
    201,
  );
  now = T0 + 3 * HOUR;
  const r = await qs.flushNow();
  t.same(r, { accepted: 1, rejected: 0 });
  t.equal(server.got.bodies[0]!.answers[0]!.answeredAt, T0, 'answeredAt is when it was made, not when it was sent');
  t.equal(server.got.bodies[0]!.sentAt, T0 + 3 * HOUR);
  const retry = await app.inject({
    method: 'POST',
    url: '/local/answers',
    payload: { id: 'in-time', questionnaireId: 1, memberNo: '1001', responses: [] },
  });
  t.equal(retry.statusCode, 200, 'a late kiosk retry of a delivered answer is acknowledged, not refused or queued');
  t.equal(retry.json().queued, false);
});

t.test('delivery: kept until acknowledged, Retry-After honoured, survives a restart, never sent twice once acked', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-answers-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const server = await answersServer(t, (n) => (n === 1 ? { status: 503, retryAfter: '120' } : null));
  const first = await site(t, { dir, serverUrl: server.url });
  for (const id of ['r1', 'r2', 'r3']) {
    t.equal((await first.app.inject({ method: 'POST', url: '/local/answers', payload: memberQuiz(id, [[1], [0]]) })).statusCode, 201);
  }
  const refused = await first.qs.flushNow();
  t.match(refused.error, /HTTP 503/);
  t.equal(first.qs.uploader.status.retryAfterMs, 120_000, 'the wait the server asked for is kept');
  t.equal(first.qs.queue.counts().pending, 3, 'nothing lost on a refusal');
  const state = (await first.app.inject({ method: 'GET', url: '/local/answers' })).json();
  t.equal(state.pending, 3);
  t.match(state.upload.lastError, /503/);
  // The agent restarts with the answers still queued: they are read back from disk.
  await first.app.close();
  await first.qs.stop();
  const second = await site(t, { dir, serverUrl: server.url });
  t.equal(second.qs.queue.counts().pending, 3, 'the queue survives the restart');
  t.same(await second.qs.flushNow(), { accepted: 3, rejected: 0 });
  t.same(await second.qs.flushNow(), { accepted: 0, rejected: 0 }, 'nothing left to send');
  t.equal(server.got.bodies.length, 1, 'one batch after the refusal, none after the acknowledgement');
  t.same([...server.got.held].sort(), ['r1', 'r2', 'r3']);
  t.same((await second.app.inject({ method: 'GET', url: '/local/answers' })).json().delivered, 3);
});
