// The catalog tables (programs, program_audiences, series): rows in, API views out.
import type { Db } from '../db/connection.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { ProgramFields } from './metadata.ts';
import { buildProgramQuery, type ProgramFilter } from './search.ts';

export interface Rendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
}

export interface ProgramView {
  id: number;
  title: string;
  description: string;
  lecturer: string;
  category: string | null;
  audiences: string[];
  seriesId: number | null;
  seriesTitle: string | null;
  episode: number | null;
  tags: string[];
  language: string;
  published: boolean;
  status: 'queued' | 'processing' | 'ready' | 'failed' | 'cancelled';
  /** 0-100 while queued/processing; 100 when ready. */
  progress: number;
  /** Seconds left of the running transcode, when the worker can tell. */
  etaSeconds: number | null;
  error: string | null;
  /** Seconds actually decoded; null until ready. */
  duration: number | null;
  renditions: Rendition[];
  /** URL paths; null until the program is ready. */
  poster: string | null;
  hls: string | null;
  sourceName: string | null;
  sourceSize: number | null;
  createdAt: string;
  updatedAt: string;
}

interface ProgramRow {
  id: number;
  title: string;
  description: string;
  lecturer: string;
  category: string | null;
  series_id: number | null;
  series_title: string | null;
  episode: number | null;
  tags: string;
  language: string;
  published: number;
  status: ProgramView['status'];
  progress: number;
  error: string | null;
  duration: number | null;
  source_name: string | null;
  source_size: number | null;
  poster: string | null;
  created_at: string;
  updated_at: string;
}

export const mediaUrl = (id: number, file: string) => `/media/programs/${id}/${file}`;

export function programExists(db: Db, id: number): boolean {
  return db.prepare('SELECT 1 FROM programs WHERE id = ?').get(id) !== undefined;
}

/** The API view of one program, or undefined. */
export function getProgram(db: Db, id: number): ProgramView | undefined {
  const row = db
    .prepare(
      `SELECT p.*, s.title AS series_title FROM programs p LEFT JOIN series s ON s.id = p.series_id WHERE p.id = ?`,
    )
    .get(id) as ProgramRow | undefined;
  if (!row) return undefined;
  const audiences = (
    db.prepare('SELECT audience FROM program_audiences WHERE program_id = ? ORDER BY audience').all(id) as { audience: string }[]
  ).map((r) => r.audience);
  const ready = row.status === 'ready';
  const renditions = ready
    ? (db
        .prepare('SELECT name, width, height, bandwidth FROM renditions WHERE program_id = ? ORDER BY height DESC')
        .all(id) as Rendition[])
    : [];
  // The running job's ETA, if the media worker reported one.
  const job = ['queued', 'processing'].includes(row.status)
    ? (db
        .prepare("SELECT eta_seconds AS eta FROM jobs WHERE program_id = ? AND status IN ('queued','running') ORDER BY id DESC LIMIT 1")
        .get(id) as { eta: number | null } | undefined)
    : undefined;
  let tags: string[] = [];
  try {
    const parsed = JSON.parse(row.tags);
    if (Array.isArray(parsed)) tags = parsed.filter((t): t is string => typeof t === 'string');
  } catch {
    tags = [];
  }
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    lecturer: row.lecturer,
    category: row.category,
    audiences,
    seriesId: row.series_id,
    seriesTitle: row.series_title,
    episode: row.episode,
    tags,
    language: row.language,
    published: row.published === 1,
    status: row.status,
    progress: ready ? 100 : Math.round(row.progress * 10) / 10,
    etaSeconds: job?.eta ?? null,
    error: row.error,
    duration: row.duration,
    renditions,
    poster: ready && row.poster ? mediaUrl(row.id, row.poster) : null,
    hls: ready ? mediaUrl(row.id, 'master.m3u8') : null,
    sourceName: row.source_name,
    sourceSize: row.source_size,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function listPrograms(db: Db, filter: ProgramFilter): { items: ProgramView[]; total: number } {
  const q = buildProgramQuery(filter);
  const ids = (db.prepare(q.pageSql).all(...q.pageParams) as { id: number }[]).map((r) => r.id);
  const total = (db.prepare(q.countSql).get(...q.countParams) as { n: number }).n;
  return { items: ids.map((id) => getProgram(db, id)!).filter(Boolean), total };
}

/** Resolves seriesId / seriesTitle to a series id (creating a series by title when new). Call inside a transaction. */
function resolveSeries(db: Db, f: ProgramFields, now: string): number | null | undefined {
  if (f.seriesTitle !== undefined) {
    const found = db.prepare('SELECT id FROM series WHERE title = ?').get(f.seriesTitle) as { id: number } | undefined;
    if (found) return found.id;
    return Number(db.prepare('INSERT INTO series (title, created_at) VALUES (?, ?)').run(f.seriesTitle, now).lastInsertRowid);
  }
  if (f.seriesId !== undefined && f.seriesId !== null && !seriesExists(db, f.seriesId))
    throw badRequest(`Series ${f.seriesId} does not exist: create it with POST /api/series, or send its title as "series".`, 'unknown_series');
  return f.seriesId;
}

function setAudiences(db: Db, programId: number, audiences: string[]): void {
  db.prepare('DELETE FROM program_audiences WHERE program_id = ?').run(programId);
  const ins = db.prepare('INSERT INTO program_audiences (program_id, audience) VALUES (?, ?)');
  for (const a of audiences) ins.run(programId, a);
}

export interface SourceInfo {
  name: string;
  size: number;
  /** JSON-serialisable probe summary, kept for operators and the transcode worker. */
  probe: unknown;
}

/** Inserts a program (status queued) with its audiences. Call inside a transaction. */
export function insertProgram(db: Db, f: ProgramFields & { title: string }, source: SourceInfo, now: string): number {
  const seriesId = resolveSeries(db, f, now) ?? null;
  const id = Number(
    db
      .prepare(
        `INSERT INTO programs (title, description, lecturer, category, series_id, episode, tags, language, published,
                               status, progress, source_name, source_size, probe, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?, ?, ?)`,
      )
      .run(
        f.title,
        f.description ?? '',
        f.lecturer ?? '',
        f.category ?? null,
        seriesId,
        f.episode ?? null,
        JSON.stringify(f.tags ?? []),
        f.language ?? 'zh-CN',
        f.published === false ? 0 : 1,
        source.name,
        source.size,
        JSON.stringify(source.probe ?? null),
        now,
        now,
      ).lastInsertRowid,
  );
  setAudiences(db, id, f.audiences ?? []);
  return id;
}

/** Applies a metadata patch; returns false when the program does not exist. */
export function updateProgram(db: Db, id: number, f: ProgramFields, now: string): boolean {
  return db.transaction(() => {
    if (!programExists(db, id)) return false;
    const sets: string[] = [];
    const vals: unknown[] = [];
    const put = (col: string, v: unknown) => {
      sets.push(`${col} = ?`);
      vals.push(v);
    };
    if (f.title !== undefined) put('title', f.title);
    if (f.description !== undefined) put('description', f.description);
    if (f.lecturer !== undefined) put('lecturer', f.lecturer);
    if (f.category !== undefined) put('category', f.category);
    const seriesId = resolveSeries(db, f, now);
    if (seriesId !== undefined) put('series_id', seriesId);
    if (f.episode !== undefined) put('episode', f.episode);
    if (f.tags !== undefined) put('tags', JSON.stringify(f.tags));
    if (f.language !== undefined) put('language', f.language);
    if (f.published !== undefined) put('published', f.published ? 1 : 0);
    put('updated_at', now);
    db.prepare(`UPDATE programs SET ${sets.join(', ')} WHERE id = ?`).run(...vals, id);
    if (f.audiences !== undefined) setAudiences(db, id, f.audiences);
    return true;
  })();
}

const tableExists = (db: Db, name: string) =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;

/**
 * Why the program may not be deleted now: a broadcast still to come (or on air) that uses it, or a
 * recurring slot that still runs it. Checked only once the broadcast tables exist.
 */
export function futureBroadcastUse(db: Db, programId: number, nowMs: number): string | undefined {
  if (tableExists(db, 'schedule_items')) {
    const item = db
      .prepare('SELECT channel_id AS channelId, start_at AS startAt FROM schedule_items WHERE program_id = ? AND end_at > ? ORDER BY start_at LIMIT 1')
      .get(programId, nowMs) as { channelId: number; startAt: number } | undefined;
    if (item) return `it is scheduled on channel ${item.channelId} at ${new Date(item.startAt).toISOString()}`;
  }
  if (tableExists(db, 'channels')) {
    // A channel's slate (its own generated card, or a program chosen for it) plays in every gap.
    const ch = db
      .prepare('SELECT id, name FROM channels WHERE slate_program_id = ? OR generated_slate_id = ? LIMIT 1')
      .get(programId, programId) as { id: number; name: string } | undefined;
    if (ch) return `it is the slate of channel ${ch.id} "${ch.name}"`;
  }
  if (tableExists(db, 'schedule_slots')) {
    const slot = db
      .prepare('SELECT id, channel_id AS channelId FROM schedule_slots WHERE program_id = ? AND (until_at IS NULL OR until_at > ?) LIMIT 1')
      .get(programId, nowMs) as { id: number; channelId: number } | undefined;
    if (slot) return `recurring slot ${slot.id} of channel ${slot.channelId} still plays it`;
  }
  return undefined;
}

export function deleteProgramRows(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM programs WHERE id = ?').run(id).changes > 0;
}

// ---- series ----

export interface SeriesView {
  id: number;
  title: string;
  description: string;
  programCount: number;
  createdAt: string;
}

const seriesColumns = `s.id, s.title, s.description, s.created_at AS createdAt,
  (SELECT count(*) FROM programs p WHERE p.series_id = s.id) AS programCount`;

export function seriesExists(db: Db, id: number): boolean {
  return db.prepare('SELECT 1 FROM series WHERE id = ?').get(id) !== undefined;
}

export function getSeries(db: Db, id: number): SeriesView | undefined {
  return db.prepare(`SELECT ${seriesColumns} FROM series s WHERE s.id = ?`).get(id) as SeriesView | undefined;
}

export function listSeries(db: Db): SeriesView[] {
  return db.prepare(`SELECT ${seriesColumns} FROM series s ORDER BY s.title`).all() as SeriesView[];
}

function assertTitleFree(db: Db, title: string, exceptId?: number) {
  const other = db.prepare('SELECT id FROM series WHERE title = ? AND id IS NOT ?').get(title, exceptId ?? null) as { id: number } | undefined;
  if (other) throw conflict(`A series titled "${title}" already exists (id ${other.id}).`, 'duplicate_series');
}

export function createSeries(db: Db, s: { title: string; description?: string }, now: string): SeriesView {
  return db.transaction(() => {
    assertTitleFree(db, s.title);
    const id = Number(db.prepare('INSERT INTO series (title, description, created_at) VALUES (?, ?, ?)').run(s.title, s.description ?? '', now).lastInsertRowid);
    return getSeries(db, id)!;
  })();
}

export function updateSeries(db: Db, id: number, s: { title?: string; description?: string }): SeriesView {
  return db.transaction(() => {
    if (!seriesExists(db, id)) throw notFound(`Series ${id} does not exist.`);
    if (s.title !== undefined) {
      assertTitleFree(db, s.title, id);
      db.prepare('UPDATE series SET title = ? WHERE id = ?').run(s.title, id);
    }
    if (s.description !== undefined) db.prepare('UPDATE series SET description = ? WHERE id = ?').run(s.description, id);
    return getSeries(db, id)!;
  })();
}

/** Deletes a series; its programs stay in the catalog without a series. */
export function deleteSeries(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM series WHERE id = ?').run(id).changes > 0;
}

// Used by attendance:

/** Duration (seconds; null while not probed) of each of these programs that exists: ingest checks sessions against it. */
export function programDurations(db: Db, ids: number[]): Map<number, number | null> {
  const rows = db
    .prepare<[string], { id: number; duration: number | null }>('SELECT id, duration FROM programs WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids));
  return new Map(rows.map((r) => [r.id, r.duration]));
}

export interface ProgramTitle { id: number; title: string; published: boolean }
/** One program, or a series' programs in episode order, with titles; drafts only when `withDrafts` (operators). */
export function programTitles(db: Db, q: { programId?: number; seriesId?: number }, withDrafts: boolean): ProgramTitle[] {
  const drafts = withDrafts ? '' : 'AND published = 1';
  const rows = q.programId != null
    ? db.prepare<[number], { id: number; title: string; published: number }>(`SELECT id, title, published FROM programs WHERE id = ? ${drafts}`).all(q.programId)
    : db.prepare<[number], { id: number; title: string; published: number }>(
      `SELECT id, title, published FROM programs WHERE series_id = ? ${drafts} ORDER BY episode, id`).all(q.seriesId ?? 0);
  return rows.map((r) => ({ id: r.id, title: r.title, published: r.published === 1 }));
}

// Used by broadcast:

/** What schedules and guides need of a program (one row, no joins). */
export interface ProgramBrief {
  id: number;
  title: string;
  description: string;
  category: string | null;
  episode: number | null;
  series_id: number | null;
  status: ProgramView['status'];
  published: 0 | 1;
  /** Seconds decoded; null until transcoded. */
  duration: number | null;
}

/** Programs by id (missing ids are absent from the map); read in one statement per 500 ids. */
export function programBriefs(db: Db, ids: Iterable<number>): Map<number, ProgramBrief> {
  const unique = [...new Set(ids)];
  const out = new Map<number, ProgramBrief>();
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const rows = db
      .prepare<number[], ProgramBrief>(
        `SELECT id, title, description, category, episode, series_id, status, published, duration
           FROM programs WHERE id IN (${chunk.map(() => '?').join(',')})`,
      )
      .all(...chunk);
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

export function programBrief(db: Db, id: number): ProgramBrief | undefined {
  return programBriefs(db, [id]).get(id);
}

/** Episodes of a series in airing order (episode number, then id), leaving out failed and cancelled ones. */
export function seriesEpisodeIds(db: Db, seriesId: number): number[] {
  return db
    .prepare<[number], { id: number }>(
      `SELECT id FROM programs WHERE series_id = ? AND status NOT IN ('failed', 'cancelled') ORDER BY episode IS NULL, episode, id`,
    )
    .all(seriesId)
    .map((r) => r.id);
}
