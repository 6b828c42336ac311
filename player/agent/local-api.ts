// The agent's local API, read by the kiosk page on the same origin (http://127.0.0.1:8090/local/...). Its shapes
// are written once in common/local-api.ts, which the kiosk's client reads too; fields may be added, never renamed.
import crypto from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  Catalog,
  DownloadAck,
  DownloadBody,
  ErrorBody,
  LocalChannels,
  LocalRequestAck,
  LocalRequestBody,
  LocalStatus,
} from '../../common/local-api.ts';
import type { ManifestProgram, SiteCatalog, SiteManifest } from '../../common/manifest.ts';
import { isHeld, programFiles } from './plan.ts';
import type { AgentStore } from './store.ts';
import type { SiteSync } from './sync.ts';
import type { NowNext } from './live.ts';

export interface LocalApiDeps {
  store: AgentStore;
  sync: SiteSync;
  clock: () => number;
  serverUrl: string;
  version: string;
  lang: string;
  /** The program on air now and next on a channel of the manifest. */
  nowAndNext(manifest: SiteManifest, channelId: number, now: number): NowNext;
}

/** Share (0..1) of the bytes the next 48 h of broadcast need that are held. */
export function cacheReadiness(manifest: SiteManifest | null, held: ReturnType<AgentStore['heldMap']>): number {
  if (!manifest) return 0;
  let total = 0;
  let have = 0;
  for (const f of manifest.required) {
    total += f.size;
    if (isHeld(held, f)) have += f.size;
  }
  return total === 0 ? 1 : have / total;
}

/** Program ids whose every file at the site's rungs is held. */
export function heldPrograms(catalog: SiteCatalog, held: ReturnType<AgentStore['heldMap']>): Set<number> {
  const out = new Set<number>();
  for (const p of catalog.programs) if (p.files.length && p.files.every((f) => isHeld(held, f))) out.add(p.id);
  return out;
}

export function masterPathOf(p: ManifestProgram): string {
  return p.files.find((f) => /(^|\/)master\.m3u8$/.test(f.path))?.path ?? `programs/${p.id}/master.m3u8`;
}

export function posterPathOf(p: ManifestProgram): string | null {
  return p.files.find((f) => /(^|\/)poster\.(jpe?g|png|webp)$/.test(f.path))?.path ?? null;
}

export default async function localApi(fastify: FastifyInstance, deps: LocalApiDeps): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store, sync, clock } = deps;

  app.get(
    '/local/status',
    {
      schema: {
        tags: ['local'],
        summary: 'Agent status for the kiosk: online, site, last sync, cache readiness',
        response: {
          200: LocalStatus,
        },
      },
    },
    async () => {
      const m = sync.manifest;
      const pairing = store.pairing();
      return {
        online: sync.online,
        siteId: pairing?.siteId ?? m?.siteId ?? null,
        siteName: m?.siteName ?? '',
        serverUrl: deps.serverUrl,
        lastSyncAt: store.lastSyncAt(),
        cacheReadiness: cacheReadiness(m, store.heldMap()),
        provinceTz: m?.provinceTz ?? 'Asia/Shanghai',
        version: deps.version,
        lang: deps.lang,
        paired: !!pairing,
        lastError: sync.lastError,
        heldBytes: store.heldBytes(),
        quotaBytes: sync.quotaBytes,
        downloading: sync.current?.path ?? null,
        outbox: store.outboxSize(),
        mediaSources: sync.media.snapshot(),
      };
    },
  );

  app.get(
    '/local/channels',
    {
      schema: {
        tags: ['local'],
        summary: 'Channels this site receives, with what was on before, is on now and comes next (start/end epoch ms)',
        response: {
          200: LocalChannels,
        },
      },
    },
    async () => {
      const m = sync.manifest;
      if (!m) return [];
      const now = clock();
      return [...m.channels]
        .sort((a, b) => a.number - b.number || a.id - b.id)
        .map((c) => {
          const nn = deps.nowAndNext(m, c.id, now);
          return { id: c.id, number: c.number, name: c.name, description: c.description, ...nn };
        });
    },
  );

  app.get(
    '/local/catalog',
    {
      schema: {
        tags: ['local'],
        summary: 'The on-demand catalog, with which lectures are held at this site and download progress',
        response: {
          200: Catalog,
        },
      },
    },
    async () => {
      // The catalog held by the agent (its own resource, fetched when the manifest names a new one).
      const c = sync.catalog;
      if (!c) return { categories: [], series: [], items: [] };
      const heldFiles = store.heldMap();
      const wanted = store.wanted();
      const held = heldPrograms(c, heldFiles);
      const series = new Map<number, string>();
      const items = [];
      for (const p of c.programs) {
        if (p.seriesId !== null) series.set(p.seriesId, p.seriesTitle ?? '');
        const progress = held.has(p.id) ? null : sync.downloadProgress(p.id, wanted, heldFiles);
        const poster = posterPathOf(p);
        items.push({
          id: p.id,
          title: p.title,
          description: p.description,
          lecturer: p.lecturer,
          category: p.category,
          audiences: p.audiences,
          seriesId: p.seriesId,
          seriesTitle: p.seriesTitle,
          episode: p.episode,
          duration: p.duration,
          poster: poster ? `/media/${poster}` : null,
          hls: `/media/${masterPathOf(p)}`,
          held: held.has(p.id),
          download: progress === null ? null : { progress },
        });
      }
      return {
        categories: c.categories,
        series: [...series].map(([id, title]) => ({ id, title })).sort((a, b) => a.title.localeCompare(b.title, 'zh')),
        items,
      };
    },
  );

  app.post(
    '/local/downloads',
    {
      schema: {
        tags: ['local'],
        summary: 'Queue an on-demand lecture for download now, whatever the download window',
        body: DownloadBody,
        response: { 202: DownloadAck, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const c = sync.catalog;
      const { programId } = req.body;
      if (!c || !c.programs.some((p) => p.id === programId)) {
        return reply.code(404).send({
          error: { code: 'not_found', message: `Lecture ${programId} is not in this site's catalog (sync first, or check the id)` },
        });
      }
      const held = programFiles(c, programId).every((f) => isHeld(store.heldMap(), f));
      if (!held) sync.want(programId);
      return reply.code(202).send({ programId, held, queued: !held });
    },
  );

  app.post(
    '/local/requests',
    {
      schema: {
        tags: ['local'],
        summary: 'A member asks for a lecture or a topic to be broadcast; stored here, forwarded when online',
        body: LocalRequestBody,
        response: { 202: LocalRequestAck, 400: ErrorBody },
      },
    },
    async (req, reply) => {
      const { clientId: given, ...body } = req.body;
      const topic = body.topic?.trim();
      if (body.programId === undefined && !topic) {
        return reply
          .code(400)
          .send({ error: { code: 'bad_request', message: 'Give programId (a lecture) or topic (what you would like to see), or both' } });
      }
      const clientId = given ?? crypto.randomUUID();
      const clean = {
        ...(body.programId !== undefined && { programId: body.programId }),
        ...(topic && { topic }),
        ...(body.memberNo?.trim() && { memberNo: body.memberNo.trim() }),
      };
      store.enqueue('request', clientId, clean, clock());
      req.log.info({ clientId, programId: body.programId }, 'request: member request queued for the server');
      if (sync.online) void sync.flushOutbox();
      return reply.code(202).send({ clientId, queued: true });
    },
  );
}
