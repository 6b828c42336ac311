// Routes of the catalog domain: upload, programs (search, edit, delete), series, taxonomy.
import type { FastifyInstance } from 'fastify';
import programsRoutes from './programs-routes.ts';
import seriesRoutes from './series-routes.ts';
import uploadRoute from './upload-route.ts';
import { clearIncoming } from './ingest.ts';
import { makeViewer } from './viewer.ts';

export default async function catalogPlugin(app: FastifyInstance) {
  const viewer = makeViewer(app.config);
  await app.register(uploadRoute, { viewer });
  await app.register(programsRoutes, { viewer });
  await app.register(seriesRoutes, { viewer });
  // Files a crashed upload or import left half-received are of no use to anyone.
  app.addHook('onReady', async () => {
    if (app.config.startWorkers) clearIncoming(app.config);
  });
}
