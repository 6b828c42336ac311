// Members' requests for a lecture or a topic to be broadcast, sent by sites, and their roll-up by demand.
import type { Db } from '../db/connection.ts';
import { badRequest } from '../errors.ts';
import { subtreePrefix } from './regions.ts';

export interface NewRequest {
  programId?: number;
  topic?: string;
  memberNo?: string;
  /** Made by the site agent; a retry with the same id is acknowledged, not counted again. */
  clientId?: string;
}

/** Topics are grouped regardless of spacing and Latin case: ' Pig  farming' and 'pig farming' are one topic. */
export const normalizeTopic = (topic: string) => topic.trim().replace(/\s+/g, ' ');
const topicKey = (topic: string) => normalizeTopic(topic).toLowerCase();

export function recordRequest(db: Db, siteId: number, r: NewRequest, now = new Date()): { id: number; duplicate: boolean } {
  const topic = r.topic === undefined ? undefined : normalizeTopic(r.topic) || undefined;
  const memberNo = r.memberNo?.trim() || undefined;
  if (r.programId === undefined && topic === undefined)
    throw badRequest('Say what is wanted: send programId (a lecture) or topic (a subject), or both.', 'empty_request');
  return db.transaction(() => {
    if (r.clientId !== undefined) {
      const seen = db.prepare('SELECT id FROM broadcast_requests WHERE site_id = ? AND client_id = ?').get(siteId, r.clientId) as
        | { id: number }
        | undefined;
      if (seen) return { id: seen.id, duplicate: true };
    }
    let title: string | null = null;
    if (r.programId !== undefined) {
      // Sites are offered published lectures only; a draft's id answers like an unknown one (its title stays hidden).
      const p = db
        .prepare<[number], { title: string }>('SELECT title FROM programs WHERE id = ? AND published = 1')
        .get(r.programId);
      if (!p) throw badRequest(`programId ${r.programId} is not a lecture on offer: pick one from the catalog.`, 'no_such_program');
      title = p.title;
    }
    const info = db
      .prepare(
        `INSERT INTO broadcast_requests (site_id, client_id, program_id, program_title, topic, member_no, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(siteId, r.clientId ?? null, r.programId ?? null, title, topic ?? null, memberNo ?? null, now.toISOString());
    return { id: Number(info.lastInsertRowid), duplicate: false };
  })();
}

export interface RequestRow {
  siteId: number;
  siteName: string;
  programId: number | null;
  programTitle: string | null;
  topic: string | null;
  memberNo: string | null;
  createdAt: string;
}

export interface SiteCount {
  siteId: number;
  siteName: string;
  count: number;
}

export interface DemandEntry {
  count: number;
  /** Distinct sites asking. */
  sites: number;
  /** Distinct member numbers given (requests without one are not counted here). */
  members: number;
  lastAt: string;
  bySite: SiteCount[];
}

export interface RequestDemand {
  total: number;
  programs: Array<DemandEntry & { programId: number | null; title: string }>;
  topics: Array<DemandEntry & { topic: string }>;
}

/** Most wanted first: more asks, then more sites asking, then the most recent. */
export const byDemand = <T extends Pick<DemandEntry, 'count' | 'sites' | 'lastAt'>>(x: T, y: T) =>
  y.count - x.count || y.sites - x.sites || (y.lastAt > x.lastAt ? 1 : -1);

/** Pure: rolls requests up per program and per topic, most wanted first. A request naming both counts in both. */
export function aggregateRequests(rows: readonly RequestRow[]): RequestDemand {
  interface Acc {
    count: number;
    sites: Map<number, SiteCount>;
    members: Set<string>;
    lastAt: string;
    label: string;
    programId: number | null;
  }
  const add = (map: Map<string, Acc>, key: string, label: string, programId: number | null, r: RequestRow) => {
    let a = map.get(key);
    if (!a) map.set(key, (a = { count: 0, sites: new Map(), members: new Set(), lastAt: '', label, programId }));
    a.count++;
    const s = a.sites.get(r.siteId) ?? { siteId: r.siteId, siteName: r.siteName, count: 0 };
    s.count++;
    a.sites.set(r.siteId, s);
    if (r.memberNo) a.members.add(`${r.siteId}|${r.memberNo}`);
    if (r.createdAt > a.lastAt) a.lastAt = r.createdAt;
  };
  const programs = new Map<string, Acc>();
  const topics = new Map<string, Acc>();
  for (const r of rows) {
    // A deleted program's requests stay grouped under its remembered title.
    if (r.programId !== null || r.programTitle !== null)
      add(programs, r.programId !== null ? `id:${r.programId}` : `title:${r.programTitle}`, r.programTitle ?? '', r.programId, r);
    if (r.topic) add(topics, topicKey(r.topic), normalizeTopic(r.topic), null, r);
  }
  const entry = (a: Acc): DemandEntry => ({
    count: a.count,
    sites: a.sites.size,
    members: a.members.size,
    lastAt: a.lastAt,
    bySite: [...a.sites.values()].sort((x, y) => y.count - x.count || x.siteId - y.siteId),
  });
  return {
    total: rows.length,
    programs: [...programs.values()].map((a) => ({ programId: a.programId, title: a.label, ...entry(a) })).sort(byDemand),
    topics: [...topics.values()].map((a) => ({ topic: a.label, ...entry(a) })).sort(byDemand),
  };
}

export interface RequestFilter {
  /** ISO instants, inclusive from, exclusive to. */
  from?: string;
  to?: string;
  /** Only sites in this region's subtree. */
  regionId?: number;
}

/** How a program that is no longer published is named to a role that cannot see drafts. */
export const WITHDRAWN_TITLE = '(withdrawn lecture)';

export function requestDemand(db: Db, f: RequestFilter, canSeeDrafts: boolean): RequestDemand {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.from) {
    where.push('q.created_at >= ?');
    args.push(f.from);
  }
  if (f.to) {
    where.push('q.created_at < ?');
    args.push(f.to);
  }
  if (f.regionId !== undefined) {
    const prefix = subtreePrefix(db, f.regionId);
    if (prefix === undefined) throw badRequest(`regionId ${f.regionId} does not exist.`, 'no_such_region');
    where.push("r.path LIKE ? || '%'");
    args.push(prefix);
  }
  const rows = db
    .prepare(
      `SELECT q.site_id AS siteId, s.name AS siteName, q.program_id AS programId,
              CASE WHEN p.id IS NULL THEN q.program_title WHEN p.published = 1 OR ? THEN p.title ELSE '${WITHDRAWN_TITLE}' END
                AS programTitle, q.topic, q.member_no AS memberNo, q.created_at AS createdAt
         FROM broadcast_requests q JOIN sites s ON s.id = q.site_id JOIN regions r ON r.id = s.region_id
         LEFT JOIN programs p ON p.id = q.program_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    )
    .all(canSeeDrafts ? 1 : 0, ...args) as RequestRow[];
  return aggregateRequests(rows);
}
