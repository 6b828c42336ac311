// Schedule items: list (with warnings), add, edit, delete; copy a day/week; export/import a week.
import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { badRequest, errorSchema } from '../errors.ts';
import { getChannel, getItem, itemsBetween } from './repo.ts';
import { idParams, instantSchema, itemSchema, itemView, parseDay, parseInstant } from './http.ts';
import { deleteItem, insertItems, updateItem } from './schedule.ts';
import { copyDays, csvToRows, exportWeek, importRows, weekToCsv } from './transfer.ts';

const itemParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 }, itemId: { type: 'integer', minimum: 1 } },
  required: ['id', 'itemId'],
} as const;

const itemWrite = {
  programId: { type: 'integer', minimum: 1 },
  start: { ...instantSchema, description: 'ISO 8601 (no offset = province time) or epoch ms' },
  end: { ...instantSchema, description: 'Optional; default start + the program length' },
  durationSeconds: { type: 'integer', minimum: 1, maximum: 7 * 86_400 },
} as const;

type Instant = string | number;

export default async function scheduleRoutes(app: FastifyInstance) {
  const { db } = app;
  const zone = app.config.provinceTz;
  const tags = ['schedule'];

  app.get<{ Params: { id: number }; Querystring: { from?: string; to?: string } }>('/api/channels/:id/schedule', {
    preHandler: app.auth.user,
    schema: {
      tags,
      summary: 'Items overlapping [from, to) (default: today and the next 6 days, province time), with warnings',
      params: idParams,
      querystring: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } },
      response: {
        200: { type: 'object', properties: { channelId: { type: 'integer' }, from: { type: 'string' }, to: { type: 'string' }, timezone: { type: 'string' }, items: { type: 'array', items: itemSchema } } },
        400: errorSchema, 404: errorSchema,
      },
    },
  }, async (req) => {
    const c = getChannel(db, req.params.id);
    const now = Date.now();
    const from = req.query.from ? parseInstant(req.query.from, 'from', zone) : DateTime.fromMillis(now, { zone }).startOf('day').toMillis();
    const to = req.query.to ? parseInstant(req.query.to, 'to', zone) : from + 7 * 86_400_000;
    if (to <= from) throw badRequest('to must be after from.');
    if (to - from > 400 * 86_400_000) throw badRequest('Ask for at most 400 days at a time.');
    return {
      channelId: c.id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), timezone: zone,
      items: itemsBetween(db, c.id, from, to).map((r) => itemView(r, now)),
    };
  });

  app.post<{ Params: { id: number }; Body: { programId: number; start: Instant; end?: Instant; durationSeconds?: number } }>('/api/channels/:id/schedule', {
    preHandler: app.auth.operator,
    schema: {
      tags,
      summary: 'Add a one-off item; 409 naming the clashing item when it overlaps',
      params: idParams,
      body: { type: 'object', properties: itemWrite, required: ['programId', 'start'], additionalProperties: false },
      response: { 201: itemSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    const b = req.body;
    const now = Date.now();
    const [id] = insertItems(db, c.id, [{
      programId: b.programId,
      start: parseInstant(b.start, 'start', zone),
      end: b.end === undefined ? undefined : parseInstant(b.end, 'end', zone),
      durationMs: b.durationSeconds === undefined ? undefined : b.durationSeconds * 1000,
    }], now);
    reply.status(201);
    return itemView(getItem(db, c.id, id), now);
  });

  app.patch<{ Params: { id: number; itemId: number }; Body: { programId?: number; start?: Instant; end?: Instant; durationSeconds?: number } }>(
    '/api/channels/:id/schedule/:itemId',
    {
      preHandler: app.auth.operator,
      schema: {
        tags,
        summary: 'Change an item that has not started (409 once it has)',
        params: itemParams,
        body: { type: 'object', properties: itemWrite, additionalProperties: false, minProperties: 1 },
        response: { 200: itemSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const c = getChannel(db, req.params.id);
      const b = req.body;
      const now = Date.now();
      updateItem(db, c.id, req.params.itemId, {
        programId: b.programId,
        start: b.start === undefined ? undefined : parseInstant(b.start, 'start', zone),
        end: b.end === undefined ? undefined : parseInstant(b.end, 'end', zone),
        durationMs: b.durationSeconds === undefined ? undefined : b.durationSeconds * 1000,
      }, now);
      return itemView(getItem(db, c.id, req.params.itemId), now);
    },
  );

  app.delete<{ Params: { id: number; itemId: number } }>('/api/channels/:id/schedule/:itemId', {
    preHandler: app.auth.operator,
    schema: { tags, summary: 'Delete an item that has not started (409 once it has)', params: itemParams, response: { 204: { type: 'null' }, 404: errorSchema, 409: errorSchema } },
  }, async (req, reply) => {
    deleteItem(db, getChannel(db, req.params.id).id, req.params.itemId, Date.now());
    reply.status(204);
  });

  app.post<{ Params: { id: number }; Body: { fromDate: string; toDate: string; days?: number; toChannelId?: number } }>('/api/channels/:id/schedule/copy', {
    preHandler: app.auth.operator,
    schema: {
      tags,
      summary: 'Copy a day (days: 1) or a week (days: 7) to another date, optionally onto another channel; all or nothing',
      params: idParams,
      body: {
        type: 'object',
        properties: {
          fromDate: { type: 'string', description: 'YYYY-MM-DD (province time)' },
          toDate: { type: 'string', description: 'YYYY-MM-DD (province time)' },
          days: { type: 'integer', minimum: 1, maximum: 7, default: 1 },
          toChannelId: { type: 'integer', minimum: 1 },
        },
        required: ['fromDate', 'toDate'],
        additionalProperties: false,
      },
      response: { 201: { type: 'object', properties: { created: { type: 'array', items: itemSchema } } }, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    const target = req.body.toChannelId ? getChannel(db, req.body.toChannelId).id : c.id;
    const now = Date.now();
    const ids = copyDays(db, zone, c.id, parseDay(req.body.fromDate, 'fromDate', zone), parseDay(req.body.toDate, 'toDate', zone), req.body.days ?? 1, target, now);
    reply.status(201);
    return { created: ids.map((id) => itemView(getItem(db, target, id), now)) };
  });

  app.get<{ Params: { id: number }; Querystring: { week: string; format?: 'json' | 'csv' } }>('/api/channels/:id/schedule/export', {
    preHandler: app.auth.user,
    schema: {
      tags,
      summary: 'Export the 7 days from `week` (YYYY-MM-DD, province time) as JSON or CSV (start,end,program_id,title)',
      params: idParams,
      querystring: { type: 'object', properties: { week: { type: 'string' }, format: { type: 'string', enum: ['json', 'csv'], default: 'json' } }, required: ['week'] },
    },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    const week = exportWeek(db, zone, c.id, parseDay(req.query.week, 'week', zone));
    if (req.query.format === 'csv') {
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="channel-${c.number}-week-${week.week}.csv"`);
      return weekToCsv(week.items);
    }
    return week;
  });

  // CSV arrives as text/csv; JSON as exported.
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  }

  app.post<{ Params: { id: number }; Querystring: { toWeek?: string; fromWeek?: string }; Body: unknown }>('/api/channels/:id/schedule/import', {
    preHandler: app.auth.operator,
    schema: {
      tags,
      summary: 'Import a week (the JSON of export, or text/csv with start,end,program_id); toWeek moves it from its week; all or nothing',
      params: idParams,
      querystring: { type: 'object', properties: { toWeek: { type: 'string' }, fromWeek: { type: 'string' } } },
      response: { 201: { type: 'object', properties: { created: { type: 'array', items: itemSchema } } }, 400: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    const body = req.body;
    let rows: Array<{ start: string | number; end?: string | number; programId: number }>;
    let sourceWeek: string | undefined = req.query.fromWeek;
    if (typeof body === 'string' || Buffer.isBuffer(body)) {
      rows = csvToRows(String(body));
    } else if (body && typeof body === 'object' && Array.isArray((body as { items?: unknown }).items)) {
      const b = body as { week?: string; items: Array<Record<string, unknown>> };
      sourceWeek ??= b.week;
      rows = b.items.map((r, i) => {
        const programId = Number(r.programId);
        if (!Number.isInteger(programId) || (typeof r.start !== 'string' && typeof r.start !== 'number')) {
          throw badRequest(`items[${i}] needs start and programId.`);
        }
        return { start: r.start, end: typeof r.end === 'string' || typeof r.end === 'number' ? r.end : undefined, programId };
      });
    } else {
      throw badRequest('Send the JSON of the export ({week, items: [{start, end, programId}]}) or text/csv.');
    }
    let shift = 0;
    if (req.query.toWeek) {
      if (!sourceWeek) throw badRequest('To move a CSV week, also give fromWeek (the week it was exported from).');
      shift = Math.round(parseDay(req.query.toWeek, 'toWeek', zone).diff(parseDay(sourceWeek, 'fromWeek', zone), 'days').days);
    }
    const now = Date.now();
    const ids = importRows(db, zone, c.id, rows, shift, now);
    reply.status(201);
    return { created: ids.map((id) => itemView(getItem(db, c.id, id), now)) };
  });
}
