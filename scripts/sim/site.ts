// One simulated terminal site speaking the real protocol with its real site token: manifest polls with
// If-None-Match, the catalog fetched when the manifest names a new catalogEtag, heartbeats at the interval the
// server answers, attendance batches, and downloads of the required files (through its relay, falling back to the
// origin) checked by size and sha256, as player/agent does.
import { createHash, randomUUID } from 'node:crypto';
import type { AttendanceBatch, AttendanceBatchResult, HeartbeatAck } from '../../common/api/attendance.ts';
import type { ManifestFile, SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import type { HttpPool } from './http-pool.ts';

export interface DownloadTally {
  files: number;
  bytes: number;
  /** Fetched again after a wrong size/hash or an error. */
  repeated: number;
  /** Given up on (neither relay nor origin gave the right bytes). */
  failed: number;
  fromRelay: number;
  fromOrigin: number;
}

export const newTally = (): DownloadTally => ({ files: 0, bytes: 0, repeated: 0, failed: 0, fromRelay: 0, fromOrigin: 0 });

/** Wait the server asked for (429/503 Retry-After), ms; 0 when none. */
function retryAfter(headers: Record<string, unknown>): number {
  const v = Number(headers['retry-after']);
  return Number.isFinite(v) && v > 0 ? v * 1000 : 0;
}

export class SimSite {
  etag: string | null = null;
  /** What the site keeps of its manifest and catalog: the parts the simulation reads. Whole parsed copies for
   * 25,000 sites made the simulator's heap large enough for its collector to stall it for half a second, and every
   * stall of this loop adds to the latencies it measures. */
  manifest: { required: ManifestFile[]; relayUrl: string | null } | null = null;
  catalogEtag: string | null = null;
  catalogFiles = 0;
  held = new Map<string, string>();
  /** Set when the server said to wait (Retry-After). */
  backoffUntil = 0;

  constructor(
    readonly id: number,
    private readonly token: string,
    private readonly origin: string,
    private readonly pool: HttpPool,
    /** Where media falls back to when the relay fails: the same origin, reached through the byte counter in the
     * data-plane phases so that "origin bytes out" counts media alone (manifests are the control plane's). */
    private readonly mediaOrigin: string = origin,
  ) {}

  private get auth() {
    return { authorization: `Bearer ${this.token}` };
  }

  /** One manifest poll (and the catalog when it moved). Returns whether the manifest changed. */
  async poll(now: number): Promise<boolean> {
    if (now < this.backoffUntil) return false;
    const res = await this.pool.request('GET manifest', `${this.origin}/api/sites/me/manifest`, {
      headers: { ...this.auth, ...(this.etag ? { 'if-none-match': this.etag } : {}) },
    });
    if (res.status === 429 || res.status === 503) {
      this.backoffUntil = now + (retryAfter(res.headers) || 5000);
      return false;
    }
    if (res.status === 304) return false;
    if (res.status !== 200) throw new Error(`manifest ${res.status}: ${res.body.toString().slice(0, 200)}`);
    const manifest = JSON.parse(res.body.toString('utf8')) as SiteManifest;
    this.manifest = { required: manifest.required, relayUrl: manifest.relayUrl ?? null };
    this.etag = String(res.headers.etag);
    if (manifest.catalogEtag !== this.catalogEtag) {
      const cat = await this.pool.request('GET catalog', `${this.origin}/api/sites/me/catalog`, {
        headers: { ...this.auth, ...(this.catalogEtag ? { 'if-none-match': this.catalogEtag } : {}) },
      });
      if (cat.status === 200) {
        const catalog = JSON.parse(cat.body.toString('utf8')) as SiteCatalog;
        this.catalogFiles = catalog.programs.reduce((n, p) => n + p.files.length, 0);
        this.catalogEtag = String(cat.headers.etag);
      }
    }
    return true;
  }

  /** A heartbeat; returns the seconds until the next one the server expects. */
  async heartbeat(now: number): Promise<number> {
    const res = await this.pool.request('POST heartbeat', `${this.origin}/api/sites/me/heartbeat`, {
      method: 'POST',
      headers: this.auth,
      body: { sentAt: now, cacheReadiness: this.readiness(), agentVersion: 'sim' },
    });
    if (res.status !== 200) return Math.max(5, retryAfter(res.headers) / 1000);
    return (JSON.parse(res.body.toString('utf8')) as HeartbeatAck).intervalSeconds;
  }

  /** One viewing session of tonight's broadcast, as the agent's outbox sends it. Returns whether it was accepted. */
  async attendance(programId: number, channelId: number, durationS: number, now: number): Promise<boolean> {
    const batch: AttendanceBatch = {
      sentAt: now,
      sessions: [
        {
          id: randomUUID(),
          programId,
          channelId,
          mode: 'broadcast',
          start: now - durationS * 1000,
          end: now,
          watchedSeconds: durationS,
          headcount: 1 + (this.id % 30),
          members: [],
        },
      ],
    };
    const res = await this.pool.request('POST attendance', `${this.origin}/api/sites/me/attendance`, {
      method: 'POST',
      headers: this.auth,
      body: batch,
    });
    if (res.status !== 200) return false;
    return (JSON.parse(res.body.toString('utf8')) as AttendanceBatchResult).accepted.length === 1;
  }

  /** Share of the required bytes held with the right hash. */
  readiness(): number {
    const req = this.manifest?.required ?? [];
    const total = req.reduce((n, f) => n + f.size, 0);
    const have = req.reduce((n, f) => n + (this.held.get(f.path) === f.sha256 ? f.size : 0), 0);
    return total ? have / total : 1;
  }

  /** Downloads every required file not held: from `relay` when given, else (or when it fails) from the origin. */
  async download(relay: string | null, tally: DownloadTally): Promise<void> {
    for (const f of this.manifest?.required ?? []) {
      if (this.held.get(f.path) === f.sha256) continue;
      let ok = false;
      for (const [source, base] of [
        ['relay', relay],
        ['origin', this.mediaOrigin],
      ] as const) {
        if (!base) continue;
        for (let attempt = 0; attempt < 2 && !ok; attempt++) {
          try {
            const res = await this.pool.request(
              source === 'relay' ? 'GET media (relay)' : 'GET media (origin)',
              `${base.replace(/\/$/, '')}/media/${f.path}`,
              {
                headers: { 'accept-encoding': 'identity' },
              },
            );
            if (res.status === 200 && res.body.length === f.size && createHash('sha256').update(res.body).digest('hex') === f.sha256) {
              ok = true;
              tally.bytes += res.body.length;
              if (source === 'relay') tally.fromRelay++;
              else tally.fromOrigin++;
            } else tally.repeated++;
          } catch {
            tally.repeated++;
          }
        }
        if (ok) break;
      }
      if (ok) {
        this.held.set(f.path, f.sha256);
        tally.files++;
      } else tally.failed++;
    }
  }
}
