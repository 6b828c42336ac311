// The per-site limit on every site route: one mechanism for all domains. Any route under /api/sites/me/ gets, at
// the end of its onRequest hooks, the site guard (a no-op when the route already ran it) and a counter keyed on
// the site id from the token, not the address: a village's sites may share one NAT address, and one site's
// token must not be able to crowd the others out. Routes need not opt in; attendance's site routes get it too.
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { tooManyRequests } from '../errors.ts';
import type { Guards } from './guards.ts';
import { WindowLimiter } from './rate-limit.ts';

export const SITE_ROUTE_PREFIX = '/api/sites/me/';

export function installSiteRateLimit(app: FastifyInstance, guards: Guards, perMinute: number): void {
  const limiter = new WindowLimiter(perMinute, 60_000);
  async function limitSite(this: FastifyInstance, req: FastifyRequest, reply: FastifyReply) {
    await guards.site.call(this, req, reply);
    const v = limiter.hit(String(req.site!.id), Date.now());
    if (!v.allowed) {
      throw tooManyRequests(`This site sent more than ${perMinute} requests in a minute`, v.retryAfterMs, 'too_many_requests');
    }
  }
  // onRoute hooks added here run for routes of every plugin registered after this call.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith(SITE_ROUTE_PREFIX)) return;
    const own = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...own, limitSite as onRequestAsyncHookHandler];
  });
}
