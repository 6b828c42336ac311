// At a province: channels that carry a central channel (issue 13). Creating one reads the centre's channels feed,
// checks the central channel reaches this province, and copies its schedule in the same transaction as the channel.
// Then the centre's schedule is read again on every mirror pass (ETag: a 304 costs nothing) and fitted again after
// every pass, so a central change follows and an item fills in once the mirror holds its program. The copy is
// plain schedule_items (origin 'central'), so the one timeline computes the channel like any other; the past and
// the item on air are never rewritten; the centre unreachable leaves the copied schedule as it is.
import type { FastifyBaseLogger } from 'fastify';
import type { ChannelCreate } from '../../common/api/broadcast.ts';
import type { CentralChannel, ChannelFeed } from '../../common/api/platforms.ts';
import type { Db } from '../db/connection.ts';
import { AppError, badRequest, unprocessable } from '../errors.ts';
import { createChannel } from '../broadcast/channels.ts';
import { carriedChannels, carryOf, insertCarry, recordCarryError, recordCarrySync } from '../broadcast/carry-data.ts';
import { deleteItemRow, insertCentralItem, itemsEndingAfter } from '../broadcast/repo.ts';
import { invalidateChannel } from '../broadcast/timeline-input.ts';
import { centreChannels } from './carry.ts';
import { assertWindows, planCarried, type CentralItem, type PlannedItem } from './carried-windows.ts';
import type { UpstreamLink } from './link.ts';
import { localIdsByCentral } from './mirror-data.ts';

const centralItems = (c: CentralChannel): CentralItem[] =>
  c.items.map((i) => ({ start: Date.parse(i.start), end: Date.parse(i.end), programId: i.programId }));

const itemKey = (i: PlannedItem) => `${i.start}|${i.end}|${i.programId}|${i.centralProgramId}`;

export class CarriedChannels {
  private etag: string | null = null;
  private feed: ChannelFeed | null = null;
  private running: Promise<void> | undefined;

  constructor(
    private readonly db: Db,
    private readonly zone: string,
    private readonly link: UpstreamLink,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** The centre's channels feed, the last one kept while the ETag holds. */
  private async readFeed(): Promise<ChannelFeed> {
    const got = await centreChannels(this.link, this.feed ? this.etag : null);
    if (got) {
      this.feed = got.body;
      this.etag = got.etag;
    }
    return this.feed!;
  }

  /** POST /api/channels with `carry`: the channel, its carry and the centre's schedule fitted in, all or nothing. */
  async create(body: ChannelCreate, nowMs: number): Promise<number> {
    const { carry, windows = [], ...own } = body;
    if (carry === undefined)
      throw badRequest('windows are only for a carried channel: give carry too (a central channel id from GET /api/upstream/channels).');
    assertWindows(windows);
    const feed = await this.readFeed();
    const central = feed.channels.find((c) => c.id === carry);
    if (!central) {
      const ids = feed.channels.map((c) => `${c.id} "${c.name}"`).join(', ');
      throw unprocessable(
        `The centre offers this province no channel ${carry}: it may carry ${ids || 'none yet'} (see GET /api/upstream/channels).`,
        'unknown_central_channel',
      );
    }
    return this.db.transaction(() => {
      const id = createChannel(this.db, own, nowMs);
      insertCarry(this.db, id, central.id, central.name, windows);
      recordCarrySync(this.db, id, central.name, centralItems(central), new Date(nowMs).toISOString());
      this.fit(id, nowMs);
      return id;
    })();
  }

  /** Reads the centre's schedule of every carried channel and fits it in again. One pass at a time. */
  sync(nowMs = Date.now()): Promise<void> {
    this.running ??= this.syncOnce(nowMs).finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncOnce(nowMs: number): Promise<void> {
    const carried = carriedChannels(this.db);
    if (!carried.length) return;
    let feed: ChannelFeed | null = null;
    try {
      feed = await this.readFeed();
    } catch (err) {
      // Channels are public (set-top boxes read them): say what happened, not the centre's address or its words.
      const code = err instanceof AppError ? err.code : '';
      const what =
        code === 'upstream_unreachable'
          ? 'The centre could not be reached'
          : code === 'upstream_refused'
            ? 'The centre refused the channels feed'
            : code === 'not_paired'
              ? 'This province is not paired with the centre'
              : "The centre's channels could not be read";
      const message = `${what} at ${new Date(nowMs).toISOString()}; the schedule already copied stands.`;
      for (const c of carried) recordCarryError(this.db, c.channelId, message);
      this.log.warn({ err }, `carried channels: ${message}`);
    }
    const at = new Date(nowMs).toISOString();
    for (const c of carried) {
      if (!feed) break;
      const central = feed.channels.find((x) => x.id === c.centralChannelId);
      if (central) recordCarrySync(this.db, c.channelId, central.name, centralItems(central), at);
      else
        recordCarryError(
          this.db,
          c.channelId,
          `The centre no longer offers channel ${c.centralChannelId} to this province; the schedule already copied stands.`,
        );
    }
    // Fitted again even when nothing was read: a mirror pass may have brought a program in.
    for (const c of carried) this.fit(c.channelId, nowMs);
  }

  /**
   * Makes the channel's central items to come match the centre's schedule as last read, fitted around the windows,
   * the items already started and the provincial items; only what differs is written. True when something changed.
   */
  fit(channelId: number, nowMs: number): boolean {
    const carry = carryOf(this.db, channelId);
    if (!carry) return false;
    let changed = false;
    this.db.transaction(() => {
      const current = itemsEndingAfter(this.db, channelId, nowMs);
      const replaceable = current.filter((i) => i.origin === 'central' && i.start_at > nowMs);
      const blocked = current.filter((i) => !replaceable.includes(i)).map((i) => ({ start: i.start_at, end: i.end_at }));
      const planned = planCarried({
        central: carry.centralItems,
        localIds: localIdsByCentral(this.db),
        windows: carry.windows,
        zone: this.zone,
        nowMs,
        blocked,
      });
      const wanted = new Set(planned.map(itemKey));
      const have = new Set<string>();
      for (const i of replaceable) {
        const key = itemKey({ start: i.start_at, end: i.end_at, programId: i.program_id, centralProgramId: i.central_program_id });
        if (wanted.has(key) && !have.has(key)) have.add(key);
        else {
          deleteItemRow(this.db, i.id);
          changed = true;
        }
      }
      for (const p of planned) {
        if (have.has(itemKey(p))) continue;
        insertCentralItem(this.db, channelId, p, nowMs);
        changed = true;
      }
    })();
    if (changed) invalidateChannel(this.db, channelId);
    return changed;
  }
}
