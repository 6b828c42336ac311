// Recurring slots: days + time or cron; a fixed program or the next episode of a series. HTTP only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import { Slot, SlotCreate, SlotList, SlotParams } from '../../common/api/broadcast.ts';
import { badRequest, notFound } from '../errors.ts';
import { seriesExists } from '../catalog/repo.ts';
import { getChannel, getProgram } from './repo.ts';
import { iso, parseInstant } from './http.ts';
import { recurrenceProblem } from './recurrence.ts';
import { deleteSlot, getSlot, insertSlot, listSlots, materialiseSlot, skippedOccurrences, type SlotRow } from './slots.ts';
import { assertCarryAllows } from './schedule.ts';

const BODY_LIMIT = 16 * 1024;

function slotView(s: SlotRow, notes: Array<{ start: number; reason: string }> = []): Slot {
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

export default async function slotsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = app;
  const zone = app.config.provinceTz;
  const tags = ['schedule'];

  app.post(
    '/api/channels/:id/slots',
    {
      onRequest: app.auth.operator,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags,
        summary: 'Add a recurring slot; its occurrences of the next 8 days are materialised at once (then by the slot job)',
        params: IdParams,
        body: SlotCreate,
        response: { 201: Slot, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      const b = req.body;
      const problem = recurrenceProblem({ days: b.days, time: b.time, cron: b.cron });
      if (problem) throw badRequest(problem);
      if ((b.programId === undefined) === (b.seriesId === undefined))
        throw badRequest('Give either programId or seriesId (the next episode each time).');
      if (b.programId !== undefined) getProgram(db, b.programId);
      if (b.seriesId !== undefined && !seriesExists(db, b.seriesId)) throw notFound(`No series ${b.seriesId}.`);
      const now = Date.now();
      const from = b.from === undefined ? now : parseInstant(b.from, 'from', zone);
      let until: number | null = null;
      if (b.until !== undefined) {
        // A bare date means "through that day".
        const bareDate = /^\d{4}-\d{2}-\d{2}$/.test(String(b.until));
        until = bareDate ? parseInstant(`${b.until}T23:59:59.999`, 'until', zone) : parseInstant(b.until, 'until', zone);
        if (until <= from) throw badRequest('until must be after from.');
      }
      // On a carried channel an occurrence outside the provincial windows refuses the slot: nothing is kept.
      const { slot, result } = db.transaction(() => {
        const slot = insertSlot(
          db,
          c.id,
          {
            days: b.cron ? null : [...new Set(b.days)].sort(),
            time: b.cron ? null : (b.time ?? null),
            cron: b.cron?.trim() ?? null,
            programId: b.programId ?? null,
            seriesId: b.seriesId ?? null,
            durationMs: b.durationSeconds === undefined ? null : b.durationSeconds * 1000,
            from,
            until,
          },
          now,
        );
        const result = materialiseSlot(db, slot, zone, now);
        if (result.outsideWindows[0]) assertCarryAllows(db, c.id, zone, result.outsideWindows[0]);
        return { slot, result };
      })();
      // Materialising moved the slot on (next episode, materialised until): answer with the row as it is now.
      return reply.status(201).send(slotView(getSlot(db, slot.id) ?? slot, result.skipped));
    },
  );

  app.get(
    '/api/channels/:id/slots',
    {
      onRequest: app.auth.user,
      schema: { tags, params: IdParams, response: { 200: SlotList, 404: ErrorBody } },
    },
    async (req) => {
      const c = getChannel(db, req.params.id);
      const now = Date.now();
      return listSlots(db, c.id).map((s) => slotView(s, skippedOccurrences(db, s.id, now)));
    },
  );

  app.delete(
    '/api/channels/:id/slots/:slotId',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: 'Delete a slot and the items it made that have not started (aired ones stay)',
        params: SlotParams,
        response: { 204: Type.Null(), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      if (!deleteSlot(db, c.id, req.params.slotId, Date.now())) throw notFound(`Channel ${c.id} has no slot ${req.params.slotId}.`);
      return reply.status(204).send(null);
    },
  );
}
