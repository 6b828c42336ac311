// Channels: create, read, edit (number, name, description, logo, regions, slate), delete.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/connection.ts';
import { badRequest, conflict, errorSchema } from '../errors.ts';
import { removeProgramMedia } from '../media/store.ts';
import { channelRegionIds, getChannel, insertChannel, listChannels, setChannelRegions, type ChannelRow } from './repo.ts';
import { idParams } from './http.ts';
import { scheduleSlate } from './slate.ts';
import { invalidateChannel } from './timeline-input.ts';

const channelSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    number: { type: 'integer' },
    name: { type: 'string' },
    description: { type: 'string' },
    logo: { type: ['string', 'null'] },
    regionIds: { type: 'array', items: { type: 'integer' }, description: 'Empty: every site receives the channel.' },
    slateProgramId: { type: ['integer', 'null'] },
    slate: {
      type: 'object',
      properties: {
        programId: { type: ['integer', 'null'] },
        source: { type: 'string', enum: ['program', 'generated'] },
        status: { type: 'string', enum: ['pending', 'ready', 'failed'] },
        error: { type: ['string', 'null'] },
      },
    },
    liveUrl: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const editable = {
  number: { type: 'integer', minimum: 1, maximum: 9999 },
  name: { type: 'string', minLength: 1, maxLength: 60 },
  description: { type: 'string', maxLength: 2000 },
  logo: { type: ['string', 'null'], maxLength: 1000, description: 'URL or /media path of the logo.' },
  regionIds: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 1000 },
  slateProgramId: { type: ['integer', 'null'], minimum: 1, description: 'A ready program to play in gaps instead of the generated card.' },
} as const;

export function channelView(db: Db, c: ChannelRow) {
  const programSlate =
    c.slate_program_id !== null
      ? (db.prepare('SELECT status FROM programs WHERE id = ?').get(c.slate_program_id) as { status: string } | undefined)
      : undefined;
  const useProgram = programSlate?.status === 'ready';
  return {
    id: c.id,
    number: c.number,
    name: c.name,
    description: c.description,
    logo: c.logo,
    regionIds: channelRegionIds(db, c.id),
    slateProgramId: c.slate_program_id,
    slate: useProgram
      ? { programId: c.slate_program_id, source: 'program' as const, status: 'ready' as const, error: null }
      : { programId: c.generated_slate_id, source: 'generated' as const, status: c.slate_status, error: c.slate_error },
    liveUrl: `/live/channels/${c.id}/master.m3u8`,
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

function checkNumberFree(db: Db, number: number, exceptId = -1): void {
  const other = db.prepare('SELECT id, name FROM channels WHERE number = ? AND id != ?').get(number, exceptId) as { id: number; name: string } | undefined;
  if (other) throw conflict(`Channel number ${number} is already used by "${other.name}" (channel ${other.id}): pick another number.`, 'number_taken');
}

function checkSlateProgram(db: Db, programId: number | null | undefined): void {
  if (programId === null || programId === undefined) return;
  if (!db.prepare('SELECT 1 FROM programs WHERE id = ?').get(programId)) throw badRequest(`slateProgramId: no program ${programId}.`);
}

export default async function channelsRoutes(app: FastifyInstance) {
  const { db } = app;
  const tags = ['channels'];

  app.get('/api/channels', {
    schema: { tags, summary: 'All channels, by number (public: set-top boxes and sites read it)', response: { 200: { type: 'array', items: channelSchema } } },
  }, async () => listChannels(db).map((c) => channelView(db, c)));

  app.get<{ Params: { id: number } }>('/api/channels/:id', {
    schema: { tags, params: idParams, response: { 200: channelSchema, 404: errorSchema } },
  }, async (req) => channelView(db, getChannel(db, req.params.id)));

  app.post<{ Body: { number: number; name: string; description?: string; logo?: string | null; regionIds?: number[]; slateProgramId?: number | null } }>(
    '/api/channels',
    {
      preHandler: app.auth.operator,
      schema: {
        tags,
        summary: 'Create a channel; its slate (a card with its name) is generated in the house ladder',
        body: { type: 'object', properties: editable, required: ['number', 'name'], additionalProperties: false },
        response: { 201: channelSchema, 400: errorSchema, 409: errorSchema },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const name = b.name.trim();
      if (!name) throw badRequest('name must not be blank.');
      const now = new Date();
      const id = db.transaction(() => {
        checkNumberFree(db, b.number);
        checkSlateProgram(db, b.slateProgramId);
        const newId = insertChannel(db, { ...b, name }, now.getTime());
        if (b.regionIds) setChannelRegions(db, newId, b.regionIds);
        return newId;
      })();
      void scheduleSlate(db, app.config, app.log, id);
      reply.status(201);
      return channelView(db, getChannel(db, id));
    },
  );

  app.patch<{ Params: { id: number }; Body: { number?: number; name?: string; description?: string; logo?: string | null; regionIds?: number[]; slateProgramId?: number | null } }>(
    '/api/channels/:id',
    {
      preHandler: app.auth.operator,
      schema: {
        tags,
        summary: 'Edit a channel: any of number, name, description, logo, regionIds (its reach), slateProgramId',
        params: idParams,
        body: { type: 'object', properties: editable, additionalProperties: false, minProperties: 1 },
        response: { 200: channelSchema, 400: errorSchema, 404: errorSchema, 409: errorSchema },
      },
    },
    async (req) => {
      const b = req.body;
      const before = getChannel(db, req.params.id);
      const name = b.name?.trim();
      if (b.name !== undefined && !name) throw badRequest('name must not be blank.');
      db.transaction(() => {
        if (b.number !== undefined) checkNumberFree(db, b.number, before.id);
        checkSlateProgram(db, b.slateProgramId);
        db.prepare(
          `UPDATE channels SET number = ?, name = ?, description = ?, logo = ?, slate_program_id = ?, updated_at = ? WHERE id = ?`,
        ).run(
          b.number ?? before.number,
          name ?? before.name,
          b.description ?? before.description,
          b.logo !== undefined ? b.logo : before.logo,
          b.slateProgramId !== undefined ? b.slateProgramId : before.slate_program_id,
          new Date().toISOString(),
          before.id,
        );
        if (b.regionIds) setChannelRegions(db, before.id, b.regionIds);
      })();
      invalidateChannel(db, before.id);
      // The card shows the name: remake it (in place, same layout, so the timeline's counters do not move).
      if ((name !== undefined && name !== before.name) || before.slate_status === 'failed') void scheduleSlate(db, app.config, app.log, before.id);
      return channelView(db, getChannel(db, before.id));
    },
  );

  app.delete<{ Params: { id: number } }>('/api/channels/:id', {
    preHandler: app.auth.operator,
    schema: { tags, summary: 'Delete a channel with its schedule, slots and generated slate', params: idParams, response: { 204: { type: 'null' }, 404: errorSchema } },
  }, async (req, reply) => {
    const c = getChannel(db, req.params.id);
    db.transaction(() => {
      db.prepare('DELETE FROM channels WHERE id = ?').run(c.id);
      if (c.generated_slate_id !== null) db.prepare('DELETE FROM programs WHERE id = ?').run(c.generated_slate_id);
    })();
    if (c.generated_slate_id !== null) removeProgramMedia(app.config, c.generated_slate_id);
    invalidateChannel(db, c.id);
    reply.status(204);
  });
}
