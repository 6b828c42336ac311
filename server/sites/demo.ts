// The demo site for `npm start`: a region chain down to a village and one site under it, made once.
import type { FastifyInstance } from 'fastify';
import { createRegion, LEVELS, type Region } from './regions.ts';
import { createSite, reissuePairingCode } from './sites.ts';

export const DEMO_REGION_NAMES = ['演示省', '演示市', '演示县', '演示镇', '演示村'] as const;
export const DEMO_SITE_NAME = '演示村党员活动室';

/**
 * Idempotent. Always returns a fresh pairing code: an agent that already holds its token ignores it (and its
 * token keeps working until the code is used), an agent started on an empty data dir pairs with it.
 */
export function ensureDemoSite(app: FastifyInstance): { siteId: number; pairingCode: string; paired: boolean } {
  const { db } = app;
  return db.transaction(() => {
    let parent: Region | undefined;
    DEMO_REGION_NAMES.forEach((name, i) => {
      parent =
        (db
          .prepare('SELECT id, parent_id AS parentId, name, level, path FROM regions WHERE ifnull(parent_id, 0) = ? AND name = ?')
          .get(parent?.id ?? 0, name) as Region | undefined) ??
        createRegion(db, { name, level: LEVELS[i + 1], parentId: parent?.id ?? null });
    });
    const village = parent!;
    const existing = db
      .prepare('SELECT id, paired_at AS pairedAt, revoked_at AS revokedAt FROM sites WHERE region_id = ? AND name = ?')
      .get(village.id, DEMO_SITE_NAME) as { id: number; pairedAt: string | null; revokedAt: string | null } | undefined;
    if (!existing) {
      const { site, pairingCode } = createSite(db, app.serverSecret, {
        name: DEMO_SITE_NAME,
        regionId: village.id,
        contact: 'demo',
        downloadWindow: '00:00-00:00', // all day: the demo should fill its cache at once
        maxRung: '480p',
        bandwidthKbps: 20_000,
      });
      return { siteId: site.id, pairingCode, paired: false };
    }
    const { pairingCode } = reissuePairingCode(db, app.serverSecret, existing.id);
    return { siteId: existing.id, pairingCode, paired: !!existing.pairedAt && !existing.revokedAt };
  })();
}
