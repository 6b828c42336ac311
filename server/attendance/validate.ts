// Pure checks of one uploaded viewing session: is it possible? Plain data in, a verdict out; no I/O, no clock.
import type { AttendanceSession, RejectReason } from '../../common/attendance.ts';

export const MAX_SESSION_MS = 24 * 3600 * 1000;
/** Slack for rounding at the site (progress is sampled, not exact). */
const SECONDS_SLACK = 2;
/** A corrected end this far past the server's now is in the future (clock offset is measured with network delay). */
export const FUTURE_SLACK_MS = 60_000;

export interface ValidationContext {
  /** Server now - site sentAt. */
  offsetMs: number;
  now: number;
  /** Program id -> duration in seconds (null while not yet probed). Absent: unknown program. */
  programDurations: Map<number, number | null>;
  /** Known channel ids, or null when channels are not checked (no broadcast tables). */
  channelIds: Set<number> | null;
  /** Sessions starting before this instant are older than the raw retention. */
  oldestStartMs: number;
}

export type Verdict = { ok: true; startAt: number; endAt: number } | { ok: false; reason: RejectReason; message: string };

function refuse(reason: RejectReason, message: string): Verdict {
  return { ok: false, reason, message };
}

export function checkSession(s: AttendanceSession, ctx: ValidationContext): Verdict {
  if (s.end < s.start) return refuse('end_before_start', 'end is before start.');
  const spanMs = s.end - s.start;
  if (spanMs > MAX_SESSION_MS) return refuse('too_long', `the session lasts ${(spanMs / 3600000).toFixed(1)} h; at most 24 h.`);
  const startAt = s.start + ctx.offsetMs;
  const endAt = s.end + ctx.offsetMs;
  if (endAt > ctx.now + FUTURE_SLACK_MS) {
    return refuse('in_future', `after clock correction the session ends ${Math.round((endAt - ctx.now) / 1000)} s in the future.`);
  }
  if (startAt < ctx.oldestStartMs) return refuse('too_old', 'the session is older than the retention of raw sessions.');
  if (!ctx.programDurations.has(s.programId)) return refuse('unknown_program', `program ${s.programId} does not exist.`);
  if (s.channelId != null && ctx.channelIds && !ctx.channelIds.has(s.channelId)) {
    return refuse('unknown_channel', `channel ${s.channelId} does not exist.`);
  }
  const duration = ctx.programDurations.get(s.programId);
  if (duration != null && s.watchedSeconds > duration + SECONDS_SLACK) {
    return refuse('watched_exceeds_duration', `watchedSeconds ${s.watchedSeconds} exceeds the program's ${duration.toFixed(1)} s.`);
  }
  const spanSeconds = spanMs / 1000;
  if (s.watchedSeconds > spanSeconds + SECONDS_SLACK) {
    return refuse('watched_exceeds_span', `watchedSeconds ${s.watchedSeconds} exceeds the ${spanSeconds} s between start and end.`);
  }
  const overlong = s.members.find((m) => m.watchedSeconds > spanSeconds + SECONDS_SLACK);
  if (overlong) {
    return refuse(
      'member_watched_exceeds_span',
      `member ${overlong.memberNo} watched ${overlong.watchedSeconds} s, longer than the session.`,
    );
  }
  return { ok: true, startAt, endAt };
}

/** People counted for person-hours: the headcount answered, but never fewer than the members signed in. */
export function effectiveHeadcount(headcount: number, memberCount: number): number {
  return Math.max(headcount, memberCount);
}
