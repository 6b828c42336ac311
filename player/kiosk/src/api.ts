// The site agent's local API as the kiosk sees it (same origin: the agent serves this page). Shapes agreed
// with the agent; fields may be added, so the kiosk ignores what it does not know.

export interface LocalStatus {
  online: boolean;
  siteId: number | null;
  siteName: string;
  serverUrl: string;
  lastSyncAt: number | null;
  /** 0..1: share of the files the next 48 h need that are held. */
  cacheReadiness: number;
  provinceTz: string;
  version: string;
  /** The site's default kiosk language (agent --lang), e.g. 'zh-CN'. */
  lang?: string;
}

export interface ProgramSlot {
  programId: number | null;
  title: string;
  start: number;
  end: number;
}

export interface LocalChannel {
  id: number;
  number: number;
  name: string;
  description: string;
  now: (ProgramSlot & { offsetSec: number }) | null;
  next: ProgramSlot | null;
}

export interface CatalogItem {
  id: number;
  title: string;
  description: string;
  lecturer: string;
  category: string | null;
  audiences: string[];
  seriesId: number | null;
  seriesTitle: string | null;
  episode: number | null;
  /** Seconds. */
  duration: number;
  poster: string | null;
  hls: string;
  held: boolean;
  download: { progress: number } | null;
}

export interface Catalog {
  categories: Array<{ id: string; zh: string; en: string }>;
  series: Array<{ id: number; title: string }>;
  items: CatalogItem[];
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson<T>(url: string, timeoutMs = 8000): Promise<T> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { signal: ctrl.signal, cache: 'no-store' });
    if (!res.ok) throw new HttpError(res.status, `${url}: HTTP ${res.status}`);
    return (await res.json()) as T;
  } finally {
    clearTimeout(timer);
  }
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new HttpError(res.status, `${url}: HTTP ${res.status}`);
}

export const api = {
  status: () => getJson<LocalStatus>('/local/status'),
  channels: () => getJson<LocalChannel[]>('/local/channels'),
  catalog: () => getJson<Catalog>('/local/catalog'),
  download: (programId: number) => postJson('/local/downloads', { programId }),
  request: (body: { programId?: number; topic?: string; memberNo?: string }) => postJson('/local/requests', body),
};

export function channelPlaylistUrl(channelId: number): string {
  return `/live/channels/${channelId}/master.m3u8`;
}
