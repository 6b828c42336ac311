// Who may see what: operators everything, organizers their region's subtree only. Resolves a request's
// regionId into the region and site sets a report covers.
import type { Db } from '../db/connection.ts';
import type { AuthUser } from '../auth/guards.ts';
import { forbidden, notFound } from '../errors.ts';
import { getRegion, isInSubtree, listRegions } from '../sites/regions.ts';
import { sitesUnderPath, type SiteBrief } from '../sites/sites.ts';

export interface RegionRow {
  id: number;
  parentId: number | null;
  name: string;
  level: string;
  path: string;
}
export type SiteRow = SiteBrief;

export interface Scope {
  /** The region the report is rooted at; null = the whole province (operators only). */
  root: RegionRow | null;
  regions: RegionRow[];
  sites: SiteRow[];
}

/**
 * The report scope for `user` asking about `regionId` (or their own root when absent). An organizer asking about
 * a region outside their subtree gets 403; an unknown region 404.
 */
export function resolveScope(db: Db, user: AuthUser, regionId: number | undefined): Scope {
  const root = resolveRoot(db, user, regionId);
  const regions: RegionRow[] = listRegions(db, root?.id).map((r) => ({
    id: r.id,
    parentId: r.parentId,
    name: r.name,
    level: r.level,
    path: r.path,
  }));
  return { root, regions, sites: sitesUnderPath(db, root?.path ?? null) };
}

/** The region a report on `regionId` is rooted at (null: the whole province), with resolveScope's 403 and 404. */
export function resolveRoot(db: Db, user: AuthUser, regionId: number | undefined): RegionRow | null {
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
  return root;
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
