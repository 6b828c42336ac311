// The agent's calls to the provincial server. Distinguishes "the link is down" (UplinkDown) from "the server
// said no" (ServerRefused) because the agent reacts differently: retry later vs. log and stop.
import type { NewRequest, PairBody, PairResult, RequestAck } from '../../common/api/sites.ts';
import type { SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import { answerError, ServerRefused, UplinkDown } from '../../common/link-errors.ts';

export { ServerRefused, UplinkDown };

const TIMEOUT_MS = 15_000;

export class Uplink {
  constructor(
    readonly serverUrl: string,
    private token: string | null = null,
  ) {}

  setToken(token: string): void {
    this.token = token;
  }

  /** The server URL of `pathname`; never another origin (the token goes with every request). */
  url(pathname: string): string {
    const url = new URL(pathname, this.serverUrl);
    if (url.origin !== new URL(this.serverUrl).origin) throw new Error(`refusing to send the site token to ${url.origin}`);
    return url.href;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}`, ...extra } : extra;
  }

  /** fetch that turns connection failures into UplinkDown. The caller owns the response body. */
  async raw(pathname: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<Response> {
    const signal = init.signal ?? AbortSignal.timeout(init.timeoutMs ?? TIMEOUT_MS);
    try {
      return await fetch(this.url(pathname), {
        ...init,
        signal,
        headers: { ...this.headers(), ...(init.headers as Record<string, string>) },
      });
    } catch (err) {
      // Aborted by the caller (the agent stopping): not a link failure. A timeout is one.
      if (init.signal?.aborted && (init.signal.reason as Error | undefined)?.name !== 'TimeoutError') throw err;
      throw new UplinkDown(
        `${this.serverUrl} unreachable: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause?: Error }).cause!.message})` : ''}`,
      );
    }
  }

  private async json<T>(pathname: string, init: RequestInit = {}): Promise<T> {
    const res = await this.raw(pathname, init);
    const text = await res.text();
    if (!res.ok) throw answerError(pathname, res, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  pair(code: string): Promise<PairResult> {
    const body: PairBody = { code };
    return this.json('/api/sites/pair', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  /**
   * The manifest, or null when unchanged since `etag` (304). With `waitSeconds` (and an etag) it is a long poll:
   * the server may hold the request until the manifest changes or the wait is over.
   */
  async manifest(
    etag: string | null,
    opts: { waitSeconds?: number; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<{ manifest: SiteManifest; etag: string | null } | null> {
    const headers: Record<string, string> = etag ? { 'if-none-match': etag } : {};
    if (etag && opts.waitSeconds) headers.prefer = `wait=${opts.waitSeconds}`;
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? TIMEOUT_MS);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const res = await this.raw('/api/sites/me/manifest', { headers, signal });
    if (res.status === 304) {
      await res.body?.cancel();
      return null;
    }
    const text = await res.text();
    if (!res.ok) throw answerError('manifest', res, text);
    return { manifest: JSON.parse(text) as SiteManifest, etag: res.headers.get('etag') };
  }

  /** The site's on-demand catalog, or null when unchanged since `etag` (304). Fetched when the manifest's catalogEtag moves. */
  async catalog(etag: string | null, signal?: AbortSignal): Promise<{ catalog: SiteCatalog; etag: string | null } | null> {
    const timeout = AbortSignal.timeout(TIMEOUT_MS * 4); // several MB on a slow village link
    const res = await this.raw('/api/sites/me/catalog', {
      headers: etag ? { 'if-none-match': etag } : {},
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (res.status === 304) {
      await res.body?.cancel();
      return null;
    }
    const text = await res.text();
    if (!res.ok) throw answerError('catalog', res, text);
    return { catalog: JSON.parse(text) as SiteCatalog, etag: res.headers.get('etag') };
  }

  /** Forwards one member request; `clientId` lets the server drop a retry it already counted. */
  sendRequest(body: Omit<NewRequest, 'clientId'>, clientId: string): Promise<RequestAck> {
    const request: NewRequest = { ...body, clientId };
    return this.json('/api/sites/me/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
  }
}
