// The catalog tables (programs, program_audiences, series, programs_fts): rows in, API views out. The only
// module with SQL on them; other domains call the functions at the end.
import type { Db } from '../db/connection.ts';
import type { Program } from '../../common/api/catalog.ts';
import { AppError, badRequest, conflict, notFound } from '../errors.ts';
import { getRegion } from '../sites/regions.ts';
import { activeJobEta, currentVersion, renditionsOf } from '../media/media-data.ts';
import { versionedMediaPath, versionFolder } from '../../common/manifest.ts';
import type { ProgramFields } from './metadata.ts';
import { buildProgramQuery, type ProgramFilter } from './search.ts';

export type ProgramView = Program;
export type ProgramKind = 'lecture' | 'channel_card' | 'house_slate';

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
  kind: ProgramKind;
  status: ProgramView['status'];
  progress: number;
  error: string | null;
  duration: number | null;
  source_name: string | null;
  source_size: number | null;
  poster: string | null;
  created_at: string;
  updated_at: string;
  origin: ProgramView['origin'];
  distribute: number;
  distribute_to: string | null;
}

/** How the caller sees a program: operators get a signed preview URL (drafts play too), others do not. */
export interface ViewOptions {
  /** URL path of a program file (relative to /media/programs/<id>/, version folder first) under a signed, expiring grant; given for operators only. */
  preview?: (programId: number, file: string) => string;
}

export function programExists(db: Db, id: number): boolean {
  return db.prepare<[number], { one: number }>('SELECT 1 AS one FROM programs WHERE id = ?').get(id) !== undefined;
}

/** The API view of one lecture, or undefined (station cards are not catalog programs). */
export function getProgram(db: Db, id: number, opts: ViewOptions = {}): ProgramView | undefined {
  const row = db
    .prepare<[number], ProgramRow>(
      `SELECT p.*, s.title AS series_title FROM programs p LEFT JOIN series s ON s.id = p.series_id
        WHERE p.id = ? AND p.kind = 'lecture'`,
    )
    .get(id);
  if (!row) return undefined;
  const audiences = db
    .prepare<[number], { audience: string }>('SELECT audience FROM program_audiences WHERE program_id = ? ORDER BY audience')
    .all(id)
    .map((r) => r.audience);
  const ready = row.status === 'ready';
  const renditions = ready ? renditionsOf(db, id) : [];
  // Media URLs name the current output version: its bytes never change, so they may be cached for good.
  const version = ready ? currentVersion(db, id) : undefined;
  const inVersion = (file: string) => (version === undefined ? null : `${versionFolder(version)}/${file}`);
  const mediaUrl = (file: string) => (version === undefined ? null : `/media/${versionedMediaPath(id, version, file)}`);
  const preview = (file: string) => {
    const f = inVersion(file);
    return f && opts.preview ? opts.preview(id, f) : null;
  };
  const eta = row.status === 'queued' || row.status === 'processing' ? activeJobEta(db, id) : null;
  // Open media paths only for published programs: a draft's media answer operators and signed URLs only.
  const open = ready && row.published === 1;
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
    etaSeconds: eta,
    error: row.error,
    duration: row.duration,
    renditions,
    poster: !ready || !row.poster ? null : open ? mediaUrl(row.poster) : preview(row.poster),
    hls: open ? mediaUrl('master.m3u8') : null,
    previewUrl: ready ? preview('master.m3u8') : null,
    sourceName: row.source_name,
    sourceSize: row.source_size,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    origin: row.origin,
    distribute: row.distribute === 1,
    distributeTo: row.distribute_to === null ? null : (JSON.parse(row.distribute_to) as number[]),
  };
}

export function listPrograms(db: Db, filter: ProgramFilter, opts: ViewOptions = {}): { items: ProgramView[]; total: number } {
  const q = buildProgramQuery(filter);
  const ids = db
    .prepare<unknown[], { id: number }>(q.pageSql)
    .all(...q.pageParams)
    .map((r) => r.id);
  const total = db.prepare<unknown[], { n: number }>(q.countSql).get(...q.countParams)!.n;
  return { items: ids.flatMap((id) => getProgram(db, id, opts) ?? []), total };
}

/** Resolves seriesId / seriesTitle to a series id (creating a series by title when new). Call inside a transaction. */
function resolveSeries(db: Db, f: ProgramFields, now: string): number | null | undefined {
  if (f.seriesTitle !== undefined) {
    const found = db.prepare<[string], { id: number }>('SELECT id FROM series WHERE title = ?').get(f.seriesTitle);
    if (found) return found.id;
    return Number(db.prepare('INSERT INTO series (title, created_at) VALUES (?, ?)').run(f.seriesTitle, now).lastInsertRowid);
  }
  if (f.seriesId !== undefined && f.seriesId !== null && !seriesExists(db, f.seriesId))
    throw badRequest(
      `Series ${f.seriesId} does not exist: create it with POST /api/series, or send its title as "series".`,
      'unknown_series',
    );
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
  if (f.distribute !== undefined || f.distributeTo !== undefined) setDistribution(db, id, f);
  return id;
}

/** Applies a metadata patch; returns false when the program does not exist. */
export function updateProgram(db: Db, id: number, f: ProgramFields, now: string): boolean {
  return db.transaction(() => {
    if (!programExists(db, id)) return false;
    refuseIfCentral(db, id, 'edited');
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
    if (f.distribute !== undefined || f.distributeTo !== undefined) setDistribution(db, id, f);
    return true;
  })();
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

/** programCount counts what the caller may see: organizers only published lectures (drafts never leak by count). */
const seriesColumns = (drafts: boolean) => `s.id, s.title, s.description, s.created_at AS createdAt,
  (SELECT count(*) FROM programs p WHERE p.series_id = s.id AND p.kind = 'lecture'${drafts ? '' : ' AND p.published = 1'}) AS programCount`;

export function seriesExists(db: Db, id: number): boolean {
  return db.prepare<[number], { one: number }>('SELECT 1 AS one FROM series WHERE id = ?').get(id) !== undefined;
}

export function getSeries(db: Db, id: number, seesDrafts = true): SeriesView | undefined {
  return db.prepare<[number], SeriesView>(`SELECT ${seriesColumns(seesDrafts)} FROM series s WHERE s.id = ?`).get(id);
}

export function listSeries(db: Db, seesDrafts = true): SeriesView[] {
  return db.prepare<[], SeriesView>(`SELECT ${seriesColumns(seesDrafts)} FROM series s ORDER BY s.title`).all();
}

function assertTitleFree(db: Db, title: string, exceptId?: number) {
  const other = db
    .prepare<[string, number | null], { id: number }>('SELECT id FROM series WHERE title = ? AND id IS NOT ?')
    .get(title, exceptId ?? null);
  if (other) throw conflict(`A series titled "${title}" already exists (id ${other.id}).`, 'duplicate_series');
}

export function createSeries(db: Db, s: { title: string; description?: string }, now: string): SeriesView {
  return db.transaction(() => {
    assertTitleFree(db, s.title);
    const id = Number(
      db.prepare('INSERT INTO series (title, description, created_at) VALUES (?, ?, ?)').run(s.title, s.description ?? '', now)
        .lastInsertRowid,
    );
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
    .prepare<[string], { id: number; duration: number | null }>(
      'SELECT id, duration FROM programs WHERE id IN (SELECT value FROM json_each(?))',
    )
    .all(JSON.stringify(ids));
  return new Map(rows.map((r) => [r.id, r.duration]));
}

export interface ProgramTitle {
  id: number;
  title: string;
  published: boolean;
}
/** One program, or a series' programs in episode order, with titles; drafts only when `withDrafts` (operators). */
export function reachProgramTitles(db: Db, q: { programId?: number; seriesId?: number }, withDrafts: boolean): ProgramTitle[] {
  const drafts = withDrafts ? '' : 'AND published = 1';
  const rows =
    q.programId != null
      ? db
          .prepare<[number], { id: number; title: string; published: number }>(
            `SELECT id, title, published FROM programs WHERE id = ? ${drafts}`,
          )
          .all(q.programId)
      : db
          .prepare<[number], { id: number; title: string; published: number }>(
            `SELECT id, title, published FROM programs WHERE series_id = ? ${drafts} ORDER BY episode, id`,
          )
          .all(q.seriesId ?? 0);
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

// Used by media:

/** What decides who may fetch a program's media: its pipeline status, publication and kind. */
export interface ProgramMediaState {
  status: ProgramView['status'];
  published: boolean;
  kind: ProgramKind;
}

/** A prepared lookup of a program's media state (the media route's hot path); undefined for no such program. */
export function makeProgramMediaStateLookup(db: Db): (id: number) => ProgramMediaState | undefined {
  const stmt = db.prepare<[number], { status: ProgramView['status']; published: number; kind: ProgramKind }>(
    'SELECT status, published, kind FROM programs WHERE id = ?',
  );
  return (id) => {
    const row = stmt.get(id);
    return row && { status: row.status, published: row.published === 1, kind: row.kind };
  };
}

/** Where the kept source of a program lies under the media store (null when not kept); undefined: no such program. */
export function programSourcePath(db: Db, id: number): string | null | undefined {
  return db.prepare<[number], { sourcePath: string | null }>('SELECT source_path AS sourcePath FROM programs WHERE id = ?').get(id)
    ?.sourcePath;
}

/** The pipeline columns of a program (written by the media domain through the functions below). */
export interface PipelineState {
  status: ProgramView['status'];
  progress: number;
  error: string | null;
}

export function programPipelineState(db: Db, id: number): PipelineState | undefined {
  return db.prepare<[number], PipelineState>('SELECT status, progress, error FROM programs WHERE id = ?').get(id);
}

export function setPipelineState(db: Db, id: number, s: PipelineState, at: string): void {
  db.prepare<[string, number, string | null, string, number]>(
    'UPDATE programs SET status = ?, progress = ?, error = ?, updated_at = ? WHERE id = ?',
  ).run(s.status, s.progress, s.error, at, id);
}

/** A program a stopped worker was processing goes back to `queued` (its job is queued again). */
export function requeueIfProcessing(db: Db, id: number, at: string): void {
  db.prepare<[string, number]>(
    "UPDATE programs SET status = 'queued', progress = 0, updated_at = ? WHERE id = ? AND status = 'processing'",
  ).run(at, id);
}

/** A prepared progress writer for the running transcode of a program (called at most once a second). */
export function makeProgressWriter(db: Db): (id: number, percent: number) => void {
  const stmt = db.prepare<[number, number]>("UPDATE programs SET progress = ? WHERE id = ? AND status = 'processing'");
  return (id, percent) => stmt.run(percent, id);
}

/** What the transcode needs of a program: its title (for an audio card), kept source and recorded probe. */
export function programForTranscode(db: Db, id: number): { title: string; sourcePath: string | null; probe: string | null } | undefined {
  return db
    .prepare<[number], { title: string; sourcePath: string | null; probe: string | null }>(
      'SELECT title, source_path AS sourcePath, probe FROM programs WHERE id = ?',
    )
    .get(id);
}

/** The output is published: the program becomes `ready` (call inside the publishing transaction). */
export function markProgramReady(db: Db, id: number, r: { duration: number; poster: string | null; probe?: unknown }, at: string): void {
  db.prepare<[number, string | null, string | null, string, number]>(
    `UPDATE programs SET status = 'ready', progress = 100, error = NULL, duration = ?, poster = ?, probe = coalesce(?, probe),
            updated_at = ? WHERE id = ?`,
  ).run(r.duration, r.poster, r.probe === undefined ? null : JSON.stringify(r.probe), at, id);
}

/** Titles of programs by id (jobs list them; absent ids are left out). */
export function programTitles(db: Db, ids: number[]): Map<number, string> {
  if (!ids.length) return new Map();
  const rows = db
    .prepare<[string], { id: number; title: string }>('SELECT id, title FROM programs WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids));
  return new Map(rows.map((r) => [r.id, r.title]));
}

/** A hidden station card program (unpublished, never in the catalog, its media open): made `processing`. */
export function insertCardProgram(
  db: Db,
  c: { kind: Exclude<ProgramKind, 'lecture'>; title: string; description: string },
  at: string,
): number {
  return Number(
    db
      .prepare<[string, string, string, string, string]>(
        `INSERT INTO programs (title, description, published, kind, status, tags, created_at, updated_at)
         VALUES (?, ?, 0, ?, 'processing', '["slate"]', ?, ?)`,
      )
      .run(c.title, c.description, c.kind, at, at).lastInsertRowid,
  );
}

/** The id of the server's house slate program, when one has been made (ready or not). */
export function houseSlateId(db: Db): number | undefined {
  return db.prepare<[], { id: number }>("SELECT id FROM programs WHERE kind = 'house_slate'").get()?.id;
}

/** The program's status, or undefined when there is no such program. */
export function programStatus(db: Db, id: number): ProgramView['status'] | undefined {
  return db.prepare<[number], { status: ProgramView['status'] }>('SELECT status FROM programs WHERE id = ?').get(id)?.status;
}

// Used by attendance, broadcast, sites:

/** The house slate's program id once it is ready to play (a channel without its own card plays it in gaps). */
export function readyHouseSlateId(db: Db): number | undefined {
  const id = houseSlateId(db);
  return id !== undefined && programStatus(db, id) === 'ready' ? id : undefined;
}

/** Title of a program (any kind), or undefined. */
export function programTitle(db: Db, id: number): string | undefined {
  return db.prepare<[number], { title: string }>('SELECT title FROM programs WHERE id = ?').get(id)?.title;
}

/** Guide fields of a program (EPG, XMLTV, now/next). */
export function programGuideFields(
  db: Db,
  id: number,
): { title: string; description: string; category: string | null; episode: number | null; published: boolean } | undefined {
  const row = db
    .prepare<[number], { title: string; description: string; category: string | null; episode: number | null; published: number }>(
      'SELECT title, description, category, episode, published FROM programs WHERE id = ?',
    )
    .get(id);
  return row && { ...row, published: row.published === 1 };
}

/** The published, ready lectures sites may offer on demand, with their series title, by id. */
export function publishedReadyLectures(db: Db): Array<{
  id: number;
  title: string;
  description: string;
  lecturer: string;
  category: string | null;
  seriesId: number | null;
  seriesTitle: string | null;
  episode: number | null;
  duration: number;
  language: string;
  audiences: string[];
}> {
  const rows = db
    .prepare<
      [],
      {
        id: number;
        title: string;
        description: string;
        lecturer: string;
        category: string | null;
        seriesId: number | null;
        seriesTitle: string | null;
        episode: number | null;
        duration: number;
        language: string;
      }
    >(
      `SELECT p.id, p.title, p.description, p.lecturer, p.category, p.series_id AS seriesId, s.title AS seriesTitle,
              p.episode, coalesce(p.duration, 0) AS duration, p.language
         FROM programs p LEFT JOIN series s ON s.id = p.series_id
        WHERE p.status = 'ready' AND p.published = 1 AND p.kind = 'lecture'
        ORDER BY p.id`,
    )
    .all();
  const audiences = db.prepare<[number], { audience: string }>(
    'SELECT audience FROM program_audiences WHERE program_id = ? ORDER BY audience',
  );
  return rows.map((r) => ({ ...r, audiences: audiences.all(r.id).map((a) => a.audience) }));
}

/** A number that changes whenever any catalog row changes (for manifest fingerprints). */
export function catalogFingerprint(db: Db): string {
  const row = db
    .prepare<[], Record<string, number | string | null>>(
      `SELECT (SELECT count(*) FROM programs) AS n, (SELECT max(updated_at) FROM programs) AS updated,
              (SELECT total(status = 'ready') FROM programs) AS ready, (SELECT total(published) FROM programs) AS published,
              (SELECT count(*) FROM series) AS series, (SELECT max(rowid) FROM series) AS seriesMax,
              (SELECT count(*) FROM program_audiences) AS aud, (SELECT max(rowid) FROM program_audiences) AS audMax`,
    )
    .get()!;
  return JSON.stringify(Object.values(row));
}

/** How many lectures the catalog holds (station cards and the house slate are not lectures). */
export function lectureCount(db: Db): number {
  return db.prepare<[], { n: number }>("SELECT count(*) AS n FROM programs WHERE kind = 'lecture'").get()!.n;
}

// Used by upstream (issue 13: the central library):

/** Offers a program to provinces (or stops): `distributeTo` names province regions, null all of them. */
function setDistribution(db: Db, id: number, f: Pick<ProgramFields, 'distribute' | 'distributeTo'>): void {
  if (f.distributeTo) {
    const notProvince = f.distributeTo.find((r) => getRegion(db, r)?.level !== 'province');
    if (notProvince !== undefined)
      throw new AppError(
        422,
        'not_a_province',
        `distributeTo names region ${notProvince}, which is not a province here: list the ids of province regions (GET /api/regions).`,
      );
  }
  if (f.distribute !== undefined)
    db.prepare<[number, number]>('UPDATE programs SET distribute = ? WHERE id = ?').run(f.distribute ? 1 : 0, id);
  if (f.distributeTo !== undefined)
    db.prepare<[string | null, number]>('UPDATE programs SET distribute_to = ? WHERE id = ?').run(
      f.distributeTo === null ? null : JSON.stringify(f.distributeTo),
      id,
    );
}

/** A program mirrored from the centre is the centre's: a province may schedule it, not change or delete it. */
export function refuseIfCentral(db: Db, id: number, what: 'edited' | 'deleted'): void {
  const row = db.prepare<[number], { origin: string }>('SELECT origin FROM programs WHERE id = ?').get(id);
  if (row?.origin === 'central')
    throw conflict(
      `Program ${id} comes from the central platform and cannot be ${what} here: the centre's operators change it, and ` +
        'the province receives the change (a withdrawal removes it from future schedules).',
      'central_program',
    );
}

/** A program a centre offers to the province of `regionId`: published, ready lectures marked for distribution. */
export interface DistributedProgram {
  id: number;
  /** The poster file, relative to the version folder. */
  poster: string | null;
}

/** The programs offered to one province (its region id at the centre), in id order. */
export function distributedPrograms(db: Db, provinceRegionId: number): DistributedProgram[] {
  return db
    .prepare<[number], DistributedProgram>(
      `SELECT id, poster FROM programs
        WHERE kind = 'lecture' AND origin = 'local' AND distribute = 1 AND published = 1 AND status = 'ready'
          AND (distribute_to IS NULL OR EXISTS (SELECT 1 FROM json_each(distribute_to) WHERE value = ?))
        ORDER BY id`,
    )
    .all(provinceRegionId);
}

/** The centre's metadata of a mirrored program, as the library feed carries it. */
export interface CentralMetadata {
  title: string;
  description: string;
  lecturer: string;
  category: string | null;
  audiences: string[];
  seriesTitle: string | null;
  episode: number | null;
  tags: string[];
  language: string;
}

/** The metadata fields of a program (the API view, or a library feed item, which name them alike). */
export function pickCentralMetadata(p: CentralMetadata): CentralMetadata {
  const { title, description, lecturer, category, audiences, seriesTitle, episode, tags, language } = p;
  return { title, description, lecturer, category, audiences, seriesTitle, episode, tags, language };
}

function centralFields(m: CentralMetadata): ProgramFields & { title: string } {
  return {
    title: m.title,
    description: m.description,
    lecturer: m.lecturer,
    category: m.category,
    audiences: m.audiences,
    ...(m.seriesTitle ? { seriesTitle: m.seriesTitle } : { seriesId: null }),
    episode: m.episode,
    tags: m.tags,
    language: m.language,
  };
}

/** A read-only program mirrored from the centre (origin 'central', published, queued until its files are in). */
export function insertCentralProgram(db: Db, m: CentralMetadata, at: string): number {
  return db.transaction(() => {
    const id = insertProgram(db, { ...centralFields(m), published: true }, { name: '', size: 0, probe: null }, at);
    db.prepare<[number]>("UPDATE programs SET origin = 'central', source_name = NULL, source_size = NULL WHERE id = ?").run(id);
    return id;
  })();
}

/** The centre changed a mirrored program's metadata (or withdrew it: published false; offered again: true). */
export function updateCentralProgram(db: Db, id: number, m: CentralMetadata | null, published: boolean, at: string): void {
  db.transaction(() => {
    const f: ProgramFields = m ? { ...centralFields(m), published } : { published };
    const sets = ['published = ?', 'updated_at = ?'];
    const vals: unknown[] = [f.published ? 1 : 0, at];
    if (m) {
      const seriesId = resolveSeries(db, f, at) ?? null;
      sets.push('title = ?', 'description = ?', 'lecturer = ?', 'category = ?', 'series_id = ?', 'episode = ?', 'tags = ?', 'language = ?');
      vals.push(m.title, m.description, m.lecturer, m.category, seriesId, m.episode, JSON.stringify(m.tags), m.language);
      setAudiences(db, id, m.audiences);
    }
    db.prepare(`UPDATE programs SET ${sets.join(', ')} WHERE id = ? AND origin = 'central'`).run(...vals, id);
  })();
}
