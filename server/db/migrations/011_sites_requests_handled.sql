-- Owned by server/sites. An operator marks a program's or a topic's requests handled (scheduled, answered): those
-- requests leave the ranked list; requests that arrive later bring the entry back. A request naming both a program
-- and a topic counts in both lists, so each side has its own mark.
ALTER TABLE broadcast_requests ADD COLUMN program_handled_at TEXT;
ALTER TABLE broadcast_requests ADD COLUMN topic_handled_at TEXT;
