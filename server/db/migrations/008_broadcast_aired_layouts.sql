-- Owned by server/broadcast. What a started item played, so the past of a channel never changes:
-- the program's segment layout is copied here when the item starts playing it (schedule_items.aired_as =
-- 'program'), and later timelines rebuild the item from this copy even after the program is re-transcoded
-- or deleted (schedule_items.program_id then becomes NULL; program_id here stays to name its files).
CREATE TABLE aired_layouts (
  item_id    INTEGER PRIMARY KEY REFERENCES schedule_items(id) ON DELETE CASCADE,
  program_id INTEGER NOT NULL,
  segments   TEXT NOT NULL,   -- JSON array of segment durations, seconds
  rungs      TEXT NOT NULL    -- JSON array of rung names, highest first
);
