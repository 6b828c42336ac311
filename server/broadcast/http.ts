// Shared bits of the broadcast routes: instants in and out, JSON schemas, item views.
import { DateTime } from 'luxon';
import { badRequest } from '../errors.ts';
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
  throw badRequest(`${field} "${value}" is not a time: use ISO 8601, e.g. 2026-03-02T19:30:00+08:00 (no offset = province time), or epoch ms.`);
}

/** A local calendar date 'YYYY-MM-DD' -> the instant its day starts in the zone. */
export function parseDay(value: string, field: string, zone: string): DateTime {
  const dt = DateTime.fromISO(value, { zone });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || !dt.isValid) throw badRequest(`${field} must be a date YYYY-MM-DD, got "${value}".`);
  return dt.startOf('day');
}

export const iso = (ms: number) => new Date(ms).toISOString();

export const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1 } },
  required: ['id'],
} as const;

export const instantSchema = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] } as const;

export const itemSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    channelId: { type: 'integer' },
    programId: { type: ['integer', 'null'] },
    title: { type: ['string', 'null'] },
    start: { type: 'string', format: 'date-time' },
    end: { type: 'string', format: 'date-time' },
    slotId: { type: ['integer', 'null'] },
    state: { type: 'string', enum: ['scheduled', 'on_air', 'ended'] },
    programStatus: { type: ['string', 'null'] },
    /** Set when the slate will (or did) play instead of the program. */
    warning: { type: ['string', 'null'] },
  },
} as const;

export interface ItemView {
  id: number;
  channelId: number;
  programId: number | null;
  title: string | null;
  start: string;
  end: string;
  slotId: number | null;
  state: 'scheduled' | 'on_air' | 'ended';
  programStatus: string | null;
  warning: string | null;
}

export function itemView(row: ItemRow, nowMs: number): ItemView {
  const state = nowMs >= row.end_at ? 'ended' : nowMs >= row.start_at ? 'on_air' : 'scheduled';
  let warning: string | null = null;
  if (row.program_id === null) warning = 'The program was deleted: the slate plays.';
  else if (row.aired_as === 'slate') warning = 'The program was not ready at air time: the slate played.';
  else if (row.aired_as === null && row.status !== 'ready') {
    warning = `Program ${row.program_id} is ${row.status ?? 'missing'}: the slate plays unless it is ready by air time.`;
  }
  return {
    id: row.id,
    channelId: row.channel_id,
    programId: row.program_id,
    title: row.title,
    start: iso(row.start_at),
    end: iso(row.end_at),
    slotId: row.slot_id,
    state,
    programStatus: row.status,
    warning,
  };
}
