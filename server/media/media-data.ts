// The media domain's tables: renditions, segments and program_files (a program's published output) and jobs
// (the transcode queue, see jobs.ts). Other domains read media through the functions here, never by SQL.
import type { Db } from '../db/connection.ts';
import type { Rendition } from '../../common/api/catalog.ts';
import type { RungName } from '../../common/ladder.ts';

/** One file of a version of a program's published output, relative to /media/programs/<id>/v<version>/. */
export interface ProgramFileRow {
  programId: number;
  version: number;
  path: string;
  rung: string | null;
  size: number;
  sha256: string;
}

/** Everything a finished output records: what the transcode (or the slate maker) produced. */
export interface OutputRecord {
  renditions: Array<{ name: RungName; width: number; height: number; bandwidth: number }>;
  /** Segment durations (s), the same on every rung. */
  segments: number[];
  files: Array<{ path: string; rung: string | null; size: number; sha256: string }>;
}

/** The program's current output version (the one not superseded), undefined when it has none. */
export function currentVersion(db: Db, programId: number): number | undefined {
  return db
    .prepare<[number], { version: number }>('SELECT version FROM media_versions WHERE program_id = ? AND superseded_at IS NULL')
    .get(programId)?.version;
}

/** The number the next publish of a program takes: one more than any it ever had that is still recorded. */
export function nextVersion(db: Db, programId: number): number {
  const row = db
    .prepare<[number], { n: number | null }>('SELECT max(version) AS n FROM media_versions WHERE program_id = ?')
    .get(programId);
  return (row?.n ?? 0) + 1;
}

/**
 * Records a new current version of a program's output (call inside the publishing transaction): the previous one
 * is marked superseded (its files stay listed and served until the collector removes it), the renditions and
 * segment layout become the new version's.
 */
export function recordOutputVersion(db: Db, programId: number, version: number, out: OutputRecord, at: string): void {
  db.prepare<[string, number]>('UPDATE media_versions SET superseded_at = ? WHERE program_id = ? AND superseded_at IS NULL').run(
    at,
    programId,
  );
  db.prepare<[number, number, string]>('INSERT INTO media_versions (program_id, version, published_at) VALUES (?, ?, ?)').run(
    programId,
    version,
    at,
  );
  db.prepare<[number]>('DELETE FROM renditions WHERE program_id = ?').run(programId);
  db.prepare<[number]>('DELETE FROM segments WHERE program_id = ?').run(programId);
  const rend = db.prepare<[number, string, number, number, number]>(
    'INSERT INTO renditions (program_id, name, width, height, bandwidth) VALUES (?, ?, ?, ?, ?)',
  );
  for (const x of out.renditions) rend.run(programId, x.name, x.width, x.height, x.bandwidth);
  const seg = db.prepare<[number, number, number]>('INSERT INTO segments (program_id, seq, duration) VALUES (?, ?, ?)');
  out.segments.forEach((d, i) => seg.run(programId, i, d));
  const file = db.prepare<[number, number, string, string | null, number, string]>(
    'INSERT INTO program_files (program_id, version, path, rung, size, sha256) VALUES (?, ?, ?, ?, ?, ?)',
  );
  for (const f of out.files) file.run(programId, version, f.path, f.rung, f.size, f.sha256);
}

/** True when the program has a complete published output (a re-transcode keeps it until the new one is in). */
export function hasPublishedOutput(db: Db, programId: number): boolean {
  return currentVersion(db, programId) !== undefined;
}

/** A prepared lookup of one file of a kept version (the media route's hot path). */
export function makeProgramFileLookup(
  db: Db,
): (programId: number, version: number, file: string) => { size: number; sha256: string } | undefined {
  const stmt = db.prepare<[number, number, string], { size: number; sha256: string }>(
    'SELECT size, sha256 FROM program_files WHERE program_id = ? AND version = ? AND path = ?',
  );
  return (programId, version, file) => stmt.get(programId, version, file);
}

/** A superseded version, with when it was replaced (what the collector weighs). */
export interface SupersededVersion {
  programId: number;
  version: number;
  supersededAt: string;
}

/** Every superseded version still kept, oldest replacement first. */
export function supersededVersions(db: Db): SupersededVersion[] {
  return db
    .prepare<[], SupersededVersion>(
      `SELECT program_id AS programId, version, superseded_at AS supersededAt FROM media_versions
        WHERE superseded_at IS NOT NULL ORDER BY superseded_at, program_id, version`,
    )
    .all();
}

/** Forgets a superseded version (its files' rows go with it); never the current one. */
export function forgetVersion(db: Db, programId: number, version: number): boolean {
  return (
    db
      .prepare<[number, number]>('DELETE FROM media_versions WHERE program_id = ? AND version = ? AND superseded_at IS NOT NULL')
      .run(programId, version).changes > 0
  );
}

/** Renditions of a program, highest first. */
export function renditionsOf(db: Db, programId: number): Rendition[] {
  return db
    .prepare<[number], Rendition>('SELECT name, width, height, bandwidth FROM renditions WHERE program_id = ? ORDER BY height DESC')
    .all(programId);
}

/** Seconds left of the program's waiting or running transcode, when the worker could tell. */
export function activeJobEta(db: Db, programId: number): number | null {
  const row = db
    .prepare<[number], { eta: number | null }>(
      "SELECT eta_seconds AS eta FROM jobs WHERE program_id = ? AND status IN ('queued','running') ORDER BY id DESC LIMIT 1",
    )
    .get(programId);
  return row?.eta ?? null;
}

// Used by broadcast, sites:

/** Rung names of a program's output, highest first. */
export function renditionNames(db: Db, programId: number): string[] {
  return renditionsOf(db, programId).map((r) => r.name);
}

/** Segment durations (s) of a program's output, in order; empty when it has none. */
export function segmentDurations(db: Db, programId: number): number[] {
  return db
    .prepare<[number], { duration: number }>('SELECT duration FROM segments WHERE program_id = ? ORDER BY seq')
    .all(programId)
    .map((r) => r.duration);
}

/** Every file of one kept version of a program, by path. */
export function versionFiles(db: Db, programId: number, version: number): ProgramFileRow[] {
  return db
    .prepare<[number, number], ProgramFileRow>(
      `SELECT program_id AS programId, version, path, rung, size, sha256 FROM program_files
        WHERE program_id = ? AND version = ? ORDER BY path`,
    )
    .all(programId, version);
}

/** Every file of the program's current version, by path (empty when it has none). */
export function programFiles(db: Db, programId: number): ProgramFileRow[] {
  const version = currentVersion(db, programId);
  return version === undefined ? [] : versionFiles(db, programId, version);
}

/** A number that changes whenever any program's output is published or removed (for manifest fingerprints). */
export function outputFingerprint(db: Db): string {
  const row = db
    .prepare<[], { files: number | null; rends: number | null; n: number }>(
      'SELECT (SELECT max(rowid) FROM program_files) AS files, (SELECT max(rowid) FROM renditions) AS rends, ' +
        '(SELECT count(*) FROM renditions) AS n',
    )
    .get()!;
  return `${row.files ?? 0}:${row.rends ?? 0}:${row.n}`;
}

/** What a channel timeline needs of a transcoded program: segment durations (seconds, in order) and rung names. */
export interface ProgramLayout {
  segments: number[];
  /** Rung names, highest first. */
  rungs: string[];
  /** The output version these segments are files of (undefined when the program has no output). */
  version: number | undefined;
}

/** The segment layout of a program's current version (empty lists when it has none). */
export function programLayout(db: Db, programId: number): ProgramLayout {
  return { segments: segmentDurations(db, programId), rungs: renditionNames(db, programId), version: currentVersion(db, programId) };
}
