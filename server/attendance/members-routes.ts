// Member rolls: CSV import per site (all-or-nothing) and list/search, scoped like reports.
import type { FastifyInstance } from 'fastify';
import { badRequest, errorSchema, forbidden } from '../errors.ts';
import { parseRoll, storeRoll } from './roll.ts';
import { resolveScope, siteIdsUserMayManage } from './scope.ts';

export default async function membersRoutes(app: FastifyInstance) {
  for (const type of ['text/csv', 'text/plain']) {
    if (!app.hasContentTypeParser(type)) {
      app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    }
  }

  app.post<{ Body: string }>('/api/members/import', {
    preHandler: app.auth.user,
    schema: {
      tags: ['attendance'],
      summary: 'Import a member roll from CSV (text/csv body): member number, name, site (id or name), category',
      description: 'A header row in English (memberNo,name,site,category) or Chinese (党员编号,姓名,站点,类别) in any order, '
        + 'or no header in that order. All or nothing: any bad row refuses the whole file with every row error listed. '
        + 'Operators import into any site, organizers into the sites of their region only. A known member number is updated.',
      consumes: ['text/csv', 'text/plain'],
      body: { type: 'string', description: 'CSV, UTF-8 (a BOM is fine)' },
      response: {
        200: { type: 'object', properties: { inserted: { type: 'integer' }, updated: { type: 'integer' } } },
        400: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                code: { type: 'string' }, message: { type: 'string' },
                rows: { type: 'array', items: { type: 'object', properties: { row: { type: 'integer' }, message: { type: 'string' } } } },
              },
            },
          },
        },
        401: errorSchema, 403: errorSchema,
      },
    },
  }, async (req, reply) => {
    if (typeof req.body !== 'string' || !req.body.trim()) throw badRequest('Send the roll as a text/csv body.');
    const user = req.user!;
    const manageable = siteIdsUserMayManage(app.db, user);
    const sites = app.db.prepare('SELECT id, name FROM sites').all() as Array<{ id: number; name: string }>;
    const { rows, errors, forbidden: outside } = parseRoll(req.body, sites, (id) => !manageable || manageable.has(id));
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
      const siteOf = app.db.prepare('SELECT site_id AS siteId FROM members WHERE member_no = ?');
      for (const r of rows) {
        const cur = siteOf.get(r.memberNo) as { siteId: number } | undefined;
        if (cur && !manageable.has(cur.siteId)) {
          throw forbidden(`Nothing was imported: member ${r.memberNo} is on the roll of site ${cur.siteId}, outside your region.`);
        }
      }
    }
    const result = storeRoll(app.db, rows, new Date().toISOString());
    req.log.info({ ...result, by: user.username }, 'member roll imported');
    return result;
  });

  app.get<{ Querystring: { siteId?: number; regionId?: number; q?: string; limit: number; offset: number } }>('/api/members', {
    preHandler: app.auth.user,
    schema: {
      tags: ['attendance'],
      summary: 'List or search members on the rolls (organizers: their region only)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          siteId: { type: 'integer' },
          regionId: { type: 'integer' },
          q: { type: 'string', maxLength: 100, description: 'part of a member number or name' },
          limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            total: { type: 'integer' },
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  memberNo: { type: 'string' }, name: { type: 'string' }, siteId: { type: 'integer' },
                  siteName: { type: ['string', 'null'] }, category: { type: 'string' }, importedAt: { type: 'string' },
                },
              },
            },
          },
        },
        401: errorSchema, 403: errorSchema, 404: errorSchema,
      },
    },
  }, async (req) => {
    const { siteId, regionId, q, limit, offset } = req.query;
    const user = req.user!;
    const scoped = user.role !== 'operator' || regionId != null;
    const siteIds = scoped ? resolveScope(app.db, user, regionId).sites.map((s) => s.id) : null;
    if (siteId != null && siteIds && !siteIds.includes(siteId)) {
      throw user.role === 'operator' ? badRequest(`Site ${siteId} is not in region ${regionId}.`) : forbidden(`Site ${siteId} is outside your region.`);
    }
    const where: string[] = [];
    const args: Record<string, unknown> = { limit, offset };
    if (siteIds) { where.push('m.site_id IN (SELECT value FROM json_each(@sites))'); args.sites = JSON.stringify(siteIds); }
    if (siteId != null) { where.push('m.site_id = @siteId'); args.siteId = siteId; }
    if (q) { where.push("(m.member_no LIKE @q ESCAPE '\\' OR m.name LIKE @q ESCAPE '\\')"); args.q = `%${q.replace(/[\\%_]/g, (c) => '\\' + c)}%`; }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (app.db.prepare(`SELECT count(*) AS n FROM members m ${w}`).get(args) as { n: number }).n;
    const items = app.db.prepare(`SELECT m.member_no AS memberNo, m.name, m.site_id AS siteId, s.name AS siteName,
        m.category, m.imported_at AS importedAt FROM members m LEFT JOIN sites s ON s.id = m.site_id ${w}
        ORDER BY m.site_id, m.member_no LIMIT @limit OFFSET @offset`).all(args);
    return { total, items };
  });
}
