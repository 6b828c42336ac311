// The one HTTP client of the console: bearer token, JSON in and out, the API's own error message on failure, and
// an expired sign-in sending the user to /login (with a note) and back to where they were afterwards.
import type { ErrorBody } from './types.ts';
import { session, signOut } from '../session.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    /** The whole `error` object: some refusals carry more than the message (e.g. each refused CSV row). */
    readonly detail: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** Called when the server says the token is no longer good (set by the router: go to /login?expired=1&next=...). */
let onExpired: () => void = () => undefined;
export function setExpiredHandler(fn: () => void): void {
  onExpired = fn;
}

export function authHeaders(): Record<string, string> {
  return session.token ? { Authorization: `Bearer ${session.token}` } : {};
}

async function errorOf(res: Response): Promise<ApiError> {
  const retry = Number(res.headers.get('retry-after'));
  let code = `http_${res.status}`;
  let message = `${res.status} ${res.statusText}`;
  let detail: Record<string, unknown> | null = null;
  try {
    const body = (await res.json()) as Partial<ErrorBody>;
    if (body.error?.message) {
      ({ code, message } = body.error);
      detail = body.error as Record<string, unknown>;
    }
  } catch {
    // not JSON (a proxy's page): keep the status line
  }
  return new ApiError(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : null, detail);
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** Raw text body (CSV), sent with this content type. */
  text?: { body: string; type: string };
  /** Read the answer as text (CSV, HTML exports). */
  asText?: boolean;
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders() };
  let body: BodyInit | undefined;
  if (opts.text) {
    headers['Content-Type'] = opts.text.type;
    body = opts.text.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(withQuery(path, opts.query), { method, headers, body });
  } catch {
    throw new ApiError(
      0,
      'network',
      navigator.language.startsWith('zh')
        ? '无法连接服务器，请检查网络后重试。'
        : 'The server cannot be reached; check the network and try again.',
    );
  }
  if (res.status === 401 && session.token && path !== '/api/auth/login') {
    signOut();
    onExpired();
  }
  if (!res.ok) throw await errorOf(res);
  if (res.status === 204) return undefined as T;
  if (opts.asText) return (await res.text()) as T;
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T>(path: string, body?: unknown, query?: Query) => request<T>('POST', path, { body: body ?? {}, query }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  del: (path: string) => request<void>('DELETE', path),
  text: (path: string, query?: Query) => request<string>('GET', path, { query, asText: true }),
};

/** Downloads an export (CSV, HTML) through the API with the token, and saves it under the server's file name. */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const res = await fetch(withQuery(path, query), { headers: authHeaders() });
  if (!res.ok) throw await errorOf(res);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Opens a printable HTML export in a new tab (a blob URL: the page is same-origin, no token in the address). */
export async function openPrintable(path: string, query: Query): Promise<void> {
  const w = window.open('', '_blank');
  const html = await request<string>('GET', path, { query, asText: true });
  const url = URL.createObjectURL(new Blob([html], { type: 'text/html;charset=utf-8' }));
  if (w) w.location.href = url;
  else window.location.href = url;
}
