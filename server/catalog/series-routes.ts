// Routes: series (a course of numbered episodes) and the category/audience taxonomy.
import type { FastifyInstance } from 'fastify';
import { AUDIENCES, CATEGORIES } from '../../content/taxonomy.ts';
import { badRequest, errorSchema, notFound } from '../errors.ts';
import { createSeries, deleteSeries, getSeries, listSeries, updateSeries } from './repo.ts';
import { idParams, seriesSchema } from './schemas.ts';

const seriesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 200 },
    description: { type: 'string', maxLength: 5000 },
  },
} as const;

const taxonomyEntry = {
  type: 'object',
  properties: { id: { type: 'string' }, zh: { type: 'string' }, en: { type: 'string' } },
} as const;

function cleanTitle(title: string): string {
  const t = title.trim();
  if (!t) throw badRequest('title must not be empty.');
  return t;
}

export default async function seriesRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get(
    '/api/taxonomy',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'Categories and audiences (ids with Chinese and English names)',
        response: {
          200: {
            type: 'object',
            properties: { categories: { type: 'array', items: taxonomyEntry }, audiences: { type: 'array', items: taxonomyEntry } },
          },
          401: errorSchema,
        },
      },
    },
    async () => ({ categories: CATEGORIES, audiences: AUDIENCES }),
  );

  app.get(
    '/api/series',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'All series, by title, with how many programs each has',
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: seriesSchema } } }, 401: errorSchema },
      },
    },
    async () => ({ items: listSeries(db) }),
  );

  app.get(
    '/api/series/:id',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'One series (its episodes: GET /api/programs?series=ID&sort=episode)',
        params: idParams,
        response: { 200: seriesSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const s = getSeries(db, id);
      if (!s) throw notFound(`Series ${id} does not exist.`);
      return s;
    },
  );

  app.post(
    '/api/series',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Create a series (titles are unique)',
        body: { ...seriesBody, required: ['title'] },
        response: { 201: seriesSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body as { title: string; description?: string };
      const s = createSeries(db, { title: cleanTitle(b.title), description: b.description?.trim() }, new Date().toISOString());
      return reply.status(201).send(s);
    },
  );

  app.patch(
    '/api/series/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Rename a series or change its description',
        params: idParams,
        body: { ...seriesBody, minProperties: 1 },
        response: { 200: seriesSchema, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const b = req.body as { title?: string; description?: string };
      return updateSeries(db, id, {
        title: b.title === undefined ? undefined : cleanTitle(b.title),
        description: b.description?.trim(),
      });
    },
  );

  app.delete(
    '/api/series/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Delete a series; its programs stay in the catalog, without a series',
        params: idParams,
        response: { 204: { type: 'null' }, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { id } = req.params as { id: number };
      if (!deleteSeries(db, id)) throw notFound(`Series ${id} does not exist.`);
      return reply.status(204).send();
    },
  );
}
