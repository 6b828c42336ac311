// Retry-After (RFC 9110 10.2.3) as a downloader (the agent, the mirror) reads it on 429 and 503 answers:
// delay-seconds or an HTTP date.
// Pure: the caller passes now. Capped so a wrong header cannot silence a site for days.

export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** Milliseconds to wait, or null when the header is absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const v = header.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    if (!/^[A-Za-z]{3}, /.test(v)) return null; // an IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    const at = Date.parse(v);
    if (!Number.isFinite(at)) return null;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}
