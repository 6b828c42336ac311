-- Transcode output and jobs. Owned by server/media.
CREATE TABLE renditions (
  program_id INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  name       TEXT NOT NULL,                  -- '720p' | '480p' | '360p' | '240p'
  width      INTEGER NOT NULL,
  height     INTEGER NOT NULL,
  bandwidth  INTEGER NOT NULL,               -- bits/s as announced in the master playlist
  PRIMARY KEY (program_id, name)
);

-- The segment timeline of a program. Every rung has the same boundaries, so one list serves all
-- rungs: segment `seq` is <rung>/seg_<seq padded to 5>.ts on every rung.
CREATE TABLE segments (
  program_id INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  seq        INTEGER NOT NULL,
  duration   REAL NOT NULL,
  PRIMARY KEY (program_id, seq)
);

-- Every file of a ready program, relative to /media/programs/:id/, with size and sha256 computed at
-- transcode time. Sites hold what they will play by this list.
CREATE TABLE program_files (
  program_id INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  path       TEXT NOT NULL,                  -- e.g. 'master.m3u8', '480p/index.m3u8', '480p/seg_00003.ts', 'poster.jpg'
  rung       TEXT,                           -- null for master playlist and poster
  size       INTEGER NOT NULL,
  sha256     TEXT NOT NULL,
  PRIMARY KEY (program_id, path)
);

CREATE TABLE jobs (
  id          INTEGER PRIMARY KEY,
  program_id  INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  kind        TEXT NOT NULL DEFAULT 'transcode',
  status      TEXT NOT NULL DEFAULT 'queued'
              CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  progress    REAL NOT NULL DEFAULT 0,       -- 0..100
  eta_seconds REAL,
  error       TEXT,
  run_after   TEXT NOT NULL,                 -- retry backoff: not picked before this instant
  started_at  TEXT,
  finished_at TEXT,
  created_at  TEXT NOT NULL
);
CREATE INDEX jobs_pick ON jobs(status, run_after);
CREATE INDEX jobs_program ON jobs(program_id);
