// Stores a site's batch of answers exactly once, keyed by (site, id made at the site): the whole batch (at most
// MAX_ANSWERS_PER_BATCH, a few ms of work) in one transaction, and the reply lists ids only after it committed
// (acknowledge after commit). A resend with the same content is acknowledged without counting again; a resend with
// other content is an id conflict (the first version is kept). Per-option tallies are summed in memory per batch, then
// written once per (questionnaire, site, day, question, option). Questionnaires and roll facts are read once per batch.
import { hash } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { Answer, AnswerBatch, AnswerBatchResult } from '../../common/api/questionnaires.ts';
import { rollSitesOf, siteHasRoll } from '../attendance/tables.ts';
import { memoProvinceDay } from '../attendance/days.ts';
import { checkAnswer, type AnsweredQuestionnaire, type Tally } from './answer-check.ts';
import { answerStatements, publishedForSite, type AnswerRow, type TallyRow } from './store.ts';

export type AnswerIngest = (site: { id: number; pathRegionIds: number[] }, batch: AnswerBatch, now: number) => AnswerBatchResult;

interface Item {
  row: AnswerRow;
  tallies: Tally[];
}

/** What identifies an answer's content: a resend with the same digest is the same answer. */
export function answerDigest(a: Answer): string {
  const content = [a.questionnaireId, a.answeredAt, a.memberNo?.trim() ?? null, a.room?.headcount ?? null, a.responses];
  return hash('sha256', JSON.stringify(content), 'base64url').slice(0, 22);
}

export function makeAnswerIngest(db: Db, tz: string): AnswerIngest {
  const st = answerStatements(db);
  const dayOf = memoProvinceDay(tz);

  const store = db.transaction((items: Item[]) => {
    const accepted: string[] = [];
    const rejected: AnswerBatchResult['rejected'] = [];
    const sums = new Map<string, TallyRow>();
    const perQuestionnaire = new Map<number, number>();
    for (const { row, tallies } of items) {
      if (!st.insert(row)) {
        const prior = st.prior(row.siteId, row.answerId);
        if (prior && prior.digest === row.digest) accepted.push(row.answerId);
        else {
          const message =
            `this site already sent answer ${row.answerId} with other content ` +
            `(questionnaire ${prior?.questionnaireId}); the first version is kept.`;
          rejected.push({ id: row.answerId, reason: 'id_conflict', message });
        }
        continue;
      }
      for (const t of tallies) {
        const key = `${row.questionnaireId}|${row.day}|${t.question}|${t.option}`;
        const s = sums.get(key);
        if (s) s.n += t.n;
        else sums.set(key, { questionnaireId: row.questionnaireId, siteId: row.siteId, day: row.day, ...t });
      }
      perQuestionnaire.set(row.questionnaireId, (perQuestionnaire.get(row.questionnaireId) ?? 0) + 1);
      accepted.push(row.answerId);
    }
    for (const s of sums.values()) st.tally(s);
    for (const [id, n] of perQuestionnaire) st.countAnswers(id, n);
    return { accepted, rejected };
  });

  return (site, batch, now) => {
    const offsetMs = now - batch.sentAt;
    const ids = [...new Set(batch.answers.map((a) => a.questionnaireId))];
    const questionnaires = new Map<number, AnsweredQuestionnaire>(publishedForSite(db, ids, site.pathRegionIds).map((q) => [q.id, q]));
    const memberNos = [...new Set(batch.answers.flatMap((a) => (a.memberNo ? [a.memberNo.trim()] : [])))];
    const ctx = {
      siteId: site.id,
      offsetMs,
      now,
      questionnaires,
      rollSites: memberNos.length ? rollSitesOf(db, memberNos) : new Map<string, number>(),
      siteHasRoll: memberNos.length ? siteHasRoll(db, site.id) : false,
    };
    const rejected: AnswerBatchResult['rejected'] = [];
    const valid: Item[] = [];
    for (const a of batch.answers) {
      // The same id twice in one batch is stored once: the later copy meets the first like a resend does.
      const v = checkAnswer(a, ctx);
      if (!v.ok) {
        rejected.push({ id: a.id, reason: v.reason, message: v.message });
        continue;
      }
      valid.push({
        row: {
          siteId: site.id,
          answerId: a.id,
          questionnaireId: a.questionnaireId,
          memberNo: v.memberNo,
          headcount: v.headcount,
          answeredAt: v.answeredAt,
          day: dayOf(v.answeredAt),
          digest: answerDigest(a),
          right: v.right,
          receivedAt: now,
        },
        tallies: v.tallies,
      });
    }
    // Nothing is stored when the transaction throws: the request fails and the agent sends the batch again.
    const stored = valid.length ? store(valid) : { accepted: [], rejected: [] };
    rejected.push(...stored.rejected);
    return { accepted: [...new Set(stored.accepted)], rejected, clockOffsetMs: offsetMs };
  };
}
