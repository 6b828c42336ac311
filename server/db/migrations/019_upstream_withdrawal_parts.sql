-- Issue 13 follow-up: a withdrawal's consequences as data, so the console words them in the operator's language
-- (withdrawal_note stays as the English sentence for logs and API readers). Owned by server/upstream/mirror-data.ts.
-- NULL on rows withdrawn before this migration: the console then shows withdrawal_note.
ALTER TABLE mirror_programs ADD COLUMN withdrawn_title TEXT;
ALTER TABLE mirror_programs ADD COLUMN withdrawn_items INTEGER;
ALTER TABLE mirror_programs ADD COLUMN withdrawn_slots INTEGER;
-- JSON array of {id, number, name}: the channels it left, as they were named then
ALTER TABLE mirror_programs ADD COLUMN withdrawn_channels TEXT;
