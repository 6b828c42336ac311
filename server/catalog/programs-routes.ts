// Routes: list/search, read, edit, publish and delete programs (the upload is upload-route.ts). HTTP only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IdParams } from '../../common/api/shared.ts';
import { Program, ProgramListQuery, ProgramPage, ProgramPatch } from '../../common/api/catalog.ts';
import { programBroadcastUse } from '../broadcast/repo.ts';
import { conflict, errorSchema, notFound } from '../errors.ts';
import { removeProgramMedia } from '../media/store.ts';
import { normalizeProgramFields } from './metadata.ts';
import { deleteProgramRows, getProgram, listPrograms, refuseIfCentral, updateProgram } from './repo.ts';
import type { Viewer } from './viewer.ts';
import { refuseNonFinite } from './paging.ts';

const PATCH_BODY_LIMIT = 64 * 1024;

export default async function programsRoutes(fastify: FastifyInstance, opts: { viewer: Viewer }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app;
  const { viewer } = opts;

  app.get(
    '/api/programs',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'List and search programs (filters, paging, sorting); organizers see published programs only',
        querystring: ProgramListQuery,
        response: { 200: ProgramPage, 400: errorSchema, 401: errorSchema },
      },
    },
    async (req) => {
      const q = req.query;
      refuseNonFinite(q);
      const drafts = viewer.seesDrafts(req);
      // Organizers see published programs only: asking them for drafts finds none.
      if (!drafts && q.published === false) return { items: [], total: 0 };
      return listPrograms(
        db,
        {
          q: q.q?.trim() || undefined,
          category: q.category,
          audience: q.audience,
          seriesId: q.series,
          status: q.status,
          published: drafts ? q.published : true,
          sort: q.sort,
          limit: q.limit ?? 20,
          offset: q.offset ?? 0,
        },
        viewer.view(req),
      );
    },
  );

  app.get(
    '/api/programs/:id',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'One program: metadata, pipeline status (progress, ETA, error), renditions, poster, HLS and preview URL paths',
        params: IdParams,
        response: { 200: Program, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params;
      const program = getProgram(db, id, viewer.view(req));
      if (!program || (!program.published && !viewer.seesDrafts(req))) throw notFound(`Program ${id} does not exist.`);
      return program;
    },
  );

  app.patch(
    '/api/programs/:id',
    {
      onRequest: app.auth.operator,
      bodyLimit: PATCH_BODY_LIMIT,
      schema: {
        tags: ['catalog'],
        summary: 'Edit metadata; publish or unpublish with {"published": true|false}',
        params: IdParams,
        body: ProgramPatch,
        response: {
          200: Program,
          400: errorSchema,
          401: errorSchema,
          403: errorSchema,
          404: errorSchema,
          409: errorSchema,
          422: errorSchema,
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const fields = normalizeProgramFields(req.body);
      if (!updateProgram(db, id, fields, new Date().toISOString())) throw notFound(`Program ${id} does not exist.`);
      return getProgram(db, id, viewer.view(req))!;
    },
  );

  app.delete(
    '/api/programs/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Delete a program and its media; refused (409) while a broadcast still to come uses it',
        params: IdParams,
        response: { 204: Type.Null(), 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      const now = Date.now();
      const deleted = db.transaction(() => {
        if (!getProgram(db, id)) throw notFound(`Program ${id} does not exist.`);
        refuseIfCentral(db, id, 'deleted');
        const use = programBroadcastUse(db, id, now);
        if (use)
          throw conflict(
            `Program ${id} cannot be deleted: ${use}. Remove it from the schedule first (past broadcasts do not block deletion).`,
            'program_scheduled',
          );
        return deleteProgramRows(db, id);
      })();
      // Rows first (the job row goes with them, so the worker stops caring), then the files.
      if (deleted) await removeProgramMedia(config, id);
      req.log.info({ programId: id, by: req.user!.username }, 'program deleted');
      return reply.status(204).send(null);
    },
  );
}
