// Routes: the region tree. Operators write; any signed-in user reads (organizers: their own subtree).
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import {
  NewRegion,
  Region,
  RegionBranches,
  RegionChildrenQuery,
  RegionDetail,
  RegionHits,
  RegionImportResult,
  RegionPatch,
  RegionSearchQuery,
  RegionTree,
} from '../../common/api/sites.ts';
import { forbidden, notFound } from '../errors.ts';
import {
  createRegion,
  deleteRegion,
  getRegion,
  isInSubtree,
  regionChildren,
  regionDetail,
  regionTree,
  searchRegions,
  subtreePrefix,
  topRegions,
  updateRegion,
} from './regions.ts';
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

  /** 404 for no such region, 403 for one outside an organizer's scope. */
  const visibleRegion = (id: number, root: number | undefined) => {
    const region = getRegion(db, id);
    if (!region) throw notFound(`No region ${id}.`);
    if (root !== undefined && !isInSubtree(db, id, root)) throw forbidden(`Region ${id} is outside your region.`);
    return region;
  };

  app.get(
    '/api/regions/children',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['regions'],
        summary: "One level of the region tree, with each region's sub-region and site counts (for trees that load on expand)",
        description: 'Without parentId: the top regions (organizers: their own region). Organizers see only their subtree.',
        querystring: RegionChildrenQuery,
        response: { 200: RegionBranches, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const root = scopeRoot(req);
      if (req.query.parentId === undefined) return topRegions(db, root);
      visibleRegion(req.query.parentId, root);
      return regionChildren(db, req.query.parentId);
    },
  );

  app.get(
    '/api/regions/search',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['regions'],
        summary: "Find regions by part of their name (or name chosen ones by ids), with their ancestors' names",
        description: 'Nearest the top first, at most `limit` (50). Organizers find only regions in their own subtree.',
        querystring: RegionSearchQuery,
        response: { 200: RegionHits, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const root = scopeRoot(req);
      const { q, ids, level, under, limit = 50 } = req.query;
      const within = under !== undefined ? visibleRegion(under, root).path : root !== undefined ? subtreePrefix(db, root) : undefined;
      if (root !== undefined && within === undefined) return []; // an organizer without a region sees none
      return searchRegions(db, { q, ids: ids?.split(',').map(Number), level, under: within, limit });
    },
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
