// Collecting superseded output versions. Every publish is a new version folder (publish.ts), so old ones pile up
// unless removed. The rule: a superseded version goes once BOTH
//  - it was superseded at least the grace ago (MEDIA_VERSION_GRACE_HOURS, default 48 h): a site polls its manifest
//    about every minute, so any site active since the switch has long been told the new version, and a site that
//    was away longer fetches a fresh manifest before anything else (the old one it holds keeps playing from its own
//    disk, which this never touches); and
//  - no channel's live timeline names it: an item that aired keeps naming the version it played (aired_layouts,
//    the past never changes), and a program that aired keeps that version for its later airings in the same
//    window; as long as the live window or a site manifest's window can reach it, it stays.
// The current version of a program is never removed; a deleted program takes all of its versions with it.
import type { Db } from '../db/connection.ts';
import type { ChannelTimelineInput } from '../../common/timeline-types.ts';
import { listChannels } from '../broadcast/repo.ts';
import { liveTimeline, NothingToPlayError } from '../broadcast/timeline-input.ts';
import { WINDOW_MS } from '../sites/manifest.ts';
import { forgetVersion, supersededVersions, type SupersededVersion } from './media-data.ts';
import { removeVersionDir } from './store.ts';

/** How a (program, version) pair is keyed in sets. */
export const versionKey = (programId: number, version: number): string => `${programId}/v${version}`;

/** PURE: the superseded versions the rule lets go at `nowMs`, given the versions something still names. */
export function collectable(
  superseded: readonly SupersededVersion[],
  named: ReadonlySet<string>,
  nowMs: number,
  graceMs: number,
): SupersededVersion[] {
  return superseded.filter((v) => Date.parse(v.supersededAt) + graceMs <= nowMs && !named.has(versionKey(v.programId, v.version)));
}

/**
 * Versions the channels' timelines name from their stored anchor (an hour or more back: the live window and every
 * manifest's look-back) to the end of the window a site manifest spans.
 */
export function versionsNamedOnAir(db: Db, nowMs: number): Set<string> {
  const named = new Set<string>();
  for (const channel of listChannels(db)) {
    const input = channelInput(db, channel.id, nowMs);
    if (!input) continue;
    for (const p of [input.slate, ...Object.values(input.programs)]) if (p.version !== undefined) named.add(versionKey(p.id, p.version));
  }
  return named;
}

/** A channel's timeline input from its anchor to the end of a manifest's window; null while it has nothing to play. */
function channelInput(db: Db, channelId: number, nowMs: number): ChannelTimelineInput | null {
  try {
    return liveTimeline(db, channelId, nowMs, nowMs + WINDOW_MS).input;
  } catch (err) {
    if (err instanceof NothingToPlayError) return null; // nothing to play names nothing
    throw err;
  }
}

export interface CollectLog {
  info(obj: object, msg?: string): void;
}

/** Removes what the rule lets go: rows first (nothing names the files any more), then the folder. */
export function collectOldVersions(
  db: Db,
  config: { mediaDir: string; mediaVersionGraceHours: number },
  nowMs: number,
  log: CollectLog,
): SupersededVersion[] {
  const superseded = supersededVersions(db);
  if (superseded.length === 0) return [];
  const gone = collectable(superseded, versionsNamedOnAir(db, nowMs), nowMs, config.mediaVersionGraceHours * 3600_000);
  const removed: SupersededVersion[] = [];
  for (const v of gone) {
    if (!forgetVersion(db, v.programId, v.version)) continue;
    removeVersionDir(config, v.programId, v.version);
    removed.push(v);
    log.info({ program: v.programId, version: v.version, supersededAt: v.supersededAt }, 'old media version removed');
  }
  return removed;
}
