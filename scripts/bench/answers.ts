// Benchmark: questionnaire answers stored per second through HTTP on a real socket (acknowledged after commit),
// against attendance sessions through the same server in the same run; then the results report of a survey
// holding a million answers, against a plain GROUP BY over the same answers (what the report would cost
// without its per-option tallies).
//
//   node --import tsx scripts/bench/answers.ts [--http 50000] [--answers 1000000] [--concurrency 4]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import type { Db } from '../../server/db/connection.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { insertQuestionnaire, publishQuestionnaire } from '../../server/questionnaires/store.ts';
import { makeAnswerIngest } from '../../server/questionnaires/ingest.ts';
import type { Answer } from '../../common/api/questionnaires.ts';
import { benchArg, bodies, fmt, loadNote, seedSites, sessions, SITES, uploader, type UploadBody } from './site-uploads.ts';

const HTTP_TOTAL = benchArg('http', 50_000);
const REPORT_TOTAL = benchArg('answers', 1_000_000);
const CONCURRENCY = benchArg('concurrency', 4);
const BATCH = 500;

function seedSurvey(db: Db): number {
  const now = new Date().toISOString();
  const survey = insertQuestionnaire(
    db,
    {
      kind: 'survey',
      title: '需求调查',
      programId: null,
      opensAt: null,
      closesAt: null,
      passMark: null,
      regionIds: [],
      questions: [
        { type: 'single', text: 'a', options: ['1', '2', '3', '4'] },
        { type: 'multiple', text: 'b', options: ['1', '2', '3', '4', '5'] },
        { type: 'rating', text: 'c', options: [] },
        { type: 'topics', text: 'd', options: ['political-theory', 'party-history', 'agriculture-tech', 'practical-skills'] },
        { type: 'single', text: 'e', options: ['yes', 'no'] },
      ],
    },
    now,
  );
  publishQuestionnaire(db, survey, now);
  return survey;
}

/** `count` answers of one site, in the last 2 days: 4 in 5 by a member, 1 in 5 by a room. */
function answers(prefix: string, survey: number, count: number, now: number): Answer[] {
  return Array.from({ length: count }, (_, i) => {
    const answeredAt = now - ((i * 7919) % (2 * 86_400_000));
    const responses: Answer['responses'] =
      i % 5 === 0
        ? [
            { question: 0, counts: [3, 2, 1, 0] },
            { question: 3, counts: [4, 1, 0, 2] },
            { question: 2, counts: [0, 1, 2, 2, 1] },
          ]
        : [
            { question: 0, choices: [i % 4] },
            { question: 1, choices: [i % 5, (i + 2) % 5] },
            { question: 2, rating: 1 + (i % 5) },
            { question: 3, choices: [i % 4] },
            { question: 4, choices: [i % 2] },
          ];
    return i % 5 === 0
      ? { id: `${prefix}-${i}`, questionnaireId: survey, answeredAt, room: { headcount: 6 }, responses }
      : { id: `${prefix}-${i}`, questionnaireId: survey, answeredAt, memberNo: `M${i % 997}`, responses };
  });
}

const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-answers-'));
const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false });
const app = await buildApp(config, { logger: false });
await ensureAdmin(app.db, 'bench-admin-password');
const { tokens, countyOfSite } = seedSites(app.db);
const survey = seedSurvey(app.db);
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;
const now = Date.now();
const perSite = Math.ceil(HTTP_TOTAL / SITES);

console.log(
  `answers ingest: ${HTTP_TOTAL} answers and ${HTTP_TOTAL} attendance sessions from ${SITES} sites, ` +
    `batches of ${BATCH}, ${CONCURRENCY} concurrent uploads (answers: 5 questions, 1 in 5 by a room); ${loadNote()}`,
);
const sessionBodies: UploadBody[] = [];
const answerBodies: UploadBody[] = [];
for (let s = 0; s < SITES; s++) {
  sessionBodies.push(...bodies(tokens[s], sessions(`s${s}`, perSite, now, 1), BATCH, (part) => ({ sentAt: Date.now(), sessions: part })));
  answerBodies.push(...bodies(tokens[s], answers(`h${s}`, survey, perSite, now), BATCH, (part) => ({ sentAt: Date.now(), answers: part })));
}
const up = uploader(port, CONCURRENCY);
const att = await up.upload('/api/sites/me/attendance', sessionBodies);
const ans = await up.upload('/api/sites/me/answers', answerBodies);
up.close();
if (ans.acked !== count(app.db, 'questionnaire_answers')) {
  throw new Error(`acknowledged ${ans.acked} answers but stored ${count(app.db, 'questionnaire_answers')}`);
}
console.log(
  `HTTP: answers ${fmt(ans.rate)}/s, attendance sessions ${fmt(att.rate)}/s (same server, same run); ` +
    `ratio answers/sessions = ${(ans.rate / att.rate).toFixed(2)} (aim: 20,000 answers/s); CPU per 1,000: answers ` +
    `${ans.cpuMsPer1000.toFixed(0)} ms, sessions ${att.cpuMsPer1000.toFixed(0)} ms; ${loadNote()}`,
);

// Fill up to REPORT_TOTAL answers through the ingest itself (no HTTP: only the report is timed below).
const ingest = makeAnswerIngest(app.db, config.provinceTz);
let have = count(app.db, 'questionnaire_answers');
const t0 = performance.now();
for (let round = 0; have < REPORT_TOTAL; round++) {
  for (let s = 0; s < SITES && have < REPORT_TOTAL; s++) {
    const batch = answers(`r${round}-${s}`, survey, Math.min(BATCH, REPORT_TOTAL - have), now);
    const r = ingest({ id: s + 1, pathRegionIds: [1, countyOfSite(s + 1)] }, { sentAt: now, answers: batch }, now);
    have += r.accepted.length;
  }
}
console.log(
  `filled to ${fmt(have)} answers in ${((performance.now() - t0) / 1000).toFixed(1)} s ` +
    `(${fmt((have - ans.acked) / ((performance.now() - t0) / 1000))} answers/s without HTTP)`,
);

const login = await app.inject({
  method: 'POST',
  url: '/api/auth/login',
  payload: { username: 'admin', password: 'bench-admin-password' },
});
const auth = { authorization: `Bearer ${login.json().token as string}` };
const timed = async (fn: () => Promise<unknown> | unknown, runs = 3) => {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
};
const reportMs = await timed(async () => {
  const res = await app.inject({ url: `/api/reports/questionnaires/${survey}`, headers: auth });
  if (res.statusCode !== 200) throw new Error(res.body);
});
const csvMs = await timed(() => app.inject({ url: `/api/reports/questionnaires/${survey}?format=html`, headers: auth }));
const scanMs = await timed(() =>
  app.db
    .prepare('SELECT site_id, count(*), sum(headcount) FROM questionnaire_answers WHERE questionnaire_id = ? GROUP BY site_id')
    .all(survey),
);
console.log(
  `results report over ${fmt(have)} answers: JSON ${reportMs.toFixed(0)} ms, HTML ${csvMs.toFixed(0)} ms (aim < 1,000 ms); ` +
    `${loadNote()}; ` +
    `a bare GROUP BY over the same answers ${scanMs.toFixed(0)} ms; the report is ${(scanMs / reportMs).toFixed(0)}x faster than the scan`,
);

await app.close();
fs.rmSync(dataDir, { recursive: true, force: true });
