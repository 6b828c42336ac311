// A ready program for tests of other domains: a tiny generated source put through the REAL job path
// (enqueueTranscode -> JobWorker -> ffmpeg -> publish), so what they play is what the product makes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { makeClip, type GoodShape } from './media.ts';
import { JobWorker, waitForProgram } from '../server/media/jobs.ts';
import { ingestCourseware, incomingPath } from '../server/catalog/ingest.ts';
import { locateTools } from '../server/media/tools.ts';

export interface ReadyProgramOptions {
  /** Length of the generated source, seconds. */
  seconds: number;
  title?: string;
  /** Source shape (default 'tiny240': 426x240, one 240p rung, the fastest). */
  shape?: GoodShape;
}

let calls = 0;

/** Ingests a generated source as an upload is ingested, transcodes it with the real worker; returns its id once ready. */
export async function readyProgram(app: FastifyInstance, opts: ReadyProgramOptions): Promise<number> {
  const n = ++calls;
  const shape = opts.shape ?? 'tiny240';
  const title = opts.title ?? `Test lecture ${n}`;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'dyb-program-'));
  try {
    // A different tone per program, so two programs never have identical files (hashes differ).
    const clip = await makeClip(scratch, shape, { seconds: opts.seconds, frequency: 300 + ((n * 37) % 600) });
    // Taken in through the catalog's own ingest path (probe, record, keep the source, queue the job).
    const staged = incomingPath(app.config, clip);
    fs.copyFileSync(clip, staged);
    const id = await ingestCourseware(
      { db: app.db, config: app.config, tools: locateTools(app.config) },
      { file: staged, originalName: path.basename(clip), fields: { title } },
    );
    if (!app.config.startWorkers) {
      // No background worker in this app: run the queue here, with the same worker code.
      await new JobWorker({ db: app.db, config: app.config }).drain();
    }
    const end = await waitForProgram(app.db, id, 5 * 60_000);
    if (end.status !== 'ready') throw new Error(`readyProgram: program ${id} ended ${end.status}: ${end.error}`);
    return id;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

// ---- Submitting files as an operator would (media integration tests) ----

/** Multipart body with text fields then the file part (what a browser form or curl -F sends). */
export function multipartBody(file: string, fields: Record<string, string>): { body: Buffer; contentType: string } {
  const boundary = `----dyb${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(file)}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    fs.readFileSync(file),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export type Submitted = { id: number } | { status: number; code: string; message: string };

/** Submits a file as an operator would: POST /api/programs (multipart), answered 202 or a 4xx error body. */
export async function submit(app: FastifyInstance, auth: { authorization: string }, file: string, title: string): Promise<Submitted> {
  if (app.hasRoute({ method: 'POST', url: '/api/programs' })) {
    const { body, contentType } = multipartBody(file, { title });
    const res = await app.inject({
      method: 'POST',
      url: '/api/programs',
      headers: { ...auth, 'content-type': contentType },
      payload: body,
    });
    if (res.statusCode === 202 || res.statusCode === 201) return { id: res.json().id };
    const e = res.json().error ?? {};
    return { status: res.statusCode, code: e.code, message: e.message };
  }
  throw new Error('submit: the upload route POST /api/programs is not registered');
}

/** Runs the queue in this process (tests build apps without background workers) until the program is done. */
export async function settle(app: FastifyInstance, id: number, concurrency = 1): Promise<{ status: string; error: string | null }> {
  await new JobWorker({ db: app.db, config: { ...app.config, transcodeConcurrency: concurrency } }).drain();
  return waitForProgram(app.db, id, 60_000);
}
