// At a province: the centre's channels as this province may carry them, read from the centre's channels feed with
// the platform token; each item's central program is mapped to the program mirrored here (null while not mirrored).
import type { ChannelFeed, UpstreamChannels } from '../../common/api/platforms.ts';
import type { Db } from '../db/connection.ts';
import { AppError, conflict } from '../errors.ts';
import { ServerRefused, UplinkDown } from '../../common/link-errors.ts';
import { centreGet } from './centre-get.ts';
import type { UpstreamLink } from './link.ts';
import { localIdsByCentral } from './mirror-data.ts';

export async function upstreamChannels(db: Db, link: UpstreamLink): Promise<UpstreamChannels> {
  if (!link.enabled) throw conflict('This server has no UPSTREAM_URL: it follows no central platform.', 'no_upstream');
  const creds = link.credentials();
  if (!creds) {
    throw conflict(
      'This province is not paired with the centre: set UPSTREAM_PAIR_CODE to a code from the central operator and restart.',
      'not_paired',
    );
  }
  let body: ChannelFeed;
  try {
    body = (await centreGet<ChannelFeed>(creds, '/api/platforms/me/channels'))!.body;
  } catch (err) {
    // The centre down or refusing is not this server failing: say so, with the centre's own words.
    if (err instanceof UplinkDown) throw new AppError(503, 'upstream_unreachable', `${err.message}; try again later.`);
    if (err instanceof ServerRefused) throw new AppError(502, 'upstream_refused', `The centre refused: ${err.message}`);
    throw err;
  }
  const local = localIdsByCentral(db);
  return {
    ...body,
    channels: body.channels.map((c) => ({
      ...c,
      items: c.items.map((i) => ({ ...i, localProgramId: i.programId === null ? null : (local.get(i.programId) ?? null) })),
    })),
  };
}
