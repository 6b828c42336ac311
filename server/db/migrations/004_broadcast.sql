-- Broadcast channels, their schedules and recurring slots. Owned by server/broadcast.
-- All instants are epoch milliseconds, UTC. Wall-clock rules (slot times, days) are in the province's zone.

CREATE TABLE channels (
  id                 INTEGER PRIMARY KEY,
  number             INTEGER NOT NULL UNIQUE,   -- the number a remote control dials
  name               TEXT NOT NULL,
  description        TEXT NOT NULL DEFAULT '',
  logo               TEXT,                      -- URL or /media path of the channel logo
  -- The slate (station card) played in gaps: an operator-chosen program, else the card generated
  -- from the channel's name (a hidden program with short segments, see server/broadcast/slate.ts).
  slate_program_id   INTEGER REFERENCES programs(id) ON DELETE SET NULL,
  generated_slate_id INTEGER REFERENCES programs(id) ON DELETE SET NULL,
  slate_status       TEXT NOT NULL DEFAULT 'pending' CHECK (slate_status IN ('pending', 'ready', 'failed')),
  slate_error        TEXT,
  -- The instant from which media and discontinuity sequences count.
  epoch              INTEGER NOT NULL,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);

-- A channel with no rows here reaches every site; otherwise the sites under these regions' subtrees.
CREATE TABLE channel_regions (
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  region_id  INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
  PRIMARY KEY (channel_id, region_id)
);
CREATE INDEX channel_regions_region ON channel_regions(region_id);

-- Recurring slots: days of the week + time, or a cron expression; a fixed program or the next episode
-- of a series. Materialised into schedule_items ahead of time by the slot job.
CREATE TABLE schedule_slots (
  id                   INTEGER PRIMARY KEY,
  channel_id           INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  days                 TEXT,                    -- JSON array of ISO weekdays (1 = Monday .. 7 = Sunday); null with cron
  time                 TEXT,                    -- 'HH:MM' in the province's zone; null with cron
  cron                 TEXT,                    -- 5-field cron expression in the province's zone
  program_id           INTEGER REFERENCES programs(id) ON DELETE SET NULL,
  series_id            INTEGER REFERENCES series(id) ON DELETE SET NULL,
  next_episode         INTEGER NOT NULL DEFAULT 0, -- index into the series' episodes (in order), wraps
  duration_ms          INTEGER,                 -- fixed length of each occurrence; null = the program's length
  from_at              INTEGER NOT NULL,        -- first instant an occurrence may start
  until_at             INTEGER,                 -- no occurrence starts after this instant
  materialised_until   INTEGER NOT NULL,        -- occurrences before this instant have been considered
  created_at           TEXT NOT NULL,
  updated_at           TEXT NOT NULL
);
CREATE INDEX schedule_slots_channel ON schedule_slots(channel_id);

-- Concrete items. program_id is nullable (SET NULL): deleting a program is never blocked by past items,
-- which then play the slate. aired_as freezes, when the item starts, whether it plays its program or the
-- slate (a program that becomes ready mid-item does not jump in).
CREATE TABLE schedule_items (
  id         INTEGER PRIMARY KEY,
  channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
  program_id INTEGER REFERENCES programs(id) ON DELETE SET NULL,
  start_at   INTEGER NOT NULL,
  end_at     INTEGER NOT NULL,
  slot_id    INTEGER REFERENCES schedule_slots(id) ON DELETE SET NULL,
  aired_as   TEXT CHECK (aired_as IN ('program', 'slate')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  CHECK (end_at > start_at)
);
CREATE INDEX schedule_items_channel_start ON schedule_items(channel_id, start_at);
CREATE INDEX schedule_items_program_end ON schedule_items(program_id, end_at);

-- Occurrences of a slot already considered, so re-running the job (or deleting a materialised item)
-- never creates an occurrence twice. item_id null + note: the occurrence was skipped (e.g. a clash).
CREATE TABLE slot_occurrences (
  slot_id   INTEGER NOT NULL REFERENCES schedule_slots(id) ON DELETE CASCADE,
  start_at  INTEGER NOT NULL,
  item_id   INTEGER REFERENCES schedule_items(id) ON DELETE SET NULL,
  note      TEXT,
  PRIMARY KEY (slot_id, start_at)
);

-- Frozen timeline counters: the past is immutable, so the sequences at a past block boundary are stored
-- once and later timelines start from the latest of them instead of from the epoch.
CREATE TABLE channel_anchors (
  channel_id             INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
  at                     INTEGER NOT NULL,
  media_sequence         INTEGER NOT NULL,
  discontinuity_sequence INTEGER NOT NULL
);
