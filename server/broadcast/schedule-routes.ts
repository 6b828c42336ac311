// Schedule items: list (with warnings), add, edit, delete; copy a day/week; export/import a week. HTTP only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import {
  CopyBody,
  CreatedItems,
  ExportQuery,
  ImportBody,
  ImportQuery,
  ItemCreate,
  ItemParams,
  ItemPatch,
  MAX_IMPORT_ROWS,
  RangeQuery,
  ScheduleItem,
  ScheduleList,
  WeekExport,
} from '../../common/api/broadcast.ts';
import { badRequest } from '../errors.ts';
import { getChannel, getItem, itemsBetween } from './repo.ts';
import { itemView, parseDay, parseInstant, seesDrafts } from './http.ts';
import { deleteItem, insertItems, updateItem } from './schedule.ts';
import { copyDays, csvToRows, exportWeek, importRows, weekToCsv } from './transfer.ts';

/** Item writes are a few fields. */
const ITEM_BODY_LIMIT = 16 * 1024;
/**
 * An import holds at most MAX_IMPORT_ROWS rows; an exported row is ISO instants, ids and a title (up to ~800 bytes
 * with a long Chinese title in JSON), so 5000 rows fit in 4 MB with room.
 */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

export default async function scheduleRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;
  const zone = app.config.provinceTz;
  const tags = ['schedule'];
  const instant = (v: string | number | undefined, field: string) => (v === undefined ? undefined : parseInstant(v, field, zone));

  app.get(
    '/api/channels/:id/schedule',
    {
      onRequest: app.auth.user,
      schema: {
        tags,
        summary: 'Items overlapping [from, to) (default: today and the next 6 days, province time), with warnings',
        params: IdParams,
        querystring: RangeQuery,
        response: { 200: ScheduleList, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const c = getChannel(db, req.params.id);
      const now = Date.now();
      const from = instant(req.query.from, 'from') ?? DateTime.fromMillis(now, { zone }).startOf('day').toMillis();
      const to = instant(req.query.to, 'to') ?? from + 7 * 86_400_000;
      if (to <= from) throw badRequest('to must be after from.');
      if (to - from > 400 * 86_400_000) throw badRequest('Ask for at most 400 days at a time.');
      const drafts = seesDrafts(req);
      return {
        channelId: c.id,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        timezone: zone,
        items: itemsBetween(db, c.id, from, to).map((r) => itemView(r, now, drafts)),
      };
    },
  );

  app.post(
    '/api/channels/:id/schedule',
    {
      onRequest: app.auth.operator,
      bodyLimit: ITEM_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Add a one-off item; 409 naming the clashing item when it overlaps',
        params: IdParams,
        body: ItemCreate,
        response: { 201: ScheduleItem, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      const b = req.body;
      const now = Date.now();
      const [id] = insertItems(
        db,
        c.id,
        [
          {
            programId: b.programId,
            start: parseInstant(b.start, 'start', zone),
            end: instant(b.end, 'end'),
            durationMs: b.durationSeconds === undefined ? undefined : b.durationSeconds * 1000,
          },
        ],
        now,
        zone,
      );
      return reply.status(201).send(itemView(getItem(db, c.id, id), now, true));
    },
  );

  app.patch(
    '/api/channels/:id/schedule/:itemId',
    {
      onRequest: app.auth.operator,
      bodyLimit: ITEM_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Change an item that has not started (409 once it has)',
        params: ItemParams,
        body: ItemPatch,
        response: { 200: ScheduleItem, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const c = getChannel(db, req.params.id);
      const b = req.body;
      const now = Date.now();
      updateItem(
        db,
        c.id,
        req.params.itemId,
        {
          programId: b.programId,
          start: instant(b.start, 'start'),
          end: instant(b.end, 'end'),
          durationMs: b.durationSeconds === undefined ? undefined : b.durationSeconds * 1000,
        },
        now,
        zone,
      );
      return itemView(getItem(db, c.id, req.params.itemId), now, true);
    },
  );

  app.delete(
    '/api/channels/:id/schedule/:itemId',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: 'Delete an item that has not started (409 once it has)',
        params: ItemParams,
        response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      deleteItem(db, getChannel(db, req.params.id).id, req.params.itemId, Date.now());
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/channels/:id/schedule/copy',
    {
      onRequest: app.auth.operator,
      bodyLimit: ITEM_BODY_LIMIT,
      schema: {
        tags,
        summary: 'Copy a day (days: 1) or a week (days: 7) to another date, optionally onto another channel; all or nothing',
        params: IdParams,
        body: CopyBody,
        response: { 201: CreatedItems, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      const target = req.body.toChannelId ? getChannel(db, req.body.toChannelId).id : c.id;
      const now = Date.now();
      const from = parseDay(req.body.fromDate, 'fromDate', zone);
      const ids = copyDays(db, zone, c.id, from, parseDay(req.body.toDate, 'toDate', zone), req.body.days ?? 1, target, now);
      return reply.status(201).send({ created: ids.map((id) => itemView(getItem(db, target, id), now, true)) });
    },
  );

  app.get(
    '/api/channels/:id/schedule/export',
    {
      onRequest: app.auth.user,
      schema: {
        tags,
        summary: 'Export the 7 days from `week` (YYYY-MM-DD, province time) as JSON or CSV (start,end,program_id,title)',
        params: IdParams,
        querystring: ExportQuery,
        response: { 200: Type.Union([WeekExport, Type.String()]), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      const week = exportWeek(db, zone, c.id, parseDay(req.query.week, 'week', zone), seesDrafts(req));
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="channel-${c.number}-week-${week.week}.csv"`)
          .send(weekToCsv(week.items));
      }
      return week;
    },
  );

  // CSV arrives as text/csv; JSON as exported.
  if (!app.hasContentTypeParser('text/csv')) {
    app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_req, body, done) => done(null, body));
  }

  app.post(
    '/api/channels/:id/schedule/import',
    {
      onRequest: app.auth.operator,
      bodyLimit: IMPORT_BODY_LIMIT,
      schema: {
        tags,
        summary:
          `Import a week (the JSON of export, or text/csv with start,end,program_id; at most ${MAX_IMPORT_ROWS} rows); ` +
          'toWeek moves it from its week; all or nothing',
        params: IdParams,
        querystring: ImportQuery,
        body: ImportBody,
        response: { 201: CreatedItems, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      const body = req.body;
      const rows = typeof body === 'string' ? csvToRows(body) : body.items;
      const sourceWeek = req.query.fromWeek ?? (typeof body === 'string' ? undefined : body.week);
      let shift = 0;
      if (req.query.toWeek) {
        if (!sourceWeek) throw badRequest('To move a CSV week, also give fromWeek (the week it was exported from).');
        shift = Math.round(parseDay(req.query.toWeek, 'toWeek', zone).diff(parseDay(sourceWeek, 'fromWeek', zone), 'days').days);
      }
      const now = Date.now();
      const ids = importRows(db, zone, c.id, rows, shift, now);
      return reply.status(201).send({ created: ids.map((id) => itemView(getItem(db, c.id, id), now, true)) });
    },
  );
}
