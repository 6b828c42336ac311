// The sites page's list: one page of a region's sites with their health, filtered (dark, not ready) and sorted by
// SQLite over the whole scope, so the province root at 25,000 sites answers one page, not every site's health.
import type { Db } from '../db/connection.ts';
import type { AuthUser } from '../auth/guards.ts';
import type { ConsoleSitesPage, ConsoleSitesQuery, SiteHealth } from '../../common/api/console.ts';
import { isOnline, OFFLINE_AFTER_MS } from '../attendance/heartbeat.ts';
import { resolveRoot } from '../attendance/scope.ts';
import { pageSitesByHealth, siteStatusBriefs, type SiteStatusBrief } from '../attendance/tables.ts';
import { siteScopeSql, sitesByIds } from '../sites/sites.ts';

const DAY_MS = 86_400_000;

/** Pure: how a site's last status reads on the page at `nowMs` (never seen: no status). */
export function healthOf(status: SiteStatusBrief | undefined, paired: boolean, revoked: boolean, nowMs: number): SiteHealth {
  const lastSeen = status?.lastSeen ?? null;
  return {
    online: !revoked && isOnline(lastSeen, nowMs),
    dark: paired && !revoked && (lastSeen === null || lastSeen < nowMs - DAY_MS),
    lastSeen: lastSeen === null ? null : new Date(lastSeen).toISOString(),
    cacheReadiness: status?.cacheReadiness ?? null,
    freeDiskBytes: status?.freeDiskBytes ?? null,
    agentVersion: status?.agentVersion ?? null,
    clockOffsetMs: status?.clockOffsetMs ?? null,
  };
}

/** Organizers see their own subtree only (another region: 403, as the reports answer). */
export function sitesWithHealth(db: Db, user: AuthUser, q: ConsoleSitesQuery, now: Date): ConsoleSitesPage {
  const nowMs = now.getTime();
  return db.transaction(() => {
    const root = resolveRoot(db, user, q.regionId);
    const text = q.q?.trim();
    const scope = {
      sql: siteScopeSql({ scoped: root !== null, q: !!text }),
      params: { ...(root ? { path: root.path } : {}), ...(text ? { q: text } : {}) },
    };
    const page = pageSitesByHealth(db, scope, {
      health: q.health,
      sort: q.sort,
      desc: q.order === 'desc',
      limit: q.limit ?? 20,
      offset: q.offset ?? 0,
      onlineSince: nowMs - OFFLINE_AFTER_MS,
      darkBefore: nowMs - DAY_MS,
    });
    const status = siteStatusBriefs(db, page.ids);
    const items = sitesByIds(db, page.ids).map((site) => ({
      ...site,
      health: healthOf(status.get(site.id), site.status !== 'unpaired', site.status === 'revoked', nowMs),
    }));
    return { items, total: page.total, counts: page.counts };
  })();
}
