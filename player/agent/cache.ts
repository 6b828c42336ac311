// The media cache on the site's disk: what is held, checked against the manifest (full hash at start, existence
// and size on each sync, hash again each time a file is served), so a missing or corrupt file is fetched again.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import { sha256, sha256File, storePath } from '../../common/verified-download.ts';
import { manifestIndex } from './plan.ts';
import type { AgentStore } from './store.ts';

export class MediaCache {
  constructor(
    readonly mediaDir: string,
    private readonly store: AgentStore,
    private readonly log: Logger,
    private readonly clock: () => number,
  ) {
    fs.mkdirSync(mediaDir, { recursive: true });
  }

  abs(rel: string): string {
    return storePath(this.mediaDir, rel);
  }

  /** Deletes files and forgets them. */
  async remove(paths: string[]): Promise<void> {
    const dirs = new Set<string>();
    for (const p of paths) {
      await fsp.rm(this.abs(p), { force: true });
      dirs.add(path.dirname(this.abs(p)));
    }
    this.store.removeHeld(paths);
    for (const d of dirs) await this.pruneEmpty(d);
  }

  /** Removes now-empty folders up to the cache root, so an evicted lecture leaves nothing behind. */
  private async pruneEmpty(dir: string): Promise<void> {
    const root = path.resolve(this.mediaDir);
    for (let d = dir; d.startsWith(root + path.sep); d = path.dirname(d)) {
      try {
        await fsp.rmdir(d);
      } catch {
        return; // not empty (or gone): stop climbing
      }
    }
  }

  /**
   * Start-up check: hashes every file on disk. A file the manifest lists and whose hash matches is held; anything
   * else (corrupt, unknown, left by a crash between rename and bookkeeping) is deleted. Kept .part files stay for resume.
   */
  async verifyAll(manifest: SiteManifest | null, catalog: SiteCatalog | null): Promise<{ held: number; removed: number; lost: string[] }> {
    const expected = manifest ? manifestIndex(manifest, catalog) : null;
    const known = this.store.heldMap();
    const onDisk = new Set<string>();
    let held = 0;
    let removed = 0;
    const lost: string[] = [];
    for (const abs of await walk(this.mediaDir)) {
      const rel = path.relative(this.mediaDir, abs).split(path.sep).join('/');
      if (rel.endsWith('.part')) {
        // Kept for resume only while the manifest still lists the file.
        if (expected && !expected.has(rel.slice(0, -'.part'.length))) await fsp.rm(abs, { force: true });
        continue;
      }
      onDisk.add(rel);
      const want = expected?.get(rel) ?? known.get(rel);
      const digest = want ? await sha256File(abs) : null;
      const size = want ? (await fsp.stat(abs)).size : -1;
      if (want && digest === want.sha256 && size === want.size) {
        this.store.addHeld({ path: rel, size, sha256: want.sha256, programId: want.programId }, this.clock());
        held++;
      } else {
        this.log.warn({ path: rel, reason: want ? 'hash or size mismatch' : 'not in manifest' }, 'cache: removing file');
        await this.remove([rel]);
        removed++;
        if (want) lost.push(rel);
      }
    }
    const gone = [...known.keys()].filter((p) => !onDisk.has(p));
    if (gone.length) {
      this.log.warn({ count: gone.length }, 'cache: files recorded as held are missing from disk');
      this.store.removeHeld(gone);
      lost.push(...gone);
    }
    return { held, removed, lost };
  }

  /** Per-sync check: every held file still exists with its size. Returns the paths dropped (they will be fetched again). */
  async quickCheck(): Promise<string[]> {
    const dropped: string[] = [];
    for (const h of this.store.heldFiles()) {
      let size = -1;
      try {
        size = (await fsp.stat(this.abs(h.path))).size;
      } catch {
        /* missing */
      }
      if (size !== h.size) dropped.push(h.path);
    }
    if (dropped.length) {
      this.log.warn({ paths: dropped.slice(0, 20), count: dropped.length }, 'cache: missing or resized files will be fetched again');
      await this.remove(dropped);
    }
    return dropped;
  }

  /**
   * A held file's bytes, verified against its recorded sha256; null when not held. A file that fails the check
   * is deleted and forgotten (the caller falls back to the server and the downloader fetches it again).
   */
  async read(rel: string): Promise<{ body: Buffer; programId: number | null } | { corrupt: true } | null> {
    const h = this.store.held(rel);
    if (!h) return null;
    let body: Buffer;
    try {
      body = await fsp.readFile(this.abs(rel));
    } catch {
      this.log.warn({ path: rel }, 'cache: held file vanished; will fetch again');
      await this.remove([rel]);
      return { corrupt: true };
    }
    if (body.length !== h.size || sha256(body) !== h.sha256) {
      this.log.warn({ path: rel, size: body.length, expectedSize: h.size }, 'cache: corrupt file detected while serving; will fetch again');
      await this.remove([rel]);
      return { corrupt: true };
    }
    return { body, programId: h.programId };
  }

  /** Bytes of a .part file (download progress). */
  async partBytes(rel: string): Promise<number> {
    try {
      return (await fsp.stat(`${this.abs(rel)}.part`)).size;
    } catch {
      return 0;
    }
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(abs)));
    else if (e.isFile()) out.push(abs);
  }
  return out;
}
