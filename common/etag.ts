// The one If-None-Match matcher (RFC 9110 section 13.1.2), used by media files, live playlists and manifests.

/** A list element: an entity tag (`"x"` or `W/"x"`, the opaque part may hold commas) or anything else (malformed). */
const ELEMENT = /(?:W\/)?"([^"]*)"|[^\s,]+/g;

/**
 * True when If-None-Match matches the current representation's ETag, so the answer is 304. `*` alone matches
 * any current representation; otherwise the weak comparison: opaque tags equal, W/ ignored on either side.
 * Empty list elements are skipped; a malformed header matches nothing (the full answer is sent).
 */
export function ifNoneMatchHits(header: string | undefined, currentEtag: string): boolean {
  if (header === undefined) return false;
  const value = header.trim();
  if (value === '*') return true;
  const current = /^(?:W\/)?"([^"]*)"$/.exec(currentEtag)?.[1];
  if (current === undefined) return false;
  let hit = false;
  for (const m of value.matchAll(ELEMENT)) {
    if (m[1] === undefined) return false;
    if (m[1] === current) hit = true;
  }
  return hit;
}
