// Who may talk to the agent's local server, and what the browser is told about the pages it serves.
// The agent listens on loopback, but a web page anywhere can point a DNS name at 127.0.0.1 (DNS rebinding) and
// then call /local/* from its own origin as if it were the kiosk: forge headcounts and sign-ins, queue downloads.
// Such a request carries the attacker's name in Host, so only the names this PC uses for itself are answered.
import type { FastifyInstance } from 'fastify';

/** Host header values the local server answers: loopback names with its port, and any configured host. */
export function allowedHosts(port: number, extra: readonly string[] = []): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]', ...extra.map((h) => h.toLowerCase())];
  const out = new Set<string>();
  for (const name of names) {
    if (!name || name === '0.0.0.0' || name === '::' || name === '[::]') continue;
    const bare = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name; // a bare IPv6 address
    out.add(`${bare}:${port}`);
    if (port === 80) out.add(bare);
  }
  return out;
}

export function isAllowedHost(host: string | undefined, allowed: ReadonlySet<string>): boolean {
  return host !== undefined && allowed.has(host.trim().toLowerCase());
}

/**
 * The kiosk page loads its script, stylesheet, posters and media from the agent, plays through MediaSource
 * (blob: URLs) and runs hls.js's worker from a blob: URL. Nothing else is allowed.
 */
export const KIOSK_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': KIOSK_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Refuses foreign Host headers (421 with a message) before anything is read, and adds the security headers to
 * every answer. `extraHosts`: names the kiosk may use besides loopback (AGENT_HOST, AGENT_ALLOWED_HOSTS).
 */
export function guardLocalServer(app: FastifyInstance, extraHosts: readonly string[] = []): void {
  let allowed: Set<string> | null = null;
  app.addHook('onSend', async (_req, reply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
  });
  app.addHook('onRequest', async (req, reply) => {
    // The port is known once listening; computed on the first request.
    allowed ??= allowedHosts((app.server.address() as { port: number } | null)?.port ?? 80, extraHosts);
    if (isAllowedHost(req.headers.host, allowed)) return;
    req.log.warn({ host: req.headers.host, url: req.url }, 'local: request with a foreign Host header refused (DNS rebinding?)');
    return reply.code(421).send({
      error: {
        code: 'foreign_host',
        message:
          `This site agent answers only to ${[...allowed].join(', ')}; ` +
          'open the kiosk at http://127.0.0.1:<port>/ (or add the name to AGENT_ALLOWED_HOSTS)',
      },
    });
  });
}
