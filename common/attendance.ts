// Wire types of attendance: what a terminal site's agent uploads (viewing sessions, heartbeats) and what the server
// answers. Shared by server/attendance (which stores them) and player/agent (which queues and sends them).
// All instants are UTC epoch milliseconds read from the SITE's clock; the server corrects them with sentAt.
// The types are the Static types of the schemas in common/api/attendance.ts (one source); the limits are here.
//
// A session sent again is safe: an identical replay is acknowledged and not stored twice; a later version of the
// same session (e.g. one closed at its last progress after a power cut, then corrected) may only GROW end,
// watchedSeconds, headcount and members' seconds — the server keeps the maximum of each, so nothing counts twice.
export type {
  AttendanceBatch,
  AttendanceBatchResult,
  AttendanceSession,
  Heartbeat,
  HeartbeatAck,
  RejectReason,
  SessionMode,
} from './api/attendance.ts';

export const MAX_SESSIONS_PER_BATCH = 500;
/**
 * Members one session may list. A village hall or activity room seats tens of people; 200 is several times the
 * largest room, so only a broken or hostile agent goes past it. Such a session is refused alone (too_many_members).
 */
export const MAX_MEMBERS_PER_SESSION = 200;
/** What the wire schema lets through, so a session over MAX_MEMBERS_PER_SESSION gets a per-item reason, not a 400. */
export const MEMBERS_ON_THE_WIRE_MAX = 1000;
/**
 * Member rows one batch may store: 500 sessions x 10 members on average. A week offline at a busy site (a session a
 * night, 30 members) is 210 rows, so real batches stay far below; sessions past it are deferred (sent again later),
 * which bounds the work one request can cause (one batch used to carry 250,000 member rows).
 */
export const MAX_MEMBER_ROWS_PER_BATCH = 5_000;
/** Largest JSON of one session without members (64-char id, 16-digit numbers) and of one member row (64 4-byte chars). */
const SESSION_JSON_BYTES_MAX = 320;
const MEMBER_JSON_BYTES_MAX = 320;
/** The largest batch the server can take whole: the route's body limit (about 1.8 MB). */
export const MAX_BATCH_BYTES =
  MAX_SESSIONS_PER_BATCH * SESSION_JSON_BYTES_MAX + MAX_MEMBER_ROWS_PER_BATCH * MEMBER_JSON_BYTES_MAX + 64 * 1024;

/** Bounds of the numbers sites send: anything outside is a 400 naming the field, never stored. */
export const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);
/** A session lasts at most 24 h; an hour of slack leaves the exact checks (against start/end) to the server. */
export const MAX_WATCHED_SECONDS = 25 * 3600;
export const MAX_HEADCOUNT = 10_000;
/** 1 PB: more than any village PC's disk. */
export const MAX_FREE_DISK_BYTES = 1e15;
/** Ten years. */
export const MAX_UPTIME_SECONDS = 10 * 366 * 86_400;

/** A member number as printed on the card: 1-64 letters, digits or . _ - / (the same rule at the site, in rolls and at ingest). */
const MEMBER_NO_CHARS = '[\\p{L}\\p{N}._\\-/]{1,64}';
export const MEMBER_NO_PATTERN = `^${MEMBER_NO_CHARS}$`;
export const MEMBER_NO_RE = new RegExp(MEMBER_NO_PATTERN, 'u');
/** The same, with surrounding spaces allowed (they are trimmed): what the server accepts on the wire. */
export const MEMBER_NO_PADDED_PATTERN = `^\\s*${MEMBER_NO_CHARS}\\s*$`;
/** A session id made at the site (a UUID fits). */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9._:-]{1,64}$';

export const HEARTBEAT_INTERVAL_SECONDS = 60;
/** A site is offline once this many heartbeats in a row are missed. */
export const MISSED_HEARTBEATS_OFFLINE = 3;
