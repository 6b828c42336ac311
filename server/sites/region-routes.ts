// Routes: the region tree. Operators write; any signed-in user reads (organizers: their own subtree).
import type { FastifyInstance } from 'fastify';
import { errorSchema, forbidden, notFound } from '../errors.ts';
import {
  childRegions,
  createRegion,
  deleteRegion,
  getRegion,
  isInSubtree,
  pathIds,
  regionTree,
  subtreeSiteCount,
  updateRegion,
  type Level,
  type RegionPatch,
} from './regions.ts';
import { scopeRoot } from './scope.ts';
import { importRegionsCsv } from './region-import.ts';
import { idParams, levelSchema, regionSchema, regionTreeSchema } from './schemas.ts';

export default async function regionRoutes(app: FastifyInstance) {
  const { db } = app;

  app.get(
    '/api/regions',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['regions'],
        summary: 'The region tree (organizers: their own subtree)',
        response: { 200: regionTreeSchema, 401: errorSchema },
      },
    },
    async (req) => regionTree(db, scopeRoot(req)),
  );

  app.post(
    '/api/regions',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary: 'Add a region under a parent (a child level must be below its parent)',
        body: {
          type: 'object',
          required: ['name', 'level'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            parentId: { type: ['integer', 'null'] },
            level: levelSchema,
          },
        },
        response: { 201: regionSchema, 400: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const body = req.body as { name: string; parentId?: number | null; level: Level };
      reply.status(201);
      return createRegion(db, body);
    },
  );

  app.post(
    '/api/regions/import',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary: 'Import regions from CSV (all or nothing)',
        description:
          'Body text/csv with a header row. Either a `path` column (names from the top down, separated by "/" or ">", ' +
          'e.g. 某省/某市/某县/某镇/某村) with an optional `level` column, or columns `name,parent,level` where parent is the ' +
          "parent's name (or its path when names repeat), empty for a root. Chinese headers (路径, 名称, 上级, 级别) and level " +
          'names (省 市 县 乡 镇 村 ...) are accepted. Existing regions are matched by name under the same parent and kept.',
        response: {
          200: {
            type: 'object',
            properties: {
              created: { type: 'integer' },
              existing: { type: 'integer' },
              regions: { type: 'array', items: regionSchema },
            },
          },
          400: errorSchema,
        },
      },
    },
    async (req) => importRegionsCsv(db, String(req.body ?? '')),
  );

  app.get(
    '/api/regions/:id',
    {
      preHandler: app.auth.user,
      schema: {
        tags: ['regions'],
        params: idParams,
        response: {
          200: {
            ...regionSchema,
            properties: {
              ...regionSchema.properties,
              ancestors: { type: 'array', items: regionSchema },
              children: { type: 'array', items: regionSchema },
              siteCount: { type: 'integer', description: 'sites in the whole subtree' },
            },
          },
          403: errorSchema,
          404: errorSchema,
        },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      const region = getRegion(db, id);
      if (!region) throw notFound(`No region ${id}.`);
      const root = scopeRoot(req);
      if (root !== undefined && !isInSubtree(db, id, root)) throw forbidden(`Region ${id} is outside your region.`);
      return {
        ...region,
        ancestors: pathIds(region.path).slice(0, -1).map((a) => getRegion(db, a)!),
        children: childRegions(db, id),
        siteCount: subtreeSiteCount(db, region.path),
      };
    },
  );

  app.patch(
    '/api/regions/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary: 'Rename a region, change its level, or move it (with its subtree) under another parent',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 }, level: levelSchema, parentId: { type: ['integer', 'null'] } },
        },
        response: { 200: regionSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      return updateRegion(db, id, req.body as RegionPatch);
    },
  );

  app.delete(
    '/api/regions/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary: 'Delete a region (refused while it has sub-regions, sites or organizers)',
        params: idParams,
        response: { 204: { type: 'null', description: 'deleted' }, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      deleteRegion(db, (req.params as { id: number }).id);
      reply.status(204).send();
    },
  );
}
