// Watching and guides: live HLS playlists, now/next, EPG JSON, XMLTV, the M3U channel list. HTTP only.
// All public reads: set-top boxes, IPTV players and site agents fetch them without accounts; the broadcast is
// meant for every site, and region reach is enforced where it matters (what a site's manifest makes it hold).
// Unpublished programs never show here: their items read TBA_TITLE and play the slate.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ifNoneMatchHits } from '../../common/etag.ts';
import { badRequest } from '../errors.ts';
import { RUNGS, RUNG_NAMES } from '../../common/ladder.ts';
import { masterPlaylist } from '../../common/master-playlist.ts';
import { nowAndNext } from '../../common/timeline.ts';
import { ErrorBody, IdParams } from '../../common/api/shared.ts';
import { Epg, NowNext, RangeQuery, RungParams, TBA_TITLE, XmltvQuery, type EpgItem, type OnAir } from '../../common/api/broadcast.ts';
import { programBriefs } from '../catalog/repo.ts';
import { allItemsBetween, getChannel, getItem, itemsBetween, listChannels, type ItemRow } from './repo.ts';
import { iso, parseInstant, publicBaseUrl } from './http.ts';
import { livePlaylist, liveTimeline, NothingToPlayError, RETRY_AFTER_SECONDS } from './timeline-input.ts';
import { channelsM3u, publicProgramme, xmltv, xmltvId, type GuideProgramme } from './guide.ts';

const HLS_TYPE = 'application/vnd.apple.mpegurl';

/** The master playlist is the same for every channel (the house ladder); computed once. */
const MASTER = masterPlaylist(RUNGS, { uri: (name) => `${name}.m3u8` });
const MASTER_ETAG = `"${createHash('sha1').update(MASTER).digest('hex')}"`;

/** Runs `fn`; a channel with nothing to play yet answers 503 with Retry-After. */
function orRetryLater<T>(reply: FastifyReply, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof NothingToPlayError) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    throw err;
  }
}

/** An item as the public guide shows it: unpublished programs are neither named nor numbered. */
function publicItem(r: ItemRow): Pick<EpgItem, 'programId' | 'title' | 'status'> {
  if (r.program_id === null) return { programId: null, title: null, status: 'missing' };
  if (r.published === false) return { programId: null, title: TBA_TITLE, status: 'not_ready' };
  const slate = r.aired_as === 'slate' || (r.aired_as === null && r.status !== 'ready');
  return { programId: r.program_id, title: r.title, status: slate ? 'not_ready' : 'ready' };
}

export default async function liveRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { db, config } = app;
  const zone = config.provinceTz;

  app.get(
    '/live/channels/:id/master.m3u8',
    {
      schema: { tags: ['live'], summary: 'Master playlist of a channel (one variant per house rung)', params: IdParams },
    },
    async (req, reply) => {
      getChannel(db, req.params.id);
      reply.type(HLS_TYPE).header('etag', MASTER_ETAG).header('cache-control', 'max-age=1');
      if (ifNoneMatchHits(req.headers['if-none-match'], MASTER_ETAG)) return reply.status(304).send();
      return MASTER;
    },
  );

  app.get(
    '/live/channels/:id/:rung.m3u8',
    {
      schema: {
        tags: ['live'],
        summary:
          'Live media playlist of one rung, stitched from the scheduled programs (ETag, max-age=1); 503 + Retry-After ' +
          'only while a brand-new server has no slate and nothing on air',
        params: RungParams,
        response: { 200: Type.String(), 304: Type.Null(), 400: ErrorBody, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const { id, rung } = req.params;
      if (!(RUNG_NAMES as readonly string[]).includes(rung))
        throw badRequest(`No rung ${rung}: the house rungs are ${RUNG_NAMES.join(', ')}.`);
      const { text, etag } = orRetryLater(reply, () => livePlaylist(db, id, rung, Date.now()));
      reply.header('etag', etag).header('cache-control', 'max-age=1').type(HLS_TYPE);
      if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.status(304).send(null);
      return text;
    },
  );

  app.get(
    '/api/channels/:id/now',
    {
      schema: {
        tags: ['guide'],
        summary: 'What is on air now (with the offset into it) and what comes next',
        params: IdParams,
        response: { 200: NowNext, 404: ErrorBody, 503: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = getChannel(db, req.params.id);
      const nowMs = Date.now();
      const nn = orRetryLater(reply, () => nowAndNext(liveTimeline(db, c.id, nowMs), nowMs));
      const describe = (o: { itemId: number; start: number; end: number; slate: boolean }): OnAir => {
        const shown = publicItem(getItem(db, c.id, o.itemId));
        return { itemId: o.itemId, programId: shown.programId, title: shown.title, start: iso(o.start), end: iso(o.end), slate: o.slate };
      };
      return {
        channelId: c.id,
        serverTime: iso(nowMs),
        now: nn.now && { ...describe(nn.now), offsetSeconds: nn.now.offsetMs / 1000 },
        next: nn.next && describe(nn.next),
      };
    },
  );

  app.get(
    '/api/channels/:id/epg',
    {
      schema: {
        tags: ['guide'],
        summary: 'Programme guide of a channel for [from, to) (default: now to +24 h)',
        params: IdParams,
        querystring: RangeQuery,
        response: { 200: Epg, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req) => {
      const c = getChannel(db, req.params.id);
      const now = Date.now();
      const from = req.query.from === undefined ? now : parseInstant(req.query.from, 'from', zone);
      const to = req.query.to === undefined ? from + 86_400_000 : parseInstant(req.query.to, 'to', zone);
      if (to <= from) throw badRequest('to must be after from.');
      if (to - from > 31 * 86_400_000) throw badRequest('Ask for at most 31 days of guide at a time.');
      return {
        channel: { id: c.id, number: c.number, name: c.name, xmltvId: xmltvId(c, config.xmltvIdDomain) },
        items: itemsBetween(db, c.id, from, to).map((r) => ({ id: r.id, start: iso(r.start_at), end: iso(r.end_at), ...publicItem(r) })),
      };
    },
  );

  app.get(
    '/epg.xml',
    {
      schema: {
        tags: ['guide'],
        summary: 'XMLTV guide of every channel, from 6 h ago to `hours` ahead (default 48); ids are <number>.<XMLTV_ID_DOMAIN>',
        querystring: XmltvQuery,
      },
    },
    async (req, reply) => {
      const now = Date.now();
      const rows = allItemsBetween(db, now - 6 * 3_600_000, now + (req.query.hours ?? 48) * 3_600_000);
      const channels = listChannels(db);
      const names = new Map(channels.map((c) => [c.id, c.name]));
      const programs = programBriefs(
        db,
        rows.flatMap((r) => (r.program_id === null ? [] : [r.program_id])),
      );
      const programmes: GuideProgramme[] = rows.map((r) => ({
        channelId: r.channel_id,
        start: r.start_at,
        end: r.end_at,
        ...publicProgramme(r.program_id === null ? undefined : programs.get(r.program_id), names.get(r.channel_id) ?? '', TBA_TITLE),
      }));
      reply.type('application/xml; charset=utf-8').header('cache-control', 'max-age=60');
      return xmltv(channels, programmes, zone, publicBaseUrl(req, config.publicUrl), config.xmltvIdDomain);
    },
  );

  app.get(
    '/channels.m3u',
    {
      schema: { tags: ['guide'], summary: 'Extended M3U of every channel (tvg-id = the XMLTV id, tvg-name, group-title) for IPTV players' },
    },
    async (req, reply) => {
      reply.type('audio/x-mpegurl; charset=utf-8').header('cache-control', 'max-age=60');
      return channelsM3u(listChannels(db), publicBaseUrl(req, config.publicUrl), '远程教育 Distance education', config.xmltvIdDomain);
    },
  );
}
