// Pure builders of the questionnaire reports: tallies, totals and scores in, the JSON report and its tables out.
import type {
  QuestionResult,
  QuestionnaireReport,
  QuizMemberResult,
  QuizSiteResult,
  StudyMember,
  TopicDemand,
} from '../../common/api/questionnaires.ts';
import { COMPLETED_SHARE, RATING_MAX, RATING_MIN } from '../../common/api/questionnaires.ts';
import type { Table } from '../attendance/render.ts';
import { byDemand } from '../sites/requests.ts';
import { ANSWERS, MEMBER_ANSWERS, PEOPLE, RESPONDENTS, RIGHT, TOTALS } from './answer-check.ts';
import { topicNames, type StoredQuestion } from './rules.ts';
import type { CountRow, MemberQuizRow, MemberScoreRow, Questionnaire, QuizSiteTotals, TopicVoteRow } from './store.ts';

export interface SiteInfo {
  id: number;
  name: string;
  regionId: number;
}
export interface RegionInfo {
  id: number;
  name: string;
  path: string;
}
export interface RollInfo {
  memberNo: string;
  name: string;
  siteId: number;
}

const ratio = (n: number, d: number): number | null => (d > 0 ? Math.round((n / d) * 10_000) / 10_000 : null);

/** Option labels of a question (rating: the values; topics: "中文 / English"). */
export function optionLabels(q: StoredQuestion): string[] {
  if (q.type === 'rating') return Array.from({ length: RATING_MAX - RATING_MIN + 1 }, (_, i) => String(RATING_MIN + i));
  if (q.type === 'topics')
    return q.options.map((id) => {
      const t = topicNames(id);
      return `${t.zh} / ${t.en}`;
    });
  return q.options;
}

/**
 * The region a site's answers are shown under: the region one level below the report's root on the site's path
 * (the root itself for a site placed right at it).
 */
export function groupRegion(sitePath: string, rootDepth: number): number {
  const ids = sitePath.split('/').filter(Boolean).map(Number);
  return ids[rootDepth] ?? ids[ids.length - 1];
}

export interface ReportInput {
  q: Questionnaire;
  rootId: number | null;
  /** Regions at this depth of the tree (0 = top level) are the report's by-region rows. */
  rootDepth: number;
  sites: SiteInfo[];
  regions: RegionInfo[];
  counts: CountRow[];
  /** Quiz: members and passes per site. */
  quizTotals: QuizSiteTotals[];
  scores: MemberScoreRow[];
  roll: RollInfo[];
  now: number;
}

export function buildQuestionnaireReport(i: ReportInput): QuestionnaireReport {
  const regionById = new Map(i.regions.map((r) => [r.id, r]));
  const groupOf = new Map(i.sites.map((s) => [s.id, groupRegion(regionById.get(s.regionId)?.path ?? `/${s.regionId}/`, i.rootDepth)]));
  const questions: QuestionResult[] = i.q.questions.map((question, index) => {
    const labels = optionLabels(question);
    const counts = new Array<number>(labels.length).fill(0);
    let respondents = 0,
      right = 0;
    const byRegion = new Map<number, { respondents: number; counts: number[] }>();
    for (const c of i.counts) {
      if (c.question !== index) continue;
      const g = groupOf.get(c.siteId);
      let region = g === undefined ? undefined : byRegion.get(g);
      if (g !== undefined && !region) byRegion.set(g, (region = { respondents: 0, counts: new Array<number>(labels.length).fill(0) }));
      if (c.option === RESPONDENTS) {
        respondents += c.count;
        if (region) region.respondents += c.count;
      } else if (c.option === RIGHT) right += c.count;
      else if (c.option < labels.length) {
        counts[c.option] += c.count;
        if (region) region.counts[c.option] += c.count;
      }
    }
    const result: QuestionResult = {
      index,
      type: question.type,
      text: question.text,
      respondents,
      options: labels.map((text, k) => ({ index: k, text, count: counts[k], share: ratio(counts[k], respondents) })),
      byRegion: [...byRegion]
        .map(([regionId, r]) => ({ regionId, regionName: regionById.get(regionId)?.name ?? String(regionId), ...r }))
        .sort((a, b) => a.regionName.localeCompare(b.regionName, 'zh-CN') || a.regionId - b.regionId),
    };
    if (question.type === 'rating') {
      const n = counts.reduce((s, c) => s + c, 0);
      result.ratingAverage = n ? Math.round((counts.reduce((s, c, k) => s + c * (RATING_MIN + k), 0) / n) * 100) / 100 : null;
    }
    if (question.correct) {
      result.correct = question.correct;
      result.correctShare = ratio(right, respondents);
    }
    return result;
  });
  const perSite = siteTotals(i.counts);
  const totals = [...perSite.values()];
  const sum = (f: (t: { answers: number; memberAnswers: number; people: number }) => number) => totals.reduce((s, t) => s + f(t), 0);
  const report: QuestionnaireReport = {
    questionnaire: {
      id: i.q.id,
      kind: i.q.kind,
      title: i.q.title,
      programId: i.q.programId,
      passMark: i.q.passMark,
      opensAt: i.q.opensAt == null ? null : new Date(i.q.opensAt).toISOString(),
      closesAt: i.q.closesAt == null ? null : new Date(i.q.closesAt).toISOString(),
    },
    regionId: i.rootId,
    generatedAt: new Date(i.now).toISOString(),
    totals: {
      answers: sum((t) => t.answers),
      memberAnswers: sum((t) => t.memberAnswers),
      roomAnswers: sum((t) => t.answers - t.memberAnswers),
      people: sum((t) => t.people),
      sites: perSite.size,
    },
    questions,
  };
  if (i.q.kind === 'quiz') {
    report.quiz = {
      passMark: i.q.passMark ?? 100,
      passRate: ratio(
        i.quizTotals.reduce((s, t) => s + t.passed, 0),
        i.quizTotals.reduce((s, t) => s + t.members, 0),
      ),
      sites: quizSiteResults(perSite, i.quizTotals, i.sites),
      members: quizMemberResults(i.q, i.scores, i.roll, i.sites),
    };
  }
  return report;
}

interface SiteTotals {
  answers: number;
  memberAnswers: number;
  people: number;
}

/** Whole-answer tallies per site (question TOTALS), so no report scans the answers themselves. */
export function siteTotals(counts: CountRow[]): Map<number, SiteTotals> {
  const perSite = new Map<number, SiteTotals>();
  for (const c of counts) {
    if (c.question !== TOTALS) continue;
    const t = perSite.get(c.siteId) ?? { answers: 0, memberAnswers: 0, people: 0 };
    if (c.option === ANSWERS) t.answers += c.count;
    else if (c.option === MEMBER_ANSWERS) t.memberAnswers += c.count;
    else if (c.option === PEOPLE) t.people += c.count;
    perSite.set(c.siteId, t);
  }
  return perSite;
}

/** A quiz's pass rate per site that answered it, by site id. */
export function quizSiteResults(perSite: Map<number, SiteTotals>, quizTotals: QuizSiteTotals[], sites: SiteInfo[]): QuizSiteResult[] {
  const siteById = new Map(sites.map((s) => [s.id, s]));
  const quizBySite = new Map(quizTotals.map((t) => [t.siteId, t]));
  return [...perSite]
    .map(([siteId, t]) => {
      const members = quizBySite.get(siteId)?.members ?? 0;
      const passed = quizBySite.get(siteId)?.passed ?? 0;
      return {
        siteId,
        siteName: siteById.get(siteId)?.name ?? `#${siteId}`,
        regionId: siteById.get(siteId)?.regionId ?? 0,
        members,
        passed,
        passRate: ratio(passed, members),
        roomAnswers: t.answers - t.memberAnswers,
      };
    })
    .sort((a, b) => a.siteId - b.siteId);
}

/** Members' best attempts at a quiz, named from the roll when they are on their site's roll. */
export function quizMemberResults(q: Questionnaire, scores: MemberScoreRow[], roll: RollInfo[], sites: SiteInfo[]): QuizMemberResult[] {
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const onRoll = new Map(roll.map((m) => [m.memberNo, m]));
  const count = q.questions.length;
  return scores.map((s) => {
    const r = onRoll.get(s.memberNo);
    const verified = r?.siteId === s.siteId;
    return {
      memberNo: s.memberNo,
      name: verified ? r!.name : null,
      siteId: s.siteId,
      siteName: siteName.get(s.siteId) ?? `#${s.siteId}`,
      verified,
      attempts: s.attempts,
      right: s.right,
      questionCount: count,
      score: ratio(s.right, count) ?? 0,
      passed: s.passed === 1,
      answeredAt: new Date(s.answeredAt).toISOString(),
    };
  });
}

/** CSV/HTML of a questionnaire report: answers per option (with a bar chart per question), or a quiz's sites or members. */
export function questionnaireTable(r: QuestionnaireReport, list: 'questions' | 'sites' | 'members', scope: string): Table {
  const title = `${r.questionnaire.kind === 'quiz' ? 'Quiz / 测验' : 'Survey / 问卷'}: ${r.questionnaire.title}`;
  const notes = [
    `Region / 区域: ${scope}`,
    `Answers / 答卷: ${r.totals.answers} (members / 个人 ${r.totals.memberAnswers}, rooms / 集体 ${r.totals.roomAnswers}), ` +
      `people / 人数 ${r.totals.people}, sites / 站点 ${r.totals.sites}`,
  ];
  if (r.quiz) {
    const rate = r.quiz.passRate == null ? '—' : `${Math.round(r.quiz.passRate * 100)}%`;
    notes.push(`Pass mark / 及格线: ${r.quiz.passMark}%, pass rate / 通过率: ${rate}`);
  }
  if (list === 'sites' && r.quiz) {
    return {
      title,
      notes,
      columns: [
        { key: 'siteName', label: 'Site / 站点' },
        { key: 'members', label: 'Members / 人数', kind: 'number' },
        { key: 'passed', label: 'Passed / 通过', kind: 'number' },
        { key: 'passRate', label: 'Pass rate / 通过率', kind: 'percent' },
        { key: 'roomAnswers', label: 'Room answers / 集体作答', kind: 'number' },
      ],
      rows: r.quiz.sites.map((s) => ({ ...s })),
      chart: { title: 'Pass rate by site / 各站点通过率', labelKey: 'siteName', valueKey: 'passRate', unit: '', percent: true, max: 1 },
    };
  }
  if (list === 'members' && r.quiz) {
    return {
      title,
      notes,
      columns: [
        { key: 'memberNo', label: 'Member no. / 编号' },
        { key: 'name', label: 'Name / 姓名' },
        { key: 'siteName', label: 'Site / 站点' },
        { key: 'right', label: 'Right / 答对', kind: 'number' },
        { key: 'questionCount', label: 'Questions / 题数', kind: 'number' },
        { key: 'score', label: 'Score / 得分', kind: 'percent' },
        { key: 'passed', label: 'Passed / 通过', kind: 'bool' },
        { key: 'attempts', label: 'Attempts / 次数', kind: 'number' },
        { key: 'answeredAt', label: 'Answered / 作答时间' },
      ],
      rows: r.quiz.members.map((m) => ({ ...m, verified: m.verified })),
    };
  }
  const rows = r.questions.flatMap((q) =>
    q.options.map((o) => ({
      question: q.index + 1,
      text: q.text,
      option: o.text,
      count: o.count,
      share: o.share,
      right: q.correct ? q.correct.includes(o.index) : null,
    })),
  );
  return {
    title,
    notes,
    columns: [
      { key: 'question', label: 'No. / 题号', kind: 'number' },
      { key: 'text', label: 'Question / 题目' },
      { key: 'option', label: 'Option / 选项' },
      { key: 'count', label: 'Count / 人数', kind: 'number' },
      { key: 'share', label: 'Share / 占比', kind: 'percent' },
      ...(r.quiz ? [{ key: 'right', label: 'Right answer / 正确答案', kind: 'bool' as const }] : []),
    ],
    rows,
    charts: r.questions.map((q) => ({
      title: `${q.index + 1}. ${q.text}`,
      labelKey: 'option',
      valueKey: 'count',
      unit: '',
      data: q.options.map((o) => ({ label: o.text, value: o.count })),
    })),
  };
}

export interface StudyInput {
  sites: SiteInfo[];
  roll: RollInfo[];
  watch: Array<{ memberNo: string; siteId: number; watchedSeconds: number }>;
  programWatch: Array<{ memberNo: string; siteId: number; programId: number; watchedSeconds: number }>;
  durations: Map<number, number | null>;
  quizzes: MemberQuizRow[];
}

/** Per member and site: lectures completed, hours watched and quiz results; roll members with nothing appear too. */
export function buildStudy(i: StudyInput): StudyMember[] {
  const siteName = new Map(i.sites.map((s) => [s.id, s.name]));
  const roll = new Map(i.roll.map((m) => [m.memberNo, m]));
  const rows = new Map<string, StudyMember>();
  const row = (memberNo: string, siteId: number): StudyMember => {
    const key = `${memberNo}\u0000${siteId}`;
    let r = rows.get(key);
    if (!r) {
      const onRoll = roll.get(memberNo);
      const verified = onRoll?.siteId === siteId;
      r = {
        memberNo,
        name: verified ? onRoll!.name : null,
        siteId,
        siteName: siteName.get(siteId) ?? `#${siteId}`,
        verified,
        lecturesCompleted: 0,
        watchedHours: 0,
        quizzesTaken: 0,
        quizzesPassed: 0,
        quizzes: [],
      };
      rows.set(key, r);
    }
    return r;
  };
  for (const m of i.roll) row(m.memberNo, m.siteId);
  for (const w of i.watch) row(w.memberNo, w.siteId).watchedHours += w.watchedSeconds / 3600;
  for (const w of i.programWatch) {
    const d = i.durations.get(w.programId);
    if (d && w.watchedSeconds >= d * COMPLETED_SHARE) row(w.memberNo, w.siteId).lecturesCompleted++;
  }
  for (const q of i.quizzes) {
    const r = row(q.memberNo, q.siteId);
    r.quizzesTaken++;
    if (q.passed === 1) r.quizzesPassed++;
    const score = ratio(q.right, q.questionCount) ?? 0;
    r.quizzes.push({ questionnaireId: q.questionnaireId, title: q.title, score, passed: q.passed === 1 });
  }
  for (const r of rows.values()) r.watchedHours = Math.round(r.watchedHours * 100) / 100;
  return [...rows.values()].sort((a, b) => a.siteId - b.siteId || a.memberNo.localeCompare(b.memberNo));
}

export function studyTable(members: StudyMember[], notes: string[]): Table {
  return {
    title: 'Study record / 学习档案',
    notes,
    columns: [
      { key: 'memberNo', label: 'Member no. / 编号' },
      { key: 'name', label: 'Name / 姓名' },
      { key: 'siteName', label: 'Site / 站点' },
      { key: 'lecturesCompleted', label: 'Lectures completed / 完成课程', kind: 'number' },
      { key: 'watchedHours', label: 'Hours watched / 收看小时', kind: 'number' },
      { key: 'quizzesTaken', label: 'Quizzes / 测验', kind: 'number' },
      { key: 'quizzesPassed', label: 'Passed / 通过', kind: 'number' },
      { key: 'quizList', label: 'Quiz results / 测验成绩' },
    ],
    rows: members.map((m) => ({
      ...m,
      quizzes: null,
      quizList: m.quizzes.map((q) => `${q.title}: ${Math.round(q.score * 100)}%${q.passed ? ' ✔' : ''}`).join('; '),
    })),
    chart: {
      title: 'Hours watched / 收看小时',
      labelKey: 'memberNo',
      valueKey: 'watchedHours',
      unit: 'h',
      data: members.map((m) => ({ label: m.name ?? m.memberNo, value: m.watchedHours })),
    },
  };
}

/** Topics chosen in surveys, summed over sites, ranked like a la carte requests (byDemand). */
export function buildTopicDemand(votes: TopicVoteRow[], sites: SiteInfo[]): TopicDemand[] {
  const siteName = new Map(sites.map((s) => [s.id, s.name]));
  const byTopic = new Map<string, TopicDemand>();
  for (const v of votes) {
    if (!v.topic || v.count <= 0) continue;
    let t = byTopic.get(v.topic);
    if (!t) {
      const names = topicNames(v.topic);
      byTopic.set(v.topic, (t = { topic: v.topic, zh: names.zh, en: names.en, count: 0, sites: 0, lastAt: '', bySite: [] }));
    }
    t.count += v.count;
    t.sites++;
    if (v.lastDay > t.lastAt) t.lastAt = v.lastDay;
    t.bySite.push({ siteId: v.siteId, siteName: siteName.get(v.siteId) ?? `#${v.siteId}`, count: v.count });
  }
  const out = [...byTopic.values()];
  for (const t of out) t.bySite.sort((a, b) => b.count - a.count || a.siteId - b.siteId);
  return out.sort((a, b) => byDemand(a, b) || a.topic.localeCompare(b.topic));
}
