// Routes: the region tree. Operators write; any signed-in user reads (organizers: their own subtree).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import { NewRegion, Region, RegionDetail, RegionImportResult, RegionPatch, RegionTree } from '../../common/api/sites.ts';
import { forbidden, notFound } from '../errors.ts';
import { createRegion, deleteRegion, isInSubtree, regionDetail, regionTree, updateRegion } from './regions.ts';
import { scopeRoot } from './scope.ts';
import { importRegionsCsv } from './region-import.ts';

/** A region CSV of a whole province (tens of thousands of villages) is a few MB. */
const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

export default async function regionRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;

  app.get(
    '/api/regions',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['regions'],
        summary: 'The region tree (organizers: their own subtree)',
        response: { 200: RegionTree, 401: ErrorBody },
      },
    },
    async (req) => regionTree(db, scopeRoot(req)),
  );

  app.post(
    '/api/regions',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary: 'Add a region under a parent (a child level must be below its parent)',
        body: NewRegion,
        response: { 201: Region, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      reply.status(201);
      return createRegion(db, req.body);
    },
  );

  app.post(
    '/api/regions/import',
    {
      onRequest: app.auth.operator,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags: ['regions'],
        summary: 'Import regions from CSV (all or nothing, at most 8 MB)',
        description:
          'Body text/csv with a header row. Either a `path` column (names from the top down, separated by "/" or ">", ' +
          'e.g. 某省/某市/某县/某镇/某村) with an optional `level` column, or columns `name,parent,level` where parent is the ' +
          "parent's name (or its path when names repeat), empty for a root. Chinese headers (路径, 名称, 上级, 级别) and level " +
          'names (省 市 县 乡 镇 村 ...) are accepted. Existing regions are matched by name under the same parent and kept.',
        response: { 200: RegionImportResult, 400: ErrorBody },
      },
    },
    async (req) => importRegionsCsv(db, String(req.body ?? '')),
  );

  app.get(
    '/api/regions/:id',
    {
      onRequest: app.auth.user,
      schema: { tags: ['regions'], params: IdParams, response: { 200: RegionDetail, 403: ErrorBody, 404: ErrorBody } },
    },
    async (req) => {
      const { id } = req.params;
      const root = scopeRoot(req);
      const detail = regionDetail(db, id);
      if (!detail) throw notFound(`No region ${id}.`);
      if (root !== undefined && !isInSubtree(db, id, root)) throw forbidden(`Region ${id} is outside your region.`);
      return detail;
    },
  );

  app.patch(
    '/api/regions/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary:
          'Rename a region, change its level, move it (with its subtree) under another parent, or set its county relay ' +
          '(relayUrl, inherited by the subtree; null removes it)',
        params: IdParams,
        body: RegionPatch,
        response: { 200: Region, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => updateRegion(db, req.params.id, req.body),
  );

  app.delete(
    '/api/regions/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags: ['regions'],
        summary: 'Delete a region (refused while it has sub-regions, sites or organizers)',
        params: IdParams,
        response: { 204: Type.Null({ description: 'deleted' }), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      deleteRegion(db, req.params.id);
      reply.status(204).send(null);
    },
  );
}
