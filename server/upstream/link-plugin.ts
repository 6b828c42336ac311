// The province's upstream link (issue 13): `app.upstream` (status, send, hooks for the mirror), its routes, pairing
// at start, and the nightly send (node-cron in the province zone, after the attendance rollup).
import type { FastifyInstance } from 'fastify';
import cron from 'node-cron';
import { UpstreamLink } from './link.ts';
import upstreamLinkRoutes from './link-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The link to the central platform; `enabled` false on a centre or a stand-alone province. */
    upstream: UpstreamLink;
  }
}

/** Called on the root instance (not registered) so `app.upstream` is visible to every plugin, the mirror's too. */
export async function installUpstreamLink(app: FastifyInstance): Promise<void> {
  const link = new UpstreamLink(app.db, app.config, app.log);
  app.decorate('upstream', link);
  await app.register(upstreamLinkRoutes);
  if (!link.enabled) return;
  app.addHook('onReady', async () => {
    void link.pair(); // in the background: a centre that is down must not stop the province from starting
  });
  if (!app.config.startWorkers) return;
  const task = cron.schedule(app.config.upstreamSendCron, () => void link.send(), {
    timezone: app.config.provinceTz,
    name: 'upstream-send',
    noOverlap: true,
  });
  app.addHook('onClose', async () => void task.destroy());
}
