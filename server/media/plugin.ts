// Routes of the media domain: the transcode queue (list, cancel, re-transcode), media serving, and the
// worker's life cycle (started only when config.startWorkers).
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { IdParams } from '../../common/api/shared.ts';
import { Job, JobListQuery, JobPage, MediaFileParams, RetranscodeAccepted, SignedMediaFileParams } from '../../common/api/media.ts';
import { ifNoneMatchHits } from '../../common/etag.ts';
import { makeProgramMediaStateLookup, programSourcePath } from '../catalog/repo.ts';
import { conflict, errorSchema, notFound } from '../errors.ts';
import { cancelJob, enqueueTranscode, JobWorker, listJobs, getJob } from './jobs.ts';
import { adoptUnversionedOutput } from './store.ts';
import { collectOldVersions } from './versions.ts';
import { refuseNonFinite } from '../catalog/paging.ts';
import { loadPreviewSecret, verifyPreview } from './preview.ts';
import { BufferCache, IMMUTABLE, makeFileLookup, parseRange, PRIVATE, readWhole, splitVersionedFile, type ServedFile } from './serve.ts';

const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema };

/** Files of one program stay small (playlists, posters, 4 s segments): hold up to 256 MB of them. */
const CACHE_BYTES = 256 * 1024 * 1024;
const CACHE_FILE_BYTES = 4 * 1024 * 1024;
/** How often superseded media versions are looked at for removal. */
const COLLECT_EVERY_MS = 10 * 60_000;
const NO_SUCH_FILE =
  'No such media file: the program is unknown, has no output yet, is not published, or has no such version or file ' +
  '(media paths are /media/programs/<id>/v<version>/<file>; an old version is removed once nothing names it).';

export default async function mediaPlugin(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const worker = app.config.startWorkers
    ? new JobWorker({ db: app.db, config: app.config, log: app.log.child({ module: 'transcode' }) })
    : null;
  // Output published before versions existed moves into its v1 folder (migration 009 recorded it as version 1).
  const adopted = adoptUnversionedOutput(app.config);
  if (adopted.length) app.log.info({ programs: adopted.length }, 'media output moved into version folders (v1)');
  if (worker) {
    // Old versions are collected next to the job loop: at start, then every few minutes (versions.ts has the rule).
    let collector: NodeJS.Timeout | null = null;
    const collect = () => {
      try {
        collectOldVersions(app.db, app.config, Date.now(), app.log.child({ module: 'media-versions' }));
      } catch (err) {
        app.log.error({ err }, 'collecting old media versions failed');
      }
    };
    app.addHook('onReady', async () => {
      worker.start();
      collect();
      collector = setInterval(collect, COLLECT_EVERY_MS).unref();
    });
    app.addHook('onClose', async () => {
      if (collector) clearInterval(collector);
      await worker.stop();
    });
  }

  app.get(
    '/api/jobs',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['jobs'],
        summary: 'Transcode jobs, newest first: status, progress, ETA, error, tries',
        querystring: JobListQuery,
        response: { 200: JobPage, ...errors },
      },
    },
    async (req) => {
      refuseNonFinite(req.query);
      return listJobs(app.db, req.query);
    },
  );

  app.get(
    '/api/jobs/:id',
    {
      onRequest: app.auth.operator,
      schema: { tags: ['jobs'], summary: 'One transcode job', params: IdParams, response: { 200: Job, ...errors } },
    },
    async (req) => {
      const job = getJob(app.db, req.params.id);
      if (!job) throw notFound(`There is no job ${req.params.id}.`);
      return job;
    },
  );

  app.post(
    '/api/jobs/:id/cancel',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a queued or running job (ffmpeg is stopped, partial output removed)',
        params: IdParams,
        response: { 200: Job, ...errors },
      },
    },
    async (req) => {
      const r = cancelJob(app.db, req.params.id);
      if (!r.ok && r.reason === 'not_found') throw notFound(`There is no job ${req.params.id}.`);
      if (!r.ok)
        throw conflict(`Job ${req.params.id} has already finished (${r.job!.status}); there is nothing to cancel.`, 'job_finished');
      worker?.kick();
      return r.job;
    },
  );

  app.post(
    '/api/programs/:id/retranscode',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['jobs'],
        summary: 'Transcode a program again from its kept source (a running job of it is cancelled)',
        params: IdParams,
        response: { 202: RetranscodeAccepted, ...errors },
      },
    },
    async (req, reply) => {
      const sourcePath = programSourcePath(app.db, req.params.id);
      if (sourcePath === undefined) throw notFound(`There is no program ${req.params.id}.`);
      if (!sourcePath || !fs.existsSync(path.resolve(app.config.mediaDir, sourcePath))) {
        throw conflict('The source file of this program is not kept on the server: upload the file again.', 'no_source');
      }
      // A scheduled program may be transcoded again: the new output is a new version, the current one stays on air and
      // served until the new one is published, and items that aired keep naming the version they played.
      const jobId = enqueueTranscode(app.db, req.params.id);
      worker?.kick();
      return reply.status(202).send({ id: req.params.id, status: 'queued' as const, jobId });
    },
  );

  const lookup = makeFileLookup(app.db, app.config);
  const mediaState = makeProgramMediaStateLookup(app.db);
  const secret = loadPreviewSecret(app.config.dataDir);
  const cache = new BufferCache(CACHE_BYTES, CACHE_FILE_BYTES);

  /** An operator's bearer token (checked only when one is sent); never throws. */
  const isOperator = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.headers.authorization) return false;
    try {
      await app.auth.operator.call(app, req, reply);
      return true;
    } catch {
      return false;
    }
  };

  /**
   * The file when this request may have it, and whether it is a draft's: published lectures and station cards are
   * open to everyone (set-top boxes, hls.js, sites, relays); a draft only to an operator's token or a valid signed
   * grant. Any kept version is served, also while the program is being transcoded again (it is still on air).
   */
  async function resolve(req: FastifyRequest, reply: FastifyReply, rawId: string, tail: string, grant: string | null) {
    const id = /^[1-9]\d{0,15}$/.test(rawId) ? Number(rawId) : NaN;
    const state = Number.isSafeInteger(id) ? mediaState(id) : undefined;
    const named = splitVersionedFile(tail);
    if (!state || !named) return undefined;
    const open = state.published || state.kind !== 'lecture';
    const allowed = grant !== null ? verifyPreview(secret, id, grant, Date.now()) : open || (await isOperator(req, reply));
    const file = allowed ? lookup(id, named.version, named.file) : undefined;
    return file && { file, draft: !open };
  }

  const send = async (req: FastifyRequest, reply: FastifyReply, found: { file: ServedFile; draft: boolean } | undefined) => {
    if (!found) throw notFound(NO_SUCH_FILE);
    const { file } = found;
    reply.header('content-type', file.contentType);
    // A draft's bytes must not sit in shared caches between the operator and the server.
    reply.header('cache-control', found.draft ? PRIVATE : IMMUTABLE);
    reply.header('etag', file.etag);
    reply.header('accept-ranges', 'bytes');
    if (ifNoneMatchHits(req.headers['if-none-match'], file.etag)) return reply.status(304).send();

    const ifRange = req.headers['if-range'];
    const range = ifRange && ifRange !== file.etag ? ({ kind: 'all' } as const) : parseRange(req.headers.range, file.size);
    if (range.kind === 'unsatisfiable') {
      reply.header('content-range', `bytes */${file.size}`);
      reply.header('content-type', 'application/json; charset=utf-8');
      return reply
        .status(416)
        .send({ error: { code: 'range_not_satisfiable', message: `The file has ${file.size} bytes; ask for a range inside it.` } });
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
      if (!buf || buf.length !== file.size) throw notFound('The media file was just removed (an old version nothing names any more).');
      cache.set(key, buf);
    }
    if (buf) return reply.send(range.kind === 'partial' ? buf.subarray(start, end + 1) : buf);
    return reply.send(fs.createReadStream(file.absPath, { start, end }));
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/media/programs/:id/*',
    exposeHeadRoute: false,
    schema: {
      tags: ['media'],
      summary:
        'HLS files of one version of a program: v<n>/master.m3u8, v<n>/<rung>/index.m3u8, v<n>/<rung>/seg_NNNNN.ts, v<n>/poster.jpg ' +
        '(Range, ETag, HEAD; immutable); open for published programs, drafts need an operator token (private, no-store)',
      params: MediaFileParams,
    },
    handler: async (req, reply) => {
      return send(req, reply, await resolve(req, reply, req.params.id, req.params['*'], null));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/media/signed/:grant/programs/:id/*',
    exposeHeadRoute: false,
    schema: {
      tags: ['media'],
      summary: "An operator's signed, expiring preview of any ready program (the program view's previewUrl); same files as above",
      params: SignedMediaFileParams,
    },
    handler: async (req, reply) => {
      return send(req, reply, await resolve(req, reply, req.params.id, req.params['*'], req.params.grant));
    },
  });
}
