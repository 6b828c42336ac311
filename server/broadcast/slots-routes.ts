// Recurring slots: days + time or cron; a fixed program or the next episode of a series.
import type { FastifyInstance } from 'fastify';
import { badRequest, errorSchema, notFound } from '../errors.ts';
import { getChannel, getProgram } from './repo.ts';
import { idParams, instantSchema, iso, parseInstant } from './http.ts';
import { recurrenceProblem } from './recurrence.ts';
import { materialiseSlot, type SlotRow } from './slots.ts';
import { invalidateChannel } from './timeline-input.ts';

const slotSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channelId: { type: 'integer' },
    days: { type: ['array', 'null'], items: { type: 'integer' } },
    time: { type: ['string', 'null'] },
    cron: { type: ['string', 'null'] },
    programId: { type: ['integer', 'null'] },
    seriesId: { type: ['integer', 'null'] },
    nextEpisode: { type: 'integer', description: 'Index (in airing order) of the episode the next occurrence takes' },
    durationSeconds: { type: ['integer', 'null'] },
    from: { type: 'string' },
    until: { type: ['string', 'null'] },
    materialisedUntil: { type: 'string' },
    skipped: { type: 'array', items: { type: 'object', properties: { start: { type: 'string' }, reason: { type: 'string' } } } },
  },
} as const;

function slotView(s: SlotRow, notes: Array<{ start: number; reason: string }> = []) {
  return {
    id: s.id,
    channelId: s.channel_id,
    days: s.days ? (JSON.parse(s.days) as number[]) : null,
    time: s.time,
    cron: s.cron,
    programId: s.program_id,
    seriesId: s.series_id,
    nextEpisode: s.next_episode,
    durationSeconds: s.duration_ms === null ? null : s.duration_ms / 1000,
    from: iso(s.from_at),
    until: s.until_at === null ? null : iso(s.until_at),
    materialisedUntil: iso(s.materialised_until),
    skipped: notes.map((n) => ({ start: iso(n.start), reason: n.reason })),
  };
}

export default async function slotsRoutes(app: FastifyInstance) {
  const { db } = app;
  const zone = app.config.provinceTz;
  const tags = ['schedule'];
  const slotParams = {
    type: 'object',
    properties: { id: { type: 'integer', minimum: 1 }, slotId: { type: 'integer', minimum: 1 } },
    required: ['id', 'slotId'],
  } as const;

  app.post<{
    Params: { id: number };
    Body: { days?: number[]; time?: string; cron?: string; programId?: number; seriesId?: number; from?: string | number; until?: string | number; durationSeconds?: number };
  }>('/api/channels/:id/slots', {
    preHandler: app.auth.operator,
    schema: {
      tags,
      summary: 'Add a recurring slot; its occurrences of the next 8 days are materialised at once (then by the hourly job)',
      params: idParams,
      body: {
        type: 'object',
        properties: {
          days: { type: 'array', items: { type: 'integer', minimum: 1, maximum: 7 }, minItems: 1, maxItems: 7, description: '1 = Monday .. 7 = Sunday' },
          time: { type: 'string', description: 'HH:MM, province time' },
          cron: { type: 'string', maxLength: 200, description: '5 fields, province time, e.g. "30 19 * * 1-5"' },
          programId: { type: 'integer', minimum: 1 },
          seriesId: { type: 'integer', minimum: 1, description: 'Air the next episode of this series each time, in order, wrapping' },
          from: instantSchema,
          until: { ...instantSchema, description: 'No occurrence starts after this (a date = the end of that day)' },
          durationSeconds: { type: 'integer', minimum: 1, maximum: 86_400, description: 'Default: each program’s own length' },
        },
        additionalProperties: false,
      },
      response: { 201: slotSchema, 400: errorSchema, 404: errorSchema },
    },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    const b = req.body;
    const problem = recurrenceProblem({ days: b.days, time: b.time, cron: b.cron });
    if (problem) throw badRequest(problem);
    if ((b.programId === undefined) === (b.seriesId === undefined)) throw badRequest('Give either programId or seriesId (the next episode each time).');
    if (b.programId !== undefined) getProgram(db, b.programId);
    if (b.seriesId !== undefined && !db.prepare('SELECT 1 FROM series WHERE id = ?').get(b.seriesId)) throw notFound(`No series ${b.seriesId}.`);
    const now = Date.now();
    const from = b.from === undefined ? now : parseInstant(b.from, 'from', zone);
    let until: number | null = null;
    if (b.until !== undefined) {
      // A bare date means "through that day".
      until = /^\d{4}-\d{2}-\d{2}$/.test(String(b.until)) ? parseInstant(`${b.until}T23:59:59.999`, 'until', zone) : parseInstant(b.until, 'until', zone);
      if (until <= from) throw badRequest('until must be after from.');
    }
    const stamp = new Date(now).toISOString();
    const id = Number(
      db
        .prepare(
          `INSERT INTO schedule_slots (channel_id, days, time, cron, program_id, series_id, duration_ms, from_at, until_at, materialised_until, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          c.id, b.cron ? null : JSON.stringify([...new Set(b.days)].sort()), b.cron ? null : b.time, b.cron?.trim() ?? null,
          b.programId ?? null, b.seriesId ?? null, b.durationSeconds === undefined ? null : b.durationSeconds * 1000,
          from, until, from, stamp, stamp,
        ).lastInsertRowid,
    );
    const slot = () => db.prepare('SELECT * FROM schedule_slots WHERE id = ?').get(id) as SlotRow;
    const result = materialiseSlot(db, slot(), zone, now);
    reply.status(201);
    return slotView(slot(), result.skipped);
  });

  app.get<{ Params: { id: number } }>('/api/channels/:id/slots', {
    preHandler: app.auth.user,
    schema: { tags, params: idParams, response: { 200: { type: 'array', items: slotSchema }, 404: errorSchema } },
  }, async (req) => {
    const c = getChannel(db, req.params.id);
    const slots = db.prepare('SELECT * FROM schedule_slots WHERE channel_id = ? ORDER BY id').all(c.id) as SlotRow[];
    const notes = db.prepare('SELECT start_at, note FROM slot_occurrences WHERE slot_id = ? AND note IS NOT NULL AND start_at >= ? ORDER BY start_at');
    const now = Date.now();
    return slots.map((s) => slotView(s, (notes.all(s.id, now) as Array<{ start_at: number; note: string }>).map((n) => ({ start: n.start_at, reason: n.note }))));
  });

  app.delete<{ Params: { id: number; slotId: number } }>('/api/channels/:id/slots/:slotId', {
    preHandler: app.auth.operator,
    schema: {
      tags,
      summary: 'Delete a slot and the items it made that have not started (aired ones stay)',
      params: slotParams,
      response: { 204: { type: 'null' }, 404: errorSchema },
    },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    const now = Date.now();
    db.transaction(() => {
      const found = db.prepare('SELECT 1 FROM schedule_slots WHERE id = ? AND channel_id = ?').get(req.params.slotId, c.id);
      if (!found) throw notFound(`Channel ${c.id} has no slot ${req.params.slotId}.`);
      db.prepare('DELETE FROM schedule_items WHERE slot_id = ? AND start_at > ?').run(req.params.slotId, now);
      db.prepare('DELETE FROM schedule_slots WHERE id = ?').run(req.params.slotId);
    })();
    invalidateChannel(db, c.id);
    reply.status(204);
  });
}
