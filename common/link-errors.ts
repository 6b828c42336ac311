// How a download or a call over a link failed, for every process that follows a server (a site's agent, a
// province's mirror): "the link is down" (UplinkDown: retry later) apart from "the server said no" (ServerRefused:
// log and stop), because the caller reacts differently.
import { retryAfterMs } from './retry-after.ts';

/** The link is down or the server is unavailable; `retryAfterMs` when it said how long to wait (503 + Retry-After). */
export class UplinkDown extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** The server answered no (4xx); `retryAfterMs` when it said when to try again (429 + Retry-After). */
export class ServerRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** The error for a non-2xx answer whose body is `text`. */
export function answerError(what: string, res: Response, text: string, now = Date.now()): UplinkDown | ServerRefused {
  const wait = retryAfterMs(res.headers.get('retry-after'), now);
  const after = wait !== null ? ` (retry after ${Math.ceil(wait / 1000)} s)` : '';
  if (res.status >= 500) return new UplinkDown(`${what}: server error ${res.status}${after}`, wait);
  return new ServerRefused(res.status, serverMessage(text, res.status), wait);
}

function serverMessage(text: string, status: number): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return `${status}: ${body.error.message}`;
  } catch {
    /* not JSON */
  }
  return `${status}: ${text.slice(0, 200)}`;
}
