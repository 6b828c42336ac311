-- What a program is: a lecture of the catalog, or a hidden station card the broadcast plays in gaps (a
-- channel's card, or the server's house slate that fills gaps of channels whose card is not made yet).
-- Cards are unpublished yet their media stay open: every viewer of a channel plays them.
ALTER TABLE programs ADD COLUMN kind TEXT NOT NULL DEFAULT 'lecture'
  CHECK (kind IN ('lecture', 'channel_card', 'house_slate'));
UPDATE programs SET kind = 'channel_card'
 WHERE id IN (SELECT generated_slate_id FROM channels WHERE generated_slate_id IS NOT NULL);
CREATE UNIQUE INDEX programs_one_house_slate ON programs(kind) WHERE kind = 'house_slate';
