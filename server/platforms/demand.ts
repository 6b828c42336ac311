// The centre's view of demand: every province's last-sent demand, merged by key, most wanted first.
import type { Db } from '../db/connection.ts';
import type { CentralDemand } from '../../common/api/platforms.ts';
import { listPlatforms } from './platforms.ts';
import { heldDemand, type HeldDemand } from './figures.ts';

/** Pure: merges held demand rows (one per province and key) into one entry per key. */
export function mergeDemand(rows: readonly HeldDemand[], regionNameOf: (platformId: number) => string): CentralDemand {
  const byKey = new Map<string, CentralDemand[number]>();
  for (const r of rows) {
    const e = byKey.get(r.key);
    const platform = { platformId: r.platformId, regionName: regionNameOf(r.platformId), count: r.count };
    if (!e) {
      const { platformId: _p, ...item } = r;
      byKey.set(r.key, {
        ...item,
        regions: r.regions.map((g) => ({ ...g, name: `${platform.regionName} / ${g.name}` })),
        platforms: [platform],
      });
      continue;
    }
    e.count += r.count;
    e.sites += r.sites;
    if (r.lastAt > e.lastAt) e.lastAt = r.lastAt;
    e.regions.push(...r.regions.map((g) => ({ ...g, name: `${platform.regionName} / ${g.name}` })));
    e.platforms.push(platform);
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || b.sites - a.sites || a.key.localeCompare(b.key));
}

export function centralDemand(db: Db): CentralDemand {
  const names = new Map(listPlatforms(db).map((p) => [p.id, p.regionName]));
  return mergeDemand(heldDemand(db), (id) => names.get(id) ?? `platform ${id}`);
}
