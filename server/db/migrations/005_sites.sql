-- Regions and terminal sites. Owned by server/sites.
-- path is the materialised ancestry '/1/4/9/' so a subtree is `path LIKE '/1/4/%'`.
CREATE TABLE regions (
  id         INTEGER PRIMARY KEY,
  parent_id  INTEGER REFERENCES regions(id) ON DELETE RESTRICT,
  name       TEXT NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('province', 'prefecture', 'county', 'township', 'village')),
  path       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL
);
CREATE INDEX regions_parent ON regions(parent_id);

CREATE TABLE sites (
  id                 INTEGER PRIMARY KEY,
  name               TEXT NOT NULL,
  region_id          INTEGER NOT NULL REFERENCES regions(id) ON DELETE RESTRICT,
  contact            TEXT NOT NULL DEFAULT '',
  download_window    TEXT NOT NULL DEFAULT '00:00-06:00',
  bandwidth_kbps     INTEGER NOT NULL DEFAULT 2000,
  max_rung           TEXT NOT NULL DEFAULT '480p',
  pairing_code_hash  TEXT,                   -- sha256 of the one-time code; null once used
  token_hash         TEXT UNIQUE,            -- sha256 of the site token; null until paired
  paired_at          TEXT,
  revoked_at         TEXT,
  created_at         TEXT NOT NULL
);
CREATE INDEX sites_region ON sites(region_id);
