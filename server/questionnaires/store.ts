// The questionnaires domain's data module: the only SQL on questionnaires, questionnaire_regions,
// questionnaire_answers and questionnaire_counts. Times are epoch ms in the tables; the API shows ISO strings.
import type { Db } from '../db/connection.ts';
import type { QuestionnaireKind, QuestionnaireStatus } from '../../common/api/questionnaires.ts';
import type { StoredQuestion } from './rules.ts';

export interface QuestionnaireRow {
  id: number;
  kind: QuestionnaireKind;
  title: string;
  programId: number | null;
  opensAt: number | null;
  closesAt: number | null;
  passMark: number | null;
  status: QuestionnaireStatus;
  publishedAt: string | null;
  questions: string;
  answers: number;
  createdAt: string;
  updatedAt: string;
}

export interface Questionnaire extends Omit<QuestionnaireRow, 'questions'> {
  questions: StoredQuestion[];
  regionIds: number[];
}

/** The fields an operator writes. */
export interface QuestionnaireFields {
  kind: QuestionnaireKind;
  title: string;
  programId: number | null;
  opensAt: number | null;
  closesAt: number | null;
  passMark: number | null;
  questions: StoredQuestion[];
  regionIds: number[];
}

const COLS = `id, kind, title, program_id AS programId, opens_at AS opensAt, closes_at AS closesAt, pass_mark AS passMark,
  status, published_at AS publishedAt, questions, answers, created_at AS createdAt, updated_at AS updatedAt`;

const parse = (db: Db, r: QuestionnaireRow): Questionnaire => ({
  ...r,
  questions: JSON.parse(r.questions) as StoredQuestion[],
  regionIds: regionIdsOf(db, r.id),
});

function regionIdsOf(db: Db, id: number): number[] {
  return db
    .prepare<[number], { regionId: number }>(
      'SELECT region_id AS regionId FROM questionnaire_regions WHERE questionnaire_id = ? ORDER BY region_id',
    )
    .all(id)
    .map((r) => r.regionId);
}

function setRegions(db: Db, id: number, regionIds: number[]): void {
  db.prepare<[number]>('DELETE FROM questionnaire_regions WHERE questionnaire_id = ?').run(id);
  const add = db.prepare<[number, number]>('INSERT OR IGNORE INTO questionnaire_regions (questionnaire_id, region_id) VALUES (?, ?)');
  for (const r of regionIds) add.run(id, r);
}

export function getQuestionnaire(db: Db, id: number): Questionnaire | undefined {
  const r = db.prepare<[number], QuestionnaireRow>(`SELECT ${COLS} FROM questionnaires WHERE id = ?`).get(id);
  return r && parse(db, r);
}

export function insertQuestionnaire(db: Db, f: QuestionnaireFields, nowIso: string): number {
  return db.transaction(() => {
    const info = db
      .prepare(`INSERT INTO questionnaires (kind, title, program_id, opens_at, closes_at, pass_mark, questions,
        created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
      .run(f.kind, f.title, f.programId, f.opensAt, f.closesAt, f.passMark, JSON.stringify(f.questions), nowIso, nowIso);
    const id = Number(info.lastInsertRowid);
    setRegions(db, id, f.regionIds);
    return id;
  })();
}

/**
 * Writes the fields; when `questionsChanged` (kind, program or questions differ) they are only written if the questionnaire
 * still has no answers (checked in the same statement, so an answer arriving meanwhile wins). False: it has answers.
 */
export function updateQuestionnaire(db: Db, id: number, f: QuestionnaireFields, questionsChanged: boolean, nowIso: string): boolean {
  return db.transaction(() => {
    const guard = questionsChanged ? ' AND answers = 0' : '';
    const info = db
      .prepare(`UPDATE questionnaires SET kind = ?, title = ?, program_id = ?, opens_at = ?, closes_at = ?,
        pass_mark = ?, questions = ?, updated_at = ? WHERE id = ?${guard}`)
      .run(f.kind, f.title, f.programId, f.opensAt, f.closesAt, f.passMark, JSON.stringify(f.questions), nowIso, id);
    if (info.changes === 0) return false;
    setRegions(db, id, f.regionIds);
    return true;
  })();
}

export function publishQuestionnaire(db: Db, id: number, nowIso: string): void {
  db.prepare(`UPDATE questionnaires SET status = 'published', published_at = coalesce(published_at, ?), updated_at = ?
    WHERE id = ?`).run(nowIso, nowIso, id);
}

/** Deletes a questionnaire without answers; false when answers arrived (they are never thrown away). */
export function deleteQuestionnaire(db: Db, id: number): boolean {
  return db.prepare<[number]>('DELETE FROM questionnaires WHERE id = ? AND answers = 0').run(id).changes > 0;
}

export interface ListFilter {
  kind?: QuestionnaireKind;
  status?: QuestionnaireStatus;
  programId?: number;
  q?: string;
  /** Only questionnaires reaching one of these regions (or every site); null = no reach filter. */
  reachRegionIds: number[] | null;
  limit: number;
  offset: number;
}

export function listQuestionnaires(db: Db, f: ListFilter): { total: number; items: Questionnaire[] } {
  const where: string[] = [];
  const args: Record<string, string | number> = { limit: f.limit, offset: f.offset };
  if (f.kind) {
    where.push('kind = @kind');
    args.kind = f.kind;
  }
  if (f.status) {
    where.push('status = @status');
    args.status = f.status;
  }
  if (f.programId != null) {
    where.push('program_id = @programId');
    args.programId = f.programId;
  }
  if (f.q) {
    where.push("title LIKE @q ESCAPE '\\'");
    args.q = `%${f.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  }
  if (f.reachRegionIds) {
    where.push(reaches('@regions'));
    args.regions = JSON.stringify(f.reachRegionIds);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare<[typeof args], { n: number }>(`SELECT count(*) AS n FROM questionnaires q ${w}`).get(args)?.n ?? 0;
  const rows = db
    .prepare<[typeof args], QuestionnaireRow>(`SELECT ${COLS} FROM questionnaires q ${w} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
    .all(args);
  return { total, items: rows.map((r) => parse(db, r)) };
}

/** SQL: questionnaire q reaches every site, or one of the regions in the JSON array parameter. */
const reaches = (param: string) => `(NOT EXISTS (SELECT 1 FROM questionnaire_regions qr WHERE qr.questionnaire_id = q.id)
  OR EXISTS (SELECT 1 FROM questionnaire_regions qr WHERE qr.questionnaire_id = q.id
             AND qr.region_id IN (SELECT value FROM json_each(${param}))))`;

/**
 * Published questionnaires reaching a site whose region path holds these ids (its region and ancestors) and whose
 * window touches [from, to]: not opening after `to`, not closed before `from`.
 */
export function reachingQuestionnaires(db: Db, pathRegionIds: number[], from: number, to: number): Questionnaire[] {
  return db
    .prepare<[{ regions: string; from: number; to: number }], QuestionnaireRow>(
      `SELECT ${COLS} FROM questionnaires q WHERE status = 'published' AND ${reaches('@regions')}
       AND (opens_at IS NULL OR opens_at <= @to) AND (closes_at IS NULL OR closes_at >= @from) ORDER BY id`,
    )
    .all({ regions: JSON.stringify(pathRegionIds), from, to })
    .map((r) => parse(db, r));
}

/** These published questionnaires, if they reach a site with these path region ids (any window). */
export function publishedForSite(db: Db, ids: number[], pathRegionIds: number[]): Questionnaire[] {
  return db
    .prepare<[{ ids: string; regions: string }], QuestionnaireRow>(
      `SELECT ${COLS} FROM questionnaires q WHERE id IN (SELECT value FROM json_each(@ids)) AND status = 'published'
       AND ${reaches('@regions')}`,
    )
    .all({ ids: JSON.stringify(ids), regions: JSON.stringify(pathRegionIds) })
    .map((r) => parse(db, r));
}

/** Changes whenever a questionnaire or its reach changes (the site manifest drops its cached parts then). */
export function questionnairesFingerprint(db: Db): string {
  const a = db
    .prepare<[], { n: number; m: string | null; p: number }>(
      "SELECT count(*) AS n, max(updated_at) AS m, total(status = 'published') AS p FROM questionnaires",
    )
    .get();
  const b = db
    .prepare<[], { n: number; s: number }>(
      'SELECT count(*) AS n, total(questionnaire_id * 7919 + region_id) AS s FROM questionnaire_regions',
    )
    .get();
  return JSON.stringify([a, b]);
}

// ---------- answers ----------

export interface AnswerRow {
  siteId: number;
  answerId: string;
  questionnaireId: number;
  memberNo: string | null;
  headcount: number;
  answeredAt: number;
  day: string;
  digest: string;
  right: number | null;
  receivedAt: number;
}

export interface TallyRow {
  questionnaireId: number;
  siteId: number;
  day: string;
  question: number;
  option: number;
  n: number;
}

/** Statements that store answers; the caller runs them inside its transaction. Positional binding: the hot path. */
export function answerStatements(db: Db) {
  const insert = db.prepare<[number, string, number, string | null, number, number, string, string, number | null, number]>(
    `INSERT INTO questionnaire_answers (site_id, answer_id, questionnaire_id, member_no, headcount, answered_at, day, digest,
      right_count, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site_id, answer_id) DO NOTHING`,
  );
  const prior = db.prepare<[number, string], { questionnaireId: number; digest: string }>(
    'SELECT questionnaire_id AS questionnaireId, digest FROM questionnaire_answers WHERE site_id = ? AND answer_id = ?',
  );
  const tally = db.prepare<[number, number, string, number, number, number]>(`INSERT INTO questionnaire_counts
      (questionnaire_id, site_id, day, question, option, count) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (questionnaire_id, site_id, day, question, option) DO UPDATE SET count = count + excluded.count`);
  const countAnswers = db.prepare<[number, number]>('UPDATE questionnaires SET answers = answers + ? WHERE id = ?');
  return {
    /** True when the row is new; false when (site, id) was stored before. */
    insert: (r: AnswerRow) =>
      insert.run(r.siteId, r.answerId, r.questionnaireId, r.memberNo, r.headcount, r.answeredAt, r.day, r.digest, r.right, r.receivedAt)
        .changes > 0,
    prior: (siteId: number, answerId: string) => prior.get(siteId, answerId),
    tally: (r: TallyRow) => tally.run(r.questionnaireId, r.siteId, r.day, r.question, r.option, r.n),
    countAnswers: (id: number, n: number) => countAnswers.run(n, id),
  };
}

// ---------- reports ----------

export interface CountRow {
  siteId: number;
  question: number;
  option: number;
  count: number;
}

/** Summed tallies of a questionnaire per site (every site when siteIds is null). */
export function countsBySite(db: Db, id: number, siteIds: number[] | null): CountRow[] {
  const f = siteIds ? 'AND site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db
    .prepare<[{ id: number; sites: string }], CountRow>(
      `SELECT site_id AS siteId, question, option, sum(count) AS count FROM questionnaire_counts
      WHERE questionnaire_id = @id ${f} GROUP BY site_id, question, option`,
    )
    .all({ id, sites: JSON.stringify(siteIds ?? []) });
}

/** SQL: answer a of quiz q reaches q's current pass mark (right / questions >= passMark %). */
const PASSED = 'a.right_count * 100 >= q.pass_mark * json_array_length(q.questions)';

export interface QuizSiteTotals {
  siteId: number;
  members: number;
  passed: number;
}

/** A quiz per site: distinct members who answered and those whose best attempt passes. */
export function quizTotalsBySite(db: Db, id: number, siteIds: number[] | null): QuizSiteTotals[] {
  const f = siteIds ? 'AND a.site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db
    .prepare<[{ id: number; sites: string }], QuizSiteTotals>(
      `SELECT a.site_id AS siteId, count(DISTINCT a.member_no) AS members, count(DISTINCT CASE WHEN ${PASSED} THEN a.member_no END) AS passed
       FROM questionnaire_answers a JOIN questionnaires q ON q.id = a.questionnaire_id
      WHERE a.questionnaire_id = @id AND a.member_no IS NOT NULL ${f} GROUP BY a.site_id`,
    )
    .all({ id, sites: JSON.stringify(siteIds ?? []) });
}

export interface MemberScoreRow {
  memberNo: string;
  siteId: number;
  attempts: number;
  right: number;
  passed: number;
  answeredAt: number;
}

/**
 * A quiz's member answers, one row per (member, site): the best attempt (most right, then earliest), by site then
 * member number; `page` picks rows [offset, offset + limit) of that order (all when absent).
 */
export function memberScores(db: Db, id: number, siteIds: number[] | null, page?: { limit: number; offset: number }): MemberScoreRow[] {
  const f = siteIds ? 'AND a.site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db
    .prepare<[{ id: number; sites: string; limit: number; offset: number }], MemberScoreRow>(
      `SELECT memberNo, siteId, attempts, right, passed, answeredAt FROM (
       SELECT a.member_no AS memberNo, a.site_id AS siteId, count(*) OVER w AS attempts, a.right_count AS right,
              (${PASSED}) AS passed, a.answered_at AS answeredAt,
              row_number() OVER (w ORDER BY a.right_count DESC, a.answered_at) AS rn
         FROM questionnaire_answers a JOIN questionnaires q ON q.id = a.questionnaire_id
        WHERE a.questionnaire_id = @id AND a.member_no IS NOT NULL ${f}
       WINDOW w AS (PARTITION BY a.member_no, a.site_id))
     WHERE rn = 1 ORDER BY siteId, memberNo LIMIT @limit OFFSET @offset`,
    )
    .all({ id, sites: JSON.stringify(siteIds ?? []), limit: page?.limit ?? -1, offset: page?.offset ?? 0 });
}

/** How many rows memberScores has in all: distinct (member, site) with an answer. */
export function memberScoreCount(db: Db, id: number, siteIds: number[] | null): number {
  const f = siteIds ? 'AND site_id IN (SELECT value FROM json_each(@sites))' : '';
  return (
    db
      .prepare<[{ id: number; sites: string }], { n: number }>(
        `SELECT count(*) AS n FROM (SELECT DISTINCT member_no, site_id FROM questionnaire_answers
      WHERE questionnaire_id = @id AND member_no IS NOT NULL ${f})`,
      )
      .get({ id, sites: JSON.stringify(siteIds ?? []) })?.n ?? 0
  );
}

export interface MemberQuizRow {
  memberNo: string;
  siteId: number;
  questionnaireId: number;
  title: string;
  right: number;
  passed: number;
  questionCount: number;
}

/** Members' best quiz attempts answered in [fromMs, toMs) at these sites (every site when null). */
export function memberQuizResults(db: Db, siteIds: number[] | null, fromMs: number, toMs: number): MemberQuizRow[] {
  const f = siteIds ? 'AND a.site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db
    .prepare<[{ sites: string; from: number; to: number }], MemberQuizRow>(
      `SELECT a.member_no AS memberNo, a.site_id AS siteId, a.questionnaire_id AS questionnaireId, q.title,
            max(a.right_count) AS right, max(${PASSED}) AS passed, json_array_length(q.questions) AS questionCount
       FROM questionnaire_answers a JOIN questionnaires q ON q.id = a.questionnaire_id
      WHERE q.kind = 'quiz' AND a.member_no IS NOT NULL AND a.answered_at >= @from AND a.answered_at < @to ${f}
      GROUP BY a.member_no, a.site_id, a.questionnaire_id ORDER BY a.questionnaire_id`,
    )
    .all({ sites: JSON.stringify(siteIds ?? []), from: fromMs, to: toMs });
}

export interface TopicVoteRow {
  topic: string;
  siteId: number;
  count: number;
  lastDay: string;
}

/** Topics chosen in published surveys' topics questions, per site (every site when null). */
export function topicVotes(db: Db, siteIds: number[] | null): TopicVoteRow[] {
  const f = siteIds ? 'AND c.site_id IN (SELECT value FROM json_each(@sites))' : '';
  return db
    .prepare<[{ sites: string }], TopicVoteRow>(
      `SELECT json_extract(q.questions, '$[' || c.question || '].options[' || c.option || ']') AS topic, c.site_id AS siteId,
            sum(c.count) AS count, max(c.day) AS lastDay
       FROM questionnaire_counts c JOIN questionnaires q ON q.id = c.questionnaire_id
      WHERE q.kind = 'survey' AND c.option >= 0
        AND CASE WHEN c.question >= 0 THEN json_extract(q.questions, '$[' || c.question || '].type') END = 'topics' ${f}
      GROUP BY topic, c.site_id`,
    )
    .all({ sites: JSON.stringify(siteIds ?? []) });
}
