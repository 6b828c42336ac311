// Routes of the sites domain: regions, site registration and pairing, the site manifest, members' requests.
import type { FastifyInstance } from 'fastify';
import regionRoutes from './region-routes.ts';
import siteRoutes from './site-routes.ts';
import siteApiRoutes from './site-api-routes.ts';
import requestRoutes from './request-routes.ts';
import { timelineInputForChannel } from '../broadcast/timeline-input.ts';

export default async function sitesPlugin(app: FastifyInstance) {
  // CSV imports arrive as text (a pasted spreadsheet); this parser is scoped to this plugin's routes.
  app.addContentTypeParser(['text/csv', 'text/tab-separated-values'], { parseAs: 'string' }, (_req, body, done) => done(null, body));
  await app.register(regionRoutes);
  await app.register(siteRoutes);
  await app.register(siteApiRoutes, { timelineFor: timelineInputForChannel });
  await app.register(requestRoutes);
}
