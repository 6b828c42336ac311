// At a province: the centre's channels as this province may carry them, read from the centre's channels feed with
// the platform token; each item's central program is mapped to the program mirrored here (null while not mirrored).
import type { ChannelFeed, UpstreamChannels } from '../../common/api/platforms.ts';
import type { Db } from '../db/connection.ts';
import { AppError, conflict } from '../errors.ts';
import { ServerRefused, UplinkDown } from '../../common/link-errors.ts';
import { centreGet } from './centre-get.ts';
import type { UpstreamLink } from './link.ts';
import { localIdsByCentral } from './mirror-data.ts';

/**
 * The centre's channels feed for this province (null: unchanged since `etag`). 409 no_upstream / not_paired when
 * there is no link to ask; 503 when the centre cannot be reached, 502 when it refuses, with its words.
 */
export async function centreChannels(
  link: UpstreamLink,
  etag: string | null = null,
): Promise<{ body: ChannelFeed; etag: string | null } | null> {
  if (!link.enabled) throw conflict('This server has no UPSTREAM_URL: it follows no central platform.', 'no_upstream');
  const creds = link.credentials();
  if (!creds) {
    throw conflict(
      'This province is not paired with the centre: set UPSTREAM_PAIR_CODE to a code from the central operator and restart.',
      'not_paired',
    );
  }
  try {
    return await centreGet<ChannelFeed>(creds, '/api/platforms/me/channels', etag);
  } catch (err) {
    // The centre down or refusing is not this server failing: say so, with the centre's own words.
    if (err instanceof UplinkDown) throw new AppError(503, 'upstream_unreachable', `${err.message}; try again later.`);
    if (err instanceof ServerRefused) throw new AppError(502, 'upstream_refused', `The centre refused: ${err.message}`);
    throw err;
  }
}

export async function upstreamChannels(db: Db, link: UpstreamLink): Promise<UpstreamChannels> {
  const { body } = (await centreChannels(link))!;
  const local = localIdsByCentral(db);
  return {
    ...body,
    channels: body.channels.map((c) => ({
      ...c,
      items: c.items.map((i) => ({ ...i, localProgramId: i.programId === null ? null : (local.get(i.programId) ?? null) })),
    })),
  };
}
