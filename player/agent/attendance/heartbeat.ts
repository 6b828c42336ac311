// Heartbeats: every 60 s (with a little jitter so a fleet does not beat in step) the agent tells the server
// what is on screen, how ready its cache is, free disk, version, uptime, its last error and where its media came
// from (relay or origin). Nothing is queued: a missed heartbeat is exactly what the server counts to call a site
// offline.
import { HEARTBEAT_INTERVAL_SECONDS, type Heartbeat, type HeartbeatAck } from '../../../common/attendance.ts';
import type { Log } from './uploader.ts';
import { retryAfterMs } from '../../../common/retry-after.ts';

/** What the rest of the agent knows (cache readiness, disk, screen); any field may be left out. */
export type HeartbeatSource = () => Heartbeat | Promise<Heartbeat>;

export interface HeartbeatOptions {
  /** Read on every request: re-pairing may point the agent elsewhere. */
  serverUrl: () => string;
  getToken: () => string | null;
  clock: () => number;
  log: Log;
  source?: HeartbeatSource;
  agentVersion?: string;
  /** Agent start (epoch ms) for uptime. */
  startedAt: number;
  /** The uploader's last error, so the server sees a queue that cannot drain. */
  lastError?: () => string | null;
  intervalMs?: number;
  random?: () => number;
  fetch?: typeof fetch;
}

export interface HeartbeatStatus {
  lastSentAt: number | null;
  lastAck: HeartbeatAck | null;
  lastError: string | null;
  /** When the next heartbeat goes (agent clock, epoch ms); null when stopped. */
  nextAt: number | null;
  /** The wait the server asked for on its last refusal (503 / 429 + Retry-After), ms; null when none. */
  retryAfterMs: number | null;
}

export class HeartbeatSender {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  readonly status: HeartbeatStatus = { lastSentAt: null, lastAck: null, lastError: null, nextAt: null, retryAfterMs: null };

  constructor(private readonly o: HeartbeatOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.status.nextAt = null;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.status.nextAt = this.o.clock() + delayMs;
    this.timer = setTimeout(() => {
      void this.beat().finally(() => {
        const base = this.o.intervalMs ?? HEARTBEAT_INTERVAL_SECONDS * 1000;
        // +-5 % jitter keeps the period (three misses = offline) while spreading the fleet; an overloaded
        // server's Retry-After is honoured (it knows the beats it asked to be spared).
        const jittered = Math.round(base * (0.95 + 0.1 * (this.o.random ?? Math.random)()));
        this.schedule(Math.max(jittered, this.status.retryAfterMs ?? 0));
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Builds and sends one heartbeat. Returns the server's answer, or null when it could not be delivered. */
  async beat(): Promise<HeartbeatAck | null> {
    const token = this.o.getToken();
    if (!token) return null;
    let body: Heartbeat;
    try {
      const extra = (await this.o.source?.()) ?? {};
      const now = Math.round(this.o.clock());
      // Only the fields of the wire type: the server refuses unknown ones, and a heartbeat must never be refused.
      body = {
        sentAt: now,
        agentVersion: extra.agentVersion ?? this.o.agentVersion,
        uptimeSeconds: extra.uptimeSeconds ?? Math.max(0, Math.round((now - this.o.startedAt) / 1000)),
        lastError: (extra.lastError ?? this.o.lastError?.() ?? null)?.slice(0, 2000) ?? null,
      };
      if (extra.onScreen) body.onScreen = extra.onScreen;
      if (typeof extra.cacheReadiness === 'number') body.cacheReadiness = Math.min(1, Math.max(0, extra.cacheReadiness));
      if (typeof extra.freeDiskBytes === 'number') body.freeDiskBytes = Math.max(0, Math.floor(extra.freeDiskBytes));
      if (extra.mediaSources) {
        const m = extra.mediaSources;
        body.mediaSources = { ...m, relayUrl: m.relayUrl?.slice(0, 500) ?? null, lastRelayError: m.lastRelayError?.slice(0, 2000) ?? null };
      }
      if (body.agentVersion) body.agentVersion = body.agentVersion.slice(0, 64);
      else delete body.agentVersion;
    } catch (err) {
      this.status.lastError = `heartbeat source failed: ${err instanceof Error ? err.message : String(err)}`;
      this.o.log.warn({ err: this.status.lastError }, 'heartbeat not built');
      return null;
    }
    try {
      const res = await (this.o.fetch ?? globalThis.fetch)(new URL('/api/sites/me/heartbeat', this.o.serverUrl()), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const text = await res.text();
      this.status.retryAfterMs = res.ok ? null : retryAfterMs(res.headers.get('retry-after'), this.o.clock());
      if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      const ack = JSON.parse(text) as HeartbeatAck;
      this.status.lastSentAt = body.sentAt ?? null;
      this.status.lastAck = ack;
      this.status.lastError = null;
      this.o.log.debug({ serverTime: ack.serverTime }, 'heartbeat sent');
      return ack;
    } catch (err) {
      this.status.lastError = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      this.o.log.debug({ err: this.status.lastError }, 'heartbeat not delivered');
      return null;
    }
  }
}
