// Where media live under config.mediaDir, and publishing a finished output whole (temp dir + rename).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';

interface MediaConfig {
  mediaDir: string;
}

/** Published HLS output of a program: what /media/programs/:id/ serves. */
export function programDir(config: MediaConfig, id: number): string {
  return path.join(config.mediaDir, 'programs', String(id));
}

/** The kept original upload of a program (re-transcodes start from it). */
export function sourceDir(config: MediaConfig, id: number): string {
  return path.join(config.mediaDir, 'sources', String(id));
}

/** Path the source of a program is stored at: `source` + the original extension (lower case, safe). */
export function sourcePath(config: MediaConfig, id: number, originalName = ''): string {
  const ext = path.extname(originalName).toLowerCase();
  const safeExt = /^\.[a-z0-9]{1,8}$/.test(ext) ? ext : '';
  return path.join(sourceDir(config, id), `source${safeExt}`);
}

export function tmpRoot(config: MediaConfig): string {
  return path.join(config.mediaDir, 'tmp');
}

/** A fresh private build folder. `tag` (e.g. `job-12`) lets crash recovery find a dead job's leftovers. */
export function makeTmpDir(config: MediaConfig, tag: string): string {
  const root = tmpRoot(config);
  fs.mkdirSync(root, { recursive: true });
  return fs.mkdtempSync(path.join(root, `${tag}-`));
}

/** Removes leftovers of build folders with this tag prefix (or all when no prefix). */
export function removeTmpDirs(config: MediaConfig, prefix = ''): string[] {
  const root = tmpRoot(config);
  if (!fs.existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(root)) {
    if (prefix && !name.startsWith(prefix)) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Moves a finished build folder into place as the program's output. Same filesystem, so each rename is
 * atomic; an older output is moved aside first and removed after, so readers never see a half folder.
 */
export function publishDir(config: MediaConfig, built: string, id: number): void {
  const target = programDir(config, id);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let aside: string | null = null;
  if (fs.existsSync(target)) {
    aside = path.join(tmpRoot(config), `old-${id}-${crypto.randomBytes(4).toString('hex')}`);
    fs.renameSync(target, aside);
  }
  fs.renameSync(built, target);
  if (aside) fs.rmSync(aside, { recursive: true, force: true });
}

/** Deletes everything the media store holds for a program (output and source). */
export function removeProgramMedia(config: MediaConfig, id: number): void {
  fs.rmSync(programDir(config, id), { recursive: true, force: true });
  fs.rmSync(sourceDir(config, id), { recursive: true, force: true });
}
