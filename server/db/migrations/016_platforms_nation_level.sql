-- A centre's regions have a national root above its provinces (issue 13): the level 'nation' joins the levels.
-- SQLite cannot change a CHECK in place, so regions is rebuilt under the same name. With foreign keys deferred to
-- the commit, the tables that reference regions (sites, channel_regions, users, platforms...) are checked once
-- every row is back with its id; none of their rows is touched.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE regions_copy AS SELECT id, parent_id, name, level, path, created_at, updated_at, relay_url FROM regions;
DROP TABLE regions;
CREATE TABLE regions (
  id         INTEGER PRIMARY KEY,
  parent_id  INTEGER REFERENCES regions(id) ON DELETE RESTRICT,
  name       TEXT NOT NULL,
  level      TEXT NOT NULL CHECK (level IN ('nation', 'province', 'prefecture', 'county', 'township', 'village')),
  path       TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  relay_url  TEXT
);
INSERT INTO regions (id, parent_id, name, level, path, created_at, updated_at, relay_url)
  SELECT id, parent_id, name, level, path, created_at, updated_at, relay_url FROM regions_copy ORDER BY id;
DROP TABLE regions_copy;
CREATE INDEX regions_parent ON regions(parent_id);
CREATE UNIQUE INDEX regions_sibling_name ON regions(ifnull(parent_id, 0), name);
CREATE INDEX regions_relay ON regions(path) WHERE relay_url IS NOT NULL;
