// At the centre: the channels feed of one province, the centre's channels that reach it with a week of schedule,
// items naming central program ids (the province maps them to the programs it mirrored).
import crypto from 'node:crypto';
import type { Db } from '../db/connection.ts';
import type { ChannelFeed } from '../../common/api/platforms.ts';
import { channelsForRegion, itemsBetween } from '../broadcast/repo.ts';

export const CHANNEL_FEED_AHEAD_MS = 7 * 86_400_000;

export function channelFeed(db: Db, provinceRegionId: number, nowMs: number): { feed: ChannelFeed; etag: string } {
  const from = nowMs;
  const to = nowMs + CHANNEL_FEED_AHEAD_MS;
  const channels = channelsForRegion(db, provinceRegionId).map((c) => ({
    id: c.id,
    number: c.number,
    name: c.name,
    description: c.description,
    items: itemsBetween(db, c.id, from, to).map((i) => ({
      start: new Date(i.start_at).toISOString(),
      end: new Date(i.end_at).toISOString(),
      programId: i.program_id,
      title: i.published ? i.title : null,
    })),
  }));
  // The ETag covers the channels and items, not the window's moving edges.
  const etag = `"${crypto.createHash('sha256').update(JSON.stringify(channels)).digest('hex').slice(0, 32)}"`;
  return { feed: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), channels }, etag };
}
