// The site's durable queue of questionnaire answers, in its own SQLite file (WAL, synchronous=FULL, like the
// attendance queue): an answer is on disk before the kiosk hears "saved", and leaves only when the server has
// acknowledged its id. The id is made on the TV, so a retry from the kiosk or a resend after a lost answer from
// the server counts once; a finished id leaves a tombstone so a late kiosk retry is not queued again.
import type Database from 'better-sqlite3';
import { openVersionedDb } from '../sqlite.ts';
import type { Answer } from '../../../common/api/questionnaires.ts';
import type { Outbox } from '../attendance/uploader.ts';

/** One answer as the server takes it (POST /api/sites/me/answers). answeredAt: epoch ms, the agent's clock. */
export type SiteAnswer = Answer;

/** Schema versions, applied in order (PRAGMA user_version counts them). Append, never edit a shipped one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE answers (
     id               TEXT PRIMARY KEY,
     questionnaire_id INTEGER NOT NULL,
     answered_at      INTEGER NOT NULL,
     body             TEXT NOT NULL      -- the SiteAnswer as sent
   );
   CREATE INDEX answers_order ON answers(answered_at, id);
   CREATE TABLE finished (
     id      TEXT PRIMARY KEY,
     outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'rejected')),
     reason  TEXT,
     message TEXT,
     payload TEXT,
     at      INTEGER NOT NULL
   );
   CREATE INDEX finished_at ON finished(at);`,
];

export const ANSWERS_FILE = 'answers.sqlite';

interface AnswerRow {
  id: string;
  body: string;
}

interface FinishedRow {
  id: string;
  reason: string;
  message: string | null;
  at: number;
}

export interface RejectedAnswer {
  id: string;
  reason: string;
  message: string | null;
  at: number;
}

export class AnswerQueue implements Outbox<SiteAnswer> {
  private constructor(readonly db: Database.Database) {}

  static open(file: string): AnswerQueue {
    return new AnswerQueue(openVersionedDb(file, MIGRATIONS));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Queues an answer unless its id is known (queued, delivered or rejected). Returns whether it was new and the
   * answeredAt on record (the first one, for a retry).
   */
  add(answer: SiteAnswer): { queued: boolean; answeredAt: number } {
    return this.db.transaction(() => {
      const known = this.answeredAt(answer.id);
      if (known !== null) return { queued: false, answeredAt: known };
      this.db
        .prepare('INSERT INTO answers (id, questionnaire_id, answered_at, body) VALUES (?, ?, ?, ?)')
        .run(answer.id, answer.questionnaireId, answer.answeredAt, JSON.stringify(answer));
      return { queued: true, answeredAt: answer.answeredAt };
    })();
  }

  /** When a known id (queued, delivered or rejected) was answered; null for an id never seen. */
  answeredAt(id: string): number | null {
    const held = this.db.prepare<[string], AnswerRow>('SELECT id, body FROM answers WHERE id = ?').get(id);
    if (held) return (JSON.parse(held.body) as SiteAnswer).answeredAt;
    const done = this.db.prepare<[string], { at: number; payload: string | null }>('SELECT at, payload FROM finished WHERE id = ?').get(id);
    if (!done) return null;
    return done.payload ? (JSON.parse(done.payload) as SiteAnswer).answeredAt : done.at;
  }

  /** The oldest answers (at most `limit`). Read only: nothing changes until acknowledge/reject. */
  batch(limit: number): SiteAnswer[] {
    return this.db
      .prepare<[number], AnswerRow>('SELECT id, body FROM answers ORDER BY answered_at, id LIMIT ?')
      .all(limit)
      .map((r) => JSON.parse(r.body) as SiteAnswer);
  }

  /** Deletes exactly the acknowledged ids this queue holds, leaving a tombstone for each. */
  acknowledge(ids: readonly string[], now: number): number {
    return this.db.transaction(() => {
      const del = this.db.prepare('DELETE FROM answers WHERE id = ?');
      const mark = this.db.prepare(
        `INSERT INTO finished (id, outcome, at) VALUES (?, 'delivered', ?)
         ON CONFLICT(id) DO UPDATE SET outcome = 'delivered', at = excluded.at`,
      );
      let n = 0;
      for (const id of ids) {
        if (del.run(id).changes > 0) {
          mark.run(id, now);
          n++;
        }
      }
      return n;
    })();
  }

  /** Refused for good by the server: out of the queue, kept with its payload for the administrator. */
  reject(items: ReadonlyArray<{ id: string; reason: string; message?: string }>, now: number): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const item of items) {
        const row = this.db.prepare<[string], AnswerRow>('SELECT id, body FROM answers WHERE id = ?').get(item.id);
        if (!row) continue;
        this.db.prepare('DELETE FROM answers WHERE id = ?').run(row.id);
        this.db
          .prepare(
            `INSERT INTO finished (id, outcome, reason, message, payload, at) VALUES (?, 'rejected', ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET outcome = 'rejected', reason = excluded.reason, message = excluded.message,
               payload = excluded.payload, at = excluded.at`,
          )
          .run(row.id, item.reason, item.message ?? null, row.body, now);
        n++;
      }
      return n;
    })();
  }

  counts(): { pending: number; delivered: number; rejected: number } {
    const count = (sql: string) => this.db.prepare<[], { n: number }>(sql).get()!.n;
    return {
      pending: count('SELECT count(*) AS n FROM answers'),
      delivered: count("SELECT count(*) AS n FROM finished WHERE outcome = 'delivered'"),
      rejected: count("SELECT count(*) AS n FROM finished WHERE outcome = 'rejected'"),
    };
  }

  rejectedItems(limit = 20): RejectedAnswer[] {
    return this.db
      .prepare<[number], FinishedRow>("SELECT id, reason, message, at FROM finished WHERE outcome = 'rejected' ORDER BY at DESC LIMIT ?")
      .all(limit);
  }

  /** Forgets delivered tombstones older than `before` (rejected ones stay for the administrator). */
  purgeFinished(before: number): number {
    return this.db.prepare("DELETE FROM finished WHERE outcome = 'delivered' AND at < ?").run(before).changes;
  }
}
