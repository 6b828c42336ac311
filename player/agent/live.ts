// Live channel playlists computed at the site from the manifest's timelines, with the same pure functions the
// server uses (common/timeline.ts, common/playlist.ts), so the TV gets the same bytes the server would send for
// the same instant, and keeps getting them with the uplink down.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ManifestChannel, SiteManifest } from '../../common/manifest.ts';
import { compiled, nowAndNext, type CompiledTimeline } from '../../common/timeline.ts';
import { mediaPlaylist } from '../../common/playlist.ts';
import { RUNGS, rungByName, rungRank } from '../../common/ladder.ts';
import { masterPlaylist } from '../../common/master-playlist.ts';
import type { LocalChannel } from '../../common/local-api.ts';
import type { SiteSync } from './sync.ts';

export type NowNext = Pick<LocalChannel, 'previous' | 'now' | 'next'>;

/** Compiled timelines, one per channel of one manifest object (a new manifest compiles afresh). */
const compiledCache = new WeakMap<SiteManifest, Map<number, CompiledTimeline>>();

function timelineOf(manifest: SiteManifest, channel: ManifestChannel): CompiledTimeline {
  let byChannel = compiledCache.get(manifest);
  if (!byChannel) compiledCache.set(manifest, (byChannel = new Map()));
  let tl = byChannel.get(channel.id);
  if (!tl) byChannel.set(channel.id, (tl = compiled(channel.timeline)));
  return tl;
}

function channelOf(manifest: SiteManifest | null, id: number): ManifestChannel | undefined {
  return manifest?.channels.find((c) => c.id === id);
}

/**
 * What is on air now and next, with titles for the guide, and the item before now: the picture runs a few
 * segments behind the clock, so right after a boundary the screen still shows the previous item.
 */
export function liveNowAndNext(manifest: SiteManifest, channelId: number, now: number): NowNext {
  const channel = channelOf(manifest, channelId);
  if (!channel) return { previous: null, now: null, next: null };
  const tl = timelineOf(manifest, channel);
  const nn = nowAndNext(tl, now);
  const playable = (id: number | null) => id !== null && (channel.timeline.programs[id]?.segments.length ?? 0) > 0;
  const slot = (it: { programId: number | null; start: number; end: number; slate?: boolean }) => {
    const programId = it.slate || !playable(it.programId) ? null : it.programId;
    return { programId, title: programId !== null ? (channel.titles[programId] ?? '') : '', start: it.start, end: it.end };
  };
  let previous: NowNext['previous'] = null;
  for (const it of channel.timeline.items) if (it.end <= now && (!previous || it.end > previous.end)) previous = slot(it);
  return {
    previous,
    now: nn.now && { ...slot(nn.now), offsetSec: nn.now.offsetMs / 1000 },
    next: nn.next && slot(nn.next),
  };
}

/** Rungs a channel offers: those its programs and slate have, highest first. */
export function channelRungs(channel: ManifestChannel): string[] {
  const have = new Set<string>(channel.timeline.slate.rungs);
  for (const p of Object.values(channel.timeline.programs)) for (const r of p.rungs) have.add(r);
  return RUNGS.map((r) => r.name as string).filter((n) => have.has(n));
}

/**
 * The rung the site plays a channel at: the highest the channel has at or below the site's maxRung. The site
 * holds one rung per program (server/sites heldRung: the highest at or below maxRung), and this rung's media
 * playlist names exactly those files (common/playlist rungFor falls back to a program's highest rung).
 */
export function siteRung(channel: ManifestChannel, maxRung: string): string {
  const rungs = channelRungs(channel);
  const cap = rungRank(maxRung);
  return rungs.find((n) => cap < 0 || rungRank(n) >= cap) ?? rungs[rungs.length - 1] ?? maxRung;
}

/** The master playlist at the site: one variant, the rung the site holds, so the player never asks for another. */
export function channelMaster(channel: ManifestChannel, maxRung: string): string {
  const r = rungByName(siteRung(channel, maxRung)) ?? RUNGS[RUNGS.length - 1]!;
  // The one master writer, so BANDWIDTH and CODECS are what the server's masters announce.
  return masterPlaylist([r], { uri: (name) => `${name}.m3u8` });
}

export function liveRoutes(app: FastifyInstance, deps: { sync: SiteSync; clock: () => number; log: Logger }): void {
  const notFound = (id: number) => ({ error: { code: 'not_found', message: `Channel ${id} is not received at this site` } });

  app.get<{ Params: { id: number } }>(
    '/live/channels/:id/master.m3u8',
    {
      schema: {
        tags: ['live'],
        summary: 'Master playlist of a channel, computed at the site',
        params: { type: 'object', properties: { id: { type: 'integer' } } },
      },
    },
    async (req, reply) => {
      const m = deps.sync.manifest;
      const channel = channelOf(m, req.params.id);
      if (!m || !channel) return reply.code(404).send(notFound(req.params.id));
      return reply
        .header('content-type', 'application/vnd.apple.mpegurl')
        .header('cache-control', 'no-cache')
        .send(channelMaster(channel, m.maxRung));
    },
  );

  app.get<{ Params: { id: number; rung: string } }>(
    '/live/channels/:id/:rung.m3u8',
    {
      schema: {
        tags: ['live'],
        summary: 'Live media playlist of one rung of a channel at this instant, computed at the site',
        params: { type: 'object', properties: { id: { type: 'integer' }, rung: { type: 'string', pattern: '^\\d+p$' } } },
      },
    },
    async (req, reply) => {
      const m = deps.sync.manifest;
      const channel = channelOf(m, req.params.id);
      if (!m || !channel) return reply.code(404).send(notFound(req.params.id));
      if (!channelRungs(channel).includes(req.params.rung)) {
        return reply
          .code(404)
          .send({ error: { code: 'not_found', message: `Channel ${req.params.id} has no rung ${req.params.rung}; see its master.m3u8` } });
      }
      const text = mediaPlaylist(timelineOf(m, channel), req.params.rung, deps.clock());
      return reply.header('content-type', 'application/vnd.apple.mpegurl').header('cache-control', 'no-cache').send(text);
    },
  );
}
