// The transcode job queue: jobs live in SQLite (table `jobs`), a worker runs them with ffmpeg and
// publishes the output whole. Survives crashes: a job left `running` by a dead process runs again
// from scratch on the next start, its partial output removed.
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import type { Db } from '../db/connection.ts';
import type { FfmpegTools } from './tools.ts';
import { locateTools } from './tools.ts';
import { MediaRejectedError, probeSource, type SourceProbe } from './probe.ts';
import { TranscodeFailedError, transcodeToLadder, type LadderResult } from './transcode.ts';
import type { PlanOptions } from './ladder.ts';
import { makeTmpDir, removeTmpDirs } from './store.ts';
import {
  makeProgressWriter,
  programExists,
  programForTranscode,
  programPipelineState,
  programTitles,
  requeueIfProcessing,
  setPipelineState,
} from '../catalog/repo.ts';
import { hasPublishedOutput } from './media-data.ts';
import { publishOutput } from './publish.ts';
import { isAbortError } from './exec.ts';

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

/** Tells workers of this process that a job was queued, so they start it without waiting for the next poll. */
const queueEvents = new EventEmitter();
queueEvents.setMaxListeners(0);

/** Tries per job before it is marked failed (a crash mid-run counts as a try). */
const MAX_ATTEMPTS = 3;
/** Progress reaches the database at most this often. */
const PROGRESS_WRITE_MS = 1000;
/** Prefix of a job's build folder under mediaDir/tmp, so recovery finds a dead job's leftovers. */
const TMP_PREFIX = 'job-';

export interface JobRow {
  id: number;
  programId: number;
  programTitle: string | null;
  kind: string;
  status: JobStatus;
  attempts: number;
  progress: number;
  eta: number | null;
  error: string | null;
  runAfter: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

const JOB_COLUMNS = `j.id, j.program_id AS programId, j.kind, j.status, j.attempts,
  j.progress, j.eta_seconds AS eta, j.error, j.run_after AS runAfter, j.created_at AS createdAt,
  j.started_at AS startedAt, j.finished_at AS finishedAt`;

/** Jobs as stored, with the titles of their programs from the catalog. */
function withTitles(db: Db, rows: Omit<JobRow, 'programTitle'>[]): JobRow[] {
  const titles = programTitles(db, [...new Set(rows.map((r) => r.programId))]);
  return rows.map((r) => ({ ...r, programTitle: titles.get(r.programId) ?? null }));
}

export function getJob(db: Db, jobId: number): JobRow | undefined {
  const row = db.prepare<[number], Omit<JobRow, 'programTitle'>>(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = ?`).get(jobId);
  return row && withTitles(db, [row])[0];
}

export function listJobs(
  db: Db,
  q: { status?: JobStatus; programId?: number; limit?: number; offset?: number } = {},
): { items: JobRow[]; total: number } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (q.status) {
    where.push('j.status = ?');
    args.push(q.status);
  }
  if (q.programId !== undefined) {
    where.push('j.program_id = ?');
    args.push(q.programId);
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = db.prepare<unknown[], { n: number }>(`SELECT count(*) AS n FROM jobs j ${w}`).get(...args)!.n;
  const items = db
    .prepare<unknown[], Omit<JobRow, 'programTitle'>>(`SELECT ${JOB_COLUMNS} FROM jobs j ${w} ORDER BY j.id DESC LIMIT ? OFFSET ?`)
    .all(...args, q.limit ?? 50, q.offset ?? 0);
  return { items: withTitles(db, items), total };
}

/**
 * Queues a (re)transcode of a program: any job of it still waiting or running is cancelled (a running
 * worker notices and stops its ffmpeg), the program shows `queued` at 0 %. Returns the new job's id.
 */
export function enqueueTranscode(db: Db, programId: number, now: Date = new Date()): number {
  const at = now.toISOString();
  const jobId = db.transaction(() => {
    if (!programExists(db, programId)) throw new Error(`enqueueTranscode: no program ${programId}`);
    db.prepare(
      `UPDATE jobs SET status = 'cancelled', finished_at = ?, error = 'Replaced by a newer transcode request.'
        WHERE program_id = ? AND status IN ('queued', 'running')`,
    ).run(at, programId);
    const id = Number(
      db
        .prepare(`INSERT INTO jobs (program_id, kind, status, run_after, created_at) VALUES (?, 'transcode', 'queued', ?, ?)`)
        .run(programId, at, at).lastInsertRowid,
    );
    setPipelineState(db, programId, { status: 'queued', progress: 0, error: null }, at);
    return id;
  })();
  // After the commit; workers in other processes see it on their next poll.
  setImmediate(() => queueEvents.emit('queued'));
  return jobId;
}

/** Outcome of a cancel request, for the route to answer with. */
export type CancelResult = { ok: true; job: JobRow } | { ok: false; reason: 'not_found' | 'finished'; job?: JobRow };

/**
 * Cancels a waiting or running job. Only the database changes here; the worker running it sees the
 * change on its next tick, kills ffmpeg and removes the partial output.
 */
export function cancelJob(db: Db, jobId: number, now: Date = new Date()): CancelResult {
  const at = now.toISOString();
  return db.transaction((): CancelResult => {
    const job = getJob(db, jobId);
    if (!job) return { ok: false, reason: 'not_found' };
    if (job.status !== 'queued' && job.status !== 'running') return { ok: false, reason: 'finished', job };
    db.prepare(`UPDATE jobs SET status = 'cancelled', finished_at = ?, eta_seconds = NULL WHERE id = ?`).run(at, jobId);
    settleProgramAfterStop(db, job.programId, 'cancelled', null, at);
    return { ok: true, job: getJob(db, jobId)! };
  })();
}

/**
 * After a job stops without new output: a program that still has a complete earlier output (a
 * re-transcode that was cancelled or failed) goes back to `ready`, keeping the error to read; else it
 * takes the given status.
 */
function settleProgramAfterStop(db: Db, programId: number, status: 'cancelled' | 'failed', error: string | null, at: string): void {
  const hasOutput = hasPublishedOutput(db, programId);
  setPipelineState(db, programId, { status: hasOutput ? 'ready' : status, progress: hasOutput ? 100 : 0, error }, at);
}

/**
 * Jobs left `running` by a process that died: back to the queue from scratch, their build folders
 * removed. Call only when no worker of this data dir is alive (at start).
 */
function recoverInterruptedJobs(db: Db, config: { mediaDir: string }, now: Date = new Date()): number[] {
  const at = now.toISOString();
  const ids = db.transaction(() => {
    const rows = db.prepare(`SELECT id, program_id AS programId FROM jobs WHERE status = 'running'`).all() as {
      id: number;
      programId: number;
    }[];
    for (const r of rows) {
      db.prepare(`UPDATE jobs SET status = 'queued', progress = 0, eta_seconds = NULL, started_at = NULL, run_after = ? WHERE id = ?`).run(
        at,
        r.id,
      );
      requeueIfProcessing(db, r.programId, at);
    }
    return rows.map((r) => r.id);
  })();
  removeTmpDirs(config, TMP_PREFIX);
  return ids;
}

/** Backoff before try n+1 after n failed tries: base, 4x base, ... */
export function retryDelayMs(failedTries: number, baseMs: number): number {
  return baseMs * 4 ** Math.max(0, failedTries - 1);
}

export interface WorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silentLog: WorkerLog = { info() {}, warn() {}, error() {} };

export interface JobWorkerOptions {
  db: Db;
  config: { mediaDir: string; transcodeConcurrency: number; ffmpegPath?: string; ffprobePath?: string };
  tools?: FfmpegTools;
  log?: WorkerLog;
  /** How often the queue is looked at and running jobs are checked for cancellation. */
  pollMs?: number;
  /** First retry delay after a transient failure (then x4). */
  retryBaseMs?: number;
  /** Ladder options for every job (tests and previews cap the rungs). */
  plan?: PlanOptions;
}

interface Running {
  jobId: number;
  programId: number;
  controller: AbortController;
  /** Why it was aborted: the job was cancelled, or this worker is stopping. */
  stopReason: 'cancelled' | 'stopping' | null;
  done: Promise<void>;
}

/** Runs queued jobs, at most config.transcodeConcurrency at a time. */
export class JobWorker {
  private readonly db: Db;
  private readonly config: JobWorkerOptions['config'];
  private readonly log: WorkerLog;
  private readonly pollMs: number;
  private readonly retryBaseMs: number;
  private readonly plan: PlanOptions | undefined;
  private toolsCache: FfmpegTools | undefined;
  private readonly running = new Map<number, Running>();
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private ticking = false;
  private readonly onQueued = () => this.kick();

  constructor(opts: JobWorkerOptions) {
    this.db = opts.db;
    this.config = opts.config;
    this.log = opts.log ?? silentLog;
    this.pollMs = opts.pollMs ?? 500;
    this.retryBaseMs = opts.retryBaseMs ?? 10_000;
    this.plan = opts.plan;
    this.toolsCache = opts.tools;
  }

  private get tools(): FfmpegTools {
    this.toolsCache ??= locateTools(this.config);
    return this.toolsCache;
  }

  private get concurrency(): number {
    return Math.max(1, this.config.transcodeConcurrency || 1);
  }

  /** Recovers jobs a dead process left running, then polls the queue. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const requeued = recoverInterruptedJobs(this.db, this.config);
    if (requeued.length) this.log.warn({ jobs: requeued }, 'transcode jobs interrupted by a stop were queued again from scratch');
    queueEvents.on('queued', this.onQueued);
    this.schedule(0);
  }

  /** Stops polling, kills running ffmpeg processes and puts their jobs back in the queue. */
  async stop(): Promise<void> {
    this.started = false;
    queueEvents.off('queued', this.onQueued);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const r of this.running.values()) {
      r.stopReason ??= 'stopping';
      r.controller.abort();
    }
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** Looks at the queue now (after an enqueue in this process, instead of waiting for the next poll). */
  kick(): void {
    if (this.started) this.schedule(0);
  }

  private schedule(ms: number): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.tick();
      this.schedule(this.pollMs);
    }, ms);
    this.timer.unref?.();
  }

  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    try {
      this.noticeCancellations();
      while (this.running.size < this.concurrency) {
        if (!this.launchNext()) break;
      }
    } catch (err) {
      this.log.error({ err }, 'transcode queue tick failed');
    } finally {
      this.ticking = false;
    }
  }

  /** Jobs cancelled in the database (by a route, maybe in another process) are stopped here. */
  private noticeCancellations(): void {
    for (const r of this.running.values()) {
      if (r.stopReason) continue;
      const row = this.db.prepare('SELECT status FROM jobs WHERE id = ?').get(r.jobId) as { status: JobStatus } | undefined;
      if (!row || row.status !== 'running') {
        r.stopReason = 'cancelled';
        r.controller.abort();
      }
    }
  }

  /** Picks one runnable job and starts it. Returns false when nothing is runnable. */
  private launchNext(): boolean {
    const job = this.claim(new Date());
    if (!job) return false;
    const r: Running = {
      jobId: job.id,
      programId: job.programId,
      controller: new AbortController(),
      stopReason: null,
      done: Promise.resolve(),
    };
    this.running.set(job.id, r);
    r.done = this.run(job, r).finally(() => {
      this.running.delete(job.id);
      this.schedule(0);
    });
    return true;
  }

  /** Atomically moves the oldest runnable job to `running` (one try more) and its program to `processing`. */
  private claim(now: Date): { id: number; programId: number; attempts: number } | undefined {
    const at = now.toISOString();
    return this.db.transaction(() => {
      for (;;) {
        const job = this.db
          .prepare(`SELECT id, program_id AS programId, attempts FROM jobs WHERE status = 'queued' AND run_after <= ? ORDER BY id LIMIT 1`)
          .get(at) as { id: number; programId: number; attempts: number } | undefined;
        if (!job) return undefined;
        if (job.attempts >= MAX_ATTEMPTS) {
          // Each try ended with the server stopping mid-run: do not loop forever on a file that kills it.
          const msg = `Gave up after ${job.attempts} tries: the server stopped during each one. Check the server log, then re-transcode.`;
          this.db.prepare(`UPDATE jobs SET status = 'failed', error = ?, finished_at = ? WHERE id = ?`).run(msg, at, job.id);
          settleProgramAfterStop(this.db, job.programId, 'failed', msg, at);
          continue;
        }
        this.db
          .prepare(
            `UPDATE jobs SET status = 'running', attempts = attempts + 1, progress = 0, eta_seconds = NULL, started_at = ?, error = NULL WHERE id = ?`,
          )
          .run(at, job.id);
        setPipelineState(this.db, job.programId, { status: 'processing', progress: 0, error: null }, at);
        return { ...job, attempts: job.attempts + 1 };
      }
    })();
  }

  private async run(job: { id: number; programId: number; attempts: number }, r: Running): Promise<void> {
    const { db, config } = this;
    let tmp: string | null = null;
    const started = Date.now();
    try {
      const program = programForTranscode(db, job.programId);
      if (!program) throw new MediaRejectedError('The program was deleted.');
      const input = program.sourcePath ? path.resolve(config.mediaDir, program.sourcePath) : null;
      if (!input || !fs.existsSync(input)) {
        throw new MediaRejectedError('The source file of this program is missing from the media store: upload the file again.');
      }
      const probe = storedProbe(program.probe, fs.statSync(input).size) ?? (await probeSource(this.tools, input));
      if (r.controller.signal.aborted) throw abortErr();
      tmp = makeTmpDir(config, `${TMP_PREFIX}${job.id}`);
      const progressStmt = db.prepare('UPDATE jobs SET progress = ?, eta_seconds = ? WHERE id = ? AND status = ?');
      const programProgress = makeProgressWriter(db);
      const writeProgress = db.transaction((percent: number, eta: number | null) => {
        progressStmt.run(percent, eta === null ? null : Math.round(eta), job.id, 'running');
        programProgress(job.programId, percent);
      });
      let lastProgressWrite = 0;
      const result = await transcodeToLadder({
        tools: this.tools,
        input,
        probe,
        outDir: path.join(tmp, 'out'),
        title: program.title,
        plan: this.plan,
        signal: r.controller.signal,
        onProgress: (percent, eta) => {
          // At most one write a second, in one transaction: each commit is an fsync (synchronous=FULL).
          const t = Date.now();
          if (t - lastProgressWrite < PROGRESS_WRITE_MS) return;
          lastProgressWrite = t;
          writeProgress(percent, eta);
        },
      });
      if (r.controller.signal.aborted) throw abortErr();
      this.publish(job, result, path.join(tmp, 'out'), probe);
      this.log.info(
        { job: job.id, program: job.programId, duration: result.duration, seconds: (Date.now() - started) / 1000 },
        'transcode done',
      );
    } catch (err) {
      this.fail(job, r, err);
    } finally {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  /** Renames the output into place, then records it in one transaction (the program becomes `ready`, the job done). */
  private publish(job: { id: number; programId: number }, result: LadderResult, outDir: string, probe: unknown): void {
    const { db } = this;
    const stillOurs = db.prepare<[number], { status: JobStatus }>('SELECT status FROM jobs WHERE id = ?').get(job.id);
    if (stillOurs?.status !== 'running') throw abortErr();
    const at = new Date().toISOString();
    publishOutput(
      db,
      this.config,
      {
        programId: job.programId,
        builtDir: outDir,
        renditions: result.renditions,
        segments: result.segments,
        duration: result.duration,
        poster: result.poster,
        probe,
        alsoInTransaction: () =>
          db
            .prepare<[string, number]>(`UPDATE jobs SET status = 'done', progress = 100, eta_seconds = 0, finished_at = ? WHERE id = ?`)
            .run(at, job.id),
      },
      at,
    );
  }

  private fail(job: { id: number; programId: number; attempts: number }, r: Running, err: unknown): void {
    const { db } = this;
    const at = new Date().toISOString();
    if (r.stopReason === 'stopping') {
      // Not the job's fault: back to the queue, this try not counted.
      db.prepare(
        `UPDATE jobs SET status = 'queued', attempts = max(0, attempts - 1), progress = 0, eta_seconds = NULL, started_at = NULL WHERE id = ? AND status = 'running'`,
      ).run(job.id);
      requeueIfProcessing(db, job.programId, at);
      this.log.info({ job: job.id }, 'transcode interrupted by shutdown; queued again');
      return;
    }
    if (r.stopReason === 'cancelled' || isAbortError(err)) {
      // cancelJob / enqueueTranscode already wrote the job's and program's state.
      this.log.info({ job: job.id, program: job.programId }, 'transcode cancelled');
      return;
    }
    const permanent = err instanceof MediaRejectedError || (err instanceof TranscodeFailedError && err.permanent);
    const reason = err instanceof Error ? err.message : String(err);
    db.transaction(() => {
      const row = db.prepare('SELECT status FROM jobs WHERE id = ?').get(job.id) as { status: JobStatus } | undefined;
      if (row?.status !== 'running') return; // cancelled meanwhile
      if (!permanent && job.attempts < MAX_ATTEMPTS) {
        const delay = retryDelayMs(job.attempts, this.retryBaseMs);
        const runAfter = new Date(Date.now() + delay).toISOString();
        const note = `Try ${job.attempts} of ${MAX_ATTEMPTS} failed (${reason}); trying again in ${Math.round(delay / 1000)} s.`;
        db.prepare(`UPDATE jobs SET status = 'queued', progress = 0, eta_seconds = NULL, error = ?, run_after = ? WHERE id = ?`).run(
          note,
          runAfter,
          job.id,
        );
        setPipelineState(db, job.programId, { status: 'queued', progress: 0, error: note }, at);
        return;
      }
      const message = permanent
        ? reason
        : `${reason} (gave up after ${job.attempts} tries; check disk space and the server log, then re-transcode)`;
      db.prepare(`UPDATE jobs SET status = 'failed', eta_seconds = NULL, error = ?, finished_at = ? WHERE id = ?`).run(message, at, job.id);
      settleProgramAfterStop(db, job.programId, 'failed', message, at);
    })();
    this.log.warn({ job: job.id, program: job.programId, err: reason, permanent }, 'transcode failed');
  }

  /** True when nothing runs here and no job is waiting (including retries waiting out their backoff). */
  isIdle(): boolean {
    if (this.running.size > 0) return false;
    return !this.db.prepare(`SELECT 1 FROM jobs WHERE status IN ('queued', 'running') LIMIT 1`).get();
  }

  /** Resolves once the queue is empty and nothing runs (for tests, the demo and the import CLI). */
  async whenIdle(timeoutMs = 10 * 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.isIdle()) {
      if (Date.now() > until) throw new Error('transcode queue still busy after the timeout');
      await sleep(100);
    }
  }

  /**
   * Runs queued jobs in this process without polling until none is runnable now (start() not needed).
   * Used by fixtures and CLIs that want the work done before going on.
   */
  async drain(): Promise<void> {
    for (;;) {
      this.noticeCancellations();
      while (this.running.size < this.concurrency && this.launchNext()) {
        /* launched one more */
      }
      if (this.running.size === 0) return;
      await Promise.race([...this.running.values()].map((r) => r.done));
    }
  }
}

/**
 * The probe the catalog recorded at upload, when it is of this very file (same size): probing again would
 * repeat three ffprobe runs for nothing.
 */
export function storedProbe(json: string | null, size: number): SourceProbe | undefined {
  if (!json) return undefined;
  try {
    const p = JSON.parse(json) as SourceProbe | null;
    if (!p || typeof p !== 'object' || p.size !== size || typeof p.container !== 'string') return undefined;
    if (!('video' in p) || !('audio' in p) || (!p.video && !p.audio)) return undefined;
    if (p.video && !(typeof p.video.index === 'number' && Array.isArray(p.video.frameRate) && p.video.displayWidth > 0)) return undefined;
    if (p.audio && typeof p.audio.index !== 'number') return undefined;
    return p;
  } catch {
    return undefined;
  }
}

function abortErr(): Error {
  const e = new Error('The operation was cancelled');
  e.name = 'AbortError';
  return e;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until a program leaves the pipeline (`ready`, `failed` or `cancelled`) and returns that status. */
export async function waitForProgram(
  db: Db,
  programId: number,
  timeoutMs = 10 * 60_000,
): Promise<{ status: string; error: string | null }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = programPipelineState(db, programId);
    if (!row) throw new Error(`program ${programId} does not exist`);
    const pending = db.prepare(`SELECT 1 FROM jobs WHERE program_id = ? AND status IN ('queued', 'running') LIMIT 1`).get(programId);
    if (!pending && ['ready', 'failed', 'cancelled'].includes(row.status)) return row;
    if (Date.now() > until) throw new Error(`program ${programId} still ${row.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}
