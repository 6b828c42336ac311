// Members' requests for a lecture or a topic to be broadcast, sent by sites, and their roll-up by demand.
import type { Db } from '../db/connection.ts';
import { AppError, badRequest } from '../errors.ts';
import { programBriefs, programGuideFields } from '../catalog/repo.ts';
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
      const seen = db
        .prepare<[number, string], { id: number }>('SELECT id FROM broadcast_requests WHERE site_id = ? AND client_id = ?')
        .get(siteId, r.clientId);
      if (seen) return { id: seen.id, duplicate: true };
    }
    let title: string | null = null;
    if (r.programId !== undefined) {
      // Sites are offered published lectures only; a draft's id answers like an unknown one (its title stays hidden).
      const p = programGuideFields(db, r.programId);
      if (!p?.published)
        throw badRequest(`programId ${r.programId} is not a lecture on offer: pick one from the catalog.`, 'no_such_program');
      title = p.title;
    }
    const info = db
      .prepare<[number, string | null, number | null, string | null, string | null, string | null, string]>(
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

/** Most wanted first: more asks, then more sites asking, then the most recent (0 for a full tie). */
export const byDemand = <T extends Pick<DemandEntry, 'count' | 'sites' | 'lastAt'>>(x: T, y: T) =>
  y.count - x.count || y.sites - x.sites || (y.lastAt > x.lastAt ? 1 : y.lastAt < x.lastAt ? -1 : 0);

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
  /** At most this many programs and this many topics (the most wanted). */
  limit?: number;
}

/** How a program that is no longer published is named to a role that cannot see drafts. */
export const WITHDRAWN_TITLE = '(withdrawn lecture)';

interface StoredRequest {
  siteId: number;
  siteName: string;
  programId: number | null;
  programTitle: string | null;
  topic: string | null;
  memberNo: string | null;
  createdAt: string;
  programHandled: number;
  topicHandled: number;
}

/** The open requests (a handled side is left out) rolled up by demand; titles from the catalog, drafts hidden. */
export function requestDemand(db: Db, f: RequestFilter, canSeeDrafts: boolean): RequestDemand {
  const where = ['(q.program_handled_at IS NULL OR q.topic_handled_at IS NULL)']; // the rest: below
  const args: Record<string, string> = {};
  if (f.from) {
    where.push('q.created_at >= @from');
    args.from = f.from;
  }
  if (f.to) {
    where.push('q.created_at < @to');
    args.to = f.to;
  }
  if (f.regionId !== undefined) {
    const prefix = subtreePrefix(db, f.regionId);
    if (prefix === undefined) throw badRequest(`regionId ${f.regionId} does not exist.`, 'no_such_region');
    where.push("r.path LIKE @prefix || '%'");
    args.prefix = prefix;
  }
  const stored = db
    .prepare<[Record<string, string>], StoredRequest>(
      `SELECT q.site_id AS siteId, s.name AS siteName, q.program_id AS programId, q.program_title AS programTitle, q.topic,
              q.member_no AS memberNo, q.created_at AS createdAt, q.program_handled_at IS NOT NULL AS programHandled,
              q.topic_handled_at IS NOT NULL AS topicHandled
         FROM broadcast_requests q JOIN sites s ON s.id = q.site_id JOIN regions r ON r.id = s.region_id
        WHERE ${where.join(' AND ')}`,
    )
    .all(args);
  const programs = programBriefs(
    db,
    stored.flatMap((q) => (q.programId === null ? [] : [q.programId])),
  );
  // A deleted program keeps its remembered title; a draft is named only to those who may see drafts.
  const titleOf = (q: StoredRequest): string | null => {
    const p = q.programId === null ? undefined : programs.get(q.programId);
    if (!p) return q.programTitle;
    return p.published === 1 || canSeeDrafts ? p.title : WITHDRAWN_TITLE;
  };
  const rows: RequestRow[] = stored
    .map((q) => ({
      siteId: q.siteId,
      siteName: q.siteName,
      memberNo: q.memberNo,
      createdAt: q.createdAt,
      programId: q.programHandled ? null : q.programId,
      programTitle: q.programHandled ? null : titleOf(q),
      topic: q.topicHandled ? null : q.topic,
    }))
    .filter((q) => q.programId !== null || q.programTitle !== null || q.topic !== null); // every side it asks for handled
  const demand = aggregateRequests(rows);
  if (f.limit === undefined) return demand;
  return { ...demand, programs: demand.programs.slice(0, f.limit), topics: demand.topics.slice(0, f.limit) };
}

/** What an operator marks handled: one program (by id, or by its remembered title once deleted) or one topic. */
export type HandledTarget = { programId: number } | { programTitle: string } | { topic: string };

/**
 * Marks the open requests for a program or a topic handled (topics match regardless of spacing and Latin case, as
 * they are grouped). Answers how many were marked; none open is a 404 that says so.
 */
export function markHandled(db: Db, target: HandledTarget, now: Date): { handled: number; at: string } {
  const at = now.toISOString();
  return db.transaction(() => {
    let handled: number;
    let what: string;
    if ('programId' in target) {
      what = `program ${target.programId}`;
      handled = db
        .prepare<[string, number]>(
          'UPDATE broadcast_requests SET program_handled_at = ? WHERE program_id = ? AND program_handled_at IS NULL',
        )
        .run(at, target.programId).changes;
    } else if ('programTitle' in target) {
      what = `the deleted program "${target.programTitle}"`;
      handled = db
        .prepare<[string, string]>(
          'UPDATE broadcast_requests SET program_handled_at = ? WHERE program_id IS NULL AND program_title = ? AND program_handled_at IS NULL',
        )
        .run(at, target.programTitle).changes;
    } else {
      what = `the topic "${normalizeTopic(target.topic)}"`;
      const key = topicKey(target.topic);
      const ids = db
        .prepare<[], { id: number; topic: string }>(
          'SELECT id, topic FROM broadcast_requests WHERE topic IS NOT NULL AND topic_handled_at IS NULL',
        )
        .all()
        .filter((q) => topicKey(q.topic) === key)
        .map((q) => q.id);
      handled = db
        .prepare<[string, string]>('UPDATE broadcast_requests SET topic_handled_at = ? WHERE id IN (SELECT value FROM json_each(?))')
        .run(at, JSON.stringify(ids)).changes;
    }
    if (handled === 0)
      throw new AppError(404, 'no_open_requests', `There are no open requests for ${what}: nothing to mark handled (reload the list).`);
    return { handled, at };
  })();
}
