// At a province: follows the centre's library feed. Each offered program becomes a read-only local program (origin
// 'central'); its current central version is fetched file by file into a staging folder with the shared verified
// downloader (Range resume of a .part, size + sha256, fsync + rename), inside UPSTREAM_DOWNLOAD_WINDOW and under
// UPSTREAM_BANDWIDTH_KBPS, and published through the media domain's one publish path once every file is verified:
// only then is the program `ready`. A central re-transcode arrives as a higher version and is fetched the same
// way while the held one keeps playing; a program that leaves the feed is withdrawn (unpublished, with a warning).
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import type { LibraryFeed, LibraryProgram, MirrorStatus } from '../../common/api/platforms.ts';
import { inWindowText, nextWindowOpenText } from '../../common/download-window.ts';
import { UplinkDown } from '../../common/link-errors.ts';
import { centreGet, type CentreCredentials } from './centre-get.ts';
import { kbpsToBytesPerSecond, TokenBucket } from '../../common/token-bucket.ts';
import { downloadVerified, sha256File, storePath, type MediaGet } from '../../common/verified-download.ts';
import { versionFolder } from '../../common/manifest.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/connection.ts';
import { insertCentralProgram, pickCentralMetadata, programTitle, updateCentralProgram } from '../catalog/repo.ts';
import { publishOutput } from '../media/publish.ts';
import { getChannel, removeProgramFromFutureSchedules } from '../broadcast/repo.ts';
import { invalidateChannel } from '../broadcast/timeline-input.ts';
import { tmpRoot } from '../media/store.ts';
import type { RungName } from '../../common/ladder.ts';
import {
  centralIdsByProgram,
  insertMirrorRow,
  markHeld,
  markOffered,
  markWithdrawn,
  mirrorRow,
  mirrorRows,
  recordProgress,
  startFetching,
  withdrawnChannels,
} from './mirror-data.ts';
import type { UpstreamLink } from './link.ts';

/** Files fetched at once for one program (through the one bandwidth bucket). */
const MIRROR_FILES_AT_ONCE = 3;

type MirrorConfig = Pick<Config, 'mediaDir' | 'provinceTz' | 'upstreamDownloadWindow' | 'upstreamBandwidthKbps'>;

export class LibraryMirror {
  private readonly bucket: TokenBucket;
  private etag: string | null = null;
  private feed: LibraryFeed | null = null;
  private lastSyncAt: string | null = null;
  private lastError: string | null = null;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly config: MirrorConfig,
    private readonly link: UpstreamLink,
    private readonly log: FastifyBaseLogger,
  ) {
    this.bucket = new TokenBucket(kbpsToBytesPerSecond(config.upstreamBandwidthKbps));
    link.setCentralIds((ids) => {
      const all = centralIdsByProgram(db);
      return new Map(ids.flatMap((id) => (all.has(id) ? [[id, all.get(id)!] as const] : [])));
    });
    link.registerPart('mirror', () => this.status());
  }

  /** One pass: read the feed, apply it, fetch what is missing (inside the window). One pass at a time. */
  sync(now = new Date()): Promise<void> {
    this.running ??= this.syncOnce(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncOnce(now: Date): Promise<void> {
    const creds = this.link.credentials();
    if (!creds) return;
    try {
      const feed = await this.readFeed(creds);
      this.apply(feed, now.toISOString());
      this.lastSyncAt = now.toISOString();
      this.lastError = null;
      if (inWindowText(this.config.upstreamDownloadWindow, this.config.provinceTz, now.getTime())) await this.fetchAll(creds, feed);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.log.warn({ err }, `mirror: ${this.lastError}`);
    }
  }

  private async readFeed(creds: CentreCredentials): Promise<LibraryFeed> {
    const got = await centreGet<LibraryFeed>(creds, '/api/platforms/me/library', this.feed ? this.etag : null);
    if (!got) return this.feed!;
    this.feed = got.body;
    this.etag = got.etag;
    return got.body;
  }

  /** Metadata, new programs, new versions to fetch, withdrawals: rows only, no I/O. */
  private apply(feed: LibraryFeed, at: string): void {
    const changedChannels: number[] = [];
    this.db.transaction(() => {
      const offered = new Set<number>();
      for (const p of feed.programs) {
        offered.add(p.id);
        const row = mirrorRow(this.db, p.id);
        if (!row) insertMirrorRow(this.db, p.id, insertCentralProgram(this.db, pickCentralMetadata(p), at), p.updatedAt, at);
        else if (row.centralUpdatedAt !== p.updatedAt || row.withdrawnAt) {
          updateCentralProgram(this.db, row.programId, pickCentralMetadata(p), true, at);
          markOffered(this.db, p.id, p.updatedAt, at);
        }
        const held = mirrorRow(this.db, p.id)!;
        if (held.heldVersion !== p.version)
          startFetching(
            this.db,
            p.id,
            p.version,
            p.files.reduce((n, f) => n + f.size, 0),
            at,
          );
      }
      for (const row of mirrorRows(this.db)) {
        if (offered.has(row.centralId) || row.withdrawnAt) continue;
        const removed = removeProgramFromFutureSchedules(this.db, row.programId, Date.parse(at));
        const note =
          `The centre withdrew program ${row.programId} (central ${row.centralId}): it is no longer offered; ` +
          `${removed.items} scheduled item(s) to come were removed and ${removed.slots} recurring slot(s) ended` +
          (removed.channels.length ? ` on channel(s) ${removed.channels.join(', ')}: fill the gaps.` : '.');
        const channels = removed.channels.map((id) => {
          const c = getChannel(this.db, id);
          return { id, number: c.number, name: c.name };
        });
        const title = programTitle(this.db, row.programId) ?? null;
        markWithdrawn(this.db, row.centralId, { note, title, items: removed.items, slots: removed.slots, channels }, at);
        updateCentralProgram(this.db, row.programId, null, false, at);
        changedChannels.push(...removed.channels);
        this.log.warn({ centralId: row.centralId, programId: row.programId, ...removed }, `mirror: ${note}`);
      }
    })();
    for (const channelId of new Set(changedChannels)) invalidateChannel(this.db, channelId);
  }

  private async fetchAll(creds: CentreCredentials, feed: LibraryFeed): Promise<void> {
    for (const p of feed.programs) {
      const row = mirrorRow(this.db, p.id);
      if (!row || row.fetchingVersion !== p.version) continue;
      await this.fetchVersion(creds, p, row.programId);
    }
  }

  /** Every file of the program's central version into its staging folder, verified; then published as one version. */
  private async fetchVersion(creds: CentreCredentials, p: LibraryProgram, programId: number): Promise<void> {
    const staging = path.join(tmpRoot(this.config), `mirror-${p.id}-${versionFolder(p.version)}`);
    let verified = 0;
    let next = 0;
    let failure: Error | null = null;
    // A few files at once through the one bucket: the cap still holds, and each file's request, hash and fsync no
    // longer leave the link idle (a lecture is some 150 small files).
    const worker = async () => {
      while (!failure && next < p.files.length) {
        const file = p.files[next++]!;
        try {
          await this.fetchFile(creds, p, staging, file);
        } catch (err) {
          failure ??= err as Error;
          return;
        }
        verified += file.size;
        recordProgress(this.db, p.id, verified, null, new Date().toISOString());
      }
    };
    await Promise.all(Array.from({ length: Math.min(MIRROR_FILES_AT_ONCE, p.files.length) }, worker));
    if (failure) {
      const message = `program ${p.id} v${p.version}: ${(failure as Error).message}`;
      recordProgress(this.db, p.id, verified, message, new Date().toISOString());
      throw new Error(message);
    }
    const at = new Date().toISOString();
    publishOutput(
      this.db,
      this.config,
      {
        programId,
        builtDir: staging,
        renditions: p.renditions.map((r) => ({ ...r, name: r.name as RungName })),
        segments: p.segments,
        duration: p.duration,
        poster: p.poster,
        alsoInTransaction: () => markHeld(this.db, p.id, p.version, at),
      },
      at,
    );
    this.log.info({ centralId: p.id, programId, version: p.version }, 'mirror: a central program is ready');
  }

  /** One file into the staging folder, unless a verified copy is already there. */
  private async fetchFile(
    creds: CentreCredentials,
    p: LibraryProgram,
    staging: string,
    file: LibraryProgram['files'][number],
  ): Promise<void> {
    const dest = storePath(staging, file.path);
    // A file already staged (an earlier pass) is checked again before it is trusted: the disk may have lost it.
    const have = await fsp.stat(dest).then(
      (s) => s.size,
      () => -1,
    );
    if (have === file.size && (await sha256File(dest)) === file.sha256) return;
    await fsp.rm(dest, { force: true });
    const originGet: MediaGet = (headers, signal) =>
      fetch(`${creds.upstreamUrl}/media/programs/${p.id}/${versionFolder(p.version)}/${file.path}`, { headers, signal }).catch((err) => {
        if (signal.aborted) throw err;
        throw new UplinkDown(`the centre ${creds.upstreamUrl} is unreachable: ${(err as Error).message}`);
      });
    await downloadVerified({ storeDir: staging, file, bucket: this.bucket, originGet });
  }

  status(now = Date.now()): MirrorStatus {
    const rows = mirrorRows(this.db);
    const opensAt = nextWindowOpenText(this.config.upstreamDownloadWindow, this.config.provinceTz, now);
    const live = rows.filter((r) => !r.withdrawnAt);
    return {
      programs: live.length,
      ready: live.filter((r) => r.heldVersion !== null && r.fetchingVersion === null).length,
      fetching: live.filter((r) => r.fetchingVersion !== null).length,
      withdrawn: rows.length - live.length,
      bytesVerified: live.reduce((n, r) => n + (r.fetchingVersion !== null ? r.fetchBytes : 0), 0),
      bytesTotal: live.reduce((n, r) => n + (r.fetchingVersion !== null ? r.fetchTotal : 0), 0),
      inWindow: inWindowText(this.config.upstreamDownloadWindow, this.config.provinceTz, now),
      window: this.config.upstreamDownloadWindow,
      windowOpensAt: opensAt === null ? null : new Date(opensAt).toISOString(),
      lastSyncAt: this.lastSyncAt,
      lastError: this.lastError ?? live.find((r) => r.lastError)?.lastError ?? null,
      warnings: rows.flatMap((r) =>
        r.withdrawnAt && r.withdrawalNote
          ? [
              {
                programId: r.programId,
                at: r.withdrawnAt,
                message: r.withdrawalNote,
                title: r.withdrawnTitle,
                removedItems: r.withdrawnItems,
                endedSlots: r.withdrawnSlots,
                channels: withdrawnChannels(r),
              },
            ]
          : [],
      ),
    };
  }
}
