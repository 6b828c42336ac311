// Channels: create, read, edit (number, name, description, logo, regions, slate), delete. HTTP only.
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import { Channel, ChannelCreate, ChannelList, ChannelPatch } from '../../common/api/broadcast.ts';
import { getChannel, listChannels } from './repo.ts';
import { channelView, createChannel, editChannel, removeChannel } from './channels.ts';
import { scheduleSlate } from './slate.ts';

/** Channel bodies are a few fields and at most 1000 region ids. */
const BODY_LIMIT = 64 * 1024;

export default async function channelsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app;
  const view = (id: number) => channelView(db, getChannel(db, id), config.xmltvIdDomain);
  const tags = ['channels'];

  app.get(
    '/api/channels',
    {
      schema: { tags, summary: 'All channels, by number (public: set-top boxes and sites read it)', response: { 200: ChannelList } },
    },
    async () => listChannels(db).map((c) => channelView(db, c, config.xmltvIdDomain)),
  );

  app.get(
    '/api/channels/:id',
    {
      schema: { tags, params: IdParams, response: { 200: Channel, 404: ErrorBody } },
    },
    async (req) => view(req.params.id),
  );

  app.post(
    '/api/channels',
    {
      onRequest: app.auth.operator,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Create a channel; it plays at once (the house slate fills gaps until its own card is made). At a province, ' +
          "carry: <central channel id> carries the centre's channel, leaving `windows` to the province",
        body: ChannelCreate,
        response: { 201: Channel, 400: ErrorBody, 409: ErrorBody, 422: ErrorBody, 502: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const { carry, windows, ...own } = req.body;
      const carried = carry !== undefined || windows !== undefined;
      const id = carried ? await app.carrier.create(req.body, Date.now()) : createChannel(db, own, Date.now());
      void scheduleSlate(db, config, app.log, id);
      return reply.status(201).send(view(id));
    },
  );

  app.patch(
    '/api/channels/:id',
    {
      onRequest: app.auth.operator,
      bodyLimit: BODY_LIMIT,
      schema: {
        tags,
        summary:
          'Edit a channel: any of number, name, description, logo, regionIds (its reach), slateProgramId; windows of a carried channel',
        params: IdParams,
        body: ChannelPatch,
        response: { 200: Channel, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (req) => {
      const now = Date.now();
      // New windows move the centre's items around them in the same transaction.
      const before = db.transaction(() => {
        const row = editChannel(db, req.params.id, req.body, now, config.provinceTz);
        if (req.body.windows !== undefined) app.carrier.fit(row.id, now);
        return row;
      })();
      // The card shows the name: remake it (in place, same layout, so the timeline's counters do not move).
      const renamed = req.body.name !== undefined && req.body.name.trim() !== before.name;
      if (renamed || before.slate_status === 'failed') void scheduleSlate(db, config, app.log, before.id);
      return view(before.id);
    },
  );

  app.delete(
    '/api/channels/:id',
    {
      onRequest: app.auth.operator,
      schema: {
        tags,
        summary: 'Delete a channel with its schedule, slots and generated slate',
        params: IdParams,
        response: { 204: Type.Null(), 404: ErrorBody },
      },
    },
    async (req, reply) => {
      removeChannel(db, config, req.params.id);
      return reply.status(204).send(null);
    },
  );
}
