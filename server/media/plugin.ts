// Routes of the media domain: the transcode queue (list, cancel, re-transcode), media serving, and the
// worker's life cycle (started only when config.startWorkers).
import fs from 'node:fs';
import path from 'node:path';
import { futureBroadcastUse } from '../catalog/repo.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { conflict, errorSchema, notFound } from '../errors.ts';
import { cancelJob, enqueueTranscode, JobWorker, listJobs, getJob, type JobStatus } from './jobs.ts';
import { ifNoneMatchHits } from '../../common/etag.ts';
import { BufferCache, makeFileLookup, parseRange, readWhole } from './serve.ts';

const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    programId: { type: 'integer' },
    programTitle: { type: ['string', 'null'] },
    kind: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
    attempts: { type: 'integer', description: 'Tries so far (at most 3)' },
    progress: { type: 'number', description: '0-100' },
    eta: { type: ['number', 'null'], description: 'Seconds left, estimated from the speed so far' },
    error: { type: ['string', 'null'], description: 'Why it failed, or why it is being retried' },
    runAfter: { type: 'string', description: 'Not started before this instant (retry backoff)' },
    createdAt: { type: 'string' },
    startedAt: { type: ['string', 'null'] },
    finishedAt: { type: ['string', 'null'] },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } } as const;
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

/** Files of one program stay small (playlists, posters, 4 s segments): hold up to 256 MB of them. */
const CACHE_BYTES = 256 * 1024 * 1024;
const CACHE_FILE_BYTES = 4 * 1024 * 1024;

export default async function mediaPlugin(app: FastifyInstance) {
  const worker = app.config.startWorkers
    ? new JobWorker({ db: app.db, config: app.config, log: app.log.child({ module: 'transcode' }) })
    : null;
  if (worker) {
    app.addHook('onReady', async () => worker.start());
    app.addHook('onClose', async () => worker.stop());
  }

  app.get<{ Querystring: { status?: JobStatus; programId?: number; limit?: number; offset?: number } }>(
    '/api/jobs',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['jobs'],
        summary: 'Transcode jobs, newest first: status, progress, ETA, error, tries',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
            programId: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: jobSchema }, total: { type: 'integer' } } }, ...errors },
      },
    },
    async (req) => listJobs(app.db, req.query),
  );

  app.get<{ Params: { id: number } }>(
    '/api/jobs/:id',
    {
      preHandler: app.auth.operator,
      schema: { tags: ['jobs'], summary: 'One transcode job', params: idParams, response: { 200: jobSchema, ...errors } },
    },
    async (req) => {
      const job = getJob(app.db, req.params.id);
      if (!job) throw notFound(`There is no job ${req.params.id}.`);
      return job;
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/jobs/:id/cancel',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a queued or running job (ffmpeg is stopped, partial output removed)',
        params: idParams,
        response: { 200: jobSchema, ...errors },
      },
    },
    async (req) => {
      const r = cancelJob(app.db, req.params.id);
      if (!r.ok && r.reason === 'not_found') throw notFound(`There is no job ${req.params.id}.`);
      if (!r.ok) throw conflict(`Job ${req.params.id} has already finished (${r.job!.status}); there is nothing to cancel.`, 'job_finished');
      worker?.kick();
      return r.job;
    },
  );

  app.post<{ Params: { id: number } }>(
    '/api/programs/:id/retranscode',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['jobs'],
        summary: 'Transcode a program again from its kept source (a running job of it is cancelled)',
        params: idParams,
        response: {
          202: { type: 'object', properties: { id: { type: 'integer' }, status: { type: 'string' }, jobId: { type: 'integer' } } },
          ...errors,
        },
      },
    },
    async (req, reply) => {
      const row = app.db.prepare('SELECT source_path AS sourcePath FROM programs WHERE id = ?').get(req.params.id) as
        | { sourcePath: string | null }
        | undefined;
      if (!row) throw notFound(`There is no program ${req.params.id}.`);
      if (!row.sourcePath || !fs.existsSync(path.resolve(app.config.mediaDir, row.sourcePath))) {
        throw conflict('The source file of this program is not kept on the server: upload the file again.', 'no_source');
      }
      // A ready program that is on air or still to be broadcast keeps its output: re-transcoding would take it
      // off the air (its media 404 meanwhile) and make sites drop and fetch again what they hold for it.
      const hasOutput = app.db.prepare('SELECT 1 FROM program_files WHERE program_id = ? LIMIT 1').get(req.params.id);
      const use = hasOutput ? futureBroadcastUse(app.db, req.params.id, Date.now()) : undefined;
      if (use) throw conflict(`Program ${req.params.id} cannot be transcoded again now: ${use}. Take it off the schedule first.`, 'program_scheduled');
      const jobId = enqueueTranscode(app.db, req.params.id);
      worker?.kick();
      return reply.status(202).send({ id: req.params.id, status: 'queued', jobId });
    },
  );

  const lookup = makeFileLookup(app.db, app.config);
  const cache = new BufferCache(CACHE_BYTES, CACHE_FILE_BYTES);

  app.route<{ Params: { id: string; '*': string } }>({
    method: ['GET', 'HEAD'],
    url: '/media/programs/:id/*',
    exposeHeadRoute: false,
    schema: {
      tags: ['media'],
      summary: 'HLS files of a ready program: master.m3u8, <rung>/index.m3u8, <rung>/seg_NNNNN.ts, poster.jpg (Range, ETag, HEAD)',
      params: { type: 'object', properties: { id: { type: 'string' }, '*': { type: 'string' } } },
    },
    handler: async (req: FastifyRequest<{ Params: { id: string; '*': string } }>, reply: FastifyReply) => {
      const id = /^[1-9]\d{0,15}$/.test(req.params.id) ? Number(req.params.id) : NaN;
      const file = Number.isFinite(id) ? lookup(id, req.params['*']) : undefined;
      if (!file) throw notFound('No such media file: the program is unknown, not ready yet, or has no file by that name.');
      reply.header('content-type', file.contentType);
      reply.header('cache-control', file.cacheControl);
      reply.header('etag', file.etag);
      reply.header('accept-ranges', 'bytes');
      if (ifNoneMatchHits(req.headers['if-none-match'], file.etag)) return reply.status(304).send();

      const ifRange = req.headers['if-range'];
      const range = ifRange && ifRange !== file.etag ? ({ kind: 'all' } as const) : parseRange(req.headers.range, file.size);
      if (range.kind === 'unsatisfiable') {
        reply.header('content-range', `bytes */${file.size}`);
        reply.header('content-type', 'application/json; charset=utf-8');
        return reply.status(416).send({ error: { code: 'range_not_satisfiable', message: `The file has ${file.size} bytes; ask for a range inside it.` } });
      }
      const start = range.kind === 'partial' ? range.start : 0;
      const end = range.kind === 'partial' ? range.end : file.size - 1;
      if (range.kind === 'partial') {
        reply.status(206);
        reply.header('content-range', `bytes ${start}-${end}/${file.size}`);
      }
      reply.header('content-length', String(end - start + 1));
      if (req.method === 'HEAD') return reply.send();

      const key = `${file.absPath}#${file.etag}`;
      let buf = cache.get(key);
      if (!buf && cache.fits(file.size)) {
        buf = await readWhole(file.absPath);
        if (!buf || buf.length !== file.size) throw notFound('The media file is being replaced; ask again in a moment.');
        cache.set(key, buf);
      }
      if (buf) return reply.send(range.kind === 'partial' ? buf.subarray(start, end + 1) : buf);
      return reply.send(fs.createReadStream(file.absPath, { start, end }));
    },
  });
}
