// Serving a program's files: a hot path (every site and TV fetches segments), kept lean.
// Only files listed in program_files of a kept version are served (plugin.ts checks who may have them), so there is no
// path to traverse; the ETag is the file's sha256 from that list (strong, same on every node). A version's bytes never
// change (publish.ts writes every output to a new version folder), so every file of it may be cached forever.
import { mediaEtag, parseVersionFolder } from '../../common/manifest.ts';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection.ts';
import { versionDir } from './store.ts';
import { makeProgramFileLookup } from './media-data.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.jpg': 'image/jpeg',
};

/** Every file of a published version: the bytes behind its URL never change, so shared caches keep it for good. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** A draft's files: for the operator's browser only, never stored (a relay or CDN must not keep them). */
export const PRIVATE = 'private, no-store';

/** The program file a media path tail names: 'v2/480p/seg_00003.ts' -> version 2, file '480p/seg_00003.ts'. */
export function splitVersionedFile(tail: string): { version: number; file: string } | undefined {
  const slash = tail.indexOf('/');
  const version = slash > 0 ? parseVersionFolder(tail.slice(0, slash)) : undefined;
  return version === undefined ? undefined : { version, file: tail.slice(slash + 1) };
}

export type RangeResult = { kind: 'all' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * PURE: interprets a Range header for a file of `size` bytes. One range is honoured; several ranges,
 * other units or garbage get the whole file (allowed by RFC 9110).
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'all' };
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'all' };
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return { kind: 'all' }; // invalid: ignore the header
  }
  if (start >= size || size === 0) return { kind: 'unsatisfiable' };
  return { kind: 'partial', start, end };
}

export interface ServedFile {
  absPath: string;
  size: number;
  etag: string;
  contentType: string;
}

/**
 * Small files held in memory (playlists, posters, the segments everyone asks for at the same time):
 * answering from a Buffer is ~10x faster than streaming from disk through Node. Keyed by path + hash,
 * so a re-transcode never serves stale bytes.
 */
export class BufferCache {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;
  constructor(
    private readonly maxBytes: number,
    private readonly maxFileBytes: number,
  ) {}

  get(key: string): Buffer | undefined {
    const b = this.map.get(key);
    if (b) {
      // refresh recency
      this.map.delete(key);
      this.map.set(key, b);
    }
    return b;
  }

  fits(size: number): boolean {
    return size <= this.maxFileBytes && this.maxBytes > 0;
  }

  set(key: string, buf: Buffer): void {
    if (!this.fits(buf.length) || this.map.has(key)) return;
    this.map.set(key, buf);
    this.bytes += buf.length;
    for (const [k, v] of this.map) {
      if (this.bytes <= this.maxBytes) break;
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }
}

/** Looks a file of a kept version up (the caller has checked the program may be served to this request). */
export function makeFileLookup(db: Db, config: { mediaDir: string }) {
  const fileRow = makeProgramFileLookup(db);
  return (programId: number, version: number, file: string): ServedFile | undefined => {
    const row = fileRow(programId, version, file);
    if (!row) return undefined;
    return {
      absPath: path.join(versionDir(config, programId, version), file),
      size: row.size,
      etag: mediaEtag(row.sha256),
      contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    };
  };
}

/** Reads a whole file (for the cache); undefined when it vanished (the collector removed its version). */
export async function readWhole(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.promises.readFile(file);
  } catch {
    return undefined;
  }
}
