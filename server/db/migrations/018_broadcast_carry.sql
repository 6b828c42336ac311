-- Issue 13, carrying a central channel at a province (owned by the broadcast domain: server/broadcast/repo.ts for
-- schedule_items, server/broadcast/carry-data.ts for channel_carry; filled by server/upstream/carried.ts).
-- origin 'central': an item copied from the centre's schedule of a carried channel, read-only here; its central
-- program id is kept so the item fills in (program_id) once the mirror holds the program.
ALTER TABLE schedule_items ADD COLUMN origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'central'));
ALTER TABLE schedule_items ADD COLUMN central_program_id INTEGER;

-- A channel of this province that carries a channel of the centre: which one, the windows left to the province
-- (JSON [{days, start, end}] in the province zone), the centre's schedule as last read (JSON [{start, end,
-- programId}] in epoch ms, central program ids) and how the last sync went.
CREATE TABLE channel_carry (
  channel_id         INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
  central_channel_id INTEGER NOT NULL UNIQUE,
  central_name       TEXT,
  windows            TEXT NOT NULL DEFAULT '[]',
  central_items      TEXT NOT NULL DEFAULT '[]',
  last_sync_at       TEXT,
  last_error         TEXT
);
