// Where media live under config.mediaDir, and publishing a finished output whole (temp dir + rename).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { parseVersionFolder, versionFolder } from '../../common/manifest.ts';

interface MediaConfig {
  mediaDir: string;
}

/** A program's media folder: one sub-folder per kept output version (v1, v2, ...). */
export function programDir(config: MediaConfig, id: number): string {
  return path.join(config.mediaDir, 'programs', String(id));
}

/** One version of a program's output: what /media/programs/:id/v<version>/ serves. Never changed once published. */
export function versionDir(config: MediaConfig, id: number, version: number): string {
  return path.join(programDir(config, id), versionFolder(version));
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
 * Moves a finished build folder into place as a new version of the program's output (one atomic rename on the
 * same filesystem). A folder already there was left by a publish that crashed before its rows were written
 * (the version number is taken again): it is set aside and removed first.
 */
export function publishDir(config: MediaConfig, built: string, id: number, version: number): void {
  const target = versionDir(config, id, version);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (fs.existsSync(target)) {
    const aside = path.join(tmpRoot(config), `old-${id}-${crypto.randomBytes(4).toString('hex')}`);
    fs.mkdirSync(tmpRoot(config), { recursive: true });
    fs.renameSync(target, aside);
    fs.rmSync(aside, { recursive: true, force: true });
  }
  fs.renameSync(built, target);
}

/** Removes one version folder of a program (the collector's delete); the bytes are gone for good. */
export function removeVersionDir(config: MediaConfig, id: number, version: number): void {
  fs.rmSync(versionDir(config, id, version), { recursive: true, force: true });
}

/** Version folders present on disk for a program (v<n> names only), ascending. */
export function versionsOnDisk(config: MediaConfig, id: number): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(programDir(config, id));
  } catch {
    return [];
  }
  return names.flatMap((n) => parseVersionFolder(n) ?? []).sort((a, b) => a - b);
}

/**
 * Output published before versions existed sits directly in programs/<id>/ and is version 1 (migration 009):
 * each top-level entry that is not a version folder is moved into v1/. Entry by entry, so a crash half-way is
 * finished by the next start. Returns the program ids it moved anything for.
 */
export function adoptUnversionedOutput(config: MediaConfig): number[] {
  const root = path.join(config.mediaDir, 'programs');
  let ids: string[];
  try {
    ids = fs.readdirSync(root);
  } catch {
    return [];
  }
  const moved: number[] = [];
  for (const name of ids) {
    if (!/^[1-9]\d*$/.test(name)) continue;
    const dir = path.join(root, name);
    const loose = fs.readdirSync(dir).filter((e) => parseVersionFolder(e) === undefined);
    if (loose.length === 0) continue;
    const v1 = path.join(dir, versionFolder(1));
    fs.mkdirSync(v1, { recursive: true });
    for (const e of loose) if (!fs.existsSync(path.join(v1, e))) fs.renameSync(path.join(dir, e), path.join(v1, e));
    moved.push(Number(name));
  }
  return moved;
}

/** Deletes everything the media store holds for a program (output and source). */
export function removeProgramMedia(config: MediaConfig, id: number): void {
  fs.rmSync(programDir(config, id), { recursive: true, force: true });
  fs.rmSync(sourceDir(config, id), { recursive: true, force: true });
}
