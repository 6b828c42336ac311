// The agent's work loop: pairs once, long-polls the manifest (poll.ts: ETag held by the server up to 55 s, else
// every 60 s with jitter and backoff), fetches the catalog when the manifest names a new catalogEtag, keeps the cache in step with it (downloads in the window at the cap,
// urgent ones at once, eviction within the quota) and empties the outbox.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ManifestFile, SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import type { MediaCache } from './cache.ts';
import { downloadFile, VerifyFailed } from './download.ts';
import { isHeld, manifestIndex, planDownloads, planEviction, programFiles, protectedPaths, staleHeld, type PlannedFile } from './plan.ts';
import type { AgentStore } from './store.ts';
import { kbpsToBytesPerSecond, TokenBucket } from '../../common/token-bucket.ts';
import { LONG_POLL_TIMEOUT_MS, LONG_POLL_WAIT_SECONDS, nextPollDelay, type PollOutcome } from './poll.ts';
import { ServerRefused, Uplink, UplinkDown } from './uplink.ts';
import { inWindowText } from './window.ts';
import { MediaSourceTracker } from './media-sources.ts';

export interface SyncOptions {
  store: AgentStore;
  cache: MediaCache;
  uplink: Uplink;
  log: Logger;
  clock: () => number;
  /** Disk quota for the media cache, bytes. */
  quotaBytes: number;
  /** Manifest poll period when the server does not hold requests or cannot be reached, ms; jittered by ±20 %. */
  syncIntervalMs: number;
  /** Long-poll the manifest (default true). */
  longPoll?: boolean;
  /** Overrides the manifest's bandwidth cap (kbps), e.g. for a link shared with other uses. */
  bandwidthKbps?: number;
}

export interface DownloadState {
  path: string;
  programId: number;
  reason: PlannedFile['reason'];
  bytes: number;
  size: number;
}

const OUTBOX_BACKOFF_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000];
const MAX_VERIFY_FAILURES = 3;

/**
 * Events: 'online' / 'offline', 'synced' ({changed}), 'downloaded' ({path, resumedFrom, received, ms}),
 * 'download-failed' ({path, error}), 'evicted' ({programs, paths}), 'corrupt' ({path}), 'idle'.
 */
export class SiteSync extends EventEmitter {
  online = false;
  lastError: string | null = null;
  current: DownloadState | null = null;
  readonly bucket: TokenBucket;
  /** Relay or origin: which one the next file is asked from, and what came from where. */
  readonly media = new MediaSourceTracker();
  private manifestCache: SiteManifest | null;
  private etag: string | null;
  /** The on-demand catalog, its own resource: fetched when the manifest's catalogEtag differs from this one's. */
  private catalogCache: SiteCatalog | null;
  private catalogEtag: string | null;
  private timer: NodeJS.Timeout | null = null;
  /** When the next manifest poll starts (epoch ms, agent clock), while the poll loop runs. */
  nextPollAt: number | null = null;
  private pollFailures = 0;
  private polling: Promise<unknown> | null = null;
  private syncing: Promise<void> | null = null;
  private settling: Promise<void> = Promise.resolve();
  private pumping: Promise<void> | null = null;
  private flushing: Promise<void> | null = null;
  private pumpAgain = false;
  private abort = new AbortController();
  private closed = false;
  private overQuotaWarned = false;
  private spareCode: string | null = null;

  constructor(private readonly o: SyncOptions) {
    super();
    const saved = o.store.manifest();
    this.manifestCache = saved?.manifest ?? null;
    this.etag = saved?.etag ?? null;
    const savedCatalog = o.store.catalog();
    this.catalogCache = savedCatalog?.catalog ?? null;
    this.catalogEtag = savedCatalog?.etag ?? null;
    this.bucket = new TokenBucket(kbpsToBytesPerSecond(o.bandwidthKbps ?? this.manifestCache?.bandwidthKbps ?? 0));
  }

  get quotaBytes(): number {
    return this.o.quotaBytes;
  }

  get manifest(): SiteManifest | null {
    return this.manifestCache;
  }

  /** The on-demand catalog held (null until first fetched). */
  get catalog(): SiteCatalog | null {
    return this.catalogCache;
  }

  private setOnline(online: boolean, error: string | null = null): void {
    this.lastError = error;
    if (online === this.online) return;
    this.online = online;
    this.o.log.info({ online }, online ? 'uplink: server reachable' : `uplink: server unreachable (${error})`);
    this.emit(online ? 'online' : 'offline');
  }

  /** Records the outcome of any request to the server (the local server's pass-through reports here too). */
  reportContact(ok: boolean, error?: string): void {
    this.setOnline(ok, ok ? null : (error ?? 'request failed'));
  }

  /**
   * Pairs with the one-time code unless a token is stored (`ask` is asked for one when none was given). Retries
   * while the link is down or the server says to wait (429 + Retry-After); a refused code throws.
   */
  async ensurePaired(pairCode: string | undefined, ask?: () => Promise<string | undefined>): Promise<void> {
    const existing = this.o.store.pairing();
    if (existing) {
      this.o.uplink.setToken(existing.token);
      if (pairCode) {
        // Kept in case the server refuses the stored token (site re-registered, server data reset): then it re-pairs.
        this.spareCode = pairCode;
        this.o.log.info({ siteId: existing.siteId }, 'pairing: already paired; the pairing code is kept only in case the token is refused');
      }
      return;
    }
    const code = pairCode || (await ask?.())?.trim();
    if (!code) {
      throw new Error(
        'This agent is not paired: start it once with AGENT_PAIR_CODE=CODE (or type the code when asked, or --pair CODE), ' +
          'the code shown when the site was registered',
      );
    }
    for (let attempt = 0; ; attempt++) {
      try {
        const { siteId, token } = await this.o.uplink.pair(code);
        this.o.store.savePairing({ siteId, token, serverUrl: this.o.uplink.serverUrl });
        this.o.uplink.setToken(token);
        this.setOnline(true);
        this.o.log.info({ siteId }, 'pairing: paired with the server; token stored');
        return;
      } catch (err) {
        if (this.closed) throw err;
        let wait = Math.min(60_000, 2_000 * 2 ** attempt);
        if (err instanceof ServerRefused && err.status === 429) {
          // Too many attempts from this address (or everywhere): the code may well be right; wait as told.
          wait = err.retryAfterMs ?? wait;
          this.setOnline(true, err.message);
          const inS = Math.ceil(wait / 1000);
          this.o.log.warn({ retryInMs: wait }, `pairing: the server says too many pairing attempts; retrying in ${inS} s`);
        } else if (err instanceof ServerRefused) {
          throw new Error(`Pairing refused by ${this.o.uplink.serverUrl} (${err.message}). Ask the operator for a new pairing code.`);
        } else {
          wait = Math.max(wait, (err as UplinkDown).retryAfterMs ?? 0);
          this.setOnline(false, (err as Error).message);
          this.o.log.warn({ retryInMs: wait }, 'pairing: server unreachable, will retry');
        }
        await this.sleep(wait);
      }
    }
  }

  /** Waits `ms`, or less when the agent stops (then throws). */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const signal = this.abort.signal;
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(new Error('the agent is stopping'));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts the manifest poll loop (long poll when the server holds requests; see poll.ts). */
  start(): void {
    const tick = async () => {
      this.nextPollAt = null;
      if (this.closed) return;
      const wait = this.o.longPoll === false ? 0 : LONG_POLL_WAIT_SECONDS;
      const run = this.poll(wait);
      this.polling = run;
      const outcome = await run;
      if (this.closed) return;
      const delay = nextPollDelay(outcome, this.o.syncIntervalMs, Math.random());
      this.nextPollAt = this.o.clock() + delay;
      this.timer = setTimeout(() => void tick(), delay);
      this.timer.unref?.();
    };
    void tick();
  }

  /** One sync (manifest + reconcile + outbox), then wait until the downloads it started are done or stopped. */
  async syncNow(): Promise<void> {
    await this.syncOnce();
    await this.whenIdle();
  }

  async whenIdle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /** A sync without waiting on the server. Serialised: a caller during a sync shares it. */
  syncOnce(): Promise<void> {
    if (!this.syncing) {
      this.syncing = this.poll(0)
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.syncing = null;
        });
    }
    return this.syncing;
  }

  /** Asks for the manifest (held up to `waitSeconds` by a server that long-polls), then acts on what it has. */
  private async poll(waitSeconds: number): Promise<PollOutcome> {
    const started = performance.now();
    if (!this.o.store.pairing()) return { kind: 'refused', tookMs: 0, retryAfterMs: null };
    const result = await this.fetchManifest(waitSeconds);
    // Before reconciling: the catalog decides which lectures' files stay.
    const catalogChanged = result.kind === 'changed' || result.kind === 'unchanged' ? await this.fetchCatalogIfNamed() : false;
    const tookMs = performance.now() - started;
    if (this.closed) return { kind: 'refused', tookMs, retryAfterMs: null };
    this.pollFailures = result.kind === 'failed' ? this.pollFailures + 1 : 0;
    // Reconcile, downloads and outbox one after the other, even when a short sync meets a long poll.
    const settle = this.settling.then(() => this.afterManifest(result.kind === 'changed' || catalogChanged));
    this.settling = settle.catch(() => undefined);
    await settle;
    if (result.kind === 'failed') return { kind: 'failed', tookMs, failures: this.pollFailures, retryAfterMs: result.retryAfterMs };
    if (result.kind === 'refused') return { kind: 'refused', tookMs, retryAfterMs: result.retryAfterMs };
    return { kind: result.kind, tookMs };
  }

  private async fetchManifest(
    waitSeconds: number,
  ): Promise<{ kind: 'changed' | 'unchanged' } | { kind: 'failed' | 'refused'; retryAfterMs: number | null }> {
    try {
      const etag = this.etag;
      const got = await this.o.uplink.manifest(etag, {
        waitSeconds: waitSeconds || undefined,
        timeoutMs: waitSeconds ? LONG_POLL_TIMEOUT_MS : undefined,
        signal: this.abort.signal,
      });
      const now = this.o.clock();
      let changed = false;
      if (got && got.etag !== this.etag) {
        changed = true;
        this.manifestCache = got.manifest;
        this.etag = got.etag;
        this.o.store.saveManifest(got.manifest, got.etag, now);
        this.o.log.info(
          {
            etag: got.etag,
            channels: got.manifest.channels.length,
            required: got.manifest.required.length,
            catalogEtag: got.manifest.catalogEtag,
          },
          'sync: new manifest',
        );
      } else {
        this.o.log.debug('sync: manifest unchanged (304)');
      }
      this.o.store.setLastSyncAt(now);
      this.setOnline(true);
      return { kind: changed ? 'changed' : 'unchanged' };
    } catch (err) {
      if (this.closed) return { kind: 'refused', retryAfterMs: null };
      if (err instanceof ServerRefused && err.status === 401 && this.spareCode) {
        const code = this.spareCode;
        this.spareCode = null;
        this.o.log.warn('sync: the server refused the stored token; pairing again with the code given at start');
        try {
          const { siteId, token } = await this.o.uplink.pair(code);
          this.o.store.savePairing({ siteId, token, serverUrl: this.o.uplink.serverUrl });
          this.o.uplink.setToken(token);
          this.etag = null;
          this.o.log.info({ siteId }, 'pairing: paired again; token replaced');
          return this.fetchManifest(0);
        } catch (again) {
          this.lastError = (again as Error).message;
          this.o.log.error(
            `pairing: the code given at start was refused too (${(again as Error).message}); ask the operator for a new code`,
          );
          return { kind: 'refused', retryAfterMs: null };
        }
      }
      if (err instanceof ServerRefused && err.status === 429) {
        this.setOnline(true, err.message);
        this.o.log.warn({ retryAfterMs: err.retryAfterMs }, `sync: the server asks to slow down (${err.message})`);
        return { kind: 'failed', retryAfterMs: err.retryAfterMs };
      }
      if (err instanceof ServerRefused) {
        this.setOnline(true);
        this.lastError = err.message;
        const hint = 'is the site revoked? Re-pair with a new code (AGENT_PAIR_CODE)';
        this.o.log.error({ status: err.status }, `sync: server refused the manifest (${err.message}); ${hint}`);
        return { kind: 'refused', retryAfterMs: err.retryAfterMs };
      }
      this.setOnline(false, (err as Error).message);
      return { kind: 'failed', retryAfterMs: err instanceof UplinkDown ? err.retryAfterMs : null };
    }
  }

  /**
   * Fetches the catalog when the manifest names another one than the catalog held (also after a failed fetch, at
   * the next poll). Returns whether the catalog changed. A failure keeps the catalog held: lectures stay playable.
   */
  private async fetchCatalogIfNamed(): Promise<boolean> {
    const wanted = this.manifestCache?.catalogEtag;
    if (!wanted || (wanted === this.catalogEtag && this.catalogCache)) return false;
    try {
      const got = await this.o.uplink.catalog(this.catalogCache ? this.catalogEtag : null, this.abort.signal);
      if (!got) return false;
      this.catalogCache = got.catalog;
      this.catalogEtag = got.etag;
      this.o.store.saveCatalog(got.catalog, got.etag, this.o.clock());
      this.o.log.info({ etag: got.etag, programs: got.catalog.programs.length }, 'sync: new catalog');
      return true;
    } catch (err) {
      if (this.closed) return false;
      this.lastError = (err as Error).message;
      if (err instanceof UplinkDown) this.setOnline(false, (err as Error).message);
      this.o.log.warn(
        `sync: the catalog could not be fetched (${(err as Error).message}); keeping the one held, retrying at the next poll`,
      );
      return false;
    }
  }

  /** After each manifest poll: the bandwidth cap, the cache against the manifest, downloads, the outbox. */
  private async afterManifest(changed: boolean): Promise<void> {
    if (this.manifestCache && this.o.bandwidthKbps === undefined) {
      this.bucket.setRate(kbpsToBytesPerSecond(this.manifestCache.bandwidthKbps));
    }
    await this.reconcile();
    this.emit('synced', { changed });
    this.kick();
    if (this.online) await this.flushOutbox();
  }

  /** Drops files the manifest no longer lists and held files gone from disk; evicts if over quota. */
  async reconcile(): Promise<void> {
    const m = this.manifestCache;
    const dropped = await this.o.cache.quickCheck();
    if (!m) return;
    this.lost(dropped);
    const stale = staleHeld(m, this.catalogCache, this.o.store.heldFiles());
    if (stale.length) {
      this.o.log.info({ count: stale.length }, 'cache: removing files the manifest no longer lists');
      await this.o.cache.remove(stale.map((s) => s.path));
    }
    await this.evictFor(0, new Set(this.current ? [this.current.programId] : []));
  }

  /** Evicts least recently watched lectures until `incoming` more bytes fit. Returns whether they fit. */
  private async evictFor(incoming: number, pinned: Set<number>, allOrNothing = false): Promise<boolean> {
    const m = this.manifestCache;
    if (!m) return true;
    const plan = planEviction({
      quotaBytes: this.o.quotaBytes,
      held: this.o.store.heldFiles(),
      protectedPaths: protectedPaths(m, this.o.clock()),
      pinnedPrograms: pinned,
      lastUsed: this.o.store.lastUsed(),
      incomingBytes: incoming,
      allOrNothing,
    });
    if (plan.paths.length) {
      await this.o.cache.remove(plan.paths);
      this.o.log.info(
        { programs: plan.programs, files: plan.paths.length },
        'cache: evicted least recently watched lectures to stay within the disk quota',
      );
      this.emit('evicted', { programs: plan.programs, paths: plan.paths });
    }
    return plan.fits;
  }

  /** Queues an on-demand lecture for download now, whatever the window. */
  want(programId: number): void {
    this.o.store.want(programId, this.o.clock());
    this.o.log.info({ programId }, 'download: lecture queued on request');
    this.kick();
  }

  /**
   * Files found missing or corrupt: fetched again. Schedule files are in every plan anyway; a held on-demand
   * lecture that lost a file is queued again (at its old place in the eviction order).
   */
  lost(paths: string[]): void {
    const m = this.manifestCache;
    if (!m || !paths.length) return;
    const index = manifestIndex(m, this.catalogCache);
    const programs = new Set<number>();
    for (const p of paths) {
      const f = index.get(p);
      if (f && f.neededAt === null) programs.add(f.programId);
    }
    for (const id of programs) this.o.store.wantAgain(id);
    this.o.log.info({ files: paths.length, lectures: [...programs] }, 'cache: lost files queued to be fetched again');
    this.kick();
  }

  /** Starts the download pump unless it runs; if it runs, it plans again when its current file is done. */
  kick(): void {
    if (this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      this.emit('idle');
    });
  }

  private async pump(): Promise<void> {
    const failures = new Map<string, number>();
    const skip = new Set<string>();
    for (;;) {
      this.pumpAgain = false;
      const m = this.manifestCache;
      if (!m || this.closed) return;
      const now = this.o.clock();
      this.finishWanted();
      const plan = planDownloads({
        manifest: m,
        catalog: this.catalogCache,
        held: this.o.store.heldMap(),
        wanted: this.o.store.wanted(),
        now,
        inWindow: inWindowText(m.downloadWindow, m.provinceTz, now),
      }).filter((f) => !skip.has(f.path));
      const next = plan[0];
      if (!next) return;

      const incoming = next.size - (await this.o.cache.partBytes(next.path));
      // A lecture only evicts others if it then fits; the schedule takes what room it can get.
      const onDemand = next.reason === 'on-demand';
      const fits = await this.evictFor(incoming, new Set(onDemand ? [next.programId] : []), onDemand);
      if (!fits) {
        if (next.reason === 'on-demand') {
          this.o.log.warn(
            { programId: next.programId, quotaBytes: this.o.quotaBytes },
            'download: lecture does not fit in the disk quota; it will stream instead',
          );
          this.o.store.unwant([next.programId]);
          continue;
        }
        if (!this.overQuotaWarned) {
          this.overQuotaWarned = true;
          this.o.log.warn(
            { quotaBytes: this.o.quotaBytes },
            'download: the next 48 h of broadcast do not fit in the disk quota; holding them anyway (raise AGENT_DISK_QUOTA_MB)',
          );
        }
      }

      const ok = await this.fetchOne(next, failures, skip);
      if (!ok) return; // link down: the next sync tries again
    }
  }

  /** Downloads one file. False when the link is down (stop the pump). */
  private async fetchOne(file: PlannedFile, failures: Map<string, number>, skip: Set<string>): Promise<boolean> {
    const started = performance.now();
    this.current = { path: file.path, programId: file.programId, reason: file.reason, bytes: 0, size: file.size };
    this.media.setRelay(this.manifestCache?.relayUrl);
    try {
      const r = await downloadFile({
        relayUrl: this.media.relayFor(this.o.clock()),
        onRelayFailed: (message) => {
          const restMs = this.media.relayFailed(message, this.o.clock());
          this.o.log.warn({ path: file.path, relayRestMs: restMs || undefined }, `download: relay failed, asking the origin (${message})`);
        },
        uplink: this.o.uplink,
        mediaDir: this.o.cache.mediaDir,
        file,
        bucket: this.bucket,
        signal: this.abort.signal,
        onBytes: (b) => {
          if (this.current) this.current.bytes = b;
        },
      });
      this.o.store.addHeld({ path: file.path, size: file.size, sha256: file.sha256, programId: file.programId }, this.o.clock());
      this.media.served(r.source, file.size);
      const ms = Math.round(performance.now() - started);
      this.o.log.info(
        { path: file.path, reason: file.reason, bytes: file.size, source: r.source, resumedFrom: r.resumedFrom || undefined, ms },
        'download: file verified and in place',
      );
      this.setOnline(true);
      this.emit('downloaded', {
        path: file.path,
        reason: file.reason,
        source: r.source,
        resumedFrom: r.resumedFrom,
        received: r.received,
        transferMs: r.transferMs,
        ms,
      });
      return true;
    } catch (err) {
      if (this.closed) return false;
      const message = (err as Error).message;
      this.emit('download-failed', { path: file.path, error: message });
      if (err instanceof UplinkDown) {
        this.setOnline(false, message);
        this.o.log.warn({ path: file.path }, `download: interrupted, will resume (${message})`);
        // An overloaded server said when to come back (503/429 + Retry-After): resume then, not at the next poll.
        if (err.retryAfterMs !== null) setTimeout(() => this.kick(), err.retryAfterMs).unref();
        return false;
      }
      const n = (failures.get(file.path) ?? 0) + 1;
      failures.set(file.path, n);
      if (err instanceof ServerRefused || n >= MAX_VERIFY_FAILURES) skip.add(file.path);
      this.o.log.warn(
        { path: file.path, attempt: n },
        err instanceof VerifyFailed ? `download: verification failed (${message})` : `download: failed (${message})`,
      );
      return true;
    } finally {
      this.current = null;
    }
  }

  /** A requested lecture fully held leaves the request queue (its request time still counts for eviction order). */
  private finishWanted(): void {
    const catalog = this.catalogCache;
    if (!catalog) return; // no listing yet: a request cannot be judged done
    const held = this.o.store.heldMap();
    const done = this.o.store.wanted().filter((id) => {
      const files = programFiles(catalog, id);
      return files.length === 0 || files.every((f) => isHeld(held, f));
    });
    if (done.length) this.o.store.unwant(done);
  }

  /** Progress 0..1 of a requested lecture's download, or null when it is not queued. */
  downloadProgress(programId: number, wanted: number[] = this.o.store.wanted(), held = this.o.store.heldMap()): number | null {
    if (!wanted.includes(programId) || !this.catalogCache) return null;
    const files: ManifestFile[] = programFiles(this.catalogCache, programId);
    let total = 0;
    let have = 0;
    for (const f of files) {
      total += f.size;
      if (isHeld(held, f)) have += f.size;
      else if (this.current?.path === f.path) have += this.current.bytes;
    }
    return total ? Math.min(1, have / total) : 0;
  }

  /** Sends due outbox rows; a retry carries the same client id, so the server counts it once. */
  flushOutbox(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.sendOutbox().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private async sendOutbox(): Promise<void> {
    const now = this.o.clock();
    for (const row of this.o.store.dueOutbox(now)) {
      if (row.kind !== 'request') continue;
      try {
        await this.o.uplink.sendRequest(row.body as { programId?: number; topic?: string; memberNo?: string }, row.clientId);
        this.o.store.ackOutbox(row.clientId);
        this.o.log.info({ clientId: row.clientId }, 'outbox: request delivered to the server');
      } catch (err) {
        if (err instanceof ServerRefused && err.status !== 401 && err.status !== 429) {
          // The server will never take it (e.g. the program is gone): keep the queue moving.
          this.o.store.ackOutbox(row.clientId);
          this.o.log.warn({ clientId: row.clientId }, `outbox: request refused by the server, dropped (${err.message})`);
          continue;
        }
        const wait = OUTBOX_BACKOFF_MS[Math.min(row.attempts, OUTBOX_BACKOFF_MS.length - 1)]!;
        this.o.store.retryOutbox(row.clientId, now + wait, (err as Error).message);
        if (err instanceof UplinkDown) {
          this.setOnline(false, (err as Error).message);
          return;
        }
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await this.polling?.catch(() => {});
    await this.syncing?.catch(() => {});
    await this.pumping?.catch(() => {});
    await this.flushing?.catch(() => {});
  }
}
