// Checks one answer a site sent and turns it into what is stored: per-option tallies and, for a member's quiz
// answer, the score. Pure: the questionnaire, the roll facts and the clock correction come in as data.
import type { Answer, AnswerRejectReason, AnswerResponse } from '../../common/api/questionnaires.ts';
import { RATING_MAX, RATING_MIN } from '../../common/api/questionnaires.ts';
import { isRight, passes, type StoredQuestion } from './rules.ts';

/** Clock offsets are measured with network delay: an instant this close to a boundary counts as inside it. */
export const CLOCK_SLACK_MS = 60_000;

/** Tally option for the people answering a question (the denominator of shares). */
export const RESPONDENTS = -1;
/** Tally option for the people answering a quiz question right (rooms: hands on the right option, the fewest). */
export const RIGHT = -2;

export interface AnsweredQuestionnaire {
  id: number;
  kind: 'survey' | 'quiz';
  questions: StoredQuestion[];
  opensAt: number | null;
  closesAt: number | null;
  passMark: number | null;
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

export interface Tally { question: number; option: number; n: number }

export type AnswerVerdict =
  | { ok: true; answeredAt: number; memberNo: string | null; headcount: number; tallies: Tally[]; right: number | null; passed: boolean | null }
  | { ok: false; reason: AnswerRejectReason; message: string };

const refuse = (reason: AnswerRejectReason, message: string): AnswerVerdict => ({ ok: false, reason, message });
const iso = (ms: number) => new Date(ms).toISOString();

export function checkAnswer(a: Answer, ctx: AnswerContext): AnswerVerdict {
  const q = ctx.questionnaires.get(a.questionnaireId);
  if (!q) return refuse('unknown_questionnaire', `questionnaire ${a.questionnaireId} is not published for this site.`);
  if ((a.memberNo === undefined) === (a.room === undefined)) {
    return refuse('malformed', 'an answer is either one member\'s (memberNo) or the room\'s (room.headcount): give exactly one.');
  }
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
      return refuse('member_of_other_site', `member ${memberNo} is on the roll of another site: answer at that site, or move them on the roll.`);
    }
    if (home === undefined && ctx.siteHasRoll) {
      return refuse('unknown_member', `member ${memberNo} is not on this site's roll: check the number, or add them to the roll.`);
    }
  }
  const headcount = a.room?.headcount ?? 1;
  const seen = new Set<number>();
  const tallies: Tally[] = [];
  let right = 0;
  for (const r of a.responses) {
    const question = q.questions[r.question];
    if (!question) {
      return refuse('unknown_question', `question ${r.question} does not exist: the questionnaire has ${q.questions.length} (indexes from 0).`);
    }
    if (seen.has(r.question)) return refuse('malformed', `question ${r.question} is answered twice.`);
    seen.add(r.question);
    const t = a.room ? roomTallies(r, question, headcount) : memberTallies(r, question);
    if ('reason' in t) return refuse(t.reason, `question ${r.question}: ${t.message}`);
    tallies.push({ question: r.question, option: RESPONDENTS, n: headcount });
    for (const x of t.options) tallies.push({ question: r.question, option: x.option, n: x.n });
    const rightHere = t.right;
    if (rightHere > 0) tallies.push({ question: r.question, option: RIGHT, n: rightHere });
    right += a.room ? 0 : rightHere;
  }
  const scored = q.kind === 'quiz' && !a.room;
  return {
    ok: true, answeredAt, memberNo, headcount, tallies,
    right: scored ? right : null,
    passed: scored ? passes(right, q.questions.length, q.passMark ?? 100) : null,
  };
}

type Part = { options: Array<{ option: number; n: number }>; right: number } | { reason: AnswerRejectReason; message: string };

function memberTallies(r: AnswerResponse, q: StoredQuestion): Part {
  if (r.counts !== undefined) return { reason: 'malformed', message: 'counts are for a room\'s answer; a member gives choices or rating.' };
  if (q.type === 'rating') {
    if (r.choices !== undefined) return { reason: 'malformed', message: 'a rating question takes rating, not choices.' };
    if (r.rating === undefined) return { reason: 'malformed', message: 'give rating (1-5).' };
    if (r.rating < RATING_MIN || r.rating > RATING_MAX) {
      return { reason: 'rating_out_of_range', message: `rating ${r.rating} is outside ${RATING_MIN}-${RATING_MAX}.` };
    }
    return { options: [{ option: r.rating - RATING_MIN, n: 1 }], right: 0 };
  }
  if (r.rating !== undefined) return { reason: 'malformed', message: `a ${q.type} question takes choices, not rating.` };
  const choices = r.choices ?? [];
  if (!choices.length) return { reason: 'malformed', message: 'no option chosen: leave the question out instead.' };
  if (new Set(choices).size !== choices.length) return { reason: 'malformed', message: 'an option is chosen twice.' };
  const out = choices.find((c) => c >= q.options.length);
  if (out !== undefined) {
    return { reason: 'option_out_of_range', message: `option ${out} does not exist: there are ${q.options.length} (indexes from 0).` };
  }
  if (q.type === 'single' && choices.length > 1) return { reason: 'malformed', message: 'a single choice question takes one option.' };
  return { options: choices.map((option) => ({ option, n: 1 })), right: isRight(q, choices) ? 1 : 0 };
}

function roomTallies(r: AnswerResponse, q: StoredQuestion, headcount: number): Part {
  if (r.choices !== undefined || r.rating !== undefined) {
    return { reason: 'malformed', message: 'a room answers with counts (hands per option), not choices or rating.' };
  }
  const counts = r.counts ?? [];
  const width = q.type === 'rating' ? RATING_MAX - RATING_MIN + 1 : q.options.length;
  if (counts.length > width) {
    return { reason: 'option_out_of_range', message: `${counts.length} counts for ${width} options: one count per option.` };
  }
  const most = Math.max(0, ...counts);
  if (most > headcount) {
    return { reason: 'count_exceeds_headcount', message: `${most} hands for one option, but only ${headcount} people in the room.` };
  }
  // One answer per person: the hands of a single choice or a rating add up to at most the room.
  const sum = counts.reduce((s, c) => s + c, 0);
  if ((q.type === 'single' || q.type === 'rating') && sum > headcount) {
    return { reason: 'count_exceeds_headcount', message: `${sum} hands in all, but only ${headcount} people in the room (one answer each).` };
  }
  const options = counts.flatMap((n, option) => (n > 0 ? [{ option, n }] : []));
  const right = q.correct ? Math.min(...q.correct.map((c) => counts[c] ?? 0)) : 0;
  return { options, right };
}
