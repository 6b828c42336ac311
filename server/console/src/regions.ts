// The region tree, loaded once per page that needs it (tree selects, the sites page, report scopes).
import { ref } from 'vue';
import { api } from './api/client.ts';
import type { Region } from './api/types.ts';

export const regionTree = ref<Region[]>([]);

export async function loadRegions(): Promise<Region[]> {
  regionTree.value = await api.get<Region[]>('/api/regions');
  return regionTree.value;
}

export function flatRegions(tree: Region[] = regionTree.value): Region[] {
  return tree.flatMap((r) => [r, ...flatRegions(r.children ?? [])]);
}

export function regionName(id: number | null | undefined): string {
  if (id === null || id === undefined) return '—';
  return flatRegions().find((r) => r.id === id)?.name ?? `#${id}`;
}

export const treeProps = { label: 'name', value: 'id', children: 'children' };
