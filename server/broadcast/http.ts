// Shared bits of the broadcast routes: instants in and out, public URLs, item views.
import { DateTime } from 'luxon';
import type { FastifyRequest } from 'fastify';
import { badRequest } from '../errors.ts';
import { TBA_TITLE, type ScheduleItem } from '../../common/api/broadcast.ts';
import type { ItemRow } from './repo.ts';

/**
 * An instant from a request: ISO 8601 (with Z or an offset; without one it is read in the province's zone)
 * or epoch milliseconds.
 */
export function parseInstant(value: string | number, field: string, zone: string): number {
  if (typeof value === 'number' || /^\d{10,}$/.test(String(value))) {
    const ms = Number(value);
    if (Number.isSafeInteger(ms)) return ms;
  } else {
    const dt = DateTime.fromISO(String(value), { zone, setZone: true });
    if (dt.isValid) return dt.toMillis();
  }
  throw badRequest(
    `${field} "${value}" is not a time: use ISO 8601, e.g. 2026-03-02T19:30:00+08:00 (no offset = province time), or epoch ms.`,
  );
}

/** A local calendar date 'YYYY-MM-DD' -> the instant its day starts in the zone. */
export function parseDay(value: string, field: string, zone: string): DateTime {
  const dt = DateTime.fromISO(value, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !dt.isValid) throw badRequest(`${field} must be a date YYYY-MM-DD, got "${value}".`);
  return dt.startOf('day');
}

export const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The absolute base of URLs in cacheable public documents (/channels.m3u, /epg.xml): PUBLIC_URL when set, else
 * the Host header of the request as it reached this server (never X-Forwarded-*: anyone can send those, and a
 * cache would keep the forged links). A Host header that is not a plain host[:port] gives relative URLs.
 */
export function publicBaseUrl(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl;
  const host = req.headers.host;
  if (!host || !/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(host)) return '';
  const tls = 'encrypted' in req.raw.socket && req.raw.socket.encrypted === true;
  return `${tls ? 'https' : 'http'}://${host}`;
}

/** Whether the caller may see unpublished programs' titles (operators make and schedule them). */
export const seesDrafts = (req: FastifyRequest): boolean => req.user?.role === 'operator';

/**
 * The API view of an item. `showDrafts` false: an unpublished program's title reads TBA_TITLE (organizers,
 * the public).
 */
export function itemView(row: ItemRow, nowMs: number, showDrafts: boolean): ScheduleItem {
  const state = nowMs >= row.end_at ? 'ended' : nowMs >= row.start_at ? 'on_air' : 'scheduled';
  let warning: string | null = null;
  if (row.program_id === null) {
    warning = row.aired_as === 'program' ? 'The program was deleted after it aired.' : 'The program was deleted: the slate plays.';
  } else if (row.aired_as === 'slate') warning = 'The program was not ready or not published at air time: the slate played.';
  else if (row.aired_as === null && row.status !== 'ready') {
    warning = `Program ${row.program_id} is ${row.status ?? 'missing'}: the slate plays unless it is ready by air time.`;
  } else if (row.aired_as === null && row.published === false) {
    warning = `Program ${row.program_id} is not published: the slate plays unless it is published by air time.`;
  }
  return {
    id: row.id,
    channelId: row.channel_id,
    programId: row.program_id,
    title: row.published === false && !showDrafts ? TBA_TITLE : row.title,
    start: iso(row.start_at),
    end: iso(row.end_at),
    slotId: row.slot_id,
    state,
    programStatus: row.status,
    published: row.published,
    warning,
    origin: row.origin,
  };
}
