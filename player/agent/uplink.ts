// The agent's calls to the provincial server. Distinguishes "the link is down" (UplinkDown) from "the server
// said no" (ServerRefused) because the agent reacts differently: retry later vs. log and stop.
import type { SiteManifest } from '../../common/manifest.ts';

export class UplinkDown extends Error {}
export class ServerRefused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const TIMEOUT_MS = 15_000;

export class Uplink {
  constructor(readonly serverUrl: string, private token: string | null = null) {}

  setToken(token: string): void {
    this.token = token;
  }

  url(pathname: string): string {
    return new URL(pathname, this.serverUrl).href;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}`, ...extra } : extra;
  }

  /** fetch that turns connection failures into UplinkDown. The caller owns the response body. */
  async raw(pathname: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
    const signal = init.signal ?? AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS);
    try {
      return await fetch(this.url(pathname), { ...init, signal, headers: { ...this.headers(), ...(init.headers as Record<string, string>) } });
    } catch (err) {
      if ((err as Error).name === 'AbortError' && init.signal?.aborted) throw err;
      throw new UplinkDown(`${this.serverUrl} unreachable: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause?: Error }).cause!.message})` : ''}`);
    }
  }

  private async json<T>(pathname: string, init: RequestInit = {}): Promise<T> {
    const res = await this.raw(pathname, init);
    const text = await res.text();
    if (res.status >= 500) throw new UplinkDown(`${pathname}: server error ${res.status}`);
    if (!res.ok) throw new ServerRefused(res.status, serverMessage(text, res.status));
    return (text ? JSON.parse(text) : undefined) as T;
  }

  pair(code: string): Promise<{ siteId: number; token: string }> {
    return this.json('/api/sites/pair', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
  }

  /** The manifest, or null when unchanged since `etag` (304). */
  async manifest(etag: string | null): Promise<{ manifest: SiteManifest; etag: string | null } | null> {
    const res = await this.raw('/api/sites/me/manifest', { headers: etag ? { 'if-none-match': etag } : {} });
    if (res.status === 304) {
      await res.body?.cancel();
      return null;
    }
    const text = await res.text();
    if (res.status >= 500) throw new UplinkDown(`manifest: server error ${res.status}`);
    if (!res.ok) throw new ServerRefused(res.status, serverMessage(text, res.status));
    return { manifest: JSON.parse(text) as SiteManifest, etag: res.headers.get('etag') };
  }

  /** Forwards one member request; `clientId` lets the server drop a retry it already counted. */
  sendRequest(body: { programId?: number; topic?: string; memberNo?: string }, clientId: string): Promise<unknown> {
    return this.json('/api/sites/me/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, clientId }),
    });
  }
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
