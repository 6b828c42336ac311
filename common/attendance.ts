// Wire types of attendance: what a terminal site's agent uploads (viewing sessions, heartbeats) and what the
// server answers. Shared by server/attendance (which stores them) and player/agent (which queues and sends them).
// All instants are UTC epoch milliseconds read from the SITE's clock; the server corrects them with sentAt.

export type SessionMode = 'broadcast' | 'ondemand';

/** A member signed in during a session, with the seconds they accrued from sign-in on. */
export interface AttendanceMember {
  /** The member number as typed on the remote or read by the card reader (trimmed; 1-64 chars). */
  memberNo: string;
  watchedSeconds: number;
}

/**
 * One viewing session: one program played at one site, from start to end.
 * Send a session when it is closed. Sending the same id again is safe: an identical replay is acknowledged and
 * not stored twice; a later version of the same session (e.g. one closed at its last progress after a power cut,
 * then corrected) may only GROW end, watchedSeconds, headcount and members' seconds — the server keeps the maximum
 * of each, so nothing is counted twice.
 */
export interface AttendanceSession {
  /** Made at the site (a UUID is ideal); unique per site, 1-64 chars of [A-Za-z0-9._:-]. */
  id: string;
  programId: number;
  /** The channel the broadcast was on; null/absent for on-demand. */
  channelId?: number | null;
  mode: SessionMode;
  /** Epoch ms, site clock. */
  start: number;
  /** Epoch ms, site clock; end >= start, end - start <= 24 h. */
  end: number;
  /** Seconds of real playback progress (paused, stalled, hidden time excluded); <= end - start and <= program duration. */
  watchedSeconds: number;
  /** People in front of the TV as last answered (0 = nobody answered). */
  headcount: number;
  members: AttendanceMember[];
}

export const MAX_SESSIONS_PER_BATCH = 500;

/** A member number as printed on the card: 1-64 letters, digits or . _ - / (the same rule at the site, in rolls and at ingest). */
const MEMBER_NO_CHARS = '[\\p{L}\\p{N}._\\-/]{1,64}';
export const MEMBER_NO_PATTERN = `^${MEMBER_NO_CHARS}$`;
export const MEMBER_NO_RE = new RegExp(MEMBER_NO_PATTERN, 'u');
/** The same, with surrounding spaces allowed (they are trimmed): what the server accepts on the wire. */
export const MEMBER_NO_PADDED_PATTERN = `^\\s*${MEMBER_NO_CHARS}\\s*$`;
/** A session id made at the site (a UUID fits). */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9._:-]{1,64}$';

export interface AttendanceBatch {
  /** The agent's clock reading (epoch ms) when it sent this batch; the server's offset = its now - sentAt. */
  sentAt: number;
  sessions: AttendanceSession[];
}

export type RejectReason =
  | 'end_before_start'
  | 'too_long'
  | 'in_future'
  | 'unknown_program'
  | 'unknown_channel'
  | 'watched_exceeds_duration'
  | 'watched_exceeds_span'
  | 'member_watched_exceeds_span'
  /** Older than the raw-session retention (ATTENDANCE_RETENTION_DAYS): it could no longer be counted right. */
  | 'too_old'
  /** This site already sent this id for another program or mode: the first version is kept. */
  | 'id_conflict';

export interface AttendanceBatchResult {
  /** Ids the server now holds (newly stored, replays, and grown updates). The agent deletes exactly these. */
  accepted: string[];
  /** Ids refused for good: resending will not help; the agent should drop them (and may log the reason). */
  rejected: Array<{ id: string; reason: RejectReason; message: string }>;
  /** The clock correction applied to this batch (server now - sentAt), ms. */
  clockOffsetMs: number;
}

/** Sent every 60 s. A site is offline after three missed heartbeats. */
export interface Heartbeat {
  /** Agent clock (epoch ms); optional, lets the server report clock drift. */
  sentAt?: number;
  /** What is on screen now, e.g. {kind: 'broadcast', channelId: 2, programId: 17} or {kind: 'menu'}. */
  onScreen?: { kind: 'broadcast' | 'ondemand' | 'menu' | 'slate' | 'off'; channelId?: number | null; programId?: number | null };
  /** Share (0..1) of the bytes required for the next 48 h that the site holds and has verified. */
  cacheReadiness?: number;
  freeDiskBytes?: number;
  agentVersion?: string;
  uptimeSeconds?: number;
  /** The last error the agent met, or null once cleared. */
  lastError?: string | null;
}

export interface HeartbeatAck {
  /** Server time (epoch ms), so the agent can see its own clock drift. */
  serverTime: number;
  /** Seconds until the next heartbeat is expected. */
  intervalSeconds: number;
}

export const HEARTBEAT_INTERVAL_SECONDS = 60;
/** A site is offline once this many heartbeats in a row are missed. */
export const MISSED_HEARTBEATS_OFFLINE = 3;
