-- Regions, terminal sites and members' broadcast requests. Owned by server/sites.
-- path is the materialised ancestry '/1/4/9/' (ending with the region's own id) so a subtree is
-- `path LIKE '/1/4/%'` and the ancestors of a region are the ids in its path.
CREATE TABLE regions (
  id         INTEGER PRIMARY KEY,
  parent_id  INTEGER REFERENCES regions(id) ON DELETE RESTRICT,
  name       TEXT NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county', 'township', 'village')),
  path       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_id);
-- Siblings have distinct names (two villages called 新村 may exist, but not under one township).
CREATE UNIQUE INDEX regions_sibling_name ON regions(ifnull(parent_id, 0), name);

CREATE TABLE sites (
  id                  INTEGER PRIMARY KEY,
  name                TEXT NOT NULL,
  region_id           INTEGER NOT NULL REFERENCES regions(id) ON DELETE RESTRICT,
  contact             TEXT NOT NULL DEFAULT '',
  download_window     TEXT NOT NULL DEFAULT '00:00-06:00',  -- 'HH:MM-HH:MM' in the province's zone, may wrap midnight
  bandwidth_kbps      INTEGER NOT NULL DEFAULT 2000,
  max_rung            TEXT NOT NULL DEFAULT '480p' CHECK (max_rung IN ('720p', '480p', '360p', '240p')),
  pairing_code_hash   TEXT UNIQUE,            -- sha256 of the one-time code; null once used or revoked
  pairing_expires_at  TEXT,                   -- ISO instant after which the code is refused
  token_hash          TEXT UNIQUE,            -- sha256 of the site token; null until paired
  paired_at           TEXT,
  revoked_at          TEXT,
  created_at          TEXT NOT NULL,
  updated_at          TEXT NOT NULL
);
CREATE INDEX sites_region ON sites(region_id);

-- A member's wish for a lecture or a topic to be broadcast, sent by a site. client_id is made by the site
-- agent, so a retried upload is recognised and not counted twice.
CREATE TABLE broadcast_requests (
  id          INTEGER PRIMARY KEY,
  site_id     INTEGER NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  client_id   TEXT,
  program_id  INTEGER REFERENCES programs(id) ON DELETE SET NULL,
  program_title TEXT,                         -- kept so a request still reads after its program is deleted
  topic       TEXT,
  member_no   TEXT,
  created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX broadcast_requests_client ON broadcast_requests(site_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX broadcast_requests_program ON broadcast_requests(program_id);
