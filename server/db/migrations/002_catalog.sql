-- The on-demand catalog. Owned by server/catalog.
CREATE TABLE series (
  id          INTEGER PRIMARY KEY,
  title       TEXT NOT NULL UNIQUE,           -- a series is named by its title in uploads and imports
  description TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL
);

CREATE TABLE programs (
  id           INTEGER PRIMARY KEY,
  title        TEXT NOT NULL,
  description  TEXT NOT NULL DEFAULT '',
  lecturer     TEXT NOT NULL DEFAULT '',
  category     TEXT,                         -- taxonomy id from content/taxonomy.ts
  series_id    INTEGER REFERENCES series(id) ON DELETE SET NULL,
  episode      INTEGER,
  tags         TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
  language     TEXT NOT NULL DEFAULT 'zh-CN',
  published    INTEGER NOT NULL DEFAULT 1,
  -- pipeline state, written by server/media
  status       TEXT NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'processing', 'ready', 'failed', 'cancelled')),
  progress     REAL NOT NULL DEFAULT 0,
  error        TEXT,
  duration     REAL,                         -- seconds actually decoded
  source_name  TEXT,                         -- the uploaded file's name
  source_path  TEXT,                         -- where the source is kept under the media store
  source_size  INTEGER,
  probe        TEXT,                         -- JSON summary of the source probe
  poster       TEXT,                         -- path under /media/programs/:id/
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL
);
CREATE INDEX programs_status ON programs(status);
CREATE INDEX programs_category ON programs(category);
CREATE INDEX programs_series ON programs(series_id, episode);

CREATE TABLE program_audiences (
  program_id INTEGER NOT NULL REFERENCES programs(id) ON DELETE CASCADE,
  audience   TEXT NOT NULL,                  -- taxonomy id
  PRIMARY KEY (program_id, audience)
);
CREATE INDEX program_audiences_audience ON program_audiences(audience);

-- Substring search that works on Chinese: the trigram tokenizer (queries of 3+ characters;
-- shorter ones fall back to LIKE over the same columns).
CREATE VIRTUAL TABLE programs_fts USING fts5(
  title, description, lecturer, tags,
  content = 'programs', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER programs_fts_ai AFTER INSERT ON programs BEGIN
  INSERT INTO programs_fts(rowid, title, description, lecturer, tags)
  VALUES (new.id, new.title, new.description, new.lecturer, new.tags);
END;
CREATE TRIGGER programs_fts_ad AFTER DELETE ON programs BEGIN
  INSERT INTO programs_fts(programs_fts, rowid, title, description, lecturer, tags)
  VALUES ('delete', old.id, old.title, old.description, old.lecturer, old.tags);
END;
CREATE TRIGGER programs_fts_au AFTER UPDATE OF title, description, lecturer, tags ON programs BEGIN
  INSERT INTO programs_fts(programs_fts, rowid, title, description, lecturer, tags)
  VALUES ('delete', old.id, old.title, old.description, old.lecturer, old.tags);
  INSERT INTO programs_fts(rowid, title, description, lecturer, tags)
  VALUES (new.id, new.title, new.description, new.lecturer, new.tags);
END;
