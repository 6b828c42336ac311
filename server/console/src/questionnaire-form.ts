// The questionnaire editor's form state and its conversion to and from the API's shapes: pure, no I/O, so the
// editor page only wires it to inputs. Times are province wall clock in the form ('YYYY-MM-DDTHH:mm'); the
// conversions are passed in so this file stays free of the zone lookup.
import type {
  NewQuestionnaire,
  Questionnaire,
  QuestionnaireKind,
  QuestionnaireSummary,
  QuestionType,
} from '../../../common/api/questionnaires.ts';

export interface QuestionDraft {
  /** Stable key for the list while questions are reordered. */
  key: number;
  type: QuestionType;
  text: string;
  /** single/multiple: option texts; topics: taxonomy ids; rating: unused. */
  options: string[];
  /** Quiz: indexes of the right options. */
  correct: number[];
}

export interface QuestionnaireDraft {
  kind: QuestionnaireKind;
  title: string;
  programId: number | undefined;
  regionIds: number[];
  opensAt: string;
  closesAt: string;
  passMark: number | undefined;
  questions: QuestionDraft[];
}

let nextKey = 1;
/** The pass mark a new quiz starts with, percent. */
export const DEFAULT_PASS_MARK = 60;

export function newQuestion(type: QuestionType = 'single', topicIds: string[] = []): QuestionDraft {
  const options = type === 'single' || type === 'multiple' ? ['', ''] : type === 'topics' ? [...topicIds] : [];
  return { key: nextKey++, type, text: '', options, correct: [] };
}

export function emptyDraft(kind: QuestionnaireKind = 'survey'): QuestionnaireDraft {
  return {
    kind,
    title: '',
    programId: undefined,
    regionIds: [],
    opensAt: '',
    closesAt: '',
    passMark: kind === 'quiz' ? DEFAULT_PASS_MARK : undefined,
    questions: [newQuestion()],
  };
}

/** Survey <-> quiz: a quiz needs a pass mark, and grades choice questions only (others become single choice). */
export function setKind(d: QuestionnaireDraft, kind: QuestionnaireKind, topicIds: string[]): void {
  d.kind = kind;
  if (kind !== 'quiz') return;
  d.passMark ??= DEFAULT_PASS_MARK;
  for (const q of d.questions) if (q.type !== 'single' && q.type !== 'multiple') retype(q, 'single', topicIds);
}

/** Changing a question's type keeps what still makes sense: texts between single and multiple, nothing else. */
export function retype(q: QuestionDraft, type: QuestionType, topicIds: string[]): void {
  const choice = (t: QuestionType) => t === 'single' || t === 'multiple';
  if (choice(q.type) && choice(type)) {
    if (type === 'single') q.correct = q.correct.slice(0, 1);
  } else {
    q.options = newQuestion(type, topicIds).options;
    q.correct = [];
  }
  q.type = type;
}

export function removeOption(q: QuestionDraft, index: number): void {
  q.options.splice(index, 1);
  q.correct = q.correct.filter((c) => c !== index).map((c) => (c > index ? c - 1 : c));
}

/** Moves an entry by delta places (no-op at the ends). */
export function move<T>(list: T[], index: number, delta: number): void {
  const to = index + delta;
  if (to < 0 || to >= list.length) return;
  const [item] = list.splice(index, 1);
  list.splice(to, 0, item);
}

export function draftOf(q: Questionnaire, wall: (ms: number) => string): QuestionnaireDraft {
  return {
    kind: q.kind,
    title: q.title,
    programId: q.programId ?? undefined,
    regionIds: [...q.regionIds],
    opensAt: q.opensAt ? wall(Date.parse(q.opensAt)) : '',
    closesAt: q.closesAt ? wall(Date.parse(q.closesAt)) : '',
    passMark: q.passMark ?? undefined,
    questions: q.questions.map((x) => ({
      key: nextKey++,
      type: x.type,
      text: x.text,
      options: [...x.options],
      correct: [...(x.correct ?? [])],
    })),
  };
}

/** The request body for POST (and PATCH) as the form says it; the server judges what is valid and says why not. */
export function bodyOf(d: QuestionnaireDraft, toMs: (wall: string) => number): NewQuestionnaire {
  const quiz = d.kind === 'quiz';
  const iso = (wall: string) => (wall ? new Date(toMs(wall)).toISOString() : null);
  return {
    kind: d.kind,
    title: d.title.trim(),
    programId: quiz ? (d.programId ?? null) : null,
    regionIds: d.regionIds,
    opensAt: iso(d.opensAt),
    closesAt: iso(d.closesAt),
    passMark: quiz ? (d.passMark ?? null) : null,
    questions: d.questions.map((q) => {
      const withOptions = q.type !== 'rating';
      const graded = quiz && (q.type === 'single' || q.type === 'multiple');
      return {
        type: q.type,
        text: q.text.trim(),
        ...(withOptions ? { options: q.type === 'topics' ? q.options : q.options.map((o) => o.trim()) } : {}),
        ...(graded ? { correct: [...q.correct].sort((a, b) => a - b) } : {}),
      };
    }),
  };
}

export type WindowState = 'upcoming' | 'open' | 'closed';

/** Where a questionnaire's answer window stands at `now`. */
export function windowState(q: Pick<QuestionnaireSummary, 'opensAt' | 'closesAt'>, now: number): WindowState {
  if (q.opensAt && Date.parse(q.opensAt) > now) return 'upcoming';
  if (q.closesAt && Date.parse(q.closesAt) <= now) return 'closed';
  return 'open';
}
