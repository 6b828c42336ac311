// Taking courseware into the catalog: probe, record, keep the source, queue the transcode. One path for
// the upload route, the bulk import CLI and the demo library, so all three validate alike.
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.ts';
import { unprocessable } from '../errors.ts';
import { MediaRejectedError, probeSource, type SourceProbe } from '../media/probe.ts';
import { enqueueTranscode } from '../media/jobs.ts';
import { sourcePath } from '../media/store.ts';
import type { FfmpegTools } from '../media/tools.ts';
import { titleFromFileName, type ProgramFields } from './metadata.ts';
import { deleteProgramRows, insertProgram } from './repo.ts';

export interface IngestContext {
  db: Db;
  config: { mediaDir: string };
  tools: FfmpegTools;
}

/** Where files wait while they are probed: on the media store's filesystem, so placing them is a rename. */
export function incomingDir(config: { mediaDir: string }): string {
  return path.join(config.mediaDir, 'incoming');
}

/** A fresh path in the incoming folder, keeping the extension (ffprobe takes it as a hint for .dat/.vob). */
export function incomingPath(config: { mediaDir: string }, originalName: string): string {
  fs.mkdirSync(incomingDir(config), { recursive: true });
  const ext = path.extname(originalName).toLowerCase();
  return path.join(incomingDir(config), `${randomUUID()}${/^\.[a-z0-9]{1,8}$/.test(ext) ? ext : ''}`);
}

/**
 * Removes files a crashed upload or import left in the incoming folder. Only old ones: an import CLI
 * running beside the server may be copying a file in right now.
 */
export function clearIncoming(config: { mediaDir: string }, olderThanMs = 6 * 3600_000, now = Date.now()): void {
  const dir = incomingDir(config);
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (now - fs.statSync(file).mtimeMs > olderThanMs) fs.rmSync(file, { force: true });
  }
}

export interface IngestInput {
  /** A file in the incoming folder (see incomingPath); it is moved into the store, or removed on refusal. */
  file: string;
  originalName: string;
  fields: ProgramFields;
}

/**
 * Probes the file and, when ffmpeg can decode it, records the program (status queued), moves the file
 * to the program's source path and queues its transcode. Returns the new program's id. On refusal
 * (MediaRejectedError -> 422) nothing is left behind: no row, no file.
 */
export async function ingestCourseware(ctx: IngestContext, input: IngestInput): Promise<number> {
  const { db, config, tools } = ctx;
  let placed = false;
  let id: number | undefined;
  try {
    let probe: SourceProbe;
    try {
      probe = await probeSource(tools, input.file);
    } catch (err) {
      if (err instanceof MediaRejectedError) throw unprocessable(`${input.originalName}: ${err.message}`, 'not_media');
      throw err;
    }
    const size = fs.statSync(input.file).size;
    const now = new Date().toISOString();
    const fields = { ...input.fields, title: input.fields.title || titleFromFileName(input.originalName) };
    id = db.transaction(() => insertProgram(db, fields, { name: input.originalName, size, probe }, now))();
    const stored = sourcePath(config, id, input.originalName);
    fs.mkdirSync(path.dirname(stored), { recursive: true });
    fs.renameSync(input.file, stored);
    placed = true;
    db.prepare('UPDATE programs SET source_path = ? WHERE id = ?').run(path.relative(config.mediaDir, stored), id);
    // Queued only once the source is in place, so a worker in another process never looks for it too early.
    enqueueTranscode(db, id);
    return id;
  } catch (err) {
    if (id !== undefined) {
      deleteProgramRows(db, id);
      if (placed) fs.rmSync(path.dirname(sourcePath(config, id)), { recursive: true, force: true });
    }
    throw err;
  } finally {
    if (!placed) fs.rmSync(input.file, { force: true });
  }
}
