// Categories, audiences and series, loaded once and shared by the library pages.
import { ref } from 'vue';
import { api } from './api/client.ts';
import type { Series, Taxonomy, TaxonomyEntry } from './api/types.ts';
import { lang } from './i18n.ts';

export const taxonomy = ref<Taxonomy>({ categories: [], audiences: [] });
export const series = ref<Series[]>([]);

export async function loadTaxonomy(force = false): Promise<void> {
  if (!force && taxonomy.value.categories.length) return;
  const [tx, s] = await Promise.all([api.get<Taxonomy>('/api/taxonomy'), api.get<{ items: Series[] }>('/api/series')]);
  taxonomy.value = tx;
  series.value = s.items;
}

export const label = (e: TaxonomyEntry) => (lang.value === 'zh-CN' ? e.zh : e.en);
export function categoryName(id: string | null): string {
  const e = taxonomy.value.categories.find((c) => c.id === id);
  return e ? label(e) : (id ?? '—');
}
export function audienceName(id: string): string {
  const e = taxonomy.value.audiences.find((c) => c.id === id);
  return e ? label(e) : id;
}
