// Watching and guides: live HLS playlists, now/next, EPG JSON, XMLTV, the M3U channel list.
// All public reads: set-top boxes, IPTV players and site agents fetch them without accounts; the broadcast is
// meant for every site, and region reach is enforced where it matters (what a site's manifest makes it hold).
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ifNoneMatchHits } from '../../common/etag.ts';
import { badRequest, errorSchema } from '../errors.ts';
import { RUNGS, RUNG_NAMES } from '../../common/ladder.ts';
import { masterPlaylist } from '../../common/master-playlist.ts';
import { nowAndNext } from '../../common/timeline.ts';
import { getChannel, itemsBetween, listChannels } from './repo.ts';
import { idParams, iso, parseInstant } from './http.ts';
import { livePlaylist, liveTimeline } from './timeline-input.ts';
import { channelsM3u, xmltv, type GuideProgramme } from './guide.ts';

const HLS_TYPE = 'application/vnd.apple.mpegurl';

/** The master playlist is the same for every channel (the house ladder); computed once. */
const MASTER = masterPlaylist(RUNGS, { uri: (name) => `${name}.m3u8` });
const MASTER_ETAG = `"${createHash('sha1').update(MASTER).digest('hex')}"`;

function baseUrl(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

export default async function liveRoutes(app: FastifyInstance) {
  const { db } = app;
  const zone = app.config.provinceTz;

  app.get<{ Params: { id: number } }>('/live/channels/:id/master.m3u8', {
    schema: { tags: ['live'], summary: 'Master playlist of a channel (one variant per house rung)', params: idParams },
  }, async (req, reply) => {
    getChannel(db, req.params.id);
    reply.type(HLS_TYPE).header('etag', MASTER_ETAG).header('cache-control', 'max-age=1');
    if (ifNoneMatchHits(req.headers['if-none-match'], MASTER_ETAG)) return reply.status(304).send();
    return MASTER;
  });

  app.get<{ Params: { id: number; rung: string } }>('/live/channels/:id/:rung.m3u8', {
    schema: {
      tags: ['live'],
      summary: 'Live media playlist of one rung, stitched from the scheduled programs (ETag, max-age=1)',
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, rung: { type: 'string', enum: [...RUNG_NAMES] } }, required: ['id', 'rung'] },
    },
  }, async (req, reply) => {
    const { text, etag } = livePlaylist(db, req.params.id, req.params.rung, Date.now());
    reply.header('etag', etag).header('cache-control', 'max-age=1').type(HLS_TYPE);
    if (ifNoneMatchHits(req.headers['if-none-match'], etag)) return reply.status(304).send();
    return text;
  });

  const onAirSchema = {
    type: ['object', 'null'],
    properties: {
      itemId: { type: 'integer' }, programId: { type: ['integer', 'null'] }, title: { type: ['string', 'null'] },
      start: { type: 'string' }, end: { type: 'string' }, slate: { type: 'boolean' }, offsetSeconds: { type: 'number' },
    },
  } as const;

  app.get<{ Params: { id: number } }>('/api/channels/:id/now', {
    schema: {
      tags: ['guide'],
      summary: 'What is on air now (with the offset into it) and what comes next',
      params: idParams,
      response: { 200: { type: 'object', properties: { channelId: { type: 'integer' }, serverTime: { type: 'string' }, now: onAirSchema, next: onAirSchema } }, 404: errorSchema, 503: errorSchema },
    },
  }, async (req) => {
    const c = getChannel(db, req.params.id);
    const nowMs = Date.now();
    const nn = nowAndNext(liveTimeline(db, c.id, nowMs), nowMs);
    const title = (id: number | null) => (id === null ? null : ((db.prepare('SELECT title FROM programs WHERE id = ?').get(id) as { title: string } | undefined)?.title ?? null));
    return {
      channelId: c.id,
      serverTime: iso(nowMs),
      now: nn.now && { itemId: nn.now.itemId, programId: nn.now.programId, title: title(nn.now.programId), start: iso(nn.now.start), end: iso(nn.now.end), slate: nn.now.slate, offsetSeconds: nn.now.offsetMs / 1000 },
      next: nn.next && { itemId: nn.next.itemId, programId: nn.next.programId, title: title(nn.next.programId), start: iso(nn.next.start), end: iso(nn.next.end), slate: nn.next.slate },
    };
  });

  app.get<{ Params: { id: number }; Querystring: { from?: string; to?: string } }>('/api/channels/:id/epg', {
    schema: {
      tags: ['guide'],
      summary: 'Programme guide of a channel for [from, to) (default: now to +24 h)',
      params: idParams,
      querystring: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' } } },
      response: {
        200: {
          type: 'object',
          properties: {
            channel: { type: 'object', properties: { id: { type: 'integer' }, number: { type: 'integer' }, name: { type: 'string' } } },
            items: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'integer' }, programId: { type: ['integer', 'null'] }, title: { type: ['string', 'null'] },
                  start: { type: 'string' }, end: { type: 'string' },
                  status: { type: 'string', enum: ['ready', 'not_ready', 'missing'], description: 'not_ready / missing: the slate plays' },
                },
              },
            },
          },
        },
        400: errorSchema, 404: errorSchema,
      },
    },
  }, async (req) => {
    const c = getChannel(db, req.params.id);
    const now = Date.now();
    const from = req.query.from ? parseInstant(req.query.from, 'from', zone) : now;
    const to = req.query.to ? parseInstant(req.query.to, 'to', zone) : from + 86_400_000;
    if (to <= from) throw badRequest('to must be after from.');
    if (to - from > 31 * 86_400_000) throw badRequest('Ask for at most 31 days of guide at a time.');
    return {
      channel: { id: c.id, number: c.number, name: c.name },
      items: itemsBetween(db, c.id, from, to).map((r) => ({
        id: r.id,
        programId: r.program_id,
        title: r.title,
        start: iso(r.start_at),
        end: iso(r.end_at),
        status: r.program_id === null ? 'missing' : r.aired_as === 'slate' || (r.aired_as === null && r.status !== 'ready') ? 'not_ready' : 'ready',
      })),
    };
  });

  app.get<{ Querystring: { hours?: number } }>('/epg.xml', {
    schema: {
      tags: ['guide'],
      summary: 'XMLTV guide of every channel, from 6 h ago to `hours` ahead (default 48)',
      querystring: { type: 'object', properties: { hours: { type: 'integer', minimum: 1, maximum: 24 * 14, default: 48 } } },
    },
  }, async (req, reply) => {
    const now = Date.now();
    const from = now - 6 * 3_600_000;
    const to = now + (req.query.hours ?? 48) * 3_600_000;
    const channels = listChannels(db);
    const rows = db
      .prepare(
        `SELECT i.channel_id, i.start_at, i.end_at, p.title, p.description, p.category, p.episode
           FROM schedule_items i LEFT JOIN programs p ON p.id = i.program_id
          WHERE i.end_at > ? AND i.start_at < ? ORDER BY i.channel_id, i.start_at`,
      )
      .all(from, to) as Array<{ channel_id: number; start_at: number; end_at: number; title: string | null; description: string | null; category: string | null; episode: number | null }>;
    const names = new Map(channels.map((c) => [c.id, c.name]));
    const programmes: GuideProgramme[] = rows.map((r) => ({
      channelId: r.channel_id, start: r.start_at, end: r.end_at, title: r.title ?? names.get(r.channel_id) ?? '',
      description: r.description ?? '', category: r.category, episode: r.episode,
    }));
    reply.type('application/xml; charset=utf-8').header('cache-control', 'max-age=60');
    return xmltv(channels, programmes, zone, baseUrl(req));
  });

  app.get('/channels.m3u', {
    schema: { tags: ['guide'], summary: 'Extended M3U of every channel (tvg-id, tvg-name, group-title) for IPTV players' },
  }, async (req, reply) => {
    reply.type('audio/x-mpegurl; charset=utf-8').header('cache-control', 'max-age=60');
    return channelsM3u(listChannels(db), baseUrl(req), '远程教育 Distance education');
  });
}
