// Sends closed sessions to the server in batches (<= 500), each stamped with the agent's clock (sentAt) so the
// server can correct a wrong PC clock. Deletes only what the server acknowledged; a failed batch is retried with
// exponential backoff and jitter. A batch the server refuses as a whole (400) is split in halves until the bad
// session is alone, so one malformed row never blocks the queue behind it.
import { MAX_SESSIONS_PER_BATCH, type AttendanceBatchResult, type AttendanceSession } from '../../../common/attendance.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import type { AttendanceQueue } from './queue.ts';
import { retryAfterMs } from '../retry-after.ts';

/** The pino-style logger the agent hands around (fastify's app.log fits). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export interface UploaderOptions {
  queue: AttendanceQueue;
  /** Read on every request: re-pairing may point the agent elsewhere. */
  serverUrl: () => string;
  /** The site token, or null while the agent is not paired yet (nothing is sent). */
  getToken: () => string | null;
  clock: () => number;
  log: Log;
  random?: () => number;
  fetch?: typeof fetch;
  policy?: BackoffPolicy;
  batchSize?: number;
  /** How often to look for closed sessions when all is well, ms. */
  intervalMs?: number;
  requestTimeoutMs?: number;
}

export interface UploadStatus {
  failures: number;
  /** When the next attempt is due (agent clock, epoch ms), null when not scheduled. */
  nextAttemptAt: number | null;
  lastError: string | null;
  lastSuccessAt: number | null;
  /** Server time - agent time as last seen from an answer, ms. */
  clockOffsetMs: number | null;
  /** The wait the server asked for on its last refusal (503 / 429 + Retry-After), ms; null when none. */
  retryAfterMs: number | null;
}

export interface FlushResult {
  accepted: number;
  rejected: number;
  /** Set when the flush stopped on a failure (the rest waits for the next attempt). */
  error?: string;
}

class UploadError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export class Uploader {
  private readonly o: Required<Omit<UploaderOptions, 'random' | 'fetch' | 'policy'>> & {
    random: () => number;
    fetch: typeof fetch;
    policy: BackoffPolicy;
  };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FlushResult> | null = null;
  private stopped = true;
  readonly status: UploadStatus = {
    failures: 0, nextAttemptAt: null, lastError: null, lastSuccessAt: null, clockOffsetMs: null, retryAfterMs: null,
  };

  constructor(opts: UploaderOptions) {
    this.o = {
      ...opts,
      random: opts.random ?? Math.random,
      fetch: opts.fetch ?? globalThis.fetch,
      policy: opts.policy ?? DEFAULT_BACKOFF,
      batchSize: opts.batchSize ?? MAX_SESSIONS_PER_BATCH,
      intervalMs: opts.intervalMs ?? 15_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    };
    this.o.batchSize = Math.min(Math.max(1, this.o.batchSize), MAX_SESSIONS_PER_BATCH);
  }

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.status.nextAttemptAt = null;
    await this.running?.catch(() => undefined);
  }

  /** A session was just closed: send soon rather than at the next interval, unless we are backing off. */
  nudge(): void {
    if (this.stopped || this.status.failures > 0) return;
    this.schedule(1_000);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.status.nextAttemptAt = this.o.clock() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush().finally(() => {
        // A server that said how long to wait (overloaded: 503, or 429) is not asked again sooner.
        const backoff = this.status.failures > 0 ? backoffDelay(this.status.failures, this.o.random(), this.o.policy) : this.o.intervalMs;
        const delay = Math.max(backoff, this.status.retryAfterMs ?? 0);
        this.schedule(delay);
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** Sends everything closed now, batch after batch, until the queue is empty or an attempt fails. One at a time. */
  flush(): Promise<FlushResult> {
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async drain(): Promise<FlushResult> {
    const total: FlushResult = { accepted: 0, rejected: 0 };
    const token = this.o.getToken();
    if (!token) return total;
    try {
      for (;;) {
        const sessions = this.o.queue.batch(this.o.batchSize);
        if (sessions.length === 0) break;
        const r = await this.sendSplitting(sessions, token);
        total.accepted += r.accepted;
        total.rejected += r.rejected;
        // Ids the server answered neither way stay queued; stop rather than loop on them.
        if (r.accepted + r.rejected === 0) throw new UploadError('the server acknowledged none of the batch', null);
      }
      this.status.failures = 0;
      this.status.lastError = null;
      this.status.retryAfterMs = null;
      this.status.lastSuccessAt = this.o.clock();
    } catch (err) {
      this.status.failures++;
      this.status.lastError = err instanceof Error ? err.message : String(err);
      this.status.retryAfterMs = err instanceof UploadError ? err.retryAfterMs : null;
      total.error = this.status.lastError;
      this.o.log.warn(
        { err: this.status.lastError, failures: this.status.failures, pending: this.o.queue.counts().pending },
        'attendance upload failed; will retry with backoff',
      );
    }
    return total;
  }

  /** Sends one batch; on a whole-batch refusal splits it so the valid sessions still get through. */
  private async sendSplitting(sessions: AttendanceSession[], token: string): Promise<FlushResult> {
    try {
      return this.settle(sessions, await this.post(sessions, token));
    } catch (err) {
      if (!(err instanceof UploadError) || err.status === null || ![400, 413, 422].includes(err.status)) throw err;
      if (sessions.length === 1) {
        // The server will never take this one as it is: set it aside (kept locally) instead of blocking the queue.
        const n = this.o.queue.reject([{ id: sessions[0]!.id, reason: `http_${err.status}`, message: err.message }], this.o.clock());
        this.o.log.error({ id: sessions[0]!.id, err: err.message }, 'attendance session refused by the server as malformed; set aside');
        return { accepted: 0, rejected: n };
      }
      const half = Math.ceil(sessions.length / 2);
      const a = await this.sendSplitting(sessions.slice(0, half), token);
      const b = await this.sendSplitting(sessions.slice(half), token);
      return { accepted: a.accepted + b.accepted, rejected: a.rejected + b.rejected };
    }
  }

  private settle(sessions: AttendanceSession[], result: AttendanceBatchResult): FlushResult {
    const sent = new Set(sessions.map((s) => s.id));
    const accepted = result.accepted.filter((id) => sent.has(id));
    const rejected = result.rejected.filter((r) => sent.has(r.id));
    const now = this.o.clock();
    const a = this.o.queue.acknowledge(accepted, now);
    const r = this.o.queue.reject(rejected, now);
    if (typeof result.clockOffsetMs === 'number') this.status.clockOffsetMs = result.clockOffsetMs;
    for (const item of rejected) this.o.log.warn({ id: item.id, reason: item.reason, message: item.message }, 'attendance session rejected by the server');
    this.o.log.info({ sent: sessions.length, accepted: a, rejected: r }, 'attendance batch delivered');
    return { accepted: a, rejected: r };
  }

  private async post(sessions: AttendanceSession[], token: string): Promise<AttendanceBatchResult> {
    let res: Response;
    try {
      res = await this.o.fetch(new URL('/api/sites/me/attendance', this.o.serverUrl()), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ sentAt: Math.round(this.o.clock()), sessions }),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
      });
    } catch (err) {
      throw new UploadError(`server unreachable: ${err instanceof Error ? (err.cause as Error | undefined)?.message ?? err.message : String(err)}`, null);
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      let message = text.slice(0, 300);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {
        /* not JSON: keep the text */
      }
      throw new UploadError(`HTTP ${res.status}: ${message}`, res.status, retryAfterMs(res.headers.get('retry-after'), this.o.clock()));
    }
    try {
      const body = JSON.parse(text) as AttendanceBatchResult;
      if (!Array.isArray(body.accepted) || !Array.isArray(body.rejected)) throw new Error('no accepted/rejected lists');
      return body;
    } catch (err) {
      throw new UploadError(`unreadable answer from the server: ${err instanceof Error ? err.message : String(err)}`, null);
    }
  }
}
