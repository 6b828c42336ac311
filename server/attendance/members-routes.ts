// Member rolls: CSV import per site (all-or-nothing) and list/search, scoped like reports. HTTP only: parsing is
// in roll.ts, the members table in tables.ts, sites come from the sites domain.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { MemberList, MemberListQuery, RollImportErrors, RollImportResult } from '../../common/api/attendance.ts';
import { ErrorBody } from '../../common/api/shared.ts';
import { badRequest, forbidden } from '../errors.ts';
import { sitesUnderPath } from '../sites/sites.ts';
import { parseRoll } from './roll.ts';
import { resolveScope, siteIdsUserMayManage } from './scope.ts';
import { listRoll, rollSitesOf, storeRoll } from './tables.ts';

/** A county's roll: 100,000 members at about 60 bytes a row is 6 MB; 8 MB leaves room for long names. */
export const ROLL_BODY_LIMIT = 8 * 1024 * 1024;

export default async function membersRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  for (const type of ['text/csv', 'text/plain']) {
    // No limit of its own here: each route's bodyLimit applies.
    if (!app.hasContentTypeParser(type)) app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }

  app.post(
    '/api/members/import',
    {
      onRequest: app.auth.user,
      bodyLimit: ROLL_BODY_LIMIT,
      schema: {
        tags: ['attendance'],
        summary: 'Import a member roll from CSV (text/csv body): member number, name, site (id or name), category',
        description:
          'A header row in English (memberNo,name,site,category) or Chinese (党员编号,姓名,站点,类别) in any order, ' +
          'or no header in that order. All or nothing: any bad row refuses the whole file with every row error listed. ' +
          'Operators import into any site, organizers into the sites of their region only. A known member number is updated. ' +
          `At most ${ROLL_BODY_LIMIT / 1024 / 1024} MB: split a larger roll.`,
        consumes: ['text/csv', 'text/plain'],
        body: Type.String({ description: 'CSV, UTF-8 (a BOM is fine)' }),
        response: { 200: RollImportResult, 400: RollImportErrors, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody },
      },
    },
    async (req, reply) => {
      if (!req.body.trim()) throw badRequest('Send the roll as a text/csv body.');
      const user = req.user!;
      const manageable = siteIdsUserMayManage(app.db, user);
      const mayManage = (siteId: number) => !manageable || manageable.has(siteId);
      const { rows, errors, forbidden: outside } = parseRoll(req.body, sitesUnderPath(app.db, null), mayManage);
      if (errors.length) {
        return reply.status(400).send({
          error: {
            code: 'invalid_rows',
            message: `Nothing was imported: ${errors.length} row(s) to fix, first: row ${errors[0].row}: ${errors[0].message}`,
            rows: errors,
          },
        });
      }
      if (outside.length) throw forbidden(`Nothing was imported: row ${outside[0].row}: ${outside[0].message}`);
      if (manageable) {
        // An organizer may not take over a member who is on the roll of a site outside their region.
        const current = rollSitesOf(
          app.db,
          rows.map((r) => r.memberNo),
        );
        const taken = rows.find((r) => current.has(r.memberNo) && !manageable.has(current.get(r.memberNo)!));
        if (taken) {
          const where = current.get(taken.memberNo);
          throw forbidden(`Nothing was imported: member ${taken.memberNo} is on the roll of site ${where}, outside your region.`);
        }
      }
      const result = storeRoll(app.db, rows, new Date().toISOString());
      req.log.info({ ...result, by: user.username }, 'member roll imported');
      return result;
    },
  );

  app.get(
    '/api/members',
    {
      onRequest: app.auth.user,
      schema: {
        tags: ['attendance'],
        summary: 'List or search members on the rolls (organizers: their region only)',
        querystring: MemberListQuery,
        response: { 200: MemberList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const { siteId, regionId, q, limit, offset } = req.query;
      const user = req.user!;
      const scoped = user.role !== 'operator' || regionId != null;
      const scopeSites = scoped ? resolveScope(app.db, user, regionId).sites : null;
      const siteIds = scopeSites?.map((s) => s.id) ?? null;
      if (siteId != null && siteIds && !siteIds.includes(siteId)) {
        throw user.role === 'operator'
          ? badRequest(`Site ${siteId} is not in region ${regionId}.`)
          : forbidden(`Site ${siteId} is outside your region.`);
      }
      const page = listRoll(app.db, { siteIds, siteId, q, limit: limit ?? 100, offset: offset ?? 0 });
      const names = new Map((scopeSites ?? sitesUnderPath(app.db, null)).map((s) => [s.id, s.name]));
      return { total: page.total, items: page.items.map((m) => ({ ...m, siteName: names.get(m.siteId) ?? null })) };
    },
  );
}
