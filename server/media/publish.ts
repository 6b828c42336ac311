// The one publish path for finished output (transcoded lectures, channel cards, the house slate): the build folder
// is walked once (size and sha256 of every file), renamed into place whole as a NEW version folder
// (programs/<id>/v<n>/), then recorded in one transaction with the program becoming `ready`. The previous version
// stays on disk and served, unchanged, until the collector (versions.ts) finds nothing names it any more, so a
// URL always means the same bytes and readers see the old output or the new one, never half of either.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/connection.ts';
import { markProgramReady } from '../catalog/repo.ts';
import { listChannels } from '../broadcast/repo.ts';
import { invalidateChannel } from '../broadcast/timeline-input.ts';
import { nextVersion, recordOutputVersion, type OutputRecord } from './media-data.ts';
import { publishDir } from './store.ts';

export type OutputFile = OutputRecord['files'][number];

/**
 * Every file of a build folder, relative to it, sorted by path, with size and sha256. Dot files (scratch the
 * encoder read) are skipped; a file's rung is its first folder (null for master.m3u8 and the poster).
 */
function listOutputFiles(root: string): OutputFile[] {
  const out: OutputFile[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else {
        const data = fs.readFileSync(path.join(root, r));
        out.push({
          path: r,
          rung: rel ? rel.split('/')[0] : null,
          size: data.length,
          sha256: crypto.createHash('sha256').update(data).digest('hex'),
        });
      }
    }
  };
  walk('');
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export interface Publication {
  programId: number;
  /** The finished build folder (moved away by publishing). */
  builtDir: string;
  renditions: OutputRecord['renditions'];
  /** Segment durations (s), the same on every rung. */
  segments: number[];
  duration: number;
  poster: string | null;
  /** The source probe to keep with the program (transcodes). */
  probe?: unknown;
  /** More writes that must commit with the output (the job done, the channel's slate ready). */
  alsoInTransaction?: () => void;
}

/**
 * Publishes a finished output as the program's next version: files into place, then rows, in that order (a crash
 * between leaves an unrecorded folder that the next publish of the program replaces). Returns the version number.
 */
export function publishOutput(db: Db, config: { mediaDir: string }, p: Publication, at = new Date().toISOString()): number {
  const files = listOutputFiles(p.builtDir);
  const version = nextVersion(db, p.programId);
  publishDir(config, p.builtDir, p.programId, version);
  db.transaction(() => {
    recordOutputVersion(db, p.programId, version, { renditions: p.renditions, segments: p.segments, files }, at);
    markProgramReady(db, p.programId, { duration: p.duration, poster: p.poster, probe: p.probe }, at);
    p.alsoInTransaction?.();
  })();
  // Compiled channel timelines hold the layout and version of what they play: upcoming items take the new version
  // at once (items that aired keep theirs).
  for (const channel of listChannels(db)) invalidateChannel(db, channel.id);
  return version;
}
