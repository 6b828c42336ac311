// The questionnaires a site's manifest carries: published ones reaching the site's region (its region or an
// ancestor named in their reach, or all sites) that are open now, open within OPENING_SOON_MS, or closed within
// RECENTLY_CLOSED_MS (so answers made offline while open can still be sent, and the kiosk still knows the form).
import type { Db } from '../db/connection.ts';
import { OPENING_SOON_MS, RECENTLY_CLOSED_MS, type ManifestQuestionnaire } from '../../common/api/questionnaires.ts';
import { pathIds } from '../sites/regions.ts';
import { questionView } from './rules.ts';
import { questionnairesFingerprint, reachingQuestionnaires } from './store.ts';

export function manifestQuestionnaires(db: Db, regionPath: string, now: number): ManifestQuestionnaire[] {
  return reachingQuestionnaires(db, pathIds(regionPath), now - RECENTLY_CLOSED_MS, now + OPENING_SOON_MS).map((q) => ({
    id: q.id,
    kind: q.kind,
    title: q.title,
    programId: q.programId,
    opensAt: q.opensAt,
    closesAt: q.closesAt,
    passMark: q.passMark,
    questions: q.questions.map(questionView),
  }));
}

export { questionnairesFingerprint };
