-- Issue 13, the central library (owned by server/upstream/mirror*; the programs columns through server/catalog/repo.ts).
-- At the centre: a program offered to provinces (distribute = 1), to every paired province (distribute_to NULL) or
-- to the provinces whose centre region ids are listed (a JSON array).
-- At a province: origin 'central' marks a read-only program mirrored from the centre; mirror_programs maps it to
-- the central id and records which central version it holds, which it is fetching, and a withdrawal.
ALTER TABLE programs ADD COLUMN distribute INTEGER NOT NULL DEFAULT 0;
ALTER TABLE programs ADD COLUMN distribute_to TEXT;
ALTER TABLE programs ADD COLUMN origin TEXT NOT NULL DEFAULT 'local' CHECK (origin IN ('local', 'central'));

CREATE TABLE mirror_programs (
  central_id INTEGER PRIMARY KEY,
  program_id INTEGER NOT NULL UNIQUE REFERENCES programs(id) ON DELETE CASCADE,
  -- the central version published here (NULL until the first one is verified whole)
  held_version INTEGER,
  -- the centre's updatedAt of the metadata last applied (metadata is applied again only when it moves)
  central_updated_at TEXT NOT NULL,
  -- the central version being fetched (NULL when nothing is), with its files' total size and bytes verified so far
  fetching_version INTEGER,
  fetch_bytes INTEGER NOT NULL DEFAULT 0,
  fetch_total INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  -- when the centre stopped offering it (the program leaves future schedules; an operator is warned)
  withdrawn_at TEXT,
  -- what the withdrawal removed, for the operator (items deleted, slots ended)
  withdrawal_note TEXT,
  updated_at TEXT NOT NULL
);
