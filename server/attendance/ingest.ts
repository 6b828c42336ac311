// Stores a site's batch of viewing sessions exactly once: keyed by (site, id made at the site), one transaction per
// batch, the answer built only after commit. A replay is acknowledged without a second row; a later version of
// the same session may only grow it (max of end, watched, headcount, members' seconds), so nothing counts twice.
import type { Db } from '../db/connection.ts';
import type { AttendanceBatch, AttendanceBatchResult, AttendanceSession } from '../../common/attendance.ts';
import { checkSession, effectiveHeadcount } from './validate.ts';
import { dayStartMs, provinceDay } from './days.ts';
import { oldestAcceptedDay } from './rollup.ts';

export function tableExists(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

export type Ingest = (siteId: number, batch: AttendanceBatch, now: number) => AttendanceBatchResult;

export function makeIngest(db: Db, tz: string, retentionDays: number): Ingest {
  const programs = db.prepare(
    'SELECT id, duration FROM programs WHERE id IN (SELECT value FROM json_each(?))',
  );
  // Channels are checked once the broadcast domain's table exists (migrations run before plugins register).
  const channels = tableExists(db, 'channels')
    ? db.prepare('SELECT id FROM channels WHERE id IN (SELECT value FROM json_each(?))')
    : null;
  const existing = db.prepare(
    'SELECT program_id AS programId, mode, day FROM attendance_sessions WHERE site_id = ? AND session_id = ?',
  );
  const upsertSession = db.prepare(`
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
  const upsertMember = db.prepare(`
    INSERT INTO attendance_session_members (site_id, session_id, member_no, day, program_id, watched_seconds)
    VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (site_id, session_id, member_no) DO UPDATE SET watched_seconds = excluded.watched_seconds
    WHERE excluded.watched_seconds > watched_seconds`);
  // A day whose rows changed is no longer rolled up: reports read its raw rows until the next rollup.
  const unmark = db.prepare('DELETE FROM attendance_rolled_days WHERE day = ?');
  // ...and its per-site rows leave the month's sums, so the month never holds a day that is read raw.
  const subtractFromMonth = db.prepare(`
    UPDATE attendance_site_monthly AS m SET
      sessions = m.sessions - d.sessions, watched_seconds = m.watched_seconds - d.watched_seconds,
      person_seconds = m.person_seconds - d.person_seconds, people = m.people - d.people,
      broadcast_seconds = m.broadcast_seconds - d.broadcast_seconds
    FROM (SELECT site_id, sessions, watched_seconds, person_seconds, people, broadcast_seconds
            FROM attendance_site_daily WHERE day = @day) AS d
    WHERE m.month = substr(@day, 1, 7) AND m.site_id = d.site_id`);
  const delSiteDaily = db.prepare('DELETE FROM attendance_site_daily WHERE day = ?');
  const unroll = (day: string) => {
    if (unmark.run(day).changes === 0) return;
    subtractFromMonth.run({ day });
    delSiteDaily.run(day);
  };

  // Province day of an instant, memoised per quarter hour (zone offsets only change on such boundaries):
  // luxon per session would cost more than the insert.
  const dayCache = new Map<number, string>();
  const dayOf = (ms: number): string => {
    const bucket = Math.floor(ms / 900_000);
    let d = dayCache.get(bucket);
    if (d === undefined) {
      if (dayCache.size > 50_000) dayCache.clear();
      d = provinceDay(bucket * 900_000, tz);
      dayCache.set(bucket, d);
    }
    return d;
  };

  const store = db.transaction((siteId: number, items: Array<{ s: AttendanceSession; startAt: number; endAt: number }>, offsetMs: number, now: number) => {
    const accepted: string[] = [];
    const rejected: AttendanceBatchResult['rejected'] = [];
    const touchedDays = new Set<string>();
    for (const { s, startAt, endAt } of items) {
      const members = dedupeMembers(s.members);
      const people = effectiveHeadcount(s.headcount, members.length);
      // One statement in the common case: a new row, or a grown one, returns its day (a replay keeps the day of
      // its first arrival); nothing comes back for an unchanged replay or a conflicting reuse of the id.
      const written = upsertSession.get({
        siteId, id: s.id, programId: s.programId, channelId: s.channelId ?? null, mode: s.mode, startAt, endAt,
        siteStart: s.start, siteEnd: s.end, day: dayOf(startAt), watched: s.watchedSeconds, headcount: s.headcount,
        people, offset: offsetMs, now,
      }) as { day: string } | undefined;
      let day = written?.day;
      if (!day) {
        const prior = existing.get(siteId, s.id) as { programId: number; mode: string; day: string };
        if (prior.programId !== s.programId || prior.mode !== s.mode) {
          rejected.push({ id: s.id, reason: 'id_conflict', message: `this site already sent session ${s.id} for program ${prior.programId} (${prior.mode}); the first version is kept.` });
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

  return (siteId, batch, now) => {
    const offsetMs = now - batch.sentAt;
    const ids = [...new Set(batch.sessions.map((s) => s.programId))];
    const programDurations = new Map<number, number | null>(
      (programs.all(JSON.stringify(ids)) as Array<{ id: number; duration: number | null }>).map((r) => [r.id, r.duration]),
    );
    const channelIds = channels
      ? new Set((channels.all(JSON.stringify(batch.sessions.map((s) => s.channelId).filter((c) => c != null))) as Array<{ id: number }>).map((r) => r.id))
      : null;
    const oldestStartMs = dayStartMs(oldestAcceptedDay(now, tz, retentionDays), tz);
    const ctx = { offsetMs, now, programDurations, channelIds, oldestStartMs };
    const rejected: AttendanceBatchResult['rejected'] = [];
    const valid: Array<{ s: AttendanceSession; startAt: number; endAt: number }> = [];
    for (const s of batch.sessions) {
      const v = checkSession(s, ctx);
      if (v.ok) valid.push({ s, startAt: v.startAt, endAt: v.endAt });
      else rejected.push({ id: s.id, reason: v.reason, message: v.message });
    }
    const stored = store(siteId, valid, offsetMs, now);
    return {
      accepted: [...new Set(stored.accepted)],
      rejected: [...rejected, ...stored.rejected],
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
