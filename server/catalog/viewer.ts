// Who is asking, as the catalog's views care: operators see drafts and get signed preview URLs; organizers see
// published lectures only.
import type { FastifyRequest } from 'fastify';
import { loadPreviewSecret, previewPath } from '../media/preview.ts';
import type { ViewOptions } from './repo.ts';

export interface Viewer {
  seesDrafts(req: FastifyRequest): boolean;
  view(req: FastifyRequest): ViewOptions;
}

export function makeViewer(config: { dataDir: string }, clock: () => number = Date.now): Viewer {
  const secret = loadPreviewSecret(config.dataDir);
  const seesDrafts = (req: FastifyRequest) => req.user?.role === 'operator';
  return {
    seesDrafts,
    view: (req) => (seesDrafts(req) ? { preview: (id, file) => previewPath(secret, id, file, clock()) } : {}),
  };
}
