// The site manifest (GET /api/sites/me/manifest), built cheaply enough for 25,000 sites polling every 60 s.
//
// Nearly all of a manifest is shared: every site whose region receives the same channels and holds the same
// rung gets the same channels, schedule and required files. So the manifest is assembled from a pre-serialised
// JSON fragment cached per (channel set, maxRung, hour) plus a few site fields spliced in per request. The ETag
// hashes the fragment's hash and the site fields (never generatedAt), so an unchanged manifest answers 304
// without building anything.
//
// The on-demand catalog (several MB at 1,000 lectures) is its own resource (GET /api/sites/me/catalog), one
// fragment per maxRung with its own strong ETag; the manifest carries only that ETag (catalogEtag), so a
// schedule change re-sends the schedule, not the library.
//
// Freshness: the schedule window starts at the top of the hour and spans 49 h, so a site always sees at least
// the next 48 h and the content (and ETag) changes at most hourly with the clock. Data changes are noticed
// through a cheap fingerprint of the tables the manifest reads (counts, max ids, max updated_at; the schedule
// only inside the window), re-read at most once per second; fragments are also rebuilt every 5 minutes.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Db } from '../db/connection.ts';
import type { ManifestChannel, ManifestProgram, Rung, SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import type { ChannelTimelineInput, TimelineProgram } from '../../common/timeline-types.ts';
import { CATEGORIES } from '../../content/taxonomy.ts';
import { broadcastFingerprint, channelHeader, channelIdsReaching } from '../broadcast/repo.ts';
import { catalogFingerprint, programGuideFields, publishedReadyLectures } from '../catalog/repo.ts';
import { outputFingerprint, programFiles, renditionNames, versionFiles } from '../media/media-data.ts';
import { filesAtRung, heldRung, mediaPath, requiredFiles, type ProgramFileRow } from './manifest-files.ts';
import { effectiveRelayUrl, pathIds } from './regions.ts';
import { manifestQuestionnaires, questionnairesFingerprint } from '../questionnaires/manifest-part.ts';

export type TimelineSource = (db: Db, channelId: number, fromMs: number, toMs: number, nowMs: number) => ChannelTimelineInput;

/** Where skipped channels are reported. */
export type ManifestLog = (channelId: number, err: unknown) => void;

export const HOUR_MS = 3600_000;
export const WINDOW_MS = 49 * HOUR_MS;
const RECHECK_MS = 1000;
const MAX_AGE_MS = 5 * 60_000;

interface Fragment {
  json: string;
  hash: string;
  builtAt: number;
  /** Its bytes and gzip-compressed form as spliced into a body, made on first use. */
  bytes?: Buffer;
  gzipped?: Buffer;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const fragment = (value: unknown, now: number): Fragment => {
  const json = JSON.stringify(value);
  return { json, hash: sha(json), builtAt: now };
};
// Gzip members may be concatenated (RFC 1952 2.2): the big shared fragments are compressed once, and each
// response only compresses its few site-specific bytes around them.
const gz = (s: string) => gzipSync(s, { level: 6 });
function gzippedOnce(f: Fragment, text: () => string): Buffer {
  return (f.gzipped ??= gz(text()));
}
function bytesOnce(f: Fragment, text: () => string): Buffer {
  return (f.bytes ??= Buffer.from(text()));
}

/** The site fields the manifest carries, as the guard and the sites table give them. */
export interface ManifestSite {
  id: number;
  name: string;
  regionId: number;
  regionPath: string;
  downloadWindow: string;
  bandwidthKbps: number;
  maxRung: Rung;
  /** The county relay its region (or the nearest ancestor) names; null: media from the origin. */
  relayUrl: string | null;
}

export function loadManifestSite(db: Db, siteId: number): ManifestSite | undefined {
  const site = db
    .prepare<[number], Omit<ManifestSite, 'relayUrl'>>(
      `SELECT s.id, s.name, s.region_id AS regionId, r.path AS regionPath, s.download_window AS downloadWindow,
              s.bandwidth_kbps AS bandwidthKbps, s.max_rung AS maxRung
         FROM sites s JOIN regions r ON r.id = s.region_id WHERE s.id = ?`,
    )
    .get(siteId);
  return site && { ...site, relayUrl: effectiveRelayUrl(db, site.regionPath) };
}

/** Channels a region receives: those with no regions, and those made available to it or one of its ancestors. */
export function channelsForRegion(db: Db, regionPath: string): number[] {
  return channelIdsReaching(db, pathIds(regionPath));
}

/** The files of the version each timeline program names (one query per program and version). */
function timelineFiles(db: Db): (program: Pick<TimelineProgram, 'id' | 'version'>) => ProgramFileRow[] {
  const byKey = new Map<string, ProgramFileRow[]>();
  return (program) => {
    if (program.version === undefined) return [];
    const key = `${program.id}/${program.version}`;
    let rows = byKey.get(key);
    if (!rows) byKey.set(key, (rows = versionFiles(db, program.id, program.version)));
    return rows;
  };
}

function buildChannelsPart(
  db: Db,
  timelineFor: TimelineSource,
  log: ManifestLog,
  channelIds: number[],
  maxRung: Rung,
  fromMs: number,
  toMs: number,
  now: number,
) {
  const timelines: ChannelTimelineInput[] = [];
  const channels: ManifestChannel[] = [];
  for (const id of channelIds) {
    const c = channelHeader(db, id);
    if (!c) continue;
    let timeline: ChannelTimelineInput;
    try {
      timeline = timelineFor(db, id, fromMs, toMs, now);
    } catch (err) {
      // One channel without a playable slate yet must not take the others away from the site.
      log(id, err);
      continue;
    }
    // Sites get published programs only: a draft scheduled by mistake is left out (its item plays the slate at the
    // site) and its title never leaves the server. The slate is the channel's own card and always goes.
    const titles: Record<number, string> = {};
    const drafts = new Set<number>();
    for (const pid of new Set([timeline.slate.id, ...timeline.items.map((i) => i.programId)]))
      if (pid !== null) {
        const row = programGuideFields(db, pid);
        if (row && (row.published || pid === timeline.slate.id)) titles[pid] = row.title;
        else drafts.add(pid);
      }
    if (drafts.size)
      timeline = {
        ...timeline,
        programs: Object.fromEntries(Object.entries(timeline.programs).filter(([id]) => !drafts.has(Number(id)))),
      };
    timelines.push(timeline);
    channels.push({ ...c, timeline, titles });
  }
  const ids = [...new Set(timelines.flatMap((t) => [t.slate.id, ...Object.keys(t.programs).map(Number)]))];
  const rungs = new Map(ids.map((id) => [id, heldRung(renditionNames(db, id), maxRung)]));
  const required = requiredFiles({ channels: timelines, files: timelineFiles(db), rungs, fromMs, toMs });
  return { channels, required };
}

function buildCatalogPart(db: Db, maxRung: Rung): SiteCatalog {
  const programs = publishedReadyLectures(db).map((r): ManifestProgram => {
    const held = heldRung(renditionNames(db, r.id), maxRung);
    return {
      ...r,
      rungs: held ? [held] : [],
      files: filesAtRung(programFiles(db, r.id), held).map((f) => ({ path: mediaPath(f), size: f.size, sha256: f.sha256 })),
    };
  });
  return { programs, categories: CATEGORIES.map((c) => ({ id: c.id, zh: c.zh, en: c.en })) };
}

/** A cheap summary of everything a manifest or catalog is built from; when it changes, cached fragments are dropped. */
function fingerprint(db: Db, fromMs: number, toMs: number): string {
  // The schedule counts from a day back: an item started yesterday may still be on air.
  return sha(
    [
      catalogFingerprint(db),
      outputFingerprint(db),
      broadcastFingerprint(db, fromMs - 24 * HOUR_MS, toMs),
      questionnairesFingerprint(db),
    ].join('|'),
  );
}

export interface ManifestResponse {
  etag: string;
  /** The JSON body, built only when asked (a 304 needs none). */
  body(): Buffer;
  /** The same body gzip-encoded (for Accept-Encoding: gzip), from pre-compressed shared parts. */
  gzip(): Buffer;
}

export class ManifestCache {
  /** Grows whenever cached fragments are dropped (data or hour changed): held long polls re-check when it moves. */
  generation = 0;
  private fragments = new Map<string, Fragment>();
  private regionChannels = new Map<string, number[]>();
  private print = '';
  private checkedAt = -Infinity;
  private hour = -Infinity;

  constructor(
    private readonly db: Db,
    private readonly timelineFor: TimelineSource,
    private readonly provinceTz: string,
    private readonly log: ManifestLog = () => {},
  ) {}

  /** Drops everything cached (after a change the fingerprint cannot see, or in tests). */
  invalidate(): void {
    this.fragments.clear();
    this.regionChannels.clear();
    this.checkedAt = -Infinity;
    this.generation++;
  }

  /** Reads the fingerprint now (not once a second), so a change just made is seen; returns the generation. */
  recheck(now: number): number {
    this.checkedAt = -Infinity;
    this.refresh(now, Math.floor(now / HOUR_MS) * HOUR_MS);
    return this.generation;
  }

  private refresh(now: number, fromMs: number): void {
    if (fromMs !== this.hour) {
      // A new hour: last hour's schedule fragments will not be asked for again.
      this.hour = fromMs;
      this.fragments.clear();
      this.generation++;
    }
    if (now - this.checkedAt < RECHECK_MS) return;
    this.checkedAt = now;
    const print = fingerprint(this.db, fromMs, fromMs + WINDOW_MS);
    if (print !== this.print) {
      this.print = print;
      this.fragments.clear();
      this.regionChannels.clear();
      this.generation++;
    }
  }

  private cached(key: string, now: number, build: () => unknown): Fragment {
    let f = this.fragments.get(key);
    if (!f || now - f.builtAt > MAX_AGE_MS) {
      f = fragment(build(), now);
      this.fragments.set(key, f);
    }
    return f;
  }

  /** This site's catalog fragment (shared by every site with the same maxRung) and its strong ETag. */
  private catalogFragment(site: ManifestSite, now: number): { fragment: Fragment; etag: string } {
    const f = this.cached(`c|${site.maxRung}`, now, () => buildCatalogPart(this.db, site.maxRung));
    return { fragment: f, etag: `"cat-${f.hash.slice(0, 40)}"` };
  }

  /** GET /api/sites/me/catalog: the catalog at the site's rung, already serialised (and gzipped once, shared). */
  catalog(site: ManifestSite, now: number): ManifestResponse {
    this.refresh(now, Math.floor(now / HOUR_MS) * HOUR_MS);
    const { fragment: f, etag } = this.catalogFragment(site, now);
    return { etag, body: () => bytesOnce(f, () => f.json), gzip: () => gzippedOnce(f, () => f.json) };
  }

  manifest(site: ManifestSite, now: number): ManifestResponse {
    const fromMs = Math.floor(now / HOUR_MS) * HOUR_MS;
    const toMs = fromMs + WINDOW_MS;
    this.refresh(now, fromMs);
    let channelIds = this.regionChannels.get(site.regionPath);
    if (!channelIds) {
      channelIds = channelsForRegion(this.db, site.regionPath);
      this.regionChannels.set(site.regionPath, channelIds);
    }
    const schedule = this.cached(`s|${channelIds.join(',')}|${site.maxRung}|${fromMs}`, now, () =>
      buildChannelsPart(this.db, this.timelineFor, this.log, channelIds!, site.maxRung, fromMs, toMs, now),
    );
    const questionnaires = this.cached(`q|${site.regionPath}`, now, () => manifestQuestionnaires(this.db, site.regionPath, now));
    // The manifest names the catalog by its ETag only: a schedule change no longer re-sends the library.
    const siteFields: Omit<SiteManifest, 'generatedAt' | 'channels' | 'required' | 'questionnaires'> = {
      siteId: site.id,
      siteName: site.name,
      regionId: site.regionId,
      downloadWindow: site.downloadWindow,
      bandwidthKbps: site.bandwidthKbps,
      maxRung: site.maxRung,
      provinceTz: this.provinceTz,
      relayUrl: site.relayUrl, // in the ETag's hash like every site field: a new relay reaches the site at once
      catalogEtag: this.catalogFragment(site, now).etag,
    };
    const headJson = JSON.stringify(siteFields);
    const etag = `"${sha(`${headJson}|${schedule.hash}|${questionnaires.hash}`).slice(0, 40)}"`;
    // schedule.json is {"channels":[...],"required":[...]}: its members are spliced in after the site fields.
    const head = `${headJson.slice(0, -1)},"generatedAt":${now},`;
    const scheduleText = () => schedule.json.slice(1, -1);
    const tail = `,"questionnaires":${questionnaires.json}}`;
    return {
      etag,
      body: () => Buffer.concat([Buffer.from(head), bytesOnce(schedule, scheduleText), Buffer.from(tail)]),
      gzip: () => Buffer.concat([gz(head), gzippedOnce(schedule, scheduleText), gz(tail)]),
    };
  }
}
