// `npm run import -- <folder or files>`: bulk import of courseware from a drive into the catalog on
// DATA_DIR, with the same validation as an upload. The server may run meanwhile (SQLite WAL): its job
// worker picks up the queued transcodes. A `<file>.json` beside a file may give its catalog fields
// ({"title": ..., "category": ..., "audiences": [...], "series": ..., "episode": ...}).
import fs from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { loadConfig } from '../server/config.ts';
import { openDb } from '../server/db/connection.ts';
import { AppError } from '../server/errors.ts';
import { ingestCourseware, incomingPath } from '../server/catalog/ingest.ts';
import { normalizeProgramFields, type ProgramFields } from '../server/catalog/metadata.ts';
import { locateTools } from '../server/media/tools.ts';

/** Extensions of the courseware the field sends (video, then audio-only talks). */
export const COURSEWARE_EXTENSIONS = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.avi',
  '.mpg',
  '.mpeg',
  '.dat',
  '.vob',
  '.ts',
  '.wmv',
  '.asf',
  '.flv',
  '.3gp',
  '.webm',
  '.mp3',
  '.wav',
  '.m4a',
  '.aac',
  '.wma',
  '.ogg',
]);

/** Files to import: the named files, and the courseware files found in the named folders (recursively, sorted). */
export function collectFiles(args: string[]): { files: string[]; missing: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args) {
    const p = path.resolve(arg);
    if (!fs.existsSync(p)) missing.push(arg);
    else if (fs.statSync(p).isDirectory()) {
      const found = fs
        .readdirSync(p, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && COURSEWARE_EXTENSIONS.has(path.extname(e.name).toLowerCase()))
        .map((e) => path.join(e.parentPath, e.name))
        .sort();
      files.push(...found);
    } else files.push(p);
  }
  return { files, missing };
}

function sidecarFields(file: string): ProgramFields {
  const sidecar = `${file}.json`;
  if (!fs.existsSync(sidecar)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(sidecar, 'utf8'));
  } catch (err) {
    throw new AppError(400, 'bad_sidecar', `${path.basename(sidecar)} is not valid JSON: ${(err as Error).message}`);
  }
  return normalizeProgramFields(raw as Record<string, unknown>);
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help')) {
    process.stdout.write(
      'usage: npm run import -- <folder or files>...\n  imports courseware into the catalog on DATA_DIR (default ./data)\n',
    );
    return argv.length === 0 ? 2 : 0;
  }
  const config = loadConfig();
  const { files, missing } = collectFiles(argv);
  for (const m of missing) process.stderr.write(`not found: ${m}\n`);
  if (files.length === 0) {
    process.stderr.write('No courseware files found (looked for video and audio files by extension).\n');
    return 1;
  }
  const db = openDb(config.dbPath);
  const tools = locateTools(config);
  const interactive = process.stderr.isTTY;
  const bar = new cliProgress.SingleBar(
    { format: 'importing [{bar}] {value}/{total} files | {file}', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  if (interactive) bar.start(files.length, 0, { file: '' });
  const results: Array<{ file: string; ok: boolean; text: string }> = [];
  for (const file of files) {
    const name = path.basename(file);
    if (interactive) bar.update({ file: name });
    let staged: string | undefined;
    try {
      if (fs.statSync(file).size === 0) throw new AppError(400, 'empty_file', `${name} is empty (0 bytes).`);
      if (fs.statSync(file).size > config.maxUploadBytes)
        throw new AppError(413, 'too_large', `${name} is larger than MAX_UPLOAD_BYTES (${config.maxUploadBytes} bytes).`);
      const fields = sidecarFields(file);
      // Copied (not moved): the operator's drive stays as it was.
      staged = incomingPath(config, name);
      fs.copyFileSync(file, staged);
      const id = await ingestCourseware({ db, config, tools }, { file: staged, originalName: name, fields });
      results.push({ file, ok: true, text: `queued as program ${id}` });
    } catch (err) {
      if (staged) fs.rmSync(staged, { force: true });
      const text = err instanceof AppError ? err.message : `failed: ${(err as Error).message}`;
      results.push({ file, ok: false, text });
    }
    if (interactive) bar.increment();
  }
  if (interactive) bar.stop();
  db.close();
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.file}: ${r.text}\n`);
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(
    `${results.length - failed} imported, ${failed} refused${missing.length ? `, ${missing.length} not found` : ''}. ` +
      'The server transcodes the imported files (see GET /api/jobs).\n',
  );
  return failed || missing.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
