-- Attendance: viewing sessions uploaded by sites, member rolls, heartbeats, daily rollups. Owned by server/attendance.
-- No foreign keys to sites/programs on purpose: attendance history must outlive a deleted site or program,
-- and must never block deleting them. `day` is the province-zone date (YYYY-MM-DD) of the session's start.

-- Raw sessions. Key: (site, id made at the site): a replay can never be stored twice, and an id another site
-- happens to use is another session, never an overwrite.
CREATE TABLE attendance_sessions (
  site_id         INTEGER NOT NULL,
  session_id      TEXT    NOT NULL,
  program_id      INTEGER NOT NULL,
  channel_id      INTEGER,
  mode            TEXT    NOT NULL CHECK (mode IN ('broadcast', 'ondemand')),
  start_at        INTEGER NOT NULL,          -- epoch ms, corrected to the server clock (site clock + offset)
  end_at          INTEGER NOT NULL,
  site_start_at   INTEGER NOT NULL,          -- epoch ms as the site sent them: a replay is compared on these,
  site_end_at     INTEGER NOT NULL,          -- since its own clock offset differs by the network delay
  day             TEXT    NOT NULL,
  watched_seconds REAL    NOT NULL,
  headcount       INTEGER NOT NULL,          -- as answered at the site (0: nobody answered)
  people          INTEGER NOT NULL,          -- max(headcount, members signed in): who person-hours count
  person_seconds  REAL    NOT NULL,          -- watched_seconds x people
  clock_offset_ms INTEGER NOT NULL,          -- server now - site sentAt when first received
  received_at     INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  PRIMARY KEY (site_id, session_id)
) WITHOUT ROWID;
CREATE INDEX attendance_sessions_day ON attendance_sessions(day, site_id);
CREATE INDEX attendance_sessions_program ON attendance_sessions(program_id, day);

CREATE TABLE attendance_session_members (
  site_id         INTEGER NOT NULL,
  session_id      TEXT    NOT NULL,
  member_no       TEXT    NOT NULL,
  day             TEXT    NOT NULL,
  program_id      INTEGER NOT NULL,
  watched_seconds REAL    NOT NULL,
  PRIMARY KEY (site_id, session_id, member_no)
) WITHOUT ROWID;
CREATE INDEX attendance_session_members_day ON attendance_session_members(day, member_no);

-- Daily rollups, rebuilt whole per day by the nightly job. A day counts as rolled up only while it is listed in
-- attendance_rolled_days; an ingest touching that day removes it from the list, so reports read the raw rows
-- for it until the next rollup (late and grown sessions are never missed nor counted twice).
CREATE TABLE attendance_daily (
  day             TEXT    NOT NULL,
  site_id         INTEGER NOT NULL,
  program_id      INTEGER NOT NULL,
  mode            TEXT    NOT NULL,
  sessions        INTEGER NOT NULL,
  watched_seconds REAL    NOT NULL,
  person_seconds  REAL    NOT NULL,
  people          INTEGER NOT NULL,          -- sum of people over the sessions (viewer visits)
  PRIMARY KEY (day, site_id, program_id, mode)
) WITHOUT ROWID;
CREATE INDEX attendance_daily_program ON attendance_daily(program_id, day);

CREATE TABLE attendance_member_daily (
  day             TEXT    NOT NULL,
  member_no       TEXT    NOT NULL,
  site_id         INTEGER NOT NULL,
  program_id      INTEGER NOT NULL,
  sessions        INTEGER NOT NULL,
  watched_seconds REAL    NOT NULL,
  PRIMARY KEY (day, member_no, site_id, program_id)
) WITHOUT ROWID;

-- Per site and day / month, for the activity report over long ranges. attendance_site_daily holds rows only for
-- rolled-up days (an ingest that un-rolls a day deletes them and subtracts them from the month), and
-- attendance_site_monthly is the sum of the month's rolled-up days, so no day is ever read from two places.
CREATE TABLE attendance_site_daily (
  day               TEXT    NOT NULL,
  site_id           INTEGER NOT NULL,
  sessions          INTEGER NOT NULL,
  watched_seconds   REAL    NOT NULL,
  person_seconds    REAL    NOT NULL,
  people            INTEGER NOT NULL,
  broadcast_seconds REAL    NOT NULL,
  PRIMARY KEY (day, site_id)
) WITHOUT ROWID;

CREATE TABLE attendance_site_monthly (
  month             TEXT    NOT NULL,          -- YYYY-MM
  site_id           INTEGER NOT NULL,
  sessions          INTEGER NOT NULL,
  watched_seconds   REAL    NOT NULL,
  person_seconds    REAL    NOT NULL,
  people            INTEGER NOT NULL,
  broadcast_seconds REAL    NOT NULL,
  PRIMARY KEY (month, site_id)
) WITHOUT ROWID;

-- Which members watched at which site in a month (presence only: distinct counts never double count).
CREATE TABLE attendance_member_months (
  month     TEXT    NOT NULL,
  site_id   INTEGER NOT NULL,
  member_no TEXT    NOT NULL,
  PRIMARY KEY (month, site_id, member_no)
) WITHOUT ROWID;

CREATE TABLE attendance_rolled_days (
  day       TEXT PRIMARY KEY,
  rolled_at INTEGER NOT NULL
);

-- Member rolls, per site. A member number is the member's identity across the province.
CREATE TABLE members (
  member_no   TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  site_id     INTEGER NOT NULL,
  category    TEXT NOT NULL DEFAULT '',
  imported_at TEXT NOT NULL
);
CREATE INDEX members_site ON members(site_id);

-- Last heartbeat per site, and the time each site was connected per province day.
CREATE TABLE site_status (
  site_id          INTEGER PRIMARY KEY,
  first_seen       INTEGER NOT NULL,
  last_seen        INTEGER NOT NULL,        -- epoch ms, server clock
  on_screen        TEXT,                    -- JSON
  cache_readiness  REAL,
  free_disk_bytes  INTEGER,
  agent_version    TEXT,
  uptime_seconds   INTEGER,
  last_error       TEXT,
  clock_offset_ms  INTEGER
);

CREATE TABLE site_connected_daily (
  site_id INTEGER NOT NULL,
  day     TEXT    NOT NULL,
  seconds REAL    NOT NULL,
  PRIMARY KEY (site_id, day)
) WITHOUT ROWID;
