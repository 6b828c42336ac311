// Checks one answer a site sent and turns it into what is stored: per-option tallies and, for a member's quiz
// answer, the score. Pure: the questionnaire, the roll facts and the clock correction come in as data.
import type { Answer, AnswerRejectReason, AnswerResponse } from '../../common/api/questionnaires.ts';
import { RATING_MIN } from '../../common/api/questionnaires.ts';
import { responsesProblem } from '../../common/questionnaire-rules.ts';
import { isRight, type StoredQuestion } from './rules.ts';

/** Clock offsets are measured with network delay: an instant this close to a boundary counts as inside it. */
export const CLOCK_SLACK_MS = 60_000;

/** Tally option for the people answering a question (the denominator of shares). */
export const RESPONDENTS = -1;
/** Tally option for the people answering a quiz question right (rooms: hands on the right option, the fewest). */
export const RIGHT = -2;
/** Tallies of whole answers sit under this question index: options ANSWERS, MEMBER_ANSWERS and PEOPLE. */
export const TOTALS = -1;
export const ANSWERS = 0;
export const MEMBER_ANSWERS = 1;
export const PEOPLE = 2;

export interface AnsweredQuestionnaire {
  id: number;
  kind: 'survey' | 'quiz';
  questions: StoredQuestion[];
  opensAt: number | null;
  closesAt: number | null;
}

export interface AnswerContext {
  siteId: number;
  /** Server now - the batch's sentAt. */
  offsetMs: number;
  now: number;
  /** Published questionnaires reaching this site, by id (others are unknown to it). */
  questionnaires: Map<number, AnsweredQuestionnaire>;
  /** The site of each member number on a roll (numbers on no roll are absent). */
  rollSites: Map<string, number>;
  /** Does this site have a roll? Without one, numbers are taken unverified (as attendance does). */
  siteHasRoll: boolean;
}

export interface Tally {
  question: number;
  option: number;
  n: number;
}

export type AnswerVerdict =
  | { ok: true; answeredAt: number; memberNo: string | null; headcount: number; tallies: Tally[]; right: number | null }
  | { ok: false; reason: AnswerRejectReason; message: string };

const refuse = (reason: AnswerRejectReason, message: string): AnswerVerdict => ({ ok: false, reason, message });
const iso = (ms: number) => new Date(ms).toISOString();

export function checkAnswer(a: Answer, ctx: AnswerContext): AnswerVerdict {
  const q = ctx.questionnaires.get(a.questionnaireId);
  if (!q) return refuse('unknown_questionnaire', `questionnaire ${a.questionnaireId} is not published for this site.`);
  // Who answers and what: the same rules and messages as the site agent applies before queueing.
  const problem = responsesProblem(q, a);
  if (problem) return refuse(problem.code, problem.message);
  const answeredAt = a.answeredAt + ctx.offsetMs;
  if (answeredAt > ctx.now + CLOCK_SLACK_MS) {
    return refuse('in_future', `after clock correction the answer was made ${Math.round((answeredAt - ctx.now) / 1000)} s in the future.`);
  }
  if (q.opensAt != null && answeredAt < q.opensAt - CLOCK_SLACK_MS) {
    return refuse('outside_window', `answered at ${iso(answeredAt)}, before the questionnaire opened at ${iso(q.opensAt)}.`);
  }
  if (q.closesAt != null && answeredAt > q.closesAt + CLOCK_SLACK_MS) {
    return refuse('outside_window', `answered at ${iso(answeredAt)}, after the questionnaire closed at ${iso(q.closesAt)}.`);
  }
  const memberNo = a.memberNo?.trim() ?? null;
  if (memberNo !== null) {
    const home = ctx.rollSites.get(memberNo);
    if (home !== undefined && home !== ctx.siteId) {
      const message = `member ${memberNo} is on the roll of another site: answer at that site, or move them on the roll.`;
      return refuse('member_of_other_site', message);
    }
    if (home === undefined && ctx.siteHasRoll) {
      return refuse('unknown_member', `member ${memberNo} is not on this site's roll: check the number, or add them to the roll.`);
    }
  }
  const headcount = a.room?.headcount ?? 1;
  const tallies: Tally[] = [
    { question: TOTALS, option: ANSWERS, n: 1 },
    { question: TOTALS, option: PEOPLE, n: headcount },
    ...(a.room ? [] : [{ question: TOTALS, option: MEMBER_ANSWERS, n: 1 }]),
  ];
  let right = 0;
  for (const r of a.responses) {
    const question = q.questions[r.question]!;
    const t = a.room ? roomTallies(r, question) : memberTallies(r, question);
    tallies.push({ question: r.question, option: RESPONDENTS, n: headcount });
    for (const x of t.options) tallies.push({ question: r.question, option: x.option, n: x.n });
    if (t.right > 0) tallies.push({ question: r.question, option: RIGHT, n: t.right });
    right += a.room ? 0 : t.right;
  }
  const scored = q.kind === 'quiz' && !a.room;
  return {
    ok: true,
    answeredAt,
    memberNo,
    headcount,
    tallies,
    right: scored ? right : null,
  };
}

interface Part {
  options: Array<{ option: number; n: number }>;
  right: number;
}

/** A checked member response: one per option picked (rating: its value), right when exactly the right options. */
function memberTallies(r: AnswerResponse, q: StoredQuestion): Part {
  if (q.type === 'rating') return { options: [{ option: r.rating! - RATING_MIN, n: 1 }], right: 0 };
  const choices = r.choices!;
  return { options: choices.map((option) => ({ option, n: 1 })), right: isRight(q, choices) ? 1 : 0 };
}

/** A checked room response: the hands per option; right = the hands on the right option with the fewest. */
function roomTallies(r: AnswerResponse, q: StoredQuestion): Part {
  const counts = r.counts!;
  const options = counts.flatMap((n, option) => (n > 0 ? [{ option, n }] : []));
  const right = q.correct ? Math.min(...q.correct.map((c) => counts[c] ?? 0)) : 0;
  return { options, right };
}
