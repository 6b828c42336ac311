// The rules of questionnaires and quizzes, pure: is a questionnaire well made (with a message a person can act on),
// what its questions look like once stored, and how a quiz answer is scored. No I/O, no clock.
import type { Question, QuestionInput, QuestionnaireKind } from '../../common/api/questionnaires.ts';
import { RATING_MAX, RATING_MIN } from '../../common/api/questionnaires.ts';
import { AUDIENCES, CATEGORIES, describeChoices, type TaxonomyEntry } from '../../content/taxonomy.ts';

/** A question as stored: options always present (rating: none; topics: taxonomy ids). */
export interface StoredQuestion {
  type: Question['type'];
  text: string;
  options: string[];
  correct?: number[];
}

/** The fields a questionnaire is checked on, after a PATCH is laid over the stored ones. */
export interface QuestionnaireDraft {
  kind: QuestionnaireKind;
  programId: number | null;
  passMark: number | null;
  opensAt: number | null;
  closesAt: number | null;
  questions: QuestionInput[];
}

const TOPICS = new Map<string, TaxonomyEntry>([...CATEGORIES, ...AUDIENCES].map((t) => [t.id, t]));

export type Checked = { ok: true; questions: StoredQuestion[] } | { ok: false; message: string };

/** Checks a whole questionnaire; the first problem found is named with its question number (from 1). */
export function checkQuestionnaire(d: QuestionnaireDraft): Checked {
  const quiz = d.kind === 'quiz';
  if (quiz && d.programId == null) return fail('A quiz checks a lecture: give programId, the lecture it follows.');
  if (!quiz && d.programId != null) return fail('programId is for quizzes only: make it a quiz, or leave programId out.');
  if (quiz && d.passMark == null) return fail('A quiz needs passMark: the percentage of questions right to pass (1-100).');
  if (!quiz && d.passMark != null) return fail('passMark is for quizzes only: leave it out of a survey.');
  if (d.opensAt != null && d.closesAt != null && d.closesAt <= d.opensAt) return fail('closesAt must be after opensAt.');
  const questions: StoredQuestion[] = [];
  for (const [i, q] of d.questions.entries()) {
    const r = checkQuestion(q, quiz);
    if (typeof r === 'string') return fail(`Question ${i + 1}: ${r}`);
    questions.push(r);
  }
  return { ok: true, questions };
}

function fail(message: string): Checked {
  return { ok: false, message };
}

function checkQuestion(q: QuestionInput, quiz: boolean): StoredQuestion | string {
  const text = q.text.trim();
  if (!text) return 'the text is empty.';
  if (quiz && q.type !== 'single' && q.type !== 'multiple') {
    return `a quiz question is single or multiple choice (with the right answers), not ${q.type}.`;
  }
  if (!quiz && q.correct !== undefined) return 'correct answers belong to quizzes: leave correct out of a survey.';
  if (q.type === 'rating') {
    if (q.options?.length) return `a rating is answered ${RATING_MIN}-${RATING_MAX} and has no options: leave options out.`;
    return { type: q.type, text, options: [] };
  }
  let options: string[];
  if (q.type === 'topics') {
    options = q.options ?? CATEGORIES.map((c) => c.id);
    const unknown = options.find((o) => !TOPICS.has(o));
    if (unknown !== undefined) {
      return `"${unknown}" is not a topic. Topics are the taxonomy's ids: ${describeChoices([...CATEGORIES, ...AUDIENCES])}.`;
    }
  } else {
    options = (q.options ?? []).map((o) => o.trim());
    if (options.length < 2) return `a ${q.type} choice question needs at least 2 options.`;
    if (options.some((o) => !o)) return 'an option is empty.';
  }
  const dup = options.find((o, i) => options.indexOf(o) !== i);
  if (dup !== undefined) return `the option "${dup}" appears twice.`;
  if (!quiz) return { type: q.type, text, options };
  const correct = [...new Set(q.correct ?? [])].sort((a, b) => a - b);
  if (!correct.length) return 'a quiz question needs its right answer: correct lists the right option indexes (from 0).';
  const out = correct.find((c) => c >= options.length);
  if (out !== undefined) return `correct answer ${out} is not an option: there are ${options.length} (indexes 0-${options.length - 1}).`;
  if (q.type === 'single' && correct.length !== 1) return 'a single choice question has exactly one right answer.';
  return { type: q.type, text, options, correct };
}

/** A stored question as the API shows it: topics carry their names. */
export function questionView(q: StoredQuestion): Question {
  const view: Question = { type: q.type, text: q.text, options: q.options };
  if (q.correct) view.correct = q.correct;
  if (q.type === 'topics') view.topics = q.options.map((id) => TOPICS.get(id) ?? { id, zh: id, en: id });
  return view;
}

/** The names of a topic id (an id no longer in the taxonomy names itself). */
export function topicNames(id: string): TaxonomyEntry {
  return TOPICS.get(id) ?? { id, zh: id, en: id };
}

/** Is a member's choice set exactly the right answer? */
export function isRight(q: StoredQuestion, choices: readonly number[]): boolean {
  if (!q.correct) return false;
  const set = new Set(choices);
  return set.size === q.correct.length && q.correct.every((c) => set.has(c));
}
