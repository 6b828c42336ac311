// What to fetch next and what to evict: pure functions of the manifest, the catalog (its own resource, null until
// first fetched), what the site holds, and `now`.
import type { ManifestFile, SiteCatalog, SiteManifest } from '../../common/manifest.ts';

export const URGENT_MS = 2 * 3600_000; // airing within 2 h: fetch at once, whatever the window
export const PROTECT_MS = 48 * 3600_000; // needed on air within 48 h: never evicted

export interface HeldFile {
  path: string;
  size: number;
  sha256: string;
  programId: number | null;
}

export type FetchReason = 'urgent' | 'scheduled' | 'on-demand';
export interface PlannedFile extends ManifestFile {
  reason: FetchReason;
}

export function isHeld(held: ReadonlyMap<string, HeldFile>, file: { path: string; size: number; sha256: string }): boolean {
  const h = held.get(file.path);
  return !!h && h.size === file.size && h.sha256 === file.sha256;
}

/** Every file of an on-demand program, as manifest files (programId set, not needed on air). */
export function programFiles(catalog: SiteCatalog | null, programId: number): ManifestFile[] {
  const p = catalog?.programs.find((c) => c.id === programId);
  if (!p) return [];
  return p.files.map((f) => ({ ...f, programId, neededAt: null }));
}

export interface DownloadPlanInput {
  manifest: SiteManifest;
  catalog: SiteCatalog | null;
  held: ReadonlyMap<string, HeldFile>;
  /** On-demand programs a member asked for, oldest request first. */
  wanted: number[];
  now: number;
  inWindow: boolean;
}

/**
 * Files to fetch, in order: anything airing within 2 h (soonest first), then on-demand requests (a member is
 * waiting), then the rest of the 48 h schedule when inside the download window (soonest first).
 */
export function planDownloads({ manifest, catalog, held, wanted, now, inWindow }: DownloadPlanInput): PlannedFile[] {
  const out: PlannedFile[] = [];
  const seen = new Set<string>();
  const add = (f: ManifestFile, reason: FetchReason) => {
    if (seen.has(f.path) || isHeld(held, f)) return;
    seen.add(f.path);
    out.push({ ...f, reason });
  };
  const byNeed = [...manifest.required].sort((a, b) => (a.neededAt ?? Infinity) - (b.neededAt ?? Infinity) || a.path.localeCompare(b.path));
  for (const f of byNeed) if (f.neededAt !== null && f.neededAt <= now + URGENT_MS) add(f, 'urgent');
  for (const id of wanted) for (const f of programFiles(catalog, id)) add(f, 'on-demand');
  if (inWindow) for (const f of byNeed) add(f, 'scheduled');
  return out;
}

/** Paths the schedule needs within 48 h: never evicted. */
export function protectedPaths(manifest: SiteManifest, now: number): Set<string> {
  const out = new Set<string>();
  for (const f of manifest.required) if (f.neededAt === null || f.neededAt <= now + PROTECT_MS) out.add(f.path);
  return out;
}

/**
 * Held files neither the manifest nor the catalog mentions (withdrawn programs, rungs above a lowered maxRung,
 * replaced content). While no catalog has been fetched yet, only files the schedule names with other bytes go:
 * a lecture held for members is not thrown away because its listing has not arrived.
 */
export function staleHeld(manifest: SiteManifest, catalog: SiteCatalog | null, held: Iterable<HeldFile>): HeldFile[] {
  const known = new Map<string, string>();
  for (const f of manifest.required) known.set(f.path, f.sha256);
  if (!catalog) return [...held].filter((h) => known.has(h.path) && known.get(h.path) !== h.sha256);
  for (const p of catalog.programs) for (const f of p.files) known.set(f.path, f.sha256);
  return [...held].filter((h) => known.get(h.path) !== h.sha256);
}

export interface EvictionInput {
  quotaBytes: number;
  held: HeldFile[];
  /** Needed on air within 48 h: never evicted. */
  protectedPaths: ReadonlySet<string>;
  /** Programs not to evict now (the one being fetched for a member). */
  pinnedPrograms: ReadonlySet<number>;
  /** Program id -> when it was last watched (or asked for); absent means never. */
  lastUsed: ReadonlyMap<number, number>;
  /** Bytes about to be written that must fit too. */
  incomingBytes: number;
  /** Evict nothing unless the incoming bytes then fit (no point emptying the cache for a file that will not fit anyway). */
  allOrNothing?: boolean;
}

export interface EvictionPlan {
  /** Programs evicted, least recently watched first. */
  programs: number[];
  paths: string[];
  /** Whether held + incoming fits in the quota after the eviction. */
  fits: boolean;
}

/** Frees room by evicting whole on-demand lectures, least recently watched first, never a protected file. */
export function planEviction(input: EvictionInput): EvictionPlan {
  let used = input.incomingBytes;
  for (const h of input.held) used += h.size;
  const plan: EvictionPlan = { programs: [], paths: [], fits: used <= input.quotaBytes };
  if (plan.fits) return plan;

  const groups = new Map<number, HeldFile[]>();
  for (const h of input.held) {
    if (input.protectedPaths.has(h.path)) continue;
    const key = h.programId ?? -1;
    if (input.pinnedPrograms.has(key)) continue;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(h);
  }
  const order = [...groups.keys()].sort((a, b) => (input.lastUsed.get(a) ?? 0) - (input.lastUsed.get(b) ?? 0) || a - b);
  for (const id of order) {
    if (used <= input.quotaBytes) break;
    for (const h of groups.get(id)!) {
      plan.paths.push(h.path);
      used -= h.size;
    }
    if (id !== -1) plan.programs.push(id);
  }
  plan.fits = used <= input.quotaBytes;
  if (!plan.fits && input.allOrNothing) return { programs: [], paths: [], fits: false };
  return plan;
}

/** Every file the manifest and catalog mention, by path (schedule needs win over the catalog's copy of the same file). */
export function manifestIndex(manifest: SiteManifest, catalog: SiteCatalog | null): Map<string, ManifestFile> {
  const out = new Map<string, ManifestFile>();
  for (const p of catalog?.programs ?? []) for (const f of p.files) out.set(f.path, { ...f, programId: p.id, neededAt: null });
  for (const f of manifest.required) out.set(f.path, f);
  return out;
}
