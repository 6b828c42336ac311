// Routes: list/search, read, edit, publish and delete programs (the upload is upload-route.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { conflict, errorSchema, notFound } from '../errors.ts';
import { removeProgramMedia } from '../media/store.ts';
import { normalizeProgramFields } from './metadata.ts';
import { deleteProgramRows, futureBroadcastUse, getProgram, listPrograms, updateProgram } from './repo.ts';
import { idParams, programListQuery, programPatchBody, programSchema } from './schemas.ts';
import type { Sort } from './search.ts';

/** Organizers read the published catalog only; unpublished programs are drafts for operators. */
const seesDrafts = (req: FastifyRequest) => req.user?.role === 'operator';

export default async function programsRoutes(app: FastifyInstance) {
  const { db, config } = app;
  app.get(
    '/api/programs',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'List and search programs (filters, paging, sorting); organizers see published programs only',
        querystring: programListQuery,
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: programSchema }, total: { type: 'integer' } } },
          400: errorSchema,
          401: errorSchema,
        },
      },
    },
    async (req) => {
      const q = req.query as {
        q?: string; category?: string; audience?: string; series?: number; status?: string;
        published?: boolean; limit: number; offset: number; sort?: Sort;
      };
      // Organizers see published programs only: asking them for drafts finds none.
      if (!seesDrafts(req) && q.published === false) return { items: [], total: 0 };
      return listPrograms(db, {
        q: q.q?.trim() || undefined,
        category: q.category,
        audience: q.audience,
        seriesId: q.series,
        status: q.status,
        published: seesDrafts(req) ? q.published : true,
        sort: q.sort,
        limit: q.limit,
        offset: q.offset,
      });
    },
  );

  app.get(
    '/api/programs/:id',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'One program: metadata, pipeline status (progress, ETA, error), renditions, poster and HLS URL paths',
        params: idParams,
        response: { 200: programSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const program = getProgram(db, id);
      if (!program || (!program.published && !seesDrafts(req))) throw notFound(`Program ${id} does not exist.`);
      return program;
    },
  );

  app.patch(
    '/api/programs/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Edit metadata; publish or unpublish with {"published": true|false}',
        params: idParams,
        body: programPatchBody,
        response: { 200: programSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const fields = normalizeProgramFields(req.body as Record<string, unknown>);
      if (!updateProgram(db, id, fields, new Date().toISOString())) throw notFound(`Program ${id} does not exist.`);
      return getProgram(db, id)!;
    },
  );

  app.delete(
    '/api/programs/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Delete a program and its media; refused (409) while a broadcast still to come uses it',
        params: idParams,
        response: { 204: { type: 'null' }, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: number };
      const now = Date.now();
      const deleted = db.transaction(() => {
        if (!getProgram(db, id)) throw notFound(`Program ${id} does not exist.`);
        const use = futureBroadcastUse(db, id, now);
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
      return reply.status(204).send();
    },
  );
}
