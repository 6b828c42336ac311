// Sends what a site queue holds to the server in batches, each stamped with the agent's clock (sentAt) so the
// server can correct a wrong PC clock: closed viewing sessions (POST /api/sites/me/attendance, the default) and
// questionnaire answers (POST /api/sites/me/answers) go through this same code. Deletes only what the server
// acknowledged; a failed batch is retried with exponential backoff and jitter, never sooner than a Retry-After.
// A batch the server refuses as a whole (400) is split in halves until the bad item is alone, so one malformed
// row never blocks the queue behind it.
import { MAX_SESSIONS_PER_BATCH, type AttendanceBatchResult, type AttendanceSession } from '../../../common/attendance.ts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.ts';
import { retryAfterMs } from '../../../common/retry-after.ts';

/** The pino-style logger the agent hands around (fastify's app.log fits). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** A durable site queue the uploader drains: read a batch, then settle exactly the ids the server answered. */
export interface Outbox<T extends { id: string }> {
  /** The oldest items ready to send (at most `limit`); nothing changes until acknowledge/reject. */
  batch(limit: number): T[];
  /** Deletes the acknowledged ids; returns how many it held. */
  acknowledge(ids: readonly string[], now: number): number;
  /** Sets aside ids the server refused for good; returns how many it held. */
  reject(items: ReadonlyArray<{ id: string; reason: string; message?: string }>, now: number): number;
  counts(): { pending: number };
}

/** Where a queue goes on the server: the path, the batch's list field, and the word used in log lines. */
export interface UploadTarget {
  path: string;
  field: string;
  label: string;
  maxBatch: number;
}

export const ATTENDANCE_TARGET: UploadTarget = {
  path: '/api/sites/me/attendance',
  field: 'sessions',
  label: 'attendance',
  maxBatch: MAX_SESSIONS_PER_BATCH,
};

export interface UploaderOptions<T extends { id: string } = AttendanceSession> {
  queue: Outbox<T>;
  /** Default: attendance sessions. */
  target?: UploadTarget;
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
  /** How often to look for queued items when all is well, ms. */
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

export class Uploader<T extends { id: string } = AttendanceSession> {
  private readonly o: Required<Omit<UploaderOptions<T>, 'random' | 'fetch' | 'policy'>> & {
    random: () => number;
    fetch: typeof fetch;
    policy: BackoffPolicy;
  };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FlushResult> | null = null;
  private stopped = true;
  readonly status: UploadStatus = {
    failures: 0,
    nextAttemptAt: null,
    lastError: null,
    lastSuccessAt: null,
    clockOffsetMs: null,
    retryAfterMs: null,
  };

  constructor(opts: UploaderOptions<T>) {
    const target = opts.target ?? ATTENDANCE_TARGET;
    this.o = {
      ...opts,
      target,
      random: opts.random ?? Math.random,
      fetch: opts.fetch ?? globalThis.fetch,
      policy: opts.policy ?? DEFAULT_BACKOFF,
      batchSize: opts.batchSize ?? target.maxBatch,
      intervalMs: opts.intervalMs ?? 15_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 30_000,
    };
    this.o.batchSize = Math.min(Math.max(1, this.o.batchSize), target.maxBatch);
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

  /** Something was just queued (a session closed, an answer given): send soon, unless we are backing off. */
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
        const items = this.o.queue.batch(this.o.batchSize);
        if (items.length === 0) break;
        const r = await this.sendSplitting(items, token);
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
        `${this.o.target.label} upload failed; will retry with backoff`,
      );
    }
    return total;
  }

  /** Sends one batch; on a whole-batch refusal splits it so the valid items still get through. */
  private async sendSplitting(items: T[], token: string): Promise<FlushResult> {
    try {
      return this.settle(items, await this.post(items, token));
    } catch (err) {
      if (!(err instanceof UploadError) || err.status === null || ![400, 413, 422].includes(err.status)) throw err;
      if (items.length === 1) {
        // The server will never take this one as it is: set it aside (kept locally) instead of blocking the queue.
        const n = this.o.queue.reject([{ id: items[0]!.id, reason: `http_${err.status}`, message: err.message }], this.o.clock());
        const what = `${this.o.target.label} item refused by the server as malformed; set aside`;
        this.o.log.error({ id: items[0]!.id, err: err.message }, what);
        return { accepted: 0, rejected: n };
      }
      const half = Math.ceil(items.length / 2);
      const a = await this.sendSplitting(items.slice(0, half), token);
      const b = await this.sendSplitting(items.slice(half), token);
      return { accepted: a.accepted + b.accepted, rejected: a.rejected + b.rejected };
    }
  }

  private settle(items: T[], result: AttendanceBatchResult): FlushResult {
    const sent = new Set(items.map((s) => s.id));
    const accepted = result.accepted.filter((id) => sent.has(id));
    const rejected = result.rejected.filter((r) => sent.has(r.id));
    const now = this.o.clock();
    const a = this.o.queue.acknowledge(accepted, now);
    const r = this.o.queue.reject(rejected, now);
    if (typeof result.clockOffsetMs === 'number') this.status.clockOffsetMs = result.clockOffsetMs;
    const label = this.o.target.label;
    for (const item of rejected) {
      this.o.log.warn({ id: item.id, reason: item.reason, message: item.message }, `${label} item rejected by the server`);
    }
    this.o.log.info({ sent: items.length, accepted: a, rejected: r }, `${label} batch delivered`);
    return { accepted: a, rejected: r };
  }

  private async post(items: T[], token: string): Promise<AttendanceBatchResult> {
    let res: Response;
    try {
      res = await this.o.fetch(new URL(this.o.target.path, this.o.serverUrl()), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ sentAt: Math.round(this.o.clock()), [this.o.target.field]: items }),
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
      });
    } catch (err) {
      throw new UploadError(
        `server unreachable: ${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err)}`,
        null,
      );
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

/** What a site queue plugged into the agent needs to reach the server (attendance, answers): one shape for both. */
export interface UplinkOptions {
  dataDir: string;
  /** The server's base URL; a function if it can change (re-pairing). */
  serverUrl: string | (() => string);
  /** The site token, or null while not paired (nothing is sent until there is one). */
  getToken: () => string | null;
  clock?: () => number;
  log: Log;
  /** Overrides for tests and tuning. */
  uploadIntervalMs?: number;
  backoff?: BackoffPolicy;
  batchSize?: number;
  random?: () => number;
  fetch?: typeof fetch;
}

/** An uploader draining `queue` to `target`, set up from the agent's uplink options. */
export function uplinkUploader<T extends { id: string }>(queue: Outbox<T>, target: UploadTarget, o: UplinkOptions): Uploader<T> {
  const url = o.serverUrl;
  return new Uploader<T>({
    queue,
    target,
    serverUrl: typeof url === 'function' ? url : () => url,
    getToken: o.getToken,
    clock: o.clock ?? Date.now,
    log: o.log,
    random: o.random,
    fetch: o.fetch,
    policy: o.backoff,
    batchSize: o.batchSize,
    intervalMs: o.uploadIntervalMs,
  });
}
