// Stores a site's batch of viewing sessions exactly once: keyed by (site, id made at the site). A replay is
// acknowledged without a second row; a later version of the same session may only grow it (max of end, watched,
// headcount, members' seconds), so nothing counts twice.
// A batch is stored in slices (a few dozen sessions or ~1,000 member rows each, each its own savepoint in the group
// commit it shares with the other sites' writes of that moment) with the event loop free between them, so one site's
// large upload never stalls everyone else's requests; the answer lists only ids whose slice committed. Member rows
// are capped per session (refused) and per batch (deferred, sent again later).
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/connection.ts';
import {
  MAX_MEMBER_ROWS_PER_BATCH,
  MAX_MEMBERS_PER_SESSION,
  type AttendanceBatch,
  type AttendanceBatchResult,
  type AttendanceSession,
} from '../../common/attendance.ts';
import { programDurations } from '../catalog/repo.ts';
import { existingChannelIds } from '../broadcast/repo.ts';
import { checkSession, effectiveHeadcount } from './validate.ts';
import { dayStartMs, memoProvinceDay } from './days.ts';
import { oldestAcceptedDay } from './rollup.ts';
import { groupCommit } from '../db/group-commit.ts';

export type Ingest = (siteId: number, batch: AttendanceBatch, now: number) => Promise<AttendanceBatchResult>;

/** A slice closes at this many sessions or member rows, whichever comes first (~5-10 ms of work each). */
export const SLICE_SESSIONS = 100;
export const SLICE_MEMBER_ROWS = 1_000;

type Member = AttendanceSession['members'][number];
interface Item {
  s: AttendanceSession;
  members: Member[];
  startAt: number;
  endAt: number;
}
interface Stored {
  accepted: string[];
  rejected: AttendanceBatchResult['rejected'];
}

type Refused = AttendanceBatchResult['rejected'];
type Deferred = NonNullable<AttendanceBatchResult['deferred']>;

/** Refuses sessions over the per-session cap and defers those past the batch's member-row budget. Pure. */
export function capMembers(items: Item[]): { kept: Item[]; rejected: Refused; deferred: Deferred } {
  const kept: Item[] = [];
  const rejected: Refused = [];
  const deferred: Deferred = [];
  let rows = 0;
  for (const it of items) {
    const n = it.members.length;
    if (n > MAX_MEMBERS_PER_SESSION) {
      const message = `the session lists ${n} members; a session holds at most ${MAX_MEMBERS_PER_SESSION}.`;
      rejected.push({ id: it.s.id, reason: 'too_many_members', message });
    } else if (rows + n > MAX_MEMBER_ROWS_PER_BATCH) {
      const message =
        `the batch already holds ${rows} member rows (at most ${MAX_MEMBER_ROWS_PER_BATCH} per batch): ` +
        'send this session again in a later batch.';
      deferred.push({ id: it.s.id, reason: 'batch_member_cap', message });
    } else {
      rows += n;
      kept.push(it);
    }
  }
  return { kept, rejected, deferred };
}

/** Consecutive slices of at most SLICE_SESSIONS sessions and (unless one session alone is more) SLICE_MEMBER_ROWS rows. */
export function slices(items: Item[]): Item[][] {
  const out: Item[][] = [];
  let cur: Item[] = [];
  let rows = 0;
  for (const it of items) {
    if (cur.length && (cur.length >= SLICE_SESSIONS || rows + it.members.length > SLICE_MEMBER_ROWS)) {
      out.push(cur);
      cur = [];
      rows = 0;
    }
    cur.push(it);
    rows += it.members.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

export function makeIngest(db: Db, tz: string, retentionDays: number, log?: Pick<FastifyBaseLogger, 'error'>): Ingest {
  const existing = db.prepare<[number, string], { programId: number; mode: string; day: string }>(
    'SELECT program_id AS programId, mode, day FROM attendance_sessions WHERE site_id = ? AND session_id = ?',
  );
  const upsertSession = db.prepare<[Record<string, string | number | null>], { day: string }>(`
    INSERT INTO attendance_sessions (site_id, session_id, program_id, channel_id, mode, start_at, end_at,
      site_start_at, site_end_at, day, watched_seconds, headcount, people, person_seconds, clock_offset_ms,
      received_at, updated_at)
    VALUES (@siteId, @id, @programId, @channelId, @mode, @startAt, @endAt, @siteStart, @siteEnd, @day,
      @watched, @headcount, @people, @watched * @people, @offset, @now, @now)
    ON CONFLICT (site_id, session_id) DO UPDATE SET
      site_end_at     = max(site_end_at, excluded.site_end_at),
      end_at          = max(site_end_at, excluded.site_end_at) + clock_offset_ms,
      watched_seconds = max(watched_seconds, excluded.watched_seconds),
      headcount       = max(headcount, excluded.headcount),
      people          = max(people, excluded.people),
      person_seconds  = max(watched_seconds, excluded.watched_seconds) * max(people, excluded.people),
      updated_at      = excluded.updated_at
    WHERE program_id = excluded.program_id AND mode = excluded.mode
      AND (excluded.site_end_at > site_end_at OR excluded.watched_seconds > watched_seconds
           OR excluded.headcount > headcount OR excluded.people > people)
    RETURNING day`);
  const upsertMember = db.prepare<[number, string, string, string, number, number]>(`
    INSERT INTO attendance_session_members (site_id, session_id, member_no, day, program_id, watched_seconds)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (site_id, session_id, member_no) DO UPDATE SET watched_seconds = excluded.watched_seconds
    WHERE excluded.watched_seconds > watched_seconds`);
  // A day whose rows changed is no longer rolled up: reports read its raw rows until the next rollup.
  const unmark = db.prepare<[string]>('DELETE FROM attendance_rolled_days WHERE day = ?');
  // ...and its per-site rows leave the month's sums, so the month never holds a day that is read raw.
  const subtractFromMonth = db.prepare<[{ day: string }]>(`
    UPDATE attendance_site_monthly AS m SET
      sessions = m.sessions - d.sessions, watched_seconds = m.watched_seconds - d.watched_seconds,
      person_seconds = m.person_seconds - d.person_seconds, people = m.people - d.people,
      broadcast_seconds = m.broadcast_seconds - d.broadcast_seconds
    FROM (SELECT site_id, sessions, watched_seconds, person_seconds, people, broadcast_seconds
            FROM attendance_site_daily WHERE day = @day) AS d
    WHERE m.month = substr(@day, 1, 7) AND m.site_id = d.site_id`);
  const delSiteDaily = db.prepare<[string]>('DELETE FROM attendance_site_daily WHERE day = ?');
  const unroll = (day: string) => {
    if (unmark.run(day).changes === 0) return;
    subtractFromMonth.run({ day });
    delSiteDaily.run(day);
  };

  const dayOf = memoProvinceDay(tz);
  // Slices from every site's batch arriving together share one commit (one fsync); each is answered once on disk.
  const commit = groupCommit(db);

  const store = db.transaction((siteId: number, items: Item[], offsetMs: number, now: number): Stored => {
    const accepted: string[] = [];
    const rejected: AttendanceBatchResult['rejected'] = [];
    const touchedDays = new Set<string>();
    for (const { s, members, startAt, endAt } of items) {
      const people = effectiveHeadcount(s.headcount, members.length);
      // One statement in the common case: a new row, or a grown one, returns its day (a replay keeps the day of
      // its first arrival); nothing comes back for an unchanged replay or a conflicting reuse of the id.
      const written = upsertSession.get({
        siteId,
        id: s.id,
        programId: s.programId,
        channelId: s.channelId ?? null,
        mode: s.mode,
        startAt,
        endAt,
        siteStart: s.start,
        siteEnd: s.end,
        day: dayOf(startAt),
        watched: s.watchedSeconds,
        headcount: s.headcount,
        people,
        offset: offsetMs,
        now,
      });
      let day = written?.day;
      if (!day) {
        const prior = existing.get(siteId, s.id);
        if (!prior) throw new Error(`session ${s.id} of site ${siteId} neither written nor found`);
        if (prior.programId !== s.programId || prior.mode !== s.mode) {
          const message =
            `this site already sent session ${s.id} for program ${prior.programId} (${prior.mode}); ` + 'the first version is kept.';
          rejected.push({ id: s.id, reason: 'id_conflict', message });
          continue;
        }
        day = prior.day;
      } else touchedDays.add(day);
      for (const m of members) {
        if (upsertMember.run(siteId, s.id, m.memberNo, day, s.programId, m.watchedSeconds).changes > 0) touchedDays.add(day);
      }
      accepted.push(s.id);
    }
    for (const d of touchedDays) unroll(d);
    return { accepted, rejected };
  });

  return async (siteId, batch, now) => {
    const offsetMs = now - batch.sentAt;
    const programIds = [...new Set(batch.sessions.map((s) => s.programId))];
    const channelIds = [...new Set(batch.sessions.flatMap((s) => (s.channelId != null ? [s.channelId] : [])))];
    const ctx = {
      offsetMs,
      now,
      programDurations: programDurations(db, programIds),
      channelIds: existingChannelIds(db, channelIds),
      oldestStartMs: dayStartMs(oldestAcceptedDay(now, tz, retentionDays), tz),
    };
    const rejected: AttendanceBatchResult['rejected'] = [];
    const valid: Item[] = [];
    for (const s of batch.sessions) {
      const v = checkSession(s, ctx);
      if (v.ok) valid.push({ s, members: dedupeMembers(s.members), startAt: v.startAt, endAt: v.endAt });
      else rejected.push({ id: s.id, reason: v.reason, message: v.message });
    }
    const capped = capMembers(valid);
    const accepted: string[] = [];
    const deferred = capped.deferred;
    const parts = slices(capped.kept);
    for (let i = 0; i < parts.length; i++) {
      // Each slice commits before the next starts; between them other requests run.
      if (i > 0) await yieldToOthers();
      try {
        const part = parts[i]!;
        const stored = await commit(() => store(siteId, part, offsetMs, now));
        accepted.push(...stored.accepted);
        rejected.push(...stored.rejected);
      } catch (err) {
        // Nothing stored yet: the request fails and the agent retries the batch. Otherwise acknowledge exactly the
        // committed slices and hand the rest back (a resend of anything already stored is a harmless replay).
        if (i === 0) throw err;
        log?.error({ err, siteId }, 'attendance slice failed; the rest of the batch is handed back');
        for (const it of parts.slice(i).flat()) {
          deferred.push({ id: it.s.id, reason: 'store_failed', message: 'the server could not store this session now: send it again.' });
        }
        break;
      }
    }
    return {
      accepted: [...new Set(accepted)],
      rejected: [...rejected, ...capped.rejected],
      deferred,
      clockOffsetMs: offsetMs,
    };
  };
}

/** A member signed in twice in one session counts once, with the larger time. */
function dedupeMembers(members: AttendanceSession['members']): AttendanceSession['members'] {
  const byNo = new Map<string, number>();
  for (const m of members) {
    const no = m.memberNo.trim();
    byNo.set(no, Math.max(byNo.get(no) ?? 0, m.watchedSeconds));
  }
  return [...byNo].map(([memberNo, watchedSeconds]) => ({ memberNo, watchedSeconds }));
}
