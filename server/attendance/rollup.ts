// Daily rollups and the raw-session purge. Rolling a day rebuilds that day's aggregate rows whole (idempotent:
// running it again replaces them) and marks the day rolled up in the same transaction.
import type { Db } from '../db/connection.ts';
import { addDays, monthOf, provinceDay } from './days.ts';

export interface Rollups {
  /** Rebuilds one day's aggregates. */
  rollupDay(day: string, now: number): void;
  /** Rolls every day before today (province zone) that has raw rows and is not rolled up. Returns the days. */
  rollupPending(now: number): string[];
  /** Deletes raw rows of rolled-up days older than retentionDays. Returns how many sessions went. */
  purgeRaw(now: number, retentionDays: number): number;
}

export function makeRollups(db: Db, tz: string): Rollups {
  const delDaily = db.prepare('DELETE FROM attendance_daily WHERE day = ?');
  const delMemberDaily = db.prepare('DELETE FROM attendance_member_daily WHERE day = ?');
  const insDaily = db.prepare(`
    INSERT INTO attendance_daily (day, site_id, program_id, mode, sessions, watched_seconds, person_seconds, people)
    SELECT day, site_id, program_id, mode, count(*), sum(watched_seconds), sum(person_seconds), sum(people)
      FROM attendance_sessions WHERE day = ? GROUP BY site_id, program_id, mode`);
  const insMemberDaily = db.prepare(`
    INSERT INTO attendance_member_daily (day, member_no, site_id, program_id, sessions, watched_seconds)
    SELECT day, member_no, site_id, program_id, count(*), sum(watched_seconds)
      FROM attendance_session_members WHERE day = ? GROUP BY member_no, site_id, program_id`);
  const delSiteDaily = db.prepare('DELETE FROM attendance_site_daily WHERE day = ?');
  const insSiteDaily = db.prepare(`
    INSERT INTO attendance_site_daily (day, site_id, sessions, watched_seconds, person_seconds, people, broadcast_seconds)
    SELECT day, site_id, sum(sessions), sum(watched_seconds), sum(person_seconds), sum(people),
           sum(CASE WHEN mode = 'broadcast' THEN watched_seconds ELSE 0 END)
      FROM attendance_daily WHERE day = ? GROUP BY site_id`);
  const delMonth = db.prepare('DELETE FROM attendance_site_monthly WHERE month = ?');
  const insMonth = db.prepare(`
    INSERT INTO attendance_site_monthly (month, site_id, sessions, watched_seconds, person_seconds, people, broadcast_seconds)
    SELECT substr(day, 1, 7), site_id, sum(sessions), sum(watched_seconds), sum(person_seconds), sum(people), sum(broadcast_seconds)
      FROM attendance_site_daily WHERE day BETWEEN @month || '-01' AND @month || '-31'
       AND day IN (SELECT day FROM attendance_rolled_days WHERE day BETWEEN @month || '-01' AND @month || '-31')
     GROUP BY site_id`);
  const insMemberMonths = db.prepare(`
    INSERT OR IGNORE INTO attendance_member_months (month, site_id, member_no)
    SELECT DISTINCT substr(day, 1, 7), site_id, member_no FROM attendance_member_daily WHERE day = ?`);
  const mark = db.prepare('INSERT OR REPLACE INTO attendance_rolled_days (day, rolled_at) VALUES (?, ?)');
  const pending = db.prepare<[string], { day: string }>(`
    SELECT DISTINCT day FROM attendance_sessions
     WHERE day < ? AND day NOT IN (SELECT day FROM attendance_rolled_days) ORDER BY day`);
  const oldDays = db.prepare<[string], { day: string }>('SELECT day FROM attendance_rolled_days WHERE day < ?');
  const delRaw = db.prepare('DELETE FROM attendance_sessions WHERE day = ?');
  const delRawMembers = db.prepare('DELETE FROM attendance_session_members WHERE day = ?');

  /** One day's aggregates; the caller rebuilds its month in the same transaction. */
  function rollDay(day: string, now: number) {
    delDaily.run(day);
    delMemberDaily.run(day);
    insDaily.run(day);
    insMemberDaily.run(day);
    delSiteDaily.run(day);
    insSiteDaily.run(day);
    insMemberMonths.run(day);
    mark.run(day, now);
  }
  // The month is the sum of its rolled-up days: rebuilt whole, so re-rolling a day never adds twice. It is
  // rebuilt in the transaction that rolls its days, so no reader ever sees a day marked but not in its month.
  const rollDays = db.transaction((days: string[], now: number) => {
    for (const d of days) rollDay(d, now);
    for (const month of new Set(days.map(monthOf))) {
      delMonth.run(month);
      insMonth.run({ month });
    }
  });

  return {
    rollupDay: (day, now) => rollDays([day], now),
    rollupPending(now) {
      const today = provinceDay(now, tz);
      const days = pending.all(today).map((r) => r.day);
      // One transaction per month: a catch-up after a long stop rebuilds each month once, not once per day.
      const byMonth = new Map<string, string[]>();
      for (const d of days) byMonth.set(monthOf(d), [...(byMonth.get(monthOf(d)) ?? []), d]);
      for (const monthDays of byMonth.values()) rollDays(monthDays, now);
      return days;
    },
    purgeRaw(now, retentionDays) {
      const cutoff = addDays(provinceDay(now, tz), -retentionDays);
      let n = 0;
      for (const { day } of oldDays.all(cutoff)) {
        n += db.transaction(() => {
          delRawMembers.run(day);
          return delRaw.run(day).changes;
        })();
      }
      return n;
    },
  };
}

/** The oldest province day still accepted: raw rows before it are purged, so a session for it would be lost. */
export function oldestAcceptedDay(now: number, tz: string, retentionDays: number): string {
  return addDays(provinceDay(now, tz), -retentionDays);
}
