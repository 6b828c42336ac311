-- Owned by server/media. Immutable media: every publish of a program's output (transcode, re-transcode, channel
-- card, house slate) goes into a new folder programs/<id>/v<n>/, served at /media/programs/<id>/v<n>/..., whose
-- bytes never change; n grows per program. The current version is the one not superseded. An older version is
-- kept until nothing can still name it (server/media/versions.ts decides and removes it).
CREATE TABLE media_versions (
  program_id    INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  version       INTEGER NOT NULL CHECK (version >= 1),
  published_at  TEXT NOT NULL,
  superseded_at TEXT,                        -- when the next version replaced it; null for the current one
  PRIMARY KEY (program_id, version)
);
CREATE UNIQUE INDEX media_versions_current ON media_versions(program_id) WHERE superseded_at IS NULL;

-- program_files keeps the files of every kept version (path relative to the version folder), not only the current.
CREATE TABLE program_files_versioned (
  program_id INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  path       TEXT NOT NULL,                  -- e.g. 'master.m3u8', '480p/index.m3u8', '480p/seg_00003.ts', 'poster.jpg'
  rung       TEXT,                           -- null for master playlist and poster
  size       INTEGER NOT NULL,
  sha256     TEXT NOT NULL,
  PRIMARY KEY (program_id, version, path),
  FOREIGN KEY (program_id, version) REFERENCES media_versions(program_id, version) ON DELETE CASCADE
);

-- Output published before versions existed becomes version 1; the server moves its folder into v1/ at start.
INSERT INTO media_versions (program_id, version, published_at)
  SELECT DISTINCT program_id, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM program_files;
INSERT INTO program_files_versioned (program_id, version, path, rung, size, sha256)
  SELECT program_id, 1, path, rung, size, sha256 FROM program_files;
DROP TABLE program_files;
ALTER TABLE program_files_versioned RENAME TO program_files;

-- Owned by server/broadcast (one column for media): the version an item aired, so the past keeps naming it.
ALTER TABLE aired_layouts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
