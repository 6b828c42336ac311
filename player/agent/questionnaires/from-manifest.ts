// The questionnaires of the site's manifest as the kiosk sees them (GET /local/questionnaires). Pure: the
// manifest's entries and `now` in, the local shape out.
import type { ManifestQuestionnaire } from '../../../common/manifest.ts';
import type { LocalQuestionnaire } from '../../../common/local-api.ts';

export function toLocalQuestionnaire(q: ManifestQuestionnaire, now: number): LocalQuestionnaire {
  return {
    id: q.id,
    kind: q.kind,
    title: q.title,
    programId: q.programId,
    opensAt: q.opensAt,
    closesAt: q.closesAt,
    passMark: q.kind === 'quiz' ? q.passMark : null,
    questions: q.questions.map((x) => ({
      type: x.type,
      text: x.text,
      options: x.type === 'rating' ? [] : [...x.options],
      ...(x.correct && x.correct.length > 0 ? { correct: [...x.correct] } : {}),
      ...(x.topics ? { topics: x.topics.map((t) => ({ ...t })) } : {}),
    })),
    open: (q.opensAt === null || now >= q.opensAt) && (q.closesAt === null || now <= q.closesAt),
  };
}

/** Every questionnaire that reached the site, surveys first then quizzes, each by id. */
export function localQuestionnaires(entries: readonly ManifestQuestionnaire[], now: number): LocalQuestionnaire[] {
  return entries.map((q) => toLocalQuestionnaire(q, now)).sort((a, b) => (a.kind === b.kind ? a.id - b.id : a.kind === 'survey' ? -1 : 1));
}
