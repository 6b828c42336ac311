// Routes of the catalog domain: upload, programs (search, edit, delete), series, taxonomy.
import type { FastifyInstance } from 'fastify';
import programsRoutes from './programs-routes.ts';
import seriesRoutes from './series-routes.ts';
import uploadRoute from './upload-route.ts';
import { clearIncoming } from './ingest.ts';

export default async function catalogPlugin(app: FastifyInstance) {
  await app.register(uploadRoute);
  await app.register(programsRoutes);
  await app.register(seriesRoutes);
  // Files a crashed upload or import left half-received are of no use to anyone.
  app.addHook('onReady', async () => {
    if (app.config.startWorkers) clearIncoming(app.config);
  });
}
