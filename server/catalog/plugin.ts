// Routes of the catalog domain: programs (search, edit, delete), series, taxonomy.
import type { FastifyInstance } from 'fastify';
import programsRoutes from './programs-routes.ts';
import seriesRoutes from './series-routes.ts';

export default async function catalogPlugin(app: FastifyInstance) {
  await app.register(programsRoutes);
  await app.register(seriesRoutes);
}
