-- The two-tier link (issue 13). Centre side, owned by server/platforms: downstream platforms (one per province
-- region), the figures and the demand they send up. Province side, owned by server/upstream: the one link to the
-- centre and which days of figures the centre acknowledged.

CREATE TABLE platforms (
  id                 INTEGER PRIMARY KEY,
  region_id          INTEGER NOT NULL UNIQUE REFERENCES regions(id) ON DELETE RESTRICT,
  pairing_code_hash  TEXT UNIQUE,   -- HMAC of the one-time code (server/sites/pairing-code.ts); null once used or revoked
  pairing_expires_at TEXT,
  token_hash         TEXT UNIQUE,   -- sha256 of the platform token; null until paired and after revocation
  paired_at          TEXT,
  revoked_at         TEXT,
  last_seen_at       TEXT,          -- last call made with the token
  last_send_at       TEXT,          -- last figures batch received
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);

-- One row per (platform, day, kind, key): a resend replaces the row, so nothing is counted twice and a late
-- day is corrected. kind 'activity': key is the province's own region id; 'reach': the program key; 'sites': 'all'.
CREATE TABLE platform_figures (
  platform_id INTEGER NOT NULL REFERENCES platforms(id) ON DELETE CASCADE,
  day         TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('activity', 'reach', 'sites')),
  key         TEXT NOT NULL,
  body        TEXT NOT NULL,        -- the row as sent (JSON, common/api/platforms.ts)
  received_at TEXT NOT NULL,
  PRIMARY KEY (platform_id, day, kind, key)
) WITHOUT ROWID;
CREATE INDEX platform_figures_day ON platform_figures(day, kind);

-- A province's open demand as last sent: replaced whole by each send.
CREATE TABLE platform_demand (
  platform_id        INTEGER NOT NULL REFERENCES platforms(id) ON DELETE CASCADE,
  key                TEXT NOT NULL,
  central_program_id INTEGER,
  title              TEXT NOT NULL,
  count              INTEGER NOT NULL,
  sites              INTEGER NOT NULL,
  regions            TEXT NOT NULL, -- JSON [{regionId, name, count}] at the configured level (counties)
  last_at            TEXT NOT NULL,
  received_at        TEXT NOT NULL,
  PRIMARY KEY (platform_id, key)
) WITHOUT ROWID;

-- Province side: at most one link. The token is kept in clear: the province must present it to the centre.
CREATE TABLE upstream_link (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  upstream_url  TEXT NOT NULL,
  state         TEXT NOT NULL CHECK (state IN ('unpaired', 'paired', 'revoked')),
  token         TEXT,
  platform_id   INTEGER,
  region_id     INTEGER,
  region_name   TEXT,
  paired_at     TEXT,
  last_error    TEXT,
  last_send     TEXT,            -- JSON SendOutcome of the last send
  updated_at    TEXT NOT NULL
);

-- Which days the centre holds, and the digest of what it holds: a day whose figures change later (sites
-- uploading after an outage) has a new digest and is sent again; a day never acknowledged is sent at every send.
CREATE TABLE upstream_sends (
  day             TEXT PRIMARY KEY,
  digest          TEXT NOT NULL,
  acknowledged_at TEXT NOT NULL
) WITHOUT ROWID;
