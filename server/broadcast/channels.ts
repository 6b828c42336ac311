// Channel writes with their rules (numbers unique, a chosen slate must exist, regions must exist; a carried channel's
// windows) and the API view.
import type { Db } from '../db/connection.ts';
import type { Config } from '../config.ts';
import { badRequest, conflict } from '../errors.ts';
import { deleteProgramRows, programBrief } from '../catalog/repo.ts';
import { removeProgramMedia } from '../media/store.ts';
import type { Channel, ChannelCreate, ChannelPatch } from '../../common/api/broadcast.ts';
import {
  assertNumberFree,
  channelRegionIds,
  deleteChannelRow,
  describeItem,
  getChannel,
  insertChannel,
  itemsEndingAfter,
  setChannelRegions,
  updateChannel,
  type ChannelRow,
} from './repo.ts';
import { xmltvId } from './guide.ts';
import { gapFiller, invalidateChannel } from './timeline-input.ts';
import { carryOf, carryView, setCarryWindows } from './carry-data.ts';
import { assertWindows, windowHolding, windowsText } from '../upstream/carried-windows.ts';

export function channelView(db: Db, c: ChannelRow, idDomain: string): Channel {
  const filler = gapFiller(db, c);
  const slate: Channel['slate'] = filler
    ? { programId: filler.program.id, source: filler.source, status: 'ready', error: null }
    : { programId: c.generated_slate_id, source: 'generated', status: c.slate_status, error: c.slate_error };
  return {
    id: c.id,
    number: c.number,
    name: c.name,
    description: c.description,
    logo: c.logo,
    regionIds: channelRegionIds(db, c.id),
    slateProgramId: c.slate_program_id,
    slate,
    xmltvId: xmltvId(c, idDomain),
    liveUrl: `/live/channels/${c.id}/master.m3u8`,
    carry: carryView(db, c.id),
    createdAt: c.created_at,
    updatedAt: c.updated_at,
  };
}

function assertSlateProgram(db: Db, programId: number | null | undefined): void {
  if (programId === null || programId === undefined) return;
  if (!programBrief(db, programId)) throw badRequest(`slateProgramId: no program ${programId}.`);
}

function cleanName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw badRequest('name must not be blank.');
  return trimmed;
}

/**
 * Creates a channel (all or nothing); it plays at once (its scheduled items, the house slate in gaps). A carried
 * channel (b.carry) is made by server/upstream/carried.ts, which calls this inside its own transaction.
 */
export function createChannel(db: Db, b: Omit<ChannelCreate, 'carry' | 'windows'>, nowMs: number): number {
  const name = cleanName(b.name);
  return db.transaction(() => {
    assertNumberFree(db, b.number);
    assertSlateProgram(db, b.slateProgramId);
    const id = insertChannel(db, { ...b, name }, nowMs);
    if (b.regionIds) setChannelRegions(db, id, b.regionIds);
    return id;
  })();
}

/**
 * New windows of a carried channel (409 not_carried on a channel of this province's own). Provincial items to come
 * must still lie inside a window (409 naming the first that would not); the caller fits the centre's items again.
 */
function changeWindows(db: Db, channelId: number, windows: NonNullable<ChannelPatch['windows']>, zone: string, nowMs: number): void {
  if (!carryOf(db, channelId))
    throw conflict(`Channel ${channelId} carries no central channel: windows are only for a carried channel.`, 'not_carried');
  assertWindows(windows);
  const stranded = itemsEndingAfter(db, channelId, nowMs).find(
    (i) => i.origin === 'local' && i.start_at > nowMs && !windowHolding(windows, zone, { start: i.start_at, end: i.end_at }),
  );
  if (stranded)
    throw conflict(
      `The provincial ${describeItem({ ...stranded, title: null })} would lie outside the new windows (${windowsText(windows)}): ` +
        'move or delete it first.',
      'outside_windows',
    );
  setCarryWindows(db, channelId, windows);
}

/** Edits a channel (all or nothing); returns the row before the edit. */
export function editChannel(db: Db, id: number, b: ChannelPatch, nowMs: number, zone: string): ChannelRow {
  const before = getChannel(db, id);
  const name = b.name === undefined ? before.name : cleanName(b.name);
  db.transaction(() => {
    if (b.windows !== undefined) changeWindows(db, before.id, b.windows, zone, nowMs);
    if (b.number !== undefined) assertNumberFree(db, b.number, before.id);
    assertSlateProgram(db, b.slateProgramId);
    updateChannel(
      db,
      before.id,
      {
        number: b.number ?? before.number,
        name,
        description: b.description ?? before.description,
        logo: b.logo !== undefined ? b.logo : before.logo,
        slate_program_id: b.slateProgramId !== undefined ? b.slateProgramId : before.slate_program_id,
      },
      nowMs,
    );
    if (b.regionIds) setChannelRegions(db, before.id, b.regionIds);
  })();
  invalidateChannel(db, before.id);
  return before;
}

/** Deletes a channel with its schedule, slots and generated card. */
export function removeChannel(db: Db, config: Config, id: number): void {
  const c = getChannel(db, id);
  db.transaction(() => {
    deleteChannelRow(db, c.id);
    if (c.generated_slate_id !== null) deleteProgramRows(db, c.generated_slate_id);
  })();
  if (c.generated_slate_id !== null) removeProgramMedia(config, c.generated_slate_id);
  invalidateChannel(db, c.id);
}
