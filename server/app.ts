// buildApp(config) -> a Fastify instance with every domain plugin. main.ts listens; tests use app.inject.
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from './config.ts';
import { openDb, type Db } from './db/connection.ts';
import { installErrorHandling } from './errors.ts';
import { makeGuards, type Guards } from './auth/guards.ts';
import authPlugin from './auth/plugin.ts';
import catalogPlugin from './catalog/plugin.ts';
import mediaPlugin from './media/plugin.ts';
import broadcastPlugin from './broadcast/plugin.ts';
import sitesPlugin from './sites/plugin.ts';
import attendancePlugin from './attendance/plugin.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Db;
    config: Config;
    auth: Guards;
  }
}

export interface BuildOptions {
  /** Use this database instead of opening config.dbPath (tests sharing one file across restarts pass none). */
  db?: Db;
  logger?: boolean | object;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.logLevel },
    // 25,000 sites polling every minute would write hundreds of lines a second: successful requests are logged
    // at debug only; refused and failed ones at info (see the onResponse hook below).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  const db = opts.db ?? openDb(config.dbPath);
  app.decorate('db', db);
  app.decorate('config', config);
  app.decorate('auth', makeGuards(db));
  if (!opts.db) app.addHook('onClose', async () => db.close());

  installErrorHandling(app);
  app.addHook('onResponse', async (req, reply) => {
    const line = { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 400) req.log.info(line, 'request refused');
    else req.log.debug(line, 'request');
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
  await app.register((await import('./console/plugin.ts')).default); // web console at /, tus uploads, /api/config
  return app;
}
