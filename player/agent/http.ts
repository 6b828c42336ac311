// The local HTTP server on 127.0.0.1: the kiosk page at /, live channel playlists computed here, media from the
// cache (verified on every read; from the server, streamed through, when not held), and the /local API.
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Logger } from 'pino';
import type { SiteCatalog } from '../../common/manifest.ts';
import type { MediaCache } from './cache.ts';
import localApi, { type LocalApiDeps } from './local-api.ts';
import { liveRoutes } from './live.ts';
import { guardLocalServer } from './local-guard.ts';
import { mediaTail, programMediaPath } from './media-path.ts';
import type { SiteSync } from './sync.ts';
import { UplinkDown, type Uplink } from './uplink.ts';

export interface LocalServerDeps extends LocalApiDeps {
  log: Logger;
  cache: MediaCache;
  uplink: Uplink;
  sync: SiteSync;
  kioskDir: string;
  /** Host names the kiosk may use besides loopback (the local server refuses any other Host header). */
  extraHosts?: string[];
  /** More local routes (attendance) registered on the same server. */
  plugins?: Array<(app: FastifyInstance) => Promise<void>>;
}

const TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.vtt': 'text/vtt',
};

const WATCH_MARK_EVERY_MS = 30_000;

/**
 * An on-demand master playlist lists every rung the server made; the site holds only its own (up to its
 * maxRung), so variants of other rungs are dropped before the player sees them.
 */
export function restrictMaster(text: string, rungs: string[]): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let kept = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith('#EXT-X-STREAM-INF')) {
      out.push(line);
      continue;
    }
    const uri = (lines[i + 1] ?? '').trim();
    const rung = uri.split('/')[0]!.replace(/\.m3u8$/, '');
    i++;
    if (/^\d+p$/.test(rung) && !rungs.includes(rung)) continue;
    out.push(line, uri);
    kept++;
  }
  return kept ? out.join('\n') : text;
}

export async function buildLocalServer(deps: LocalServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }) as unknown as FastifyInstance;
  const { cache, uplink, sync, store, clock } = deps;

  guardLocalServer(app, deps.extraHosts);

  // Playback requests (segments every few seconds) are not worth a log line each; errors are.
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode >= 500) req.log.warn({ url: req.url, status: reply.statusCode }, 'local: request failed');
  });

  // The server's error shape, so the kiosk shows one kind of message.
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err.validation) {
      return reply.code(400).send({ error: { code: 'bad_request', message: `Check the request: ${err.message}` } });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error({ err, url: req.url }, 'local: request failed');
    return reply.code(status).send({
      error: {
        code: status === 500 ? 'internal' : (err.code ?? 'bad_request'),
        message: status === 500 ? 'The site agent failed on this request; see its log' : err.message,
      },
    });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `No such path on the site agent: ${req.method} ${req.url}` } });
  });

  await app.register(fastifyStatic, { root: deps.kioskDir, prefix: '/', index: ['index.html'], cacheControl: false });
  await localApi(app, deps);
  liveRoutes(app, { sync, clock, log: deps.log });
  for (const plugin of deps.plugins ?? []) await app.register(plugin);

  const lastMarked = new Map<number, number>();
  const markWatched = (programId: number | null) => {
    if (programId === null) return;
    const now = clock();
    if (now - (lastMarked.get(programId) ?? 0) < WATCH_MARK_EVERY_MS) return;
    lastMarked.set(programId, now);
    store.markWatched(programId, now);
  };

  const rungsOf = (c: SiteCatalog | null, rel: string): string[] | null => {
    const match = /^programs\/(\d+)\/v\d+\/master\.m3u8$/.exec(rel);
    if (!match || !c) return null;
    return c.programs.find((p) => p.id === Number(match[1]))?.rungs ?? null;
  };

  const send = (reply: FastifyReply, rel: string, body: Buffer, range?: string) => {
    const ext = path.extname(rel).toLowerCase();
    const rungs = rungsOf(sync.catalog, rel);
    const out = rungs ? Buffer.from(restrictMaster(body.toString('utf8'), rungs)) : body;
    reply
      .header('content-type', TYPES[ext] ?? 'application/octet-stream')
      .header('cache-control', ext === '.m3u8' ? 'no-cache' : 'public, max-age=86400')
      .header('accept-ranges', 'bytes');
    if (range) {
      const r = parseRange(range, out.length);
      if (!r)
        return reply
          .code(416)
          .header('content-range', `bytes */${out.length}`)
          .send({ error: { code: 'bad_range', message: `Range "${range}" is outside the ${out.length} bytes of ${rel}` } });
      return reply
        .code(206)
        .header('content-range', `bytes ${r.start}-${r.end}/${out.length}`)
        .send(out.subarray(r.start, r.end + 1));
    }
    return reply.send(out);
  };

  app.get<{ Params: { '*': string } }>(
    '/media/*',
    {
      schema: { tags: ['local'], summary: 'Program media (segments, playlists, posters): from the local cache, else from the server' },
    },
    async (req, reply) => {
      // Checked on the raw URL, before decoding: this path goes to the server with the site token attached.
      const media = programMediaPath(mediaTail(req.url) ?? '');
      if (!media) {
        const shown = JSON.stringify(req.params['*'].slice(0, 120));
        const message = `${shown} is not a media path like programs/12/v1/240p/seg_00000.ts`;
        return reply.code(400).send({ error: { code: 'bad_request', message } });
      }
      const { path: rel, programId } = media;
      const local = await cache.read(rel);
      if (local && 'body' in local) {
        markWatched(local.programId ?? programId);
        return send(reply, rel, local.body, req.headers.range);
      }
      if (local && 'corrupt' in local) {
        sync.emit('corrupt', { path: rel });
        sync.lost([rel]); // fetch it again into the cache
      }

      // Not held (or just found corrupt): stream it through from the server.
      let res: Response;
      try {
        res = await uplink.raw(`/media/${rel}`, {
          timeoutMs: sync.online ? 10_000 : 3_000,
          headers: req.headers.range ? { range: req.headers.range } : {},
        });
      } catch (err) {
        sync.reportContact(false, (err as Error).message);
        return reply
          .code(503)
          .send({ error: { code: 'offline', message: `${rel} is not held at this site and the server cannot be reached` } });
      }
      if (res.status >= 500) {
        await res.body?.cancel();
        sync.reportContact(false, `server error ${res.status}`);
        return reply.code(503).send({ error: { code: 'upstream', message: `the server failed to send ${rel} (${res.status})` } });
      }
      sync.reportContact(true);
      if (!res.ok) {
        await res.body?.cancel();
        return reply
          .code(res.status === 404 ? 404 : 502)
          .send({ error: { code: 'not_found', message: `${rel}: the server answered ${res.status}` } });
      }
      markWatched(programId);
      if (rungsOf(sync.catalog, rel) || !res.body) return send(reply, rel, Buffer.from(await res.arrayBuffer()));
      for (const h of ['content-length', 'content-range', 'accept-ranges']) {
        const v = res.headers.get(h);
        if (v) reply.header(h, v);
      }
      reply.code(res.status);
      reply
        .header('content-type', res.headers.get('content-type') ?? TYPES[path.extname(rel).toLowerCase()] ?? 'application/octet-stream')
        .header('cache-control', 'no-cache');
      return reply.send(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>));
    },
  );

  return app;
}

/** One byte range 'bytes=a-b' / 'bytes=a-' / 'bytes=-n' of a body of `size` bytes; null when unsatisfiable. */
export function parseRange(header: string, size: number): { start: number; end: number } | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : null;
}
