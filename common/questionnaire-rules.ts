// What makes an answer to a questionnaire acceptable, and a quiz's score. Pure: plain data in, plain data out,
// no clock (the answer's instant is passed in). The site agent checks the kiosk's answers with it before they
// are queued, and the kiosk scores a member's quiz with the same code, so both say the same thing.
import { MAX_HEADCOUNT } from './attendance.ts';
// Types only from the schema module: a value import would pull TypeBox into the TV's bundle.
import type { QuestionnaireKind, QuestionType } from './api/questionnaires.ts';

/** A rating's marks; the same values as RATING_MIN/RATING_MAX of common/api/questionnaires.ts (kept TypeBox-free here). */
export const RATING_MIN = 1;
export const RATING_MAX = 5;

export interface QuestionShape {
  type: QuestionType;
  text: string;
  /** Empty for a rating (its options are 1..5). */
  options: string[];
  /** Quiz only: the indexes of the right options. */
  correct?: number[];
}

export interface QuestionnaireShape {
  id: number;
  kind: QuestionnaireKind;
  /** Epoch ms; null = no bound. */
  opensAt: number | null;
  closesAt: number | null;
  /** Quiz only: the share of questions right, in percent, that passes. */
  passMark: number | null;
  questions: QuestionShape[];
}

export interface ResponseShape {
  question: number;
  choices?: number[];
  rating?: number;
  counts?: number[];
}

export interface AnswerShape {
  memberNo?: string;
  room?: { headcount: number };
  responses: ResponseShape[];
}

/** The reasons the server gives for a refused answer (common/api/questionnaires.ts AnswerRejectReason), so the TV and the report agree. */
export type AnswerProblemCode =
  | 'outside_window'
  | 'malformed'
  | 'unknown_question'
  | 'option_out_of_range'
  | 'rating_out_of_range'
  | 'count_exceeds_headcount';

export interface AnswerProblem {
  code: AnswerProblemCode;
  /** Index of the question at fault, when one is. */
  question?: number;
  /** Says what to fix, for a person. */
  message: string;
}

/** How many answer slots a question has: its options, or the five marks of a rating. */
export function optionCount(q: QuestionShape): number {
  return q.type === 'rating' ? RATING_MAX - RATING_MIN + 1 : q.options.length;
}

/** Whether the questionnaire takes answers made at `at` (epoch ms). */
export function windowProblem(q: Pick<QuestionnaireShape, 'opensAt' | 'closesAt'>, at: number): AnswerProblem | null {
  if (q.opensAt !== null && at < q.opensAt) {
    return { code: 'outside_window', message: `This questionnaire opens at ${new Date(q.opensAt).toISOString()}; answer it from then on.` };
  }
  if (q.closesAt !== null && at > q.closesAt) {
    const closed = new Date(q.closesAt).toISOString();
    return { code: 'outside_window', message: `This questionnaire closed at ${closed}; it takes no more answers.` };
  }
  return null;
}

function memberResponseProblem(q: QuestionShape, r: ResponseShape, n: number): AnswerProblem | null {
  const at = `question ${r.question + 1}`;
  const malformed = (message: string): AnswerProblem => ({ code: 'malformed', question: r.question, message });
  if (r.counts !== undefined) return malformed(`Counts of hands are for a room's answer; a member picks options or a rating (${at}).`);
  if (q.type === 'rating') {
    if (r.choices !== undefined) return malformed(`${at} is a rating: give a rating, not options.`);
    if (r.rating === undefined) return malformed(`Give ${at} a rating from ${RATING_MIN} to ${RATING_MAX}.`);
    if (Number.isInteger(r.rating) && r.rating >= RATING_MIN && r.rating <= RATING_MAX) return null;
    return { code: 'rating_out_of_range', question: r.question, message: `Give ${at} a rating from ${RATING_MIN} to ${RATING_MAX}.` };
  }
  if (r.rating !== undefined) return malformed(`${at} takes options, not a rating.`);
  const choices = r.choices ?? [];
  if (choices.length === 0) return malformed(`Pick an option for ${at}, or leave the question out.`);
  const bad = choices.find((c) => !Number.isInteger(c) || c < 0 || c >= n);
  if (bad !== undefined) {
    return { code: 'option_out_of_range', question: r.question, message: `${at} has options 1 to ${n}; option ${bad + 1} does not exist.` };
  }
  if (new Set(choices).size !== choices.length) return malformed(`${at} lists the same option twice.`);
  if (q.type === 'single' && choices.length > 1) return malformed(`${at} takes one option only.`);
  return null;
}

function roomResponseProblem(q: QuestionShape, r: ResponseShape, n: number, headcount: number): AnswerProblem | null {
  const at = `question ${r.question + 1}`;
  if (r.choices !== undefined || r.rating !== undefined) {
    return {
      code: 'malformed',
      question: r.question,
      message: `A room answers ${at} with counts of hands per option, not choices or a rating.`,
    };
  }
  const counts = r.counts ?? [];
  if (counts.length !== n) {
    return { code: 'malformed', question: r.question, message: `${at} needs ${n} counts of hands, one per option (got ${counts.length}).` };
  }
  if (counts.some((c) => !Number.isInteger(c) || c < 0)) {
    return { code: 'malformed', question: r.question, message: `Counts of hands for ${at} are whole numbers from 0.` };
  }
  // One hand per person on a single choice or a rating; on a multiple choice each option may have everyone.
  const exclusive = q.type === 'single' || q.type === 'rating';
  const over = exclusive ? counts.reduce((a, b) => a + b, 0) > headcount : counts.some((c) => c > headcount);
  if (over) {
    const what = exclusive ? 'the hands counted' : 'a count of hands';
    return {
      code: 'count_exceeds_headcount',
      question: r.question,
      message: `For ${at} ${what} come to more than the ${headcount} people in the room; count again.`,
    };
  }
  return null;
}

/** The first thing wrong with an answer made at `at`, or null when it can be taken. */
export function answerProblem(q: QuestionnaireShape, a: AnswerShape, at: number): AnswerProblem | null {
  return windowProblem(q, at) ?? responsesProblem(q, a);
}

/**
 * The first thing wrong with who answers and what (the window aside), or null. The server refuses with the same
 * codes and messages (server/questionnaires/answer-check.ts), so the TV and the site's log say the same thing.
 */
export function responsesProblem(q: Pick<QuestionnaireShape, 'questions'>, a: AnswerShape): AnswerProblem | null {
  const room = a.room;
  if ((a.memberNo === undefined) === (room === undefined)) {
    const message = "An answer is either one member's (memberNo) or the room's (room.headcount), not both or neither.";
    return { code: 'malformed', message };
  }
  if (room && (!Number.isInteger(room.headcount) || room.headcount < 1 || room.headcount > MAX_HEADCOUNT)) {
    return { code: 'malformed', message: `The room's headcount is a whole number from 1 to ${MAX_HEADCOUNT}.` };
  }
  const seen = new Set<number>();
  for (const r of a.responses) {
    const question = q.questions[r.question];
    if (!Number.isInteger(r.question) || !question) {
      return {
        code: 'unknown_question',
        question: r.question,
        message: `Question ${r.question + 1} does not exist: this questionnaire has ${q.questions.length}.`,
      };
    }
    if (seen.has(r.question)) {
      return { code: 'malformed', question: r.question, message: `Question ${r.question + 1} is answered twice.` };
    }
    seen.add(r.question);
    const n = optionCount(question);
    const problem = room ? roomResponseProblem(question, r, n, room.headcount) : memberResponseProblem(question, r, n);
    if (problem) return problem;
  }
  return null;
}

export interface QuizScore {
  correct: number;
  total: number;
  /** 0..100, rounded to a whole number. */
  percent: number;
  passed: boolean;
}

/**
 * A member's quiz score, as the server scores it (server/questionnaires/rules.ts passes): a question counts when the
 * options picked are exactly the right ones; the pass mark is a percentage of all the questions (100 when unset).
 */
export function quizScore(q: QuestionnaireShape, responses: readonly ResponseShape[]): QuizScore | null {
  const total = q.questions.length;
  if (q.kind !== 'quiz' || total === 0) return null;
  let correct = 0;
  q.questions.forEach((question, i) => {
    if (!question.correct || question.correct.length === 0) return;
    const picked = [...(responses.find((r) => r.question === i)?.choices ?? [])].sort((a, b) => a - b);
    const right = [...question.correct].sort((a, b) => a - b);
    if (picked.length === right.length && picked.every((c, k) => c === right[k])) correct++;
  });
  return { correct, total, percent: Math.round((correct * 100) / total), passed: correct * 100 >= (q.passMark ?? 100) * total };
}
