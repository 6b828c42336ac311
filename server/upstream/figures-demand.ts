// Members' requests a province cannot answer from its own library (topics, and lectures it no longer has), as the
// demand sent up: counts per item and per region at the figures level. Pure; no member number, no site leaves.
import type { DemandItem } from '../../common/api/platforms.ts';
import { FIGURE_LEVELS, type FigureRegion } from './figures.ts';

export interface OpenDemand {
  count: number;
  sites: number;
  lastAt: string;
  bySite: ReadonlyArray<{ siteId: number; count: number }>;
}
export interface DemandInput {
  level: 'province' | 'prefecture' | 'county';
  regions: readonly FigureRegion[];
  siteRegion: ReadonlyMap<number, number>;
  /** Requests for a program the province no longer has (programId null: only its remembered title). */
  missingPrograms: ReadonlyArray<OpenDemand & { title: string }>;
  topics: ReadonlyArray<OpenDemand & { topic: string }>;
}

export function buildDemand(input: DemandInput): DemandItem[] {
  const byId = new Map(input.regions.map((r) => [r.id, r]));
  const deepest = FIGURE_LEVELS.indexOf(input.level);
  /** The deepest sent region above a site (its county by default). */
  const regionOf = (siteId: number): FigureRegion | undefined => {
    const own = byId.get(input.siteRegion.get(siteId) ?? 0);
    if (!own) return undefined;
    const ids = own.path.split('/').filter(Boolean).map(Number);
    let found: FigureRegion | undefined;
    for (const id of ids) {
      const r = byId.get(id);
      const rank = r ? FIGURE_LEVELS.indexOf(r.level as (typeof FIGURE_LEVELS)[number]) : -1;
      if (r && rank >= 0 && rank <= deepest) found = r;
    }
    return found;
  };
  const item = (key: string, title: string, d: OpenDemand): DemandItem => {
    const counts = new Map<number, { regionId: number; name: string; count: number }>();
    for (const s of d.bySite) {
      const r = regionOf(s.siteId);
      if (!r) continue;
      const e = counts.get(r.id) ?? { regionId: r.id, name: r.name, count: 0 };
      e.count += s.count;
      counts.set(r.id, e);
    }
    return {
      key,
      centralProgramId: null,
      title,
      count: d.count,
      sites: d.sites,
      lastAt: d.lastAt,
      regions: [...counts.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)),
    };
  };
  return [
    ...input.missingPrograms.map((p) => item(`title:${p.title}`, p.title, p)),
    ...input.topics.map((t) => item(`topic:${t.topic}`, t.topic, t)),
  ];
}
