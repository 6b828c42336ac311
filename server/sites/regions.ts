// The region tree (province > prefecture > county > township > village) and the subtree checks other
// domains use for organizer scoping. A region's `path` is its materialised ancestry '/1/4/9/' (ending with
// its own id), so a subtree is one indexed `path LIKE prefix || '%'` and ancestors need no recursion.
import type { Db } from '../db/connection.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import { countUsersInRegion } from '../auth/users.ts';
import { nearestRelay, normaliseRelayUrl } from './relay-url.ts';

// 'nation': a central platform's root above its provinces (issue 13).
import { LEVELS } from '../../common/api/sites.ts';

// The levels are part of the API contract (common/api/sites.ts): one list for the schema and the rules here.
export { LEVELS };
export type Level = (typeof LEVELS)[number];

/** 0 for province ... 4 for village: a child's rank must be greater than its parent's. */
export const levelRank = (level: Level): number => LEVELS.indexOf(level);

/** A row of the regions table. */
interface RegionRow {
  id: number;
  parentId: number | null;
  name: string;
  level: Level;
  path: string;
  createdAt: string;
  updatedAt: string;
  /** Its own county relay (normalised base URL), null when none. */
  relayUrl: string | null;
}

export interface Region extends RegionRow {
  /** The relay its sites use: its own, else the nearest ancestor's (null: the origin). */
  effectiveRelayUrl: string | null;
}

export interface RegionNode extends Region {
  children: RegionNode[];
}

const columns = 'id, parent_id AS parentId, name, level, path, created_at AS createdAt, updated_at AS updatedAt, relay_url AS relayUrl';

/** The ids in a materialised path, root first: '/1/4/9/' -> [1, 4, 9]. */
export function pathIds(path: string): number[] {
  return path.split('/').filter(Boolean).map(Number);
}

/** Region id -> own relay URL, for every region that has one (a province has about a hundred). */
function relayUrls(db: Db): Map<number, string> {
  const rows = db
    .prepare<[], { id: number; relayUrl: string }>('SELECT id, relay_url AS relayUrl FROM regions WHERE relay_url IS NOT NULL')
    .all();
  return new Map(rows.map((r) => [r.id, r.relayUrl]));
}

function withEffectiveRelay(db: Db, rows: RegionRow[]): Region[] {
  if (!rows.length) return [];
  const relays = relayUrls(db);
  return rows.map((r) => ({ ...r, effectiveRelayUrl: nearestRelay(pathIds(r.path), relays) }));
}

/** The relay the sites of the region with this path use (its own or the nearest ancestor's); null: the origin. */
export function effectiveRelayUrl(db: Db, regionPath: string): string | null {
  const ids = pathIds(regionPath);
  if (!ids.length) return null;
  const rows = db
    .prepare<number[], { id: number; relayUrl: string }>(
      `SELECT id, relay_url AS relayUrl FROM regions WHERE relay_url IS NOT NULL AND id IN (${ids.map(() => '?').join(',')})`,
    )
    .all(...ids);
  return nearestRelay(ids, new Map(rows.map((r) => [r.id, r.relayUrl])));
}

export function getRegion(db: Db, id: number): Region | undefined {
  const row = db.prepare<[number], RegionRow>(`SELECT ${columns} FROM regions WHERE id = ?`).get(id);
  return row ? { ...row, effectiveRelayUrl: effectiveRelayUrl(db, row.path) } : undefined;
}

/** Names of the given regions by id (other domains label their rows with these instead of joining `regions`). */
export function regionNames(db: Db, ids: readonly number[]): Map<number, string> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = db.prepare(`SELECT id, name FROM regions WHERE id IN (${unique.map(() => '?').join(',')})`).all(...unique) as {
    id: number;
    name: string;
  }[];
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The region's path prefix, for joins: `JOIN regions r ... WHERE r.path LIKE prefix || '%'`. Undefined if no such region. */
export function subtreePrefix(db: Db, rootId: number): string | undefined {
  return (db.prepare('SELECT path FROM regions WHERE id = ?').get(rootId) as { path: string } | undefined)?.path;
}

/** Ids of the region and every region below it (empty when the root does not exist). */
export function regionSubtreeIds(db: Db, rootId: number): number[] {
  const prefix = subtreePrefix(db, rootId);
  if (prefix === undefined) return [];
  return (db.prepare("SELECT id FROM regions WHERE path LIKE ? || '%' ORDER BY path").all(prefix) as { id: number }[]).map((r) => r.id);
}

/** True when regionId is rootId or lies below it. */
export function isInSubtree(db: Db, regionId: number, rootId: number): boolean {
  const region = db.prepare('SELECT path FROM regions WHERE id = ?').get(regionId) as { path: string } | undefined;
  return region ? pathIds(region.path).includes(rootId) : false;
}

/** The region and its ancestors, root first (empty when it does not exist). */
export function regionAncestorIds(db: Db, regionId: number): number[] {
  const prefix = subtreePrefix(db, regionId);
  return prefix === undefined ? [] : pathIds(prefix);
}

export function listRegions(db: Db, rootId?: number): Region[] {
  if (rootId === undefined) return withEffectiveRelay(db, db.prepare<[], RegionRow>(`SELECT ${columns} FROM regions ORDER BY path`).all());
  const prefix = subtreePrefix(db, rootId);
  if (prefix === undefined) return [];
  return withEffectiveRelay(
    db,
    db.prepare<[string], RegionRow>(`SELECT ${columns} FROM regions WHERE path LIKE ? || '%' ORDER BY path`).all(prefix),
  );
}

/** Nests a flat list into trees; regions whose parent is not in the list become roots. Siblings sorted by name. */
export function buildTree<R extends { id: number; parentId: number | null; name: string }>(
  rows: R[],
): Array<R & { children: Array<R & { children: unknown[] }> }> {
  type N = R & { children: N[] };
  const nodes = new Map<number, N>(rows.map((r) => [r.id, { ...r, children: [] as N[] }]));
  const roots: N[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId === null ? undefined : nodes.get(node.parentId);
    (parent ? parent.children : roots).push(node);
  }
  const sort = (list: N[]) => {
    list.sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id - b.id);
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

export function childRegions(db: Db, id: number): Region[] {
  return withEffectiveRelay(
    db,
    db.prepare<[number], RegionRow>(`SELECT ${columns} FROM regions WHERE parent_id = ? ORDER BY name`).all(id),
  );
}

/** Sites in the region's subtree. */
export function subtreeSiteCount(db: Db, path: string): number {
  return (
    db.prepare("SELECT count(*) AS n FROM sites s JOIN regions r ON r.id = s.region_id WHERE r.path LIKE ? || '%'").get(path) as {
      n: number;
    }
  ).n;
}

/** A region with its ancestors (root first), its children and the number of sites in its subtree. */
export function regionDetail(db: Db, id: number) {
  const region = getRegion(db, id);
  if (!region) return undefined;
  return {
    ...region,
    ancestors: pathIds(region.path)
      .slice(0, -1)
      .map((a) => getRegion(db, a)!),
    children: childRegions(db, id),
    siteCount: subtreeSiteCount(db, region.path),
  };
}

export function regionTree(db: Db, rootId?: number): RegionNode[] {
  return buildTree(listRegions(db, rootId)) as RegionNode[];
}

function checkLevelUnderParent(level: Level, parent: Region | undefined, name: string) {
  if (parent && levelRank(level) <= levelRank(parent.level))
    throw badRequest(
      `"${name}" is a ${level} and cannot sit under ${parent.level} "${parent.name}": a child's level must be below its parent's (${LEVELS.join(' > ')}).`,
      'bad_level',
    );
}

function checkSiblingName(db: Db, parentId: number | null, name: string, exceptId?: number) {
  const clash = db
    .prepare('SELECT id FROM regions WHERE ifnull(parent_id, 0) = ? AND name = ? AND id IS NOT ?')
    .get(parentId ?? 0, name, exceptId ?? null) as { id: number } | undefined;
  if (clash) throw conflict(`A region named "${name}" already exists there (region ${clash.id}).`, 'duplicate_region');
}

export interface NewRegion {
  name: string;
  parentId?: number | null;
  level: Level;
}

/** Inserts one region; callers wanting all-or-nothing wrap several calls in db.transaction. */
export function createRegion(db: Db, input: NewRegion, now = new Date().toISOString()): Region {
  const name = input.name.trim();
  if (!name) throw badRequest('name must not be empty.');
  const parentId = input.parentId ?? null;
  const parent = parentId === null ? undefined : getRegion(db, parentId);
  if (parentId !== null && !parent) throw badRequest(`parentId ${parentId} does not exist.`, 'no_such_parent');
  checkLevelUnderParent(input.level, parent, name);
  checkSiblingName(db, parentId, name);
  return db.transaction(() => {
    // The path needs the new id: insert with a unique placeholder, then set it.
    const info = db
      .prepare('INSERT INTO regions (parent_id, name, level, path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(parentId, name, input.level, `pending:${parentId}:${name}`, now, now);
    const id = Number(info.lastInsertRowid);
    db.prepare('UPDATE regions SET path = ? WHERE id = ?').run(`${parent?.path ?? '/'}${id}/`, id);
    return getRegion(db, id)!;
  })();
}

export interface RegionPatch {
  name?: string;
  level?: Level;
  /** Moves the region and its whole subtree; null makes it a root. */
  parentId?: number | null;
  /** Its county relay's base URL (checked and normalised here); null removes it. */
  relayUrl?: string | null;
}

/** The relay URL to store for a patch's relayUrl: normalised, or a 400 saying what to fix. */
function relayUrlToStore(raw: string | null | undefined, current: string | null): string | null {
  if (raw === undefined) return current;
  if (raw === null) return null;
  const checked = normaliseRelayUrl(raw);
  if (!checked.ok) throw badRequest(checked.message, 'bad_relay_url');
  return checked.url;
}

export function updateRegion(db: Db, id: number, patch: RegionPatch, now = new Date().toISOString()): Region {
  const region = getRegion(db, id);
  if (!region) throw notFound(`No region ${id}.`);
  const name = patch.name !== undefined ? patch.name.trim() : region.name;
  if (!name) throw badRequest('name must not be empty.');
  const level = patch.level ?? region.level;
  const parentId = patch.parentId !== undefined ? patch.parentId : region.parentId;
  const parent = parentId === null ? undefined : getRegion(db, parentId);
  if (parentId !== null && !parent) throw badRequest(`parentId ${parentId} does not exist.`, 'no_such_parent');
  const relayUrl = relayUrlToStore(patch.relayUrl, region.relayUrl);
  if (parent && pathIds(parent.path).includes(id))
    throw badRequest(`Region ${id} cannot move under ${parentId}: that region is inside it.`, 'cycle');
  checkLevelUnderParent(level, parent, name);
  // Every direct child must stay below the (possibly new) level; deeper ones are below their own parents already.
  const highestChild = db.prepare('SELECT name, level FROM regions WHERE parent_id = ?').all(id) as Array<{ name: string; level: Level }>;
  for (const child of highestChild)
    if (levelRank(child.level) <= levelRank(level))
      throw badRequest(`Region ${id} cannot become a ${level}: its child "${child.name}" is a ${child.level}.`, 'bad_level');
  if (level !== 'village' && db.prepare('SELECT 1 FROM sites WHERE region_id = ? LIMIT 1').get(id))
    throw badRequest(`Region ${id} has sites, and sites belong to villages: move them first.`, 'bad_level');
  checkSiblingName(db, parentId, name, id);
  db.transaction(() => {
    const newPath = `${parent?.path ?? '/'}${id}/`;
    if (newPath !== region.path)
      db.prepare("UPDATE regions SET path = ? || substr(path, ?) WHERE path LIKE ? || '%'").run(
        newPath,
        region.path.length + 1,
        region.path,
      );
    db.prepare('UPDATE regions SET name = ?, level = ?, parent_id = ?, relay_url = ?, updated_at = ? WHERE id = ?').run(
      name,
      level,
      parentId,
      relayUrl,
      now,
      id,
    );
  })();
  return getRegion(db, id)!;
}

export function deleteRegion(db: Db, id: number): void {
  if (!getRegion(db, id)) throw notFound(`No region ${id}.`);
  const children = (db.prepare('SELECT count(*) AS n FROM regions WHERE parent_id = ?').get(id) as { n: number }).n;
  if (children) throw conflict(`Region ${id} still has ${children} sub-region(s): delete or move them first.`, 'has_children');
  const sites = (db.prepare('SELECT count(*) AS n FROM sites WHERE region_id = ?').get(id) as { n: number }).n;
  if (sites) throw conflict(`Region ${id} still has ${sites} site(s): move or delete them first.`, 'has_sites');
  const users = countUsersInRegion(db, id);
  if (users) throw conflict(`Region ${id} is the scope of ${users} organizer account(s): change them first.`, 'has_users');
  db.prepare('DELETE FROM regions WHERE id = ?').run(id);
}

// Used by the console's lazily loaded region tree (a province has ~25,000 villages: never send it whole).

/** A region with how many sub-regions it has and how many sites lie in its subtree. */
export interface RegionBranch extends Region {
  childCount: number;
  siteCount: number;
}

/** Adds the counts to regions that all lie below `prefix` (their parent's path; '/' for the roots). */
function withCounts(db: Db, regions: Region[], prefix: string): RegionBranch[] {
  if (!regions.length) return [];
  const ids = regions.map((r) => r.id);
  const children = new Map(
    db
      .prepare<number[], { id: number; n: number }>(
        `SELECT parent_id AS id, count(*) AS n FROM regions WHERE parent_id IN (${ids.map(() => '?').join(',')}) GROUP BY parent_id`,
      )
      .all(...ids)
      .map((r) => [r.id, r.n]),
  );
  // One pass over the sites below the common prefix: each counts for every listed region on its path.
  const wanted = new Set(ids);
  const sites = new Map<number, number>();
  const rows = db
    .prepare<[string], { path: string; n: number }>(
      "SELECT r.path AS path, count(*) AS n FROM sites s JOIN regions r ON r.id = s.region_id WHERE r.path LIKE ? || '%' GROUP BY r.id",
    )
    .all(prefix);
  for (const row of rows) for (const id of pathIds(row.path)) if (wanted.has(id)) sites.set(id, (sites.get(id) ?? 0) + row.n);
  return regions.map((r) => ({ ...r, childCount: children.get(r.id) ?? 0, siteCount: sites.get(r.id) ?? 0 }));
}

/** The top of the tree a caller sees: the roots (operators) or their own region (organizers, rootId). */
export function topRegions(db: Db, rootId?: number): RegionBranch[] {
  if (rootId !== undefined) {
    const root = getRegion(db, rootId);
    return root ? withCounts(db, [root], root.path) : [];
  }
  const roots = db.prepare<[], RegionRow>(`SELECT ${columns} FROM regions WHERE parent_id IS NULL ORDER BY name`).all();
  return withCounts(db, withEffectiveRelay(db, roots), '/');
}

/** The direct sub-regions of a region, with their counts. */
export function regionChildren(db: Db, parentId: number): RegionBranch[] {
  const prefix = subtreePrefix(db, parentId);
  return prefix === undefined ? [] : withCounts(db, childRegions(db, parentId), prefix);
}

export interface RegionSearch {
  q?: string;
  ids?: number[];
  level?: Level;
  /** Only this region's subtree (the organizer's scope, or a narrower one asked for). */
  under?: string;
  limit: number;
}

/** Regions by part of their name or by id, each with its ancestors' names, root first. */
export function searchRegions(db: Db, s: RegionSearch): Array<Region & { pathNames: string[] }> {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (s.q?.trim()) {
    where.push("name LIKE ? ESCAPE '\\'");
    args.push(`%${s.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (s.ids) {
    if (!s.ids.length) return [];
    where.push(`id IN (${s.ids.map(() => '?').join(',')})`);
    args.push(...s.ids);
  }
  if (s.level) {
    where.push('level = ?');
    args.push(s.level);
  }
  if (s.under !== undefined) {
    where.push("path LIKE ? || '%'");
    args.push(s.under);
  }
  const rows = db
    .prepare<Array<string | number>, RegionRow>(
      `SELECT ${columns} FROM regions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY length(path), name LIMIT ?`,
    )
    .all(...args, s.limit);
  const found = withEffectiveRelay(db, rows);
  const ancestorIds = [...new Set(found.flatMap((r) => pathIds(r.path).slice(0, -1)))];
  const names = regionNames(db, ancestorIds);
  return found.map((r) => ({
    ...r,
    pathNames: pathIds(r.path)
      .slice(0, -1)
      .map((id) => names.get(id) ?? `#${id}`),
  }));
}
