// Benchmark: questionnaire answers stored per second through HTTP on a real socket (acknowledged after commit),
// against attendance sessions through the same server in the same run; then the results report of a survey
// holding a million answers, against a plain GROUP BY over the same answers (what the report would cost
// without its per-option tallies).
//
//   node --import tsx scripts/bench/answers.ts [--http 50000] [--answers 1000000] [--concurrency 4]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/app.ts';
import type { Db } from '../../server/db/connection.ts';
import { hashToken } from '../../server/auth/tokens.ts';
import { ensureAdmin } from '../../server/auth/users.ts';
import { insertQuestionnaire, publishQuestionnaire } from '../../server/questionnaires/store.ts';
import { makeAnswerIngest } from '../../server/questionnaires/ingest.ts';
import type { Answer } from '../../common/api/questionnaires.ts';
import type { AttendanceSession } from '../../common/attendance.ts';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const HTTP_TOTAL = arg('http', 50_000);
const REPORT_TOTAL = arg('answers', 1_000_000);
const CONCURRENCY = arg('concurrency', 4);
const BATCH = 500;
const SITES = 50;

function seed(db: Db): { tokens: string[]; survey: number } {
  const now = new Date().toISOString();
  const region = db.prepare('INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  region.run(1, null, '省', 'province', '/1/', now, now);
  for (let c = 0; c < 5; c++) region.run(2 + c, 1, `县${c}`, 'county', `/1/${2 + c}/`, now, now);
  const site = db.prepare('INSERT INTO sites (id, name, region_id, token_hash, paired_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const tokens: string[] = [];
  for (let i = 1; i <= SITES; i++) {
    tokens.push(`bench-token-${i}`);
    site.run(i, `站点${i}`, 2 + (i % 5), hashToken(`bench-token-${i}`), now, now, now);
  }
  const program = db.prepare("INSERT INTO programs (id, title, status, duration, created_at, updated_at) VALUES (?, ?, 'ready', 3600, ?, ?)");
  for (let i = 1; i <= 20; i++) program.run(i, `节目${i}`, now, now);
  const survey = insertQuestionnaire(db, {
    kind: 'survey', title: '需求调查', programId: null, opensAt: null, closesAt: null, passMark: null, regionIds: [],
    questions: [
      { type: 'single', text: 'a', options: ['1', '2', '3', '4'] },
      { type: 'multiple', text: 'b', options: ['1', '2', '3', '4', '5'] },
      { type: 'rating', text: 'c', options: [] },
      { type: 'topics', text: 'd', options: ['political-theory', 'party-history', 'agriculture-tech', 'practical-skills'] },
      { type: 'single', text: 'e', options: ['yes', 'no'] },
    ],
  }, now);
  publishQuestionnaire(db, survey, now);
  return { tokens, survey };
}

/** `count` answers of one site, in the last 2 days: 4 in 5 by a member, 1 in 5 by a room. */
function answers(prefix: string, survey: number, count: number, now: number): Answer[] {
  return Array.from({ length: count }, (_, i) => {
    const answeredAt = now - ((i * 7919) % (2 * 86_400_000));
    const responses: Answer['responses'] = i % 5 === 0
      ? [{ question: 0, counts: [3, 2, 1, 0] }, { question: 3, counts: [4, 1, 0, 2] }, { question: 2, counts: [0, 1, 2, 2, 1] }]
      : [{ question: 0, choices: [i % 4] }, { question: 1, choices: [i % 5, (i + 2) % 5] }, { question: 2, rating: 1 + (i % 5) },
        { question: 3, choices: [i % 4] }, { question: 4, choices: [i % 2] }];
    return i % 5 === 0
      ? { id: `${prefix}-${i}`, questionnaireId: survey, answeredAt, room: { headcount: 6 }, responses }
      : { id: `${prefix}-${i}`, questionnaireId: survey, answeredAt, memberNo: `M${i % 997}`, responses };
  });
}

function sessions(prefix: string, count: number, now: number): AttendanceSession[] {
  return Array.from({ length: count }, (_, i) => {
    const start = now - 3 * 86_400_000 + ((i * 7919) % (2 * 86_400_000));
    return {
      id: `${prefix}-${i}`, programId: 1 + (i % 20), mode: i % 2 ? 'ondemand' : 'broadcast', channelId: null,
      start, end: start + 1800_000, watchedSeconds: 1500, headcount: 1 + (i % 7),
      members: i % 3 === 0 ? [{ memberNo: `M${i % 500}`, watchedSeconds: 1400 }] : [],
    };
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
function post(port: number, url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path: url, agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${res.statusCode} ${text}`));
        const r = JSON.parse(text) as { accepted: string[]; rejected: unknown[] };
        if (r.rejected.length) return reject(new Error(`refused: ${JSON.stringify(r.rejected[0])}`));
        resolve(r.accepted.length);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Items per second stored and acknowledged, uploading pre-serialised batches with CONCURRENCY connections. */
async function upload(port: number, url: string, bodies: Array<{ token: string; body: string }>): Promise<{ rate: number; acked: number }> {
  let next = 0, acked = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < bodies.length) {
      const b = bodies[next++];
      const n = await post(port, url, b.token, b.body); // not `acked += await`: that reads acked before waiting
      acked += n;
    }
  }));
  return { rate: acked / ((performance.now() - t0) / 1000), acked };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-answers-'));
const config = loadConfig({}, { dataDir, logLevel: 'error', startWorkers: false, demo: false });
const app = await buildApp(config, { logger: false });
await ensureAdmin(app.db, 'bench-admin-password');
const { tokens, survey } = seed(app.db);
await app.listen({ host: '127.0.0.1', port: 0 });
const port = (app.server.address() as AddressInfo).port;
const now = Date.now();
const perSite = Math.ceil(HTTP_TOTAL / SITES);

console.log(`answers ingest: ${HTTP_TOTAL} answers and ${HTTP_TOTAL} attendance sessions from ${SITES} sites, `
  + `batches of ${BATCH}, ${CONCURRENCY} concurrent uploads (answers: 5 questions, 1 in 5 by a room)`);
const sessionBodies: Array<{ token: string; body: string }> = [];
const answerBodies: Array<{ token: string; body: string }> = [];
for (let s = 0; s < SITES; s++) {
  const ss = sessions(`s${s}`, perSite, now);
  const as = answers(`h${s}`, survey, perSite, now);
  for (let i = 0; i < perSite; i += BATCH) {
    sessionBodies.push({ token: tokens[s], body: JSON.stringify({ sentAt: Date.now(), sessions: ss.slice(i, i + BATCH) }) });
    answerBodies.push({ token: tokens[s], body: JSON.stringify({ sentAt: Date.now(), answers: as.slice(i, i + BATCH) }) });
  }
}
const att = await upload(port, '/api/sites/me/attendance', sessionBodies);
const ans = await upload(port, '/api/sites/me/answers', answerBodies);
if (ans.acked !== count(app.db, 'questionnaire_answers')) {
  throw new Error(`acknowledged ${ans.acked} answers but stored ${count(app.db, 'questionnaire_answers')}`);
}
console.log(`HTTP: answers ${fmt(ans.rate)}/s, attendance sessions ${fmt(att.rate)}/s (same server, same run); `
  + `ratio answers/sessions = ${(ans.rate / att.rate).toFixed(2)} (aim: 20,000 answers/s)`);

// Fill up to REPORT_TOTAL answers through the ingest itself (no HTTP: only the report is timed below).
const ingest = makeAnswerIngest(app.db, config.provinceTz);
let have = count(app.db, 'questionnaire_answers');
const t0 = performance.now();
for (let round = 0; have < REPORT_TOTAL; round++) {
  for (let s = 0; s < SITES && have < REPORT_TOTAL; s++) {
    const batch = answers(`r${round}-${s}`, survey, Math.min(BATCH, REPORT_TOTAL - have), now);
    const r = await ingest({ id: s + 1, pathRegionIds: [1, 2 + ((s + 1) % 5)] }, { sentAt: now, answers: batch }, now);
    have += r.accepted.length;
  }
}
console.log(`filled to ${fmt(have)} answers in ${((performance.now() - t0) / 1000).toFixed(1)} s `
  + `(${fmt((have - ans.acked) / ((performance.now() - t0) / 1000))} answers/s without HTTP)`);

const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'bench-admin-password' } });
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
const scanMs = await timed(() => app.db.prepare(
  'SELECT site_id, count(*), sum(headcount) FROM questionnaire_answers WHERE questionnaire_id = ? GROUP BY site_id',
).all(survey));
console.log(`results report over ${fmt(have)} answers: JSON ${reportMs.toFixed(0)} ms, HTML ${csvMs.toFixed(0)} ms (aim < 1,000 ms); `
  + `a bare GROUP BY over the same answers ${scanMs.toFixed(0)} ms; the report is ${(scanMs / reportMs).toFixed(0)}x faster than the scan`);

await app.close();
agent.destroy();
fs.rmSync(dataDir, { recursive: true, force: true });
