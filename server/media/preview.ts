// Signed, expiring preview URLs for an operator to play any ready program (drafts included) in a plain player.
// The grant is a path prefix, /media/signed/<expiresMs>.<hmac>/programs/<id>/..., so the relative URIs inside the
// master and media playlists carry it to every rung and segment without rewriting the playlists.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A grant lives at least this long; its expiry is rounded up to the hour so a URL stays the same between polls. */
const PREVIEW_TTL_MS = 4 * 3600_000;
const ROUND_MS = 3600_000;
const KEY_FILE = 'media-preview.key';

/**
 * The server's preview secret: 32 random bytes in <dataDir>/media-preview.key, made once with mode 0600 and
 * read on every later start (so URLs survive a restart; delete the file to revoke every preview URL).
 */
export function loadPreviewSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, KEY_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(32).toString('hex'));
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
  if (key.length < 32) throw new Error(`${file} does not hold a 32-byte hex key: delete it and start again to make a new one.`);
  return key;
}

function mac(secret: Buffer, programId: number, expiresMs: number): string {
  return crypto.createHmac('sha256', secret).update(`preview:${programId}:${expiresMs}`).digest('base64url');
}

/** The grant path segment for a program: `<expiresMs>.<hmac>` (PURE given the secret and `nowMs`). */
export function signPreview(secret: Buffer, programId: number, nowMs: number, ttlMs = PREVIEW_TTL_MS): string {
  const expiresMs = Math.ceil((nowMs + ttlMs) / ROUND_MS) * ROUND_MS;
  return `${expiresMs}.${mac(secret, programId, expiresMs)}`;
}

/** True when `grant` was made by this server for this program and has not expired at `nowMs`. */
export function verifyPreview(secret: Buffer, programId: number, grant: string, nowMs: number): boolean {
  const m = /^(\d{1,16})\.([A-Za-z0-9_-]{43})$/.exec(grant);
  if (!m) return false;
  const expiresMs = Number(m[1]);
  if (!(expiresMs > nowMs)) return false;
  const want = Buffer.from(mac(secret, programId, expiresMs));
  const got = Buffer.from(m[2]);
  return want.length === got.length && crypto.timingSafeEqual(want, got);
}

/** URL path of a program file under a fresh grant, e.g. the master playlist for the console's player. */
export function previewPath(secret: Buffer, programId: number, file: string, nowMs: number): string {
  return `/media/signed/${signPreview(secret, programId, nowMs)}/programs/${programId}/${file}`;
}
