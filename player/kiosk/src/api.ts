// The kiosk's one client of the site agent's local API (same origin: the agent serves this page). The shapes
// are the agent's own, from common/local-api.ts (types only: nothing of the schema library reaches the TV).
// The screens and the attendance panel all call through here.
import type {
  Catalog,
  CatalogItem,
  DownloadAck,
  LocalAnswerAck,
  LocalAnswerBody,
  LocalChannel,
  LocalQuestion,
  LocalQuestionnaire,
  LocalRequestAck,
  LocalRequestBody,
  LocalStatus,
  ProgramSlot,
  SessionAnswer,
  SessionReport,
  Sitting,
} from '../../../common/local-api.ts';

export type {
  Catalog,
  CatalogItem,
  LocalAnswerAck,
  LocalChannel,
  LocalQuestion,
  LocalQuestionnaire,
  LocalStatus,
  ProgramSlot,
  SessionAnswer,
  SessionReport,
  Sitting,
};

/** An answer other than 2xx: the status, and the agent's message (it says what to fix). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 8000;

async function call<T>(method: 'GET' | 'POST', url: string, body?: unknown, opts: { keepalive?: boolean } = {}): Promise<T> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), TIMEOUT_MS);
  try {
    const res = await fetch(url, {
      method,
      signal: ctrl.signal,
      cache: 'no-store',
      keepalive: opts.keepalive,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) {
      let message = `${url}: HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        /* not JSON: keep the status */
      }
      throw new HttpError(res.status, message);
    }
    return JSON.parse(text) as T;
  } finally {
    clearTimeout(timer);
  }
}

export const api = {
  status: () => call<LocalStatus>('GET', '/local/status'),
  channels: () => call<LocalChannel[]>('GET', '/local/channels'),
  catalog: () => call<Catalog>('GET', '/local/catalog'),
  download: (programId: number) => call<DownloadAck>('POST', '/local/downloads', { programId }),
  request: (body: LocalRequestBody) => call<LocalRequestAck>('POST', '/local/requests', body),
  // Attendance: sessions, the sitting (headcount and members signed in).
  reportSession: (r: SessionReport, keepalive = false) => call<SessionAnswer>('POST', '/local/sessions', r, { keepalive }),
  sitting: () => call<Sitting>('GET', '/local/sitting'),
  headcount: (count: number) => call<Sitting>('POST', '/local/headcount', { count }),
  signIn: (memberNo: string) => call<Sitting>('POST', '/local/members/signin', { memberNo }),
  // Surveys and quizzes: what reached the site, and answers (queued by the agent for the server).
  questionnaires: () => call<LocalQuestionnaire[]>('GET', '/local/questionnaires'),
  answer: (body: LocalAnswerBody) => call<LocalAnswerAck>('POST', '/local/answers', body),
};

/**
 * The page is going away: session reports handed to the browser, which delivers them even as the page unloads
 * (sendBeacon; a keepalive fetch where that is missing).
 */
export function beaconSessions(reports: SessionReport[]): void {
  for (const r of reports) {
    const blob = new Blob([JSON.stringify(r)], { type: 'application/json' });
    if (!navigator.sendBeacon?.('/local/sessions', blob)) void api.reportSession(r, true).catch(() => undefined);
  }
}

export function channelPlaylistUrl(channelId: number): string {
  return `/live/channels/${channelId}/master.m3u8`;
}
