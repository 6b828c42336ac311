// A region's relay base URL as an operator types it -> the form stored and sent to sites, or a message saying
// what to fix. Pure. The agent appends `media/<path>` to it, so it must be a plain base: http(s), a host, an
// optional path, no credentials (they would travel to every site in the manifest), no query, no fragment.

export type RelayUrlCheck = { ok: true; url: string } | { ok: false; message: string };

const EXAMPLE = 'e.g. http://relay.county.example:8080/';

export function normaliseRelayUrl(raw: string): RelayUrlCheck {
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return {
      ok: false,
      message: `relayUrl "${raw}" is not an absolute URL: write it with http:// or https:// and the relay's host, ${EXAMPLE}`,
    };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { ok: false, message: `relayUrl must start with http:// or https://, not ${url.protocol}//, ${EXAMPLE}` };
  if (!url.hostname) return { ok: false, message: `relayUrl has no host: ${EXAMPLE}` };
  if (url.username || url.password)
    return { ok: false, message: 'relayUrl must not carry a user name or password: every site of the region would receive them.' };
  if (url.search || text.includes('?'))
    return { ok: false, message: `relayUrl must not have a query (?...): give the relay's base URL, ${EXAMPLE}` };
  if (url.hash || text.includes('#'))
    return { ok: false, message: `relayUrl must not have a fragment (#...): give the relay's base URL, ${EXAMPLE}` };
  // One trailing slash, so `new URL('media/...', base)` keeps a path prefix such as /dyb/.
  const pathname = url.pathname.replace(/\/+$/, '') + '/';
  return { ok: true, url: `${url.protocol}//${url.host}${pathname}` };
}

/** The relay a region's sites use: the region's own, else the nearest ancestor's. `relays` maps region id -> URL. */
export function nearestRelay(pathIds: number[], relays: ReadonlyMap<number, string>): string | null {
  for (let i = pathIds.length - 1; i >= 0; i--) {
    const url = relays.get(pathIds[i]!);
    if (url) return url;
  }
  return null;
}
