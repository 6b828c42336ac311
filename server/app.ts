// buildApp(config) -> a Fastify instance with every domain plugin. main.ts listens; tests use app.inject.
import http from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from './config.ts';
import { openDb, type Db } from './db/connection.ts';
import { frameworkError, installErrorHandling } from './errors.ts';
import { requestValidator } from './validation.ts';
import { makeGuards, type Guards } from './auth/guards.ts';
import { loadServerSecret } from './auth/server-secret.ts';
import { installSiteRateLimit } from './auth/site-limit.ts';
import { installAdmissionControl } from './admission.ts';
import { ManifestNotifier } from './sites/manifest-notifier.ts';
import authPlugin from './auth/plugin.ts';
import catalogPlugin from './catalog/plugin.ts';
import mediaPlugin from './media/plugin.ts';
import broadcastPlugin from './broadcast/plugin.ts';
import sitesPlugin from './sites/plugin.ts';
import attendancePlugin from './attendance/plugin.ts';
import questionnairesPlugin from './questionnaires/plugin.ts';
import platformsPlugin from './platforms/plugin.ts';
import { installUpstreamLink } from './upstream/link-plugin.ts';
import mirrorPlugin from './upstream/mirror-plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    auth: Guards;
    /** 32 random bytes kept in the data dir (0600): the key of pairing-code HMACs. */
    serverSecret: Buffer;
    /** Tells held manifest long polls that something a manifest is built from may have changed. */
    manifestNotifier: ManifestNotifier;
  }
}

export interface BuildOptions {
  /** Use this database instead of opening config.dbPath (tests sharing one file across restarts pass none). */
  db?: Db;
  logger?: boolean | object;
}

/** Default body limit: JSON and CSV bodies of every route; a route that needs more sets its own bodyLimit. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** What the console, the docs and report pages load: all from this origin; images and media also as data/blob URLs. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  workerSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
};

/** Errors Node raises before a request reaches Fastify (a timeout, oversized headers): our error shape, then close. */
function answerClientError(err: NodeJS.ErrnoException, socket: import('node:stream').Duplex, requestTimeoutMs: number): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [
          '408 Request Timeout',
          'request_timeout',
          `The request did not arrive within ${requestTimeoutMs / 1000} s: send it again (big files: use the resumable upload).`,
        ]
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', 'headers_too_large', 'The request headers are too large: send fewer or shorter headers.']
        : ['400 Bad Request', 'bad_request', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    // 25,000 sites polling every minute would write hundreds of lines a second: successful requests are logged
    // at debug only; refused and failed ones at info (see the onResponse hook below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Off unless TRUST_PROXY names the proxies: otherwise anyone could pick their address with X-Forwarded-For.
    // A hop count trusts that many proxies nearest the server (proxy-addr calls this with the hop index).
    trustProxy: typeof config.trustProxy === 'number' ? trustHops(config.trustProxy) : config.trustProxy,
    // Node honours request timeouts only when they are given to the server's constructor (set later, they are
    // checked on a 30 s interval against a stale start), so the server is made here with them.
    serverFactory: (handler) => {
      const server = http.createServer(
        {
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: Math.min(60_000, config.requestTimeoutMs),
          keepAliveTimeout: config.keepAliveTimeoutMs,
          connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(config.requestTimeoutMs / 4))),
        },
        handler,
      );
      server.setTimeout(config.connectionTimeoutMs);
      return server;
    },
    clientErrorHandler: (err, socket) => answerClientError(err, socket, config.requestTimeoutMs),
    frameworkErrors: frameworkError,
  });
  app.setValidatorCompiler(requestValidator());
  const db = opts.db ?? openDb(config.dbPath);
  const guards = makeGuards(db);
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('auth', guards);
  app.decorate('serverSecret', loadServerSecret(config.dataDir));
  app.decorate('manifestNotifier', new ManifestNotifier());
  if (!opts.db) app.addHook('onClose', async () => db.close());
  app.addHook('onClose', async () => app.manifestNotifier.close());

  installErrorHandling(app);
  await installAdmissionControl(app, config); // first: an overloaded server turns sites away before any other work
  installSiteRateLimit(app, guards, config.siteRateLimitPerMinute);
  app.addHook('onResponse', async (req, reply) => {
    const line = { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 400) req.log.info(line, 'request refused');
    else req.log.debug(line, 'request');
    // Any accepted write (a schedule, a channel, the catalog, a site) may change manifests: held polls re-check.
    if (reply.statusCode < 400 && req.method !== 'GET' && req.method !== 'HEAD') app.manifestNotifier.poke();
  });
  await app.register(helmet, {
    // Only what is listed: helmet's defaults add upgrade-insecure-requests, which breaks a server reached over http.
    contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
    // Media and playlists are fetched by players on other origins (set-top boxes, the site agent's kiosk).
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Distance-education broadcast server', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(authPlugin);
  await app.register(catalogPlugin);
  await app.register(mediaPlugin);
  await app.register(broadcastPlugin);
  await app.register(sitesPlugin);
  await app.register(attendancePlugin);
  await app.register(questionnairesPlugin);
  await app.register(platformsPlugin);
  await installUpstreamLink(app); // the province's link to a centre (inactive without UPSTREAM_URL)
  await app.register(mirrorPlugin); // the central library: the feed at a centre, the mirror at a province
  await app.register((await import('./console/plugin.ts')).default); // web console at /, tus uploads, /api/config
  return app;
}
