// Pure: which files a site must hold, at which rung, and from when. No I/O, no clock.
import { RUNGS, type ManifestFile, type Rung } from '../../common/manifest.ts';
import { versionedMediaPath } from '../../common/manifest.ts';
import type { ChannelTimelineInput, TimelineProgram } from '../../common/timeline-types.ts';
import type { ProgramFileRow } from '../media/media-data.ts';

export type { ProgramFileRow };

const rank = (rung: string) => RUNGS.indexOf(rung as Rung);

/**
 * The one rung a site holds of a program: the highest it has at or below the site's maxRung, else (a program
 * made only above the cap, which the house ladder never does) its lowest. A site plays from its own disk, so
 * one rung per program is all it needs; holding the lower rungs too would cost its slow link ~60 % more.
 */
export function heldRung(programRungs: readonly string[], maxRung: Rung): string | undefined {
  const known = programRungs.filter((r) => rank(r) >= 0).sort((a, b) => rank(a) - rank(b));
  return known.find((r) => rank(r) >= rank(maxRung)) ?? known[known.length - 1];
}

/** The files of one program a site holds: its held rung's playlist and segments, plus the master playlist and poster. */
export function filesAtRung(files: readonly ProgramFileRow[], rung: string | undefined): ProgramFileRow[] {
  return files.filter((f) => f.rung === null || f.rung === rung);
}

/** Path relative to the media root, as the agent fetches it under /media/: the file in its version's folder. */
export const mediaPath = (f: Pick<ProgramFileRow, 'programId' | 'version' | 'path'>) => versionedMediaPath(f.programId, f.version, f.path);

const SEGMENT = /(?:^|\/)seg_(\d+)\.ts$/;

/** The segment number of a segment file ('480p/seg_00003.ts' -> 3), undefined for other files. */
export function segmentIndex(path: string): number | undefined {
  const m = SEGMENT.exec(path);
  return m ? Number(m[1]) : undefined;
}

export interface RequiredInput {
  channels: readonly ChannelTimelineInput[];
  /** Every file of the version of a program a timeline names (scheduled programs and slates). */
  files: (program: Pick<TimelineProgram, 'id' | 'version'>) => readonly ProgramFileRow[];
  /** The rung held of each program. */
  rungs: ReadonlyMap<number, string | undefined>;
  fromMs: number;
  toMs: number;
}

/**
 * Files that scheduled broadcasts between fromMs and toMs need, each once, with the earliest instant it is on
 * air (segments of a long program are needed one after another, so the agent fetches them in that order and
 * only the first 2 h count as urgent). A slate may play at any moment (gaps, programs not ready): needed at fromMs.
 */
export function requiredFiles(input: RequiredInput): ManifestFile[] {
  const needed = new Map<string, ManifestFile>();
  const need = (f: ProgramFileRow, at: number) => {
    const key = mediaPath(f);
    const prev = needed.get(key);
    if (!prev || (prev.neededAt ?? Infinity) > at)
      needed.set(key, { path: key, size: f.size, sha256: f.sha256, programId: f.programId, neededAt: at });
  };
  const wholeProgram = (program: TimelineProgram, at: number) => {
    for (const f of filesAtRung(input.files(program), input.rungs.get(program.id))) need(f, at);
  };

  for (const channel of input.channels) {
    wholeProgram(channel.slate, input.fromMs);
    for (const item of channel.items) {
      if (item.end <= input.fromMs || item.start >= input.toMs || item.programId === null) continue;
      const program = channel.programs[item.programId];
      if (!program) continue; // not ready: the slate plays
      const rung = input.rungs.get(item.programId);
      const files = filesAtRung(input.files(program), rung);
      // When each segment goes on air: the item's start plus the durations before it.
      const startOf: number[] = [];
      let t = item.start;
      for (const d of program.segments) {
        startOf.push(t);
        t += Math.round(d * 1000);
      }
      let first = Infinity;
      for (const f of files) {
        const seq = segmentIndex(f.path);
        if (seq === undefined) continue;
        const start = startOf[seq];
        const end = seq + 1 < startOf.length ? startOf[seq + 1] : t;
        if (start === undefined || start >= item.end || start >= input.toMs || end <= input.fromMs) continue;
        const at = Math.max(start, input.fromMs);
        need(f, at);
        first = Math.min(first, at);
      }
      if (first === Infinity) continue;
      for (const f of files) if (segmentIndex(f.path) === undefined) need(f, first);
    }
  }
  return [...needed.values()].sort((a, b) => a.neededAt! - b.neededAt! || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
