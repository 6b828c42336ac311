// Builds the SQL of a catalog listing from its filters. Pure: returns SQL text and parameters.
//
// Text search must work on Chinese, which has no spaces between words. The FTS5 trigram tokenizer
// indexes every 3-character window, so any substring of 3+ characters is found through the index.
// Shorter terms (very common in Chinese: "党史", "农业") cannot use trigrams and fall back to LIKE.

import type { ProgramSort as Sort } from '../../common/api/catalog.ts';

export interface ProgramFilter {
  q?: string;
  category?: string;
  audience?: string;
  seriesId?: number;
  status?: string;
  published?: boolean;
  sort?: Sort;
  limit: number;
  offset: number;
}

export interface BuiltQuery {
  /** SELECT of matching program ids, ordered and paged. */
  pageSql: string;
  pageParams: unknown[];
  /** SELECT count(*) AS n of every match (ignores paging). */
  countSql: string;
  countParams: unknown[];
}

/** Splits a query into terms on whitespace (ASCII and ideographic); quotes keep phrases together. */
export function searchTerms(q: string): string[] {
  const terms: string[] = [];
  const re = /"([^"]+)"|[^\s\u3000"]+/g;
  for (const m of q.matchAll(re)) {
    const t = (m[1] ?? m[0]).trim();
    if (t) terms.push(t);
  }
  return terms;
}

/** Characters, not UTF-16 units: "𠮷" is one character, and trigram counts characters. */
const charLength = (s: string) => [...s].length;

const ftsPhrase = (t: string) => `"${t.replace(/"/g, '""')}"`;
const likePattern = (t: string) => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const ORDER: Record<Exclude<Sort, 'relevance'>, string> = {
  createdAt: 'p.created_at ASC, p.id ASC',
  '-createdAt': 'p.created_at DESC, p.id DESC',
  title: 'p.title ASC, p.id ASC',
  '-title': 'p.title DESC, p.id DESC',
  duration: 'p.duration IS NULL, p.duration ASC, p.id ASC',
  '-duration': 'p.duration IS NULL, p.duration DESC, p.id DESC',
  episode: 'p.series_id IS NULL, p.series_id ASC, p.episode IS NULL, p.episode ASC, p.id ASC',
  '-episode': 'p.series_id IS NULL, p.series_id ASC, p.episode IS NULL, p.episode DESC, p.id DESC',
};

export function buildProgramQuery(f: ProgramFilter): BuiltQuery {
  // Station cards are programs too (their media are served alike) but never part of the catalog.
  const where: string[] = ["p.kind = 'lecture'"];
  const params: unknown[] = [];
  const terms = f.q ? searchTerms(f.q) : [];
  const ftsTerms = terms.filter((t) => charLength(t) >= 3);
  const likeTerms = terms.filter((t) => charLength(t) < 3);
  let join = '';
  if (ftsTerms.length) {
    join = 'JOIN programs_fts ON programs_fts.rowid = p.id';
    where.push('programs_fts MATCH ?');
    params.push(ftsTerms.map(ftsPhrase).join(' AND '));
  }
  for (const t of likeTerms) {
    const cols = ['p.title', 'p.description', 'p.lecturer', 'p.tags'];
    where.push(`(${cols.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    for (let i = 0; i < cols.length; i++) params.push(likePattern(t));
  }
  if (f.category) {
    where.push('p.category = ?');
    params.push(f.category);
  }
  if (f.audience) {
    where.push('EXISTS (SELECT 1 FROM program_audiences a WHERE a.program_id = p.id AND a.audience = ?)');
    params.push(f.audience);
  }
  if (f.seriesId !== undefined) {
    where.push('p.series_id = ?');
    params.push(f.seriesId);
  }
  if (f.status) {
    where.push('p.status = ?');
    params.push(f.status);
  }
  if (f.published !== undefined) {
    where.push('p.published = ?');
    params.push(f.published ? 1 : 0);
  }
  const whereSql = `WHERE ${where.join(' AND ')}`;
  // Relevance needs the FTS rank; without an FTS term (no query, or only 1-2 character terms) newest first.
  const sort = f.sort ?? (terms.length ? 'relevance' : '-createdAt');
  const order = sort === 'relevance' ? (ftsTerms.length ? 'programs_fts.rank, p.id DESC' : ORDER['-createdAt']) : ORDER[sort];
  return {
    pageSql: `SELECT p.id FROM programs p ${join} ${whereSql} ORDER BY ${order} LIMIT ? OFFSET ?`,
    pageParams: [...params, f.limit, f.offset],
    countSql: `SELECT count(*) AS n FROM programs p ${join} ${whereSql}`,
    countParams: params,
  };
}
