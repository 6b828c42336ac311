// Who may see which part of the region tree: operators everything, organizers their own subtree.
import type { FastifyRequest } from 'fastify';

/** The subtree root an organizer is limited to; undefined for operators (everything). */
export function scopeRoot(req: FastifyRequest): number | undefined {
  const u = req.user!;
  if (u.role === 'operator') return undefined;
  // An organizer without a region sees nothing: -1 matches no region.
  return u.regionId ?? -1;
}
