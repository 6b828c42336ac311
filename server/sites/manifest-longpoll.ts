// Held manifest long polls (GET /api/sites/me/manifest with If-None-Match and Prefer: wait=N; the protocol is in
// common/api/sites.ts). An idle held poll costs its socket, one timer and one entry here: nothing is recomputed
// until the notifier says something may have changed, and then only when the manifest cache's fingerprint
// confirms it (or for the one site that changed). While polls are held, one shared tick re-reads that fingerprint
// every few seconds for changes no HTTP write announces (a transcode finishing, the hour rolling over).
import type { ManifestCache, ManifestResponse, ManifestSite } from './manifest.ts';
import type { ManifestNotifier, Wake } from './manifest-notifier.ts';

export type PollOutcome =
  | { kind: 'changed'; manifest: ManifestResponse }
  | { kind: 'timeout' }
  /** The site was revoked, deleted, or its token replaced by a new pairing. */
  | { kind: 'revoked' }
  | { kind: 'closed' };

export interface LongPollDeps {
  cache: ManifestCache;
  loadSite(siteId: number): ManifestSite | undefined;
  /** Whether this token (by its hash) still speaks for this site. */
  tokenValid(siteId: number, tokenHash: string): boolean;
  now(): number;
  /** Shared re-check interval while anything is held. */
  tickMs?: number;
}

interface Waiter {
  siteId: number;
  tokenHash: string;
  etag: string;
  /** The manifest cache's generation when `etag` was last compared: re-checked whenever the cache moves on. */
  generation: number;
  timer: NodeJS.Timeout;
  finish(outcome: PollOutcome): void;
}

/** Waiters re-checked per turn of the event loop, so 25,000 re-checks do not stall other requests. */
const CHUNK = 500;

export class ManifestLongPolls {
  private bySite = new Map<number, Set<Waiter>>();
  private count = 0;
  private closed = false;
  private tick: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: LongPollDeps,
    notifier: ManifestNotifier,
  ) {
    this.unsubscribe = notifier.subscribe((wake) => this.onWake(wake));
  }

  get held(): number {
    return this.count;
  }

  /**
   * Holds until the site's manifest ETag differs from `etag`, the token stops being valid, `waitMs` pass, or
   * `onGone` fires (the client went away).
   */
  hold(siteId: number, tokenHash: string, etag: string, waitMs: number, onGone: (cb: () => void) => void): Promise<PollOutcome> {
    // Revoked between the guard and now (the guard ran a few awaits ago): answer at once.
    if (!this.deps.tokenValid(siteId, tokenHash)) return Promise.resolve({ kind: 'revoked' });
    return new Promise((resolve) => {
      const waiter: Waiter = {
        siteId,
        tokenHash,
        etag,
        generation: this.deps.cache.generation,
        timer: setTimeout(() => waiter.finish({ kind: 'timeout' }), waitMs),
        finish: (outcome) => {
          if (!this.remove(waiter)) return;
          clearTimeout(waiter.timer);
          resolve(outcome);
        },
      };
      let set = this.bySite.get(siteId);
      if (!set) this.bySite.set(siteId, (set = new Set()));
      set.add(waiter);
      this.count++;
      this.startTick();
      onGone(() => waiter.finish({ kind: 'closed' }));
    });
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const set of [...this.bySite.values()]) for (const w of [...set]) w.finish({ kind: 'timeout' });
    this.stopTick();
  }

  private remove(w: Waiter): boolean {
    const set = this.bySite.get(w.siteId);
    if (!set?.delete(w)) return false;
    if (set.size === 0) this.bySite.delete(w.siteId);
    if (--this.count === 0) this.stopTick();
    return true;
  }

  private startTick(): void {
    if (this.tick) return;
    this.tick = setInterval(() => this.onWake({ all: true, sites: new Set() }), this.deps.tickMs ?? 5000);
    this.tick.unref();
  }

  private stopTick(): void {
    clearInterval(this.tick);
    this.tick = undefined;
  }

  private onWake(wake: Wake): void {
    if (this.count === 0) return;
    const generation = wake.all ? this.deps.cache.recheck(this.deps.now()) : this.deps.cache.generation;
    const targets = new Set<Waiter>();
    for (const set of this.bySite.values()) for (const w of set) if (w.generation !== generation) targets.add(w);
    for (const id of wake.sites) for (const w of this.bySite.get(id) ?? []) targets.add(w);
    this.recheckInChunks([...targets]);
  }

  private recheckInChunks(waiters: Waiter[]): void {
    if (waiters.length === 0 || this.closed) return;
    const now = this.deps.now();
    const sites = new Map<number, ManifestSite | undefined>();
    for (const w of waiters.slice(0, CHUNK)) {
      if (!this.bySite.get(w.siteId)?.has(w)) continue; // answered since (timeout, client gone, an earlier pass)
      if (!this.deps.tokenValid(w.siteId, w.tokenHash)) {
        w.finish({ kind: 'revoked' });
        continue;
      }
      if (!sites.has(w.siteId)) sites.set(w.siteId, this.deps.loadSite(w.siteId));
      const site = sites.get(w.siteId);
      if (!site) {
        w.finish({ kind: 'revoked' });
        continue;
      }
      const manifest = this.deps.cache.manifest(site, now);
      w.generation = this.deps.cache.generation;
      if (manifest.etag !== w.etag) w.finish({ kind: 'changed', manifest });
    }
    if (waiters.length > CHUNK) setImmediate(() => this.recheckInChunks(waiters.slice(CHUNK)));
  }
}
