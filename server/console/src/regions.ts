// The region tree, a level at a time: a province has ~25,000 villages, so trees load a region's children when it
// is opened and selects search by name on the server. Names of regions already chosen (a user's, a channel's
// reach) are asked for by id and kept, so tables and selects can show them without the whole tree.
import { reactive, ref } from 'vue';
import { api } from './api/client.ts';
import type { Region, RegionBranch, RegionHit, RegionLevel } from './api/types.ts';

/** Without a parent: the top of the tree the user sees (an organizer's own region). */
export async function regionChildren(parentId?: number): Promise<RegionBranch[]> {
  const rows = await api.get<RegionBranch[]>('/api/regions/children', { parentId });
  remember(rows);
  return rows;
}

export async function searchRegions(q: string, opts: { level?: RegionLevel; under?: number; limit?: number } = {}): Promise<RegionHit[]> {
  const rows = await api.get<RegionHit[]>('/api/regions/search', { q: q.trim() || undefined, ...opts });
  remember(rows);
  return rows;
}

/** id -> name of every region seen so far. */
const names = reactive(new Map<number, string>());
function remember(rows: Array<{ id: number; name: string }>): void {
  for (const r of rows) names.set(r.id, r.name);
}

/** Asks the server for the names of the regions not seen yet (one request), so regionName can show them. */
export async function nameRegions(ids: Iterable<number | null | undefined>): Promise<void> {
  const missing = [...new Set([...ids].filter((id): id is number => typeof id === 'number' && !names.has(id)))];
  for (let i = 0; i < missing.length; i += 200) {
    const part = missing.slice(i, i + 200);
    remember(await api.get<RegionHit[]>('/api/regions/search', { ids: part.join(','), limit: part.length }));
  }
}

export function regionName(id: number | null | undefined): string {
  if (id === null || id === undefined) return '—';
  return names.get(id) ?? flatRegions().find((r) => r.id === id)?.name ?? `#${id}`;
}

// ---- the whole tree at once: only for small scopes; the console's own pages load it lazily (above) ----

export const regionTree = ref<Region[]>([]);

export async function loadRegions(): Promise<Region[]> {
  regionTree.value = await api.get<Region[]>('/api/regions');
  return regionTree.value;
}

export function flatRegions(tree: Region[] = regionTree.value): Region[] {
  return tree.flatMap((r) => [r, ...flatRegions(r.children ?? [])]);
}

export const treeProps = { label: 'name', value: 'id', children: 'children' };
