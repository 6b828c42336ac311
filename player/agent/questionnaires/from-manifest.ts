// The questionnaires of the site's manifest as the kiosk sees them (GET /local/questionnaires). Pure: the
// manifest's entries and `now` in, the local shape out. Instants arrive as epoch ms or ISO 8601 text.
import type { LocalQuestionnaire } from '../../../common/local-api.ts';
import type { QuestionType } from '../../../common/questionnaire-rules.ts';

/** What the agent reads of a manifest entry (common/manifest.ts `questionnaires`). */
export interface ManifestQuestionnaireLike {
  id: number;
  kind: 'survey' | 'quiz';
  title: string;
  programId?: number | null;
  opensAt?: number | string | null;
  closesAt?: number | string | null;
  passMark?: number | null;
  questions: ReadonlyArray<{
    type: QuestionType;
    text: string;
    options?: readonly string[] | null;
    correct?: readonly number[] | null;
    topics?: ReadonlyArray<{ id: string; zh: string; en: string }> | null;
  }>;
}

/** Epoch ms of an instant given as a number or ISO text; null when absent or unreadable. */
export function instantMs(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const ms = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

export function toLocalQuestionnaire(q: ManifestQuestionnaireLike, now: number): LocalQuestionnaire {
  const opensAt = instantMs(q.opensAt);
  const closesAt = instantMs(q.closesAt);
  return {
    id: q.id,
    kind: q.kind,
    title: q.title,
    programId: q.programId ?? null,
    opensAt,
    closesAt,
    passMark: q.kind === 'quiz' ? (q.passMark ?? null) : null,
    questions: q.questions.map((x) => ({
      type: x.type,
      text: x.text,
      options: x.type === 'rating' ? [] : [...(x.options ?? [])],
      ...(x.correct && x.correct.length > 0 ? { correct: [...x.correct] } : {}),
      ...(x.topics ? { topics: x.topics.map((t) => ({ ...t })) } : {}),
    })),
    open: (opensAt === null || now >= opensAt) && (closesAt === null || now <= closesAt),
  };
}

/** Every questionnaire that reached the site, surveys first then quizzes, each by id. */
export function localQuestionnaires(entries: readonly ManifestQuestionnaireLike[], now: number): LocalQuestionnaire[] {
  return entries
    .map((q) => toLocalQuestionnaire(q, now))
    .sort((a, b) => (a.kind === b.kind ? a.id - b.id : a.kind === 'survey' ? -1 : 1));
}
