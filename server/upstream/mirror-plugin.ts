// The central library (issue 13): at a centre, the feed provinces follow; at a province (UPSTREAM_URL set), the
// mirror that follows it, polled every UPSTREAM_MIRROR_POLL_S while workers run, each pass followed by a sync of the
// carried channels (the centre's schedule read again, and fitted again now that more programs may be mirrored).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import libraryRoutes from './library-routes.ts';
import carryRoutes from './carry-routes.ts';
import { LibraryMirror } from './mirror.ts';
import { CarriedChannels } from './carried.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The province's mirror of the central library; null on a centre or a stand-alone province. */
    mirror: LibraryMirror | null;
    /** Channels carrying a central channel (POST /api/channels with carry); answers no_upstream on a centre. */
    carrier: CarriedChannels;
  }
}

async function mirrorPlugin(app: FastifyInstance) {
  await app.register(libraryRoutes);
  await app.register(carryRoutes);
  const mirror = app.upstream.enabled ? new LibraryMirror(app.db, app.config, app.upstream, app.log) : null;
  app.decorate('mirror', mirror);
  const carrier = new CarriedChannels(app.db, app.config.provinceTz, app.upstream, app.log);
  app.decorate('carrier', carrier);
  if (!mirror || !app.config.startWorkers) return;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const tick = () => {
    void (async () => {
      await mirror.sync();
      await carrier.sync();
    })().finally(() => {
      if (!closed) timer = setTimeout(tick, app.config.upstreamMirrorPollSeconds * 1000);
    });
  };
  app.addHook('onReady', async () => void (timer = setTimeout(tick, 1000)));
  app.addHook('onClose', async () => {
    closed = true;
    clearTimeout(timer);
  });
}

export default fp(mirrorPlugin, { name: 'upstream-mirror' });
