// Writing and reading questionnaires: the checks that need the database (the program and regions exist, answers
// fix the questions), and the API view. Routes call these; SQL stays in store.ts.
import type { Db } from '../db/connection.ts';
import type {
  NewQuestionnaire,
  QuestionInput,
  Questionnaire as QuestionnaireView,
  QuestionnaireListQuery,
  QuestionnairePatch,
  QuestionnaireSummary,
} from '../../common/api/questionnaires.ts';
import type { AuthUser } from '../auth/guards.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { programExists, programTitle } from '../catalog/repo.ts';
import { getRegion, regionAncestorIds, regionSubtreeIds } from '../sites/regions.ts';
import { checkQuestionnaire, questionView, type StoredQuestion } from './rules.ts';
import {
  deleteQuestionnaire,
  getQuestionnaire,
  insertQuestionnaire,
  listQuestionnaires,
  publishQuestionnaire,
  updateQuestionnaire,
  type Questionnaire,
  type QuestionnaireFields,
} from './store.ts';

const toMs = (iso: string | null | undefined, name: string): number | null => {
  if (iso == null) return null;
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw badRequest(`${name} "${iso}" must be an ISO 8601 instant, e.g. 2026-12-01T08:00:00+08:00.`);
  return ms;
};
const toIso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

/** Stored questions back in the shape they were written (for laying a PATCH over them). */
const asInput = (q: StoredQuestion): QuestionInput => ({ ...q });

function checkedFields(db: Db, input: NewQuestionnaire): QuestionnaireFields {
  const opensAt = toMs(input.opensAt, 'opensAt');
  const closesAt = toMs(input.closesAt, 'closesAt');
  const draft = {
    kind: input.kind,
    programId: input.programId ?? null,
    passMark: input.passMark ?? null,
    opensAt,
    closesAt,
    questions: input.questions,
  };
  const checked = checkQuestionnaire(draft);
  if (!checked.ok) throw badRequest(checked.message, 'invalid_questionnaire');
  if (draft.programId != null && !programExists(db, draft.programId)) {
    throw badRequest(`programId ${draft.programId} is not a lecture in the catalog: pick one from the programs list.`, 'no_such_program');
  }
  const regionIds = [...new Set(input.regionIds ?? [])];
  const missing = regionIds.find((id) => !getRegion(db, id));
  if (missing !== undefined) throw badRequest(`regionId ${missing} does not exist: pick regions from the region tree.`, 'no_such_region');
  const title = input.title.trim();
  if (!title) throw badRequest('title is empty: give the questionnaire a title.', 'invalid_questionnaire');
  return { ...draft, title, questions: checked.questions, regionIds };
}

export function questionnaireView(db: Db, q: Questionnaire): QuestionnaireView {
  return {
    id: q.id,
    kind: q.kind,
    title: q.title,
    programId: q.programId,
    programTitle: q.programId != null ? (programTitle(db, q.programId) ?? null) : null,
    regionIds: q.regionIds,
    opensAt: toIso(q.opensAt),
    closesAt: toIso(q.closesAt),
    passMark: q.passMark,
    status: q.status,
    publishedAt: q.publishedAt,
    questions: q.questions.map(questionView),
    answers: q.answers,
    createdAt: q.createdAt,
    updatedAt: q.updatedAt,
  };
}

export function createQuestionnaire(db: Db, input: NewQuestionnaire, now: Date): QuestionnaireView {
  const id = insertQuestionnaire(db, checkedFields(db, input), now.toISOString());
  return questionnaireView(db, getQuestionnaire(db, id)!);
}

/** Regions whose questionnaires an organizer may read: their own, those above (reach flows down) and below. */
function readableRegions(db: Db, user: AuthUser): number[] | null {
  if (user.role === 'operator') return null;
  if (user.regionId == null) return [];
  return [...new Set([...regionAncestorIds(db, user.regionId), ...regionSubtreeIds(db, user.regionId)])];
}

/** A questionnaire the user may read: operators any; organizers published ones reaching their region's sites. */
export function readableQuestionnaire(db: Db, user: AuthUser, id: number): Questionnaire {
  const q = getQuestionnaire(db, id);
  const regions = readableRegions(db, user);
  const visible =
    q && (regions === null || (q.status === 'published' && (q.regionIds.length === 0 || q.regionIds.some((r) => regions.includes(r)))));
  if (!q || !visible) throw notFound(`Questionnaire ${id} does not exist.`);
  return q;
}

/** A quiz the user may read; a survey has no pass rates or scores (400). */
export function readableQuiz(db: Db, user: AuthUser, id: number): Questionnaire {
  const q = readableQuestionnaire(db, user, id);
  if (q.kind !== 'quiz') {
    const message = `Questionnaire ${id} is a survey: only a quiz has pass rates and scores. Read its answers per option instead.`;
    throw badRequest(message, 'not_a_quiz');
  }
  return q;
}

export function listFor(db: Db, user: AuthUser, query: QuestionnaireListQuery): { total: number; items: QuestionnaireSummary[] } {
  const regions = readableRegions(db, user);
  const { total, items } = listQuestionnaires(db, {
    kind: query.kind,
    status: regions === null ? query.status : 'published',
    programId: query.programId,
    q: query.q,
    reachRegionIds: regions,
    limit: query.limit ?? 50,
    offset: query.offset ?? 0,
  });
  return {
    total,
    items: items.map((q) => ({
      id: q.id,
      kind: q.kind,
      title: q.title,
      programId: q.programId,
      regionIds: q.regionIds,
      opensAt: toIso(q.opensAt),
      closesAt: toIso(q.closesAt),
      status: q.status,
      questionCount: q.questions.length,
      answers: q.answers,
      updatedAt: q.updatedAt,
    })),
  };
}

function mustGet(db: Db, id: number): Questionnaire {
  const q = getQuestionnaire(db, id);
  if (!q) throw notFound(`Questionnaire ${id} does not exist.`);
  return q;
}

const ANSWERED = (n: number) =>
  `It has ${n} answers, so its kind, lecture and questions are fixed (answers would no longer match). ` +
  'Title, regions, window and pass mark may still change; for other questions, make a new questionnaire.';

export function patchQuestionnaire(db: Db, id: number, patch: QuestionnairePatch, now: Date): QuestionnaireView {
  const q = mustGet(db, id);
  const questionsChanged =
    (patch.kind !== undefined && patch.kind !== q.kind) ||
    (patch.programId !== undefined && patch.programId !== q.programId) ||
    (patch.questions !== undefined && JSON.stringify(checkQuestionnaireOnly(q, patch)) !== JSON.stringify(q.questions));
  if (questionsChanged && q.answers > 0) throw conflict(ANSWERED(q.answers), 'questionnaire_answered');
  const merged: NewQuestionnaire = {
    kind: patch.kind ?? q.kind,
    title: patch.title ?? q.title,
    programId: patch.programId !== undefined ? patch.programId : q.programId,
    regionIds: patch.regionIds ?? q.regionIds,
    opensAt: patch.opensAt !== undefined ? patch.opensAt : toIso(q.opensAt),
    closesAt: patch.closesAt !== undefined ? patch.closesAt : toIso(q.closesAt),
    passMark: patch.passMark !== undefined ? patch.passMark : q.passMark,
    questions: patch.questions ?? q.questions.map(asInput),
  };
  const fields = checkedFields(db, merged);
  if (!updateQuestionnaire(db, id, fields, questionsChanged, now.toISOString())) {
    throw conflict(ANSWERED(mustGet(db, id).answers), 'questionnaire_answered');
  }
  return questionnaireView(db, mustGet(db, id));
}

/** The patch's questions as they would be stored (null when they do not pass the checks: the full check says why). */
function checkQuestionnaireOnly(q: Questionnaire, patch: QuestionnairePatch): StoredQuestion[] | null {
  const r = checkQuestionnaire({
    kind: patch.kind ?? q.kind,
    programId: patch.programId !== undefined ? patch.programId : q.programId,
    passMark: patch.passMark !== undefined ? patch.passMark : q.passMark,
    opensAt: null,
    closesAt: null,
    questions: patch.questions ?? [],
  });
  return r.ok ? r.questions : null;
}

export function publish(db: Db, id: number, now: Date): QuestionnaireView {
  mustGet(db, id);
  publishQuestionnaire(db, id, now.toISOString());
  return questionnaireView(db, mustGet(db, id));
}

export function remove(db: Db, id: number): void {
  const q = mustGet(db, id);
  if (!deleteQuestionnaire(db, id)) {
    throw conflict(
      `Questionnaire ${id} has ${q.answers} answers and is kept for its results: close it instead ` + '(PATCH closesAt to now).',
      'questionnaire_answered',
    );
  }
}
