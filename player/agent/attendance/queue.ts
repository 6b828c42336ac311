// The site's durable attendance queue: viewing sessions as the kiosk reports them, the "sitting" (headcount and
// signed-in members carried from one program to the next), and what became of each session id. Its own SQLite
// file, WAL with synchronous=FULL: a change is on disk before the kiosk hears "ok", and the PC in the village
// hall loses power without warning.
//
// Rules (DESIGN.md "Nothing recorded is lost or counted twice"):
// - a session is a row from its first progress report on; it only grows (watched time never goes back);
// - a closed session is frozen and goes up; only ids the server acknowledged are deleted;
// - a finished id leaves a tombstone, so a late retry from the kiosk can never open it again.
import type Database from 'better-sqlite3';
import { openVersionedDb } from '../sqlite.ts';
import type { AttendanceSession, RejectReason, SessionMode } from '../../../common/attendance.ts';

export type QueueDb = Database.Database;

/** Schema versions, applied in order (PRAGMA user_version counts them). Append, never edit a shipped one. */
const MIGRATIONS: string[] = [
  `CREATE TABLE sessions (
     id               TEXT PRIMARY KEY,
     program_id       INTEGER NOT NULL,
     channel_id       INTEGER,
     mode             TEXT NOT NULL CHECK (mode IN ('broadcast', 'ondemand')),
     start_at         INTEGER NOT NULL,           -- epoch ms, agent clock
     end_at           INTEGER,                    -- null while open
     last_progress_at INTEGER NOT NULL,
     watched_seconds  REAL NOT NULL DEFAULT 0,
     person_seconds   REAL NOT NULL DEFAULT 0,    -- watched x headcount, accrued as the headcount changes
     unknown_seconds  REAL NOT NULL DEFAULT 0,    -- watched before anybody answered the headcount
     closed_by        TEXT                        -- kiosk | stale | restart
   );
   CREATE INDEX sessions_closed ON sessions(end_at) WHERE end_at IS NOT NULL;
   CREATE TABLE session_members (
     session_id      TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
     member_no       TEXT NOT NULL,
     watched_seconds REAL NOT NULL DEFAULT 0,
     PRIMARY KEY (session_id, member_no)
   );
   -- One row: the people in front of the TV now. Reset when nothing has played for a while.
   CREATE TABLE sitting (
     id               INTEGER PRIMARY KEY CHECK (id = 1),
     headcount        INTEGER,
     headcount_at     INTEGER,
     last_activity_at INTEGER
   );
   INSERT INTO sitting (id) VALUES (1);
   CREATE TABLE sitting_members (
     member_no    TEXT PRIMARY KEY,
     signed_in_at INTEGER NOT NULL
   );
   -- What became of finished ids: delivered (acknowledged), rejected (kept for the administrator) or discarded
   -- (closed with nothing watched). Lets a late kiosk retry be answered "closed" instead of re-opening.
   CREATE TABLE finished (
     id      TEXT PRIMARY KEY,
     outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'rejected', 'discarded')),
     reason  TEXT,
     message TEXT,
     payload TEXT,
     at      INTEGER NOT NULL
   );
   CREATE INDEX finished_at ON finished(at);`,
];

export function openQueueDb(file: string): QueueDb {
  return openVersionedDb(file, MIGRATIONS, { foreignKeys: true });
}

/** What the kiosk reports about one session: a snapshot, so a replay or an out-of-order retry is harmless. */
export interface SessionReport {
  id: string;
  programId: number;
  channelId?: number | null;
  mode: SessionMode;
  /** Seconds of real playback so far, as the kiosk's tracker measured them. */
  watchedSeconds: number;
  /** 'closed' when the program ended, the viewer left it or the page is going away. */
  state: 'open' | 'closed';
}

export interface SessionState {
  id: string;
  state: 'open' | 'closed';
  watchedSeconds: number;
}

export interface Sitting {
  /** Last answer to "how many are watching", null if nobody answered in this sitting. */
  headcount: number | null;
  headcountAt: number | null;
  members: Array<{ memberNo: string; signedInAt: number }>;
  lastActivityAt: number | null;
}

export interface QueueOptions {
  /** After this long with nothing playing, the next program starts a new sitting (headcount asked afresh, members signed out). */
  sittingGapMs?: number;
  /** A progress report may add at most the wall time since the last one plus this slack (guards a confused client). */
  progressSlackSeconds?: number;
  /** Program length in seconds if the agent knows it (manifest): watched time is never sent longer than it. */
  programDuration?: (programId: number) => number | null | undefined;
}

interface SessionRow {
  id: string;
  program_id: number;
  channel_id: number | null;
  mode: SessionMode;
  start_at: number;
  end_at: number | null;
  last_progress_at: number;
  watched_seconds: number;
  person_seconds: number;
  unknown_seconds: number;
}

/** A session closed with less than this watched is channel-zapping noise, not a viewing: it is not sent. */
export const MIN_WATCHED_SECONDS = 1;

const round1 = (x: number) => Math.floor(x * 10 + 1e-6) / 10;

/**
 * The headcount a closed session reports: people weighted by the seconds they were counted for, so an
 * answer changed halfway counts half. 0 means nobody answered (the wire's convention).
 */
export function sessionHeadcount(watchedSeconds: number, personSeconds: number, unknownSeconds: number): number {
  const counted = watchedSeconds - unknownSeconds;
  if (counted <= 0 || personSeconds <= 0) return 0;
  return Math.max(1, Math.round(personSeconds / counted));
}

export class AttendanceQueue {
  private readonly sittingGapMs: number;
  private readonly slack: number;
  private readonly programDuration: NonNullable<QueueOptions['programDuration']>;

  constructor(
    readonly db: QueueDb,
    opts: QueueOptions = {},
  ) {
    this.sittingGapMs = opts.sittingGapMs ?? 30 * 60_000;
    this.slack = opts.progressSlackSeconds ?? 5;
    this.programDuration = opts.programDuration ?? (() => null);
  }

  static open(file: string, opts: QueueOptions = {}): AttendanceQueue {
    return new AttendanceQueue(openQueueDb(file), opts);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- the sitting -------------------------------------------------------------------------------------------

  sitting(now: number): Sitting {
    const row = this.db.prepare('SELECT headcount, headcount_at, last_activity_at FROM sitting WHERE id = 1').get() as {
      headcount: number | null;
      headcount_at: number | null;
      last_activity_at: number | null;
    };
    if (this.expired(row.last_activity_at, now)) return { headcount: null, headcountAt: null, members: [], lastActivityAt: null };
    const members = this.db
      .prepare('SELECT member_no AS memberNo, signed_in_at AS signedInAt FROM sitting_members ORDER BY signed_in_at, member_no')
      .all() as Sitting['members'];
    return { headcount: row.headcount, headcountAt: row.headcount_at, members, lastActivityAt: row.last_activity_at };
  }

  private expired(lastActivityAt: number | null, now: number): boolean {
    return lastActivityAt === null || now - lastActivityAt > this.sittingGapMs;
  }

  /** Keeps the sitting alive (or starts a new one after a long idle gap). Call inside a transaction. */
  private touchSitting(now: number): void {
    const row = this.db.prepare('SELECT last_activity_at FROM sitting WHERE id = 1').get() as { last_activity_at: number | null };
    // An open session keeps the sitting alive even if the kiosk went quiet (it is closed as stale separately).
    const open = this.db.prepare('SELECT 1 FROM sessions WHERE end_at IS NULL LIMIT 1').get();
    if (this.expired(row.last_activity_at, now) && !open) {
      this.db.prepare('UPDATE sitting SET headcount = NULL, headcount_at = NULL WHERE id = 1').run();
      this.db.prepare('DELETE FROM sitting_members').run();
    }
    this.db.prepare('UPDATE sitting SET last_activity_at = ? WHERE id = 1').run(now);
  }

  /** Sets how many people are watching. Applies from now on, and to the seconds of open sessions nobody had counted yet. */
  setHeadcount(count: number, now: number): Sitting {
    this.db.transaction(() => {
      this.touchSitting(now);
      this.db.prepare('UPDATE sitting SET headcount = ?, headcount_at = ? WHERE id = 1').run(count, now);
      this.db
        .prepare(
          `UPDATE sessions SET person_seconds = person_seconds + unknown_seconds * ?, unknown_seconds = 0
            WHERE end_at IS NULL AND unknown_seconds > 0`,
        )
        .run(count);
    })();
    return this.sitting(now);
  }

  /** Signs a member in: from now on they accrue the watched time of whatever plays. Idempotent. */
  signIn(memberNo: string, now: number): Sitting {
    this.db.transaction(() => {
      this.touchSitting(now);
      this.db.prepare('INSERT INTO sitting_members (member_no, signed_in_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(memberNo, now);
      // Listed on the open sessions at once (with 0 s), so the sign-in itself is on record even if playback stops now.
      this.db
        .prepare(
          `INSERT INTO session_members (session_id, member_no, watched_seconds)
           SELECT id, ?, 0 FROM sessions WHERE end_at IS NULL ON CONFLICT DO NOTHING`,
        )
        .run(memberNo);
    })();
    return this.sitting(now);
  }

  signOut(memberNo: string, now: number): Sitting {
    this.db.transaction(() => {
      this.touchSitting(now);
      this.db.prepare('DELETE FROM sitting_members WHERE member_no = ?').run(memberNo);
    })();
    return this.sitting(now);
  }

  // ---- sessions ------------------------------------------------------------------------------------------------

  /**
   * Records a snapshot from the kiosk. Returns the session's state here: 'closed' for an id already closed or
   * finished (e.g. closed at its last progress when the agent restarted) tells the kiosk to start a new session.
   */
  report(r: SessionReport, now: number): SessionState {
    return this.db.transaction((): SessionState => {
      const done = this.db.prepare('SELECT outcome FROM finished WHERE id = ?').get(r.id);
      if (done) return { id: r.id, state: 'closed', watchedSeconds: r.watchedSeconds };
      let row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(r.id) as SessionRow | undefined;
      if (row && row.end_at !== null) return { id: r.id, state: 'closed', watchedSeconds: row.watched_seconds };

      if (!row) {
        if (r.state === 'closed' && r.watchedSeconds < MIN_WATCHED_SECONDS) {
          this.db.prepare("INSERT INTO finished (id, outcome, reason, at) VALUES (?, 'discarded', 'nothing watched', ?)").run(r.id, now);
          return { id: r.id, state: 'closed', watchedSeconds: 0 };
        }
        this.touchSitting(now);
        // A first report that already carries watched time (its "open" was lost) started that long ago at least.
        const start = now - Math.round(Math.max(0, r.watchedSeconds) * 1000);
        this.db
          .prepare(
            `INSERT INTO sessions (id, program_id, channel_id, mode, start_at, last_progress_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(r.id, r.programId, r.channelId ?? null, r.mode, start, start);
        this.db
          .prepare(
            `INSERT INTO session_members (session_id, member_no, watched_seconds)
             SELECT ?, member_no, 0 FROM sitting_members WHERE true ON CONFLICT DO NOTHING`,
          )
          .run(r.id);
        row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(r.id) as SessionRow;
      } else {
        this.touchSitting(now);
      }

      const wallSeconds = Math.max(0, (now - row.last_progress_at) / 1000);
      const delta = Math.min(Math.max(0, r.watchedSeconds - row.watched_seconds), wallSeconds + this.slack);
      if (delta > 0) this.accrue(row.id, delta);
      this.db.prepare('UPDATE sessions SET last_progress_at = ? WHERE id = ?').run(Math.max(now, row.last_progress_at), row.id);

      if (r.state === 'closed') this.closeRow(row.id, now, 'kiosk');
      const after = this.db.prepare('SELECT watched_seconds, end_at FROM sessions WHERE id = ?').get(row.id) as
        | { watched_seconds: number; end_at: number | null }
        | undefined;
      return { id: r.id, state: r.state === 'closed' ? 'closed' : 'open', watchedSeconds: after?.watched_seconds ?? 0 };
    })();
  }

  /** Adds watched seconds to a session, to its person-seconds at the current headcount and to each signed-in member. */
  private accrue(sessionId: string, delta: number): void {
    const { headcount } = this.db.prepare('SELECT headcount FROM sitting WHERE id = 1').get() as { headcount: number | null };
    if (headcount === null) {
      this.db
        .prepare('UPDATE sessions SET watched_seconds = watched_seconds + ?, unknown_seconds = unknown_seconds + ? WHERE id = ?')
        .run(delta, delta, sessionId);
    } else {
      this.db
        .prepare('UPDATE sessions SET watched_seconds = watched_seconds + ?, person_seconds = person_seconds + ? WHERE id = ?')
        .run(delta, delta * headcount, sessionId);
    }
    this.db
      .prepare(
        `INSERT INTO session_members (session_id, member_no, watched_seconds)
         SELECT ?, member_no, ? FROM sitting_members WHERE true
         ON CONFLICT (session_id, member_no) DO UPDATE SET watched_seconds = watched_seconds + excluded.watched_seconds`,
      )
      .run(sessionId, delta);
  }

  /** Closes at `end`; a session in which (almost) nothing was watched, e.g. zapping past a channel, is discarded. */
  private closeRow(id: string, end: number, by: 'kiosk' | 'stale' | 'restart'): void {
    const row = this.db.prepare('SELECT watched_seconds, start_at FROM sessions WHERE id = ?').get(id) as {
      watched_seconds: number;
      start_at: number;
    };
    if (row.watched_seconds < MIN_WATCHED_SECONDS) {
      this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
      this.db.prepare("INSERT INTO finished (id, outcome, reason, at) VALUES (?, 'discarded', 'nothing watched', ?)").run(id, end);
      return;
    }
    this.db.prepare('UPDATE sessions SET end_at = ?, closed_by = ? WHERE id = ?').run(Math.max(end, row.start_at), by, id);
  }

  /** At start: sessions left open by a crash or a power cut are closed at their last recorded progress. */
  recoverOpen(): number {
    return this.db.transaction(() => {
      const open = this.db.prepare('SELECT id, last_progress_at FROM sessions WHERE end_at IS NULL').all() as Array<{
        id: string;
        last_progress_at: number;
      }>;
      for (const s of open) this.closeRow(s.id, s.last_progress_at, 'restart');
      return open.length;
    })();
  }

  /** Closes sessions the kiosk stopped reporting on (TV switched off, browser crashed) at their last progress. */
  closeStale(now: number, staleMs: number): number {
    return this.db.transaction(() => {
      const stale = this.db
        .prepare('SELECT id, last_progress_at FROM sessions WHERE end_at IS NULL AND last_progress_at < ?')
        .all(now - staleMs) as Array<{ id: string; last_progress_at: number }>;
      for (const s of stale) this.closeRow(s.id, s.last_progress_at, 'stale');
      return stale.length;
    })();
  }

  // ---- upload --------------------------------------------------------------------------------------------------

  /** The oldest closed sessions as the server wants them (at most `limit`). Read only: nothing changes until ack. */
  batch(limit: number): AttendanceSession[] {
    const rows = this.db.prepare('SELECT * FROM sessions WHERE end_at IS NOT NULL ORDER BY end_at, id LIMIT ?').all(limit) as SessionRow[];
    const membersOf = this.db.prepare(
      'SELECT member_no AS memberNo, watched_seconds AS watchedSeconds FROM session_members WHERE session_id = ? ORDER BY member_no',
    );
    return rows.map((row) => this.toWire(row, membersOf.all(row.id) as Array<{ memberNo: string; watchedSeconds: number }>));
  }

  private toWire(row: SessionRow, members: Array<{ memberNo: string; watchedSeconds: number }>): AttendanceSession {
    const start = Math.round(row.start_at);
    const end = Math.max(Math.round(row.end_at!), start);
    // Watched time fits in the session's span and the program's length (a lecture watched twice over by seeking
    // back is still at most one lecture): the server refuses anything longer.
    const duration = this.programDuration(row.program_id);
    let watched = Math.min(row.watched_seconds, (end - start) / 1000);
    if (duration !== null && duration !== undefined && duration > 0) watched = Math.min(watched, duration);
    watched = round1(watched);
    return {
      id: row.id,
      programId: row.program_id,
      channelId: row.channel_id,
      mode: row.mode,
      start,
      end: Math.round(end),
      watchedSeconds: watched,
      headcount: sessionHeadcount(row.watched_seconds, row.person_seconds, row.unknown_seconds),
      members: members.map((m) => ({ memberNo: m.memberNo, watchedSeconds: Math.min(round1(m.watchedSeconds), watched) })),
    };
  }

  /** Deletes exactly the acknowledged ids (ids this queue does not hold are ignored). */
  acknowledge(ids: readonly string[], now: number): number {
    return this.db.transaction(() => {
      let n = 0;
      const del = this.db.prepare('DELETE FROM sessions WHERE id = ? AND end_at IS NOT NULL');
      const mark = this.db.prepare(
        "INSERT INTO finished (id, outcome, at) VALUES (?, 'delivered', ?) ON CONFLICT(id) DO UPDATE SET outcome = 'delivered', at = excluded.at",
      );
      for (const id of ids) {
        if (del.run(id).changes > 0) {
          mark.run(id, now);
          n++;
        }
      }
      return n;
    })();
  }

  /** Refused for good by the server: moved out of the queue but kept (with the payload) for the administrator. */
  reject(items: ReadonlyArray<{ id: string; reason: RejectReason | string; message?: string }>, now: number): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const item of items) {
        const row = this.db.prepare('SELECT * FROM sessions WHERE id = ? AND end_at IS NOT NULL').get(item.id) as SessionRow | undefined;
        if (!row) continue;
        const members = this.db
          .prepare('SELECT member_no AS memberNo, watched_seconds AS watchedSeconds FROM session_members WHERE session_id = ?')
          .all(row.id) as Array<{ memberNo: string; watchedSeconds: number }>;
        const payload = JSON.stringify(this.toWire(row, members));
        this.db.prepare('DELETE FROM sessions WHERE id = ?').run(row.id);
        this.db
          .prepare(
            `INSERT INTO finished (id, outcome, reason, message, payload, at) VALUES (?, 'rejected', ?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET outcome = 'rejected', reason = excluded.reason, message = excluded.message,
               payload = excluded.payload, at = excluded.at`,
          )
          .run(row.id, item.reason, item.message ?? null, payload, now);
        n++;
      }
      return n;
    })();
  }

  counts(): { open: number; pending: number; rejected: number; delivered: number } {
    const q = (sql: string) => (this.db.prepare(sql).get() as { n: number }).n;
    return {
      open: q('SELECT count(*) AS n FROM sessions WHERE end_at IS NULL'),
      pending: q('SELECT count(*) AS n FROM sessions WHERE end_at IS NOT NULL'),
      rejected: q("SELECT count(*) AS n FROM finished WHERE outcome = 'rejected'"),
      delivered: q("SELECT count(*) AS n FROM finished WHERE outcome = 'delivered'"),
    };
  }

  rejectedItems(limit = 100): Array<{ id: string; reason: string; message: string | null; at: number; session: AttendanceSession }> {
    const rows = this.db
      .prepare("SELECT id, reason, message, payload, at FROM finished WHERE outcome = 'rejected' ORDER BY at DESC LIMIT ?")
      .all(limit) as Array<{ id: string; reason: string; message: string | null; payload: string; at: number }>;
    return rows.map((r) => ({
      id: r.id,
      reason: r.reason,
      message: r.message,
      at: r.at,
      session: JSON.parse(r.payload) as AttendanceSession,
    }));
  }

  /** Forgets tombstones of delivered/discarded ids older than `before` (rejected ones stay for the administrator). */
  purgeFinished(before: number): number {
    return this.db.prepare("DELETE FROM finished WHERE outcome != 'rejected' AND at < ?").run(before).changes;
  }
}
