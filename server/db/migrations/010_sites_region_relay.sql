-- County relays (issue 11). A region's relay: base URL of an nginx cache of /media/ (scripts/deploy/nginx-relay.conf),
-- normalised with one trailing slash; NULL: none of its own. Its sites use the nearest relay on their ancestry
-- (the region's own first), so one county's relay serves all its townships and villages.
ALTER TABLE regions ADD COLUMN relay_url TEXT;
-- Few regions have a relay: the nearest-ancestor lookup reads only these.
CREATE INDEX regions_relay ON regions(path) WHERE relay_url IS NOT NULL;

-- Owned by server/attendance: where the site's media came from, as its last heartbeat said (JSON of
-- common/media-sources.ts MediaSources; NULL until an agent that knows about relays reports).
ALTER TABLE site_status ADD COLUMN media_sources TEXT;
