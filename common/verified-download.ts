// One verified downloader for every process that copies media from a server: a site's agent (from its province or
// county relay) and a province's mirror (from the centre). It fetches one file into a store: resumes a kept .part
// with Range, passes bytes through the caller's token bucket, verifies size and sha256, fsyncs and renames into
// place, so a file in the store is whole or absent. With a relay it asks the relay first and, on any failure there
// (no answer, an error status, a short body, bytes that fail the sha256), the origin: the expected hash decides,
// never the store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { mediaEtag } from './manifest.ts';
import type { TokenBucket } from './token-bucket.ts';
import { retryAfterMs } from './retry-after.ts';
import { ServerRefused, UplinkDown } from './link-errors.ts';

export class VerifyFailed extends Error {}

const STALL_MS = 30_000;
/** A relay that has not answered (headers) within this is given up for the origin. */
const RELAY_ANSWER_MS = 10_000;
const SLICE = 16 * 1024;

/** A file to fetch: its path relative to the store (and to `/media/` on the server), its size and sha256. */
export interface ExpectedFile {
  path: string;
  size: number;
  sha256: string;
}

/** Where the bytes that completed a file came from. */
export type MediaSource = 'relay' | 'origin';

/** Absolute path of a relative media path inside the store; refuses anything that would escape it. */
export function storePath(storeDir: string, rel: string): string {
  const abs = path.resolve(storeDir, rel);
  if (!abs.startsWith(path.resolve(storeDir) + path.sep)) throw new Error(`path "${rel}" leaves the media store`);
  return abs;
}

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256(buf: Buffer): string {
  return crypto.createHash('sha256').update(buf).digest('hex');
}

export interface DownloadResult {
  /** Bytes already in the .part file when this attempt started (a resumed download sends Range from here). */
  resumedFrom: number;
  /** Bytes received over the network in this attempt. */
  received: number;
  /** From the answer's headers to the last byte written (ms): the time the bytes spent on the link. */
  transferMs: number;
  source: MediaSource;
}

/** One way to ask for a file: the relay or the origin. Connection failures should throw UplinkDown. */
export type MediaGet = (headers: Record<string, string>, signal: AbortSignal) => Promise<Response>;

export interface VerifiedDownloadOptions {
  /** Root of the store the file is written into (its `path` is relative to it). */
  storeDir: string;
  file: ExpectedFile;
  bucket: TokenBucket;
  /** Asks the origin server for the file (with the caller's credentials). */
  originGet: MediaGet;
  signal?: AbortSignal;
  /** Called as bytes arrive, for progress. */
  onBytes?: (partBytes: number) => void;
  /** Base URL of a relay to try first (null/absent: the origin only). No credentials are sent there. */
  relayUrl?: string | null;
  /** The relay failed this file (the origin is asked next). */
  onRelayFailed?: (message: string) => void;
}

/** The relay's URL of a media file; no token ever goes there (it is a shared cache). */
export function relayMediaUrl(relayUrl: string, filePath: string): string {
  return new URL(`media/${filePath}`, relayUrl).href;
}

function relayGet(relayUrl: string, filePath: string): MediaGet {
  return async (headers, signal) => {
    try {
      return await fetch(relayMediaUrl(relayUrl, filePath), {
        headers,
        signal: AbortSignal.any([signal, AbortSignal.timeout(RELAY_ANSWER_MS)]),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      const cause = (err as { cause?: Error }).cause;
      throw new UplinkDown(`relay ${relayUrl} unreachable: ${(err as Error).message}${cause ? ` (${cause.message})` : ''}`);
    }
  };
}

/** Fetches one file, the relay first when one is given, and leaves it verified in the store (or throws). */
export async function downloadVerified(opts: VerifiedDownloadOptions): Promise<DownloadResult> {
  const { file, signal } = opts;
  if (opts.relayUrl) {
    try {
      return { ...(await fetchVerified(opts, relayGet(opts.relayUrl, file.path))), source: 'relay' };
    } catch (err) {
      if (signal?.aborted) throw err;
      opts.onRelayFailed?.(`relay ${opts.relayUrl}: ${(err as Error).message}`);
    }
  }
  return { ...(await fetchVerified(opts, opts.originGet)), source: 'origin' };
}

async function fetchVerified(
  { storeDir, file, bucket, signal, onBytes }: VerifiedDownloadOptions,
  get: MediaGet,
): Promise<Omit<DownloadResult, 'source'>> {
  const dest = storePath(storeDir, file.path);
  const part = `${dest}.part`;
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  let have = 0;
  try {
    have = (await fsp.stat(part)).size;
  } catch {
    /* no partial download */
  }
  if (have > file.size) {
    await fsp.rm(part, { force: true });
    have = 0;
  }
  const resumedFrom = have;
  let received = 0;
  let transferMs = 0;

  // A link that goes silent without closing (common on rural uplinks) would hang the download: no byte for
  // STALL_MS aborts the attempt, which resumes from the .part later.
  const stall = new AbortController();
  let stallTimer = setTimeout(() => stall.abort(), STALL_MS);
  const alive = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stall.abort(), STALL_MS);
  };
  const combined = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
  try {
    if (have < file.size) {
      let res: Response;
      try {
        // If-Range: should the server's file have changed since the .part began, it sends the whole new file.
        res = await get(have > 0 ? { range: `bytes=${have}-`, 'if-range': mediaEtag(file.sha256) } : {}, combined);
      } catch (err) {
        if (stall.signal.aborted && !signal?.aborted) throw new UplinkDown(`${file.path}: no answer for ${STALL_MS / 1000} s`);
        throw err;
      }
      if (res.status === 416) {
        // The server's copy is shorter than our .part: start over.
        await res.body?.cancel();
        await fsp.rm(part, { force: true });
        throw new VerifyFailed(`${file.path}: server refused the range from ${have}; restarting`);
      }
      // An overloaded server's Retry-After (503, 429) is passed on: the caller waits that long.
      const wait = retryAfterMs(res.headers.get('retry-after'), Date.now());
      if (res.status >= 500 || res.status === 429) {
        await res.body?.cancel();
        throw new UplinkDown(`${file.path}: server answered ${res.status}`, wait);
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel();
        throw new ServerRefused(res.status, `${file.path}: ${res.status}`);
      }
      const headersAt = performance.now();
      const append = res.status === 206 && have > 0;
      if (!append) have = 0;
      const fh = await fsp.open(part, append ? 'a' : 'w');
      try {
        if (res.body) {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
            clearTimeout(stallTimer); // waiting on our own cap is not a stall
            // Paced in small slices, so the link is used evenly and progress moves smoothly.
            for (let at = 0; at < chunk.byteLength; at += SLICE) {
              const slice = chunk.subarray(at, Math.min(at + SLICE, chunk.byteLength));
              await bucket.take(slice.byteLength);
              await fh.write(slice);
              have += slice.byteLength;
              received += slice.byteLength;
              onBytes?.(have);
            }
            alive();
            if (have > file.size) break;
          }
        }
        transferMs = performance.now() - headersAt;
        await fh.sync();
      } catch (err) {
        // Keep the .part: the next attempt resumes from what reached the disk.
        throw signal?.aborted ? err : new UplinkDown(`${file.path}: transfer cut after ${have} bytes (${(err as Error).message})`);
      } finally {
        await fh.close();
      }
    }
  } finally {
    clearTimeout(stallTimer);
  }

  const size = (await fsp.stat(part)).size;
  if (size < file.size) throw new UplinkDown(`${file.path}: transfer ended early at ${size} of ${file.size} bytes`);
  const digest = await sha256File(part);
  if (size !== file.size || digest !== file.sha256) {
    await fsp.rm(part, { force: true });
    throw new VerifyFailed(
      `${file.path}: got ${size} bytes sha256 ${digest.slice(0, 12)}…, expected ${file.size} bytes ${file.sha256.slice(0, 12)}…`,
    );
  }
  await fsp.rename(part, dest);
  await syncDir(path.dirname(dest));
  return { resumedFrom, received, transferMs };
}

/** Makes a rename durable across a power cut. */
async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
