// In-process news for held manifest long polls: "something any manifest is built from may have changed" (a write
// to the catalog, a schedule, a channel; the hour rolling over) or "this site changed" (revoked, re-paired, its
// settings). Bursts are coalesced into one wake-up a few milliseconds later, so an import of 500 schedule items
// costs held polls one re-check, not 500. The listener decides whether anything really changed.

export interface Wake {
  /** Anything may have changed: re-check every held poll (after one cheap fingerprint says it is worth it). */
  all: boolean;
  /** Sites whose own row changed: re-check their polls (a revoked site's poll answers 401). */
  sites: ReadonlySet<number>;
}

export type WakeListener = (wake: Wake) => void;

const COALESCE_MS = 25;

export class ManifestNotifier {
  private listeners = new Set<WakeListener>();
  private all = false;
  private sites = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  /** Something shared by manifests may have changed. */
  poke(): void {
    this.all = true;
    this.schedule();
  }

  /** One site's own row changed (revoked, re-paired, settings). */
  siteChanged(siteId: number): void {
    this.sites.add(siteId);
    this.schedule();
  }

  subscribe(listener: WakeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer || this.listeners.size === 0) {
      if (this.listeners.size === 0) this.reset();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const wake: Wake = { all: this.all, sites: this.sites };
      this.reset();
      for (const l of this.listeners) l(wake);
    }, COALESCE_MS);
  }

  private reset(): void {
    this.all = false;
    this.sites = new Set();
  }
}
