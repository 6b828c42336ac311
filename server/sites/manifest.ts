// The site manifest (GET /api/sites/me/manifest), built cheaply enough for 25,000 sites polling every 60 s.
//
// Nearly all of a manifest is shared: every site whose region receives the same channels and holds the same
// rung gets the same channels, schedule and required files, and every site with the same rung gets the same
// catalog. So the manifest is assembled from pre-serialised JSON fragments cached per
//   (channel set, maxRung, hour) for channels + required files, and (maxRung) for the catalog,
// plus a few site fields spliced in per request. The ETag hashes the fragments' hashes and the site fields
// (never generatedAt), so an unchanged manifest answers 304 without building anything.
//
// Freshness: the schedule window starts at the top of the hour and spans 49 h, so a site always sees at least
// the next 48 h and the content (and ETag) changes at most hourly with the clock. Data changes are noticed
// through a cheap fingerprint of the tables the manifest reads (counts, max ids, max updated_at; the schedule
// only inside the window), re-read at most once per second; fragments are also rebuilt every 5 minutes.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Db } from '../db/connection.ts';
import type { ManifestChannel, ManifestProgram, Rung, SiteManifest } from '../../common/manifest.ts';
import type { ChannelTimelineInput } from '../../common/timeline-types.ts';
import { CATEGORIES } from '../../content/taxonomy.ts';
import { filesAtRung, heldRung, mediaPath, requiredFiles, type ProgramFileRow } from './manifest-files.ts';
import { pathIds } from './regions.ts';
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
}

export function loadManifestSite(db: Db, siteId: number): ManifestSite | undefined {
  return db
    .prepare(
      `SELECT s.id, s.name, s.region_id AS regionId, r.path AS regionPath, s.download_window AS downloadWindow,
              s.bandwidth_kbps AS bandwidthKbps, s.max_rung AS maxRung
         FROM sites s JOIN regions r ON r.id = s.region_id WHERE s.id = ?`,
    )
    .get(siteId) as ManifestSite | undefined;
}

/** Channels a region receives: those with no regions, and those made available to it or one of its ancestors. */
export function channelsForRegion(db: Db, regionPath: string): number[] {
  const ids = pathIds(regionPath);
  return (
    db
      .prepare(
        `SELECT c.id FROM channels c
          WHERE NOT EXISTS (SELECT 1 FROM channel_regions cr WHERE cr.channel_id = c.id)
             OR EXISTS (SELECT 1 FROM channel_regions cr WHERE cr.channel_id = c.id
                         AND cr.region_id IN (${ids.map(() => '?').join(',') || 'NULL'}))
          ORDER BY c.number`,
      )
      .all(...ids) as Array<{ id: number }>
  ).map((r) => r.id);
}

function programFiles(db: Db, ids: number[]): Map<number, ProgramFileRow[]> {
  const out = new Map<number, ProgramFileRow[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const stmt = db.prepare(
    'SELECT program_id AS programId, path, rung, size, sha256 FROM program_files WHERE program_id = ? ORDER BY path',
  );
  for (const id of ids) out.set(id, stmt.all(id) as ProgramFileRow[]);
  return out;
}

function programRungs(db: Db, ids: number[]): Map<number, string[]> {
  const stmt = db.prepare('SELECT name FROM renditions WHERE program_id = ?');
  return new Map(ids.map((id) => [id, (stmt.all(id) as Array<{ name: string }>).map((r) => r.name)]));
}

function buildChannelsPart(db: Db, timelineFor: TimelineSource, log: ManifestLog, channelIds: number[], maxRung: Rung, fromMs: number, toMs: number, now: number) {
  const meta = db.prepare('SELECT id, number, name, description FROM channels WHERE id = ?');
  const title = db.prepare<[number], { title: string; published: number }>('SELECT title, published FROM programs WHERE id = ?');
  const timelines: ChannelTimelineInput[] = [];
  const channels: ManifestChannel[] = [];
  for (const id of channelIds) {
    const c = meta.get(id) as Omit<ManifestChannel, 'timeline' | 'titles'> | undefined;
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
        const row = title.get(pid);
        if (row && (row.published === 1 || pid === timeline.slate.id)) titles[pid] = row.title;
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
  const rungs = new Map([...programRungs(db, ids)].map(([id, r]) => [id, heldRung(r, maxRung)]));
  const required = requiredFiles({ channels: timelines, files: programFiles(db, ids), rungs, fromMs, toMs });
  return { channels, required };
}

function buildCatalogPart(db: Db, maxRung: Rung): ManifestProgram[] {
  const rows = db
    .prepare(
      `SELECT p.id, p.title, p.description, p.lecturer, p.category, p.series_id AS seriesId, s.title AS seriesTitle,
              p.episode, coalesce(p.duration, 0) AS duration, p.language
         FROM programs p LEFT JOIN series s ON s.id = p.series_id
        WHERE p.status = 'ready' AND p.published = 1
          AND p.id NOT IN (SELECT generated_slate_id FROM channels WHERE generated_slate_id IS NOT NULL)
        ORDER BY p.id`,
    )
    .all() as Array<Omit<ManifestProgram, 'audiences' | 'rungs' | 'files'>>;
  const ids = rows.map((r) => r.id);
  const audiences = db.prepare('SELECT audience FROM program_audiences WHERE program_id = ? ORDER BY audience');
  const rungs = programRungs(db, ids);
  const files = programFiles(db, ids);
  return rows.map((r) => {
    const held = heldRung(rungs.get(r.id) ?? [], maxRung);
    return {
      ...r,
      audiences: (audiences.all(r.id) as Array<{ audience: string }>).map((a) => a.audience),
      rungs: held ? [held] : [],
      files: filesAtRung(files.get(r.id) ?? [], held).map((f) => ({ path: mediaPath(f), size: f.size, sha256: f.sha256 })),
    };
  });
}

/** A cheap summary of everything a manifest is built from; when it changes, cached fragments are dropped. */
function fingerprint(db: Db, fromMs: number, toMs: number): string {
  const one = (sql: string, ...args: unknown[]) => JSON.stringify(Object.values(db.prepare(sql).get(...args) as object));
  const parts = [
    one("SELECT count(*), max(updated_at), total(status = 'ready'), total(published) FROM programs"),
    one('SELECT max(rowid) FROM program_files'),
    one('SELECT max(rowid), count(*) FROM renditions'),
    one('SELECT count(*), max(rowid) FROM series'),
    one('SELECT count(*), max(rowid) FROM program_audiences'),
    one('SELECT count(*), max(updated_at), total(coalesce(slate_program_id, 0) + coalesce(generated_slate_id, 0)) FROM channels'),
    one('SELECT count(*), total(channel_id * 7919 + region_id) FROM channel_regions'),
    questionnairesFingerprint(db),
  ];
  const items = db.prepare(
    `SELECT count(*), max(id), max(updated_at), total(coalesce(program_id, 0)), total(end_at - start_at), total(start_at % 1000003)
       FROM schedule_items WHERE channel_id = ? AND start_at > ? AND start_at < ?`,
  );
  for (const { id } of db.prepare('SELECT id FROM channels ORDER BY id').all() as Array<{ id: number }>)
    parts.push(JSON.stringify(Object.values(items.get(id, fromMs - 24 * HOUR_MS, toMs) as object)));
  return sha(parts.join('|'));
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
  private readonly categories = JSON.stringify(CATEGORIES.map((c) => ({ id: c.id, zh: c.zh, en: c.en })));

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
    const catalog = this.cached(`c|${site.maxRung}`, now, () => buildCatalogPart(this.db, site.maxRung));
    const questionnaires = this.cached(`q|${site.regionPath}`, now, () => manifestQuestionnaires(this.db, site.regionPath, now));
    const siteFields: Omit<SiteManifest, 'generatedAt' | 'channels' | 'required' | 'catalog' | 'categories' | 'questionnaires'> = {
      siteId: site.id,
      siteName: site.name,
      regionId: site.regionId,
      downloadWindow: site.downloadWindow,
      bandwidthKbps: site.bandwidthKbps,
      maxRung: site.maxRung,
      provinceTz: this.provinceTz,
    };
    const headJson = JSON.stringify(siteFields);
    const etag = `"${sha(`${headJson}|${schedule.hash}|${catalog.hash}|${questionnaires.hash}`).slice(0, 40)}"`;
    // schedule.json is {"channels":[...],"required":[...]}: its members are spliced in after the site fields.
    const head = `${headJson.slice(0, -1)},"generatedAt":${now},`;
    const tail = `,"categories":${this.categories},"questionnaires":${questionnaires.json}}`;
    const scheduleText = () => `${schedule.json.slice(1, -1)},"catalog":`;
    return {
      etag,
      body: () => Buffer.concat([Buffer.from(head), bytesOnce(schedule, scheduleText), bytesOnce(catalog, () => catalog.json), Buffer.from(tail)]),
      gzip: () => Buffer.concat([gz(head), gzippedOnce(schedule, scheduleText), gzippedOnce(catalog, () => catalog.json), gz(tail)]),
    };
  }
}
