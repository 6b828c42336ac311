// Who may see what: operators everything, organizers their region's subtree only. Resolves a request's
// regionId into the region and site sets a report covers.
import type { Db } from '../db/connection.ts';
import type { AuthUser } from '../auth/guards.ts';
import { forbidden, notFound } from '../errors.ts';
import { getRegion, isInSubtree, listRegions } from '../sites/regions.ts';

export interface RegionRow { id: number; parentId: number | null; name: string; level: string; path: string }
export interface SiteRow { id: number; name: string; regionId: number; paired: boolean; revoked: boolean }

export interface Scope {
  /** The region the report is rooted at; null = the whole province (operators only). */
  root: RegionRow | null;
  regions: RegionRow[];
  sites: SiteRow[];
}

const siteCols = `s.id, s.name, s.region_id AS regionId, (s.token_hash IS NOT NULL) AS paired,
  (s.revoked_at IS NOT NULL) AS revoked`;

function toSite(r: SiteRow): SiteRow {
  return { ...r, paired: !!r.paired, revoked: !!r.revoked };
}

/**
 * The report scope for `user` asking about `regionId` (or their own root when absent). An organizer asking about
 * a region outside their subtree gets 403; an unknown region 404.
 */
export function resolveScope(db: Db, user: AuthUser, regionId: number | undefined): Scope {
  const wanted = regionId ?? user.regionId ?? undefined;
  let root: RegionRow | null = null;
  if (wanted != null) {
    const r = getRegion(db, wanted);
    if (!r) throw notFound(`Region ${wanted} does not exist.`);
    root = { id: r.id, parentId: r.parentId, name: r.name, level: r.level, path: r.path };
  }
  if (user.role !== 'operator' && (user.regionId == null || !root || !isInSubtree(db, root.id, user.regionId))) {
    throw forbidden(`Region ${wanted} is outside your region; you may report on region ${user.regionId} and below.`);
  }
  const regions: RegionRow[] = listRegions(db, root?.id).map((r) => ({ id: r.id, parentId: r.parentId, name: r.name, level: r.level, path: r.path }));
  const sites = root
    ? db.prepare(`SELECT ${siteCols} FROM sites s JOIN regions r ON r.id = s.region_id
        WHERE r.path LIKE ? || '%' ORDER BY s.id`).all(root.path) as SiteRow[]
    : db.prepare(`SELECT ${siteCols} FROM sites s ORDER BY s.id`).all() as SiteRow[];
  return { root, regions, sites: sites.map(toSite) };
}

/** May this user manage the roll of this site? Operators any site, organizers sites in their subtree. */
export function siteIdsUserMayManage(db: Db, user: AuthUser): Set<number> | null {
  if (user.role === 'operator') return null;
  if (user.regionId == null) return new Set();
  return new Set(resolveScope(db, user, user.regionId).sites.map((s) => s.id));
}

/** Region names from the root down to the region: '某省 / 某县 / 某村'. */
export function regionPathNames(regionsById: Map<number, RegionRow>, regionId: number): string {
  const names: string[] = [];
  for (let r = regionsById.get(regionId); r; r = r.parentId != null ? regionsById.get(r.parentId) : undefined) names.unshift(r.name);
  return names.join(' / ');
}
