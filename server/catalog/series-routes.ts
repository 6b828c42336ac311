// Routes: series (a course of numbered episodes) and the category/audience taxonomy.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AUDIENCES, CATEGORIES } from '../../content/taxonomy.ts';
import { IdParams } from '../../common/api/shared.ts';
import { Series, SeriesCreate, SeriesList, SeriesPatch, Taxonomy } from '../../common/api/catalog.ts';
import { badRequest, errorSchema, notFound } from '../errors.ts';
import { createSeries, deleteSeries, getSeries, listSeries, updateSeries } from './repo.ts';
import type { Viewer } from './viewer.ts';

const SERIES_BODY_LIMIT = 16 * 1024;

function cleanTitle(title: string): string {
  const t = title.trim();
  if (!t) throw badRequest('title must not be empty.');
  return t;
}

export default async function seriesRoutes(fastify: FastifyInstance, opts: { viewer: Viewer }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;
  const { viewer } = opts;

  app.get(
    '/api/taxonomy',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'Categories and audiences (ids with Chinese and English names)',
        response: { 200: Taxonomy, 401: errorSchema },
      },
    },
    async () => ({ categories: [...CATEGORIES], audiences: [...AUDIENCES] }),
  );

  app.get(
    '/api/series',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'All series, by title, with how many programs each has (organizers: published ones)',
        response: { 200: SeriesList, 401: errorSchema },
      },
    },
    async (req) => ({ items: listSeries(db, viewer.seesDrafts(req)) }),
  );

  app.get(
    '/api/series/:id',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['catalog'],
        summary: 'One series (its episodes: GET /api/programs?series=ID&sort=episode)',
        params: IdParams,
        response: { 200: Series, 400: errorSchema, 401: errorSchema, 404: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params;
      const s = getSeries(db, id, viewer.seesDrafts(req));
      if (!s) throw notFound(`Series ${id} does not exist.`);
      return s;
    },
  );

  app.post(
    '/api/series',
    {
      onRequest: app.auth.operator,
      bodyLimit: SERIES_BODY_LIMIT,
      schema: {
        tags: ['catalog'],
        summary: 'Create a series (titles are unique)',
        body: SeriesCreate,
        response: { 201: Series, 400: errorSchema, 401: errorSchema, 403: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const s = createSeries(db, { title: cleanTitle(b.title), description: b.description?.trim() }, new Date().toISOString());
      return reply.status(201).send(s);
    },
  );

  app.patch(
    '/api/series/:id',
    {
      onRequest: app.auth.operator,
      bodyLimit: SERIES_BODY_LIMIT,
      schema: {
        tags: ['catalog'],
        summary: 'Rename a series or change its description',
        params: IdParams,
        body: SeriesPatch,
        response: { 200: Series, 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params;
      const b = req.body;
      return updateSeries(db, id, {
        title: b.title === undefined ? undefined : cleanTitle(b.title),
        description: b.description?.trim(),
      });
    },
  );

  app.delete(
    '/api/series/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['catalog'],
        summary: 'Delete a series; its programs stay in the catalog, without a series',
        params: IdParams,
        response: { 204: Type.Null(), 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema },
      },
    },
    async (req, reply) => {
      const { id } = req.params;
      if (!deleteSeries(db, id)) throw notFound(`Series ${id} does not exist.`);
      return reply.status(204).send(null);
    },
  );
}
