// The catalog's categories and audiences: stable ids (stored in the database and sent over the wire)
// with Chinese and English names. Server, demo recipe, site manifest and kiosk all read this one list.

export interface TaxonomyEntry {
  id: string;
  zh: string;
  en: string;
}

export const CATEGORIES: readonly TaxonomyEntry[] = [
  { id: 'political-theory', zh: '政治理论', en: 'Political theory' },
  { id: 'party-history', zh: '党史学习', en: 'Party history' },
  { id: 'current-affairs', zh: '时事政策', en: 'Current affairs and policy' },
  { id: 'laws-regulations', zh: '法律法规', en: 'Laws and regulations' },
  { id: 'market-economy', zh: '市场经济', en: 'Market economy' },
  { id: 'agriculture-tech', zh: '现代农业与科技', en: 'Modern agriculture and technology' },
  { id: 'health-culture', zh: '卫生健康与文化', en: 'Health and culture' },
  { id: 'practical-skills', zh: '实用技能', en: 'Practical skills' },
];

export const AUDIENCES: readonly TaxonomyEntry[] = [
  { id: 'rural-members', zh: '农村党员', en: 'Rural party members' },
  { id: 'village-cadres', zh: '村干部', en: 'Village cadres' },
  { id: 'migrant-members', zh: '流动党员', en: 'Migrant party members' },
  { id: 'elderly-members', zh: '老党员', en: 'Elderly party members' },
  { id: 'graduate-officials', zh: '大学生村官', en: 'College-graduate village officials' },
];

export const CATEGORY_IDS: readonly string[] = CATEGORIES.map((c) => c.id);
export const AUDIENCE_IDS: readonly string[] = AUDIENCES.map((a) => a.id);

export const isCategory = (id: string): boolean => CATEGORY_IDS.includes(id);
export const isAudience = (id: string): boolean => AUDIENCE_IDS.includes(id);

/** "id (中文名)" list for messages that tell a person which values are valid. */
export function describeChoices(entries: readonly TaxonomyEntry[]): string {
  return entries.map((e) => `${e.id} (${e.zh})`).join(', ');
}
