// Where manifests get channel timelines: the broadcast domain's timelineInputForChannel.
import { AppError } from '../errors.ts';
import type { TimelineSource } from './manifest.ts';

// TEMPORARY until server/broadcast/timeline-input.ts lands: resolved at run time so this tree compiles and
// starts meanwhile; manifests answer 503 until then.
const modulePath = '../broadcast/timeline-input.ts';

export async function loadTimelineSource(): Promise<TimelineSource> {
  try {
    const mod = (await import(modulePath)) as { timelineInputForChannel: TimelineSource };
    return mod.timelineInputForChannel;
  } catch {
    return () => {
      throw new AppError(503, 'timeline_unavailable', 'Channel timelines are not available on this server yet.');
    };
  }
}
