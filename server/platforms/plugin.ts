// The centre's side of the two-tier link: downstream platforms and what they send up (issue 13).
import type { FastifyInstance } from 'fastify';
import platformRoutes from './routes.ts';

export default async function platformsPlugin(app: FastifyInstance) {
  await app.register(platformRoutes);
}
