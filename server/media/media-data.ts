// The media tables (renditions, segments, program_files, jobs): the only module with SQL on them.
import type { Db } from '../db/connection.ts';

// Used by broadcast:

/** What a channel timeline needs of a transcoded program: segment durations (seconds, in order) and rung names. */
export interface ProgramLayout {
  segments: number[];
  /** Rung names, highest first. */
  rungs: string[];
}

/** The segment layout of a program (empty lists when it has none). */
export function programLayout(db: Db, programId: number): ProgramLayout {
  const segments = db
    .prepare<[number], { duration: number }>('SELECT duration FROM segments WHERE program_id = ? ORDER BY seq')
    .all(programId)
    .map((r) => r.duration);
  const rungs = db
    .prepare<[number], { name: string }>('SELECT name FROM renditions WHERE program_id = ? ORDER BY height DESC')
    .all(programId)
    .map((r) => r.name);
  return { segments, rungs };
}
