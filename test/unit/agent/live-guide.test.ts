// The guide the agent gives the kiosk (/local/channels): the item before now, now (with its offset) and next,
// computed from the manifest's timeline. The previous item lets the kiosk place a picture that still shows the
// end of it right after a boundary (the picture runs behind the clock).
import t from 'tap';
import type { SiteManifest } from '../../../common/manifest.ts';
import { liveNowAndNext } from '../../../player/agent/live.ts';

const T0 = Date.parse('2026-11-29T12:00:00Z');
const seg = (seconds: number) => Array.from({ length: Math.ceil(seconds / 4) }, (_, i) => Math.min(4, seconds - i * 4));

function manifest(): SiteManifest {
  const programs = { 1: { id: 1, segments: seg(60), rungs: ['240p'] }, 2: { id: 2, segments: seg(60), rungs: ['240p'] } };
  return {
    siteId: 1,
    siteName: 'hall',
    regionId: 1,
    generatedAt: T0,
    downloadWindow: '00:00-06:00',
    bandwidthKbps: 0,
    maxRung: '240p',
    provinceTz: 'Asia/Shanghai',
    required: [],
    catalogEtag: '"cat-1"',
    channels: [
      {
        id: 7,
        number: 1,
        name: 'one',
        description: '',
        titles: { 1: 'First', 2: 'Second' },
        timeline: {
          channelId: 7,
          slate: { id: 99, segments: [1, 1, 1, 1], rungs: ['240p'] },
          items: [
            { id: 1, start: T0, end: T0 + 60_000, programId: 1 },
            { id: 2, start: T0 + 60_000, end: T0 + 120_000, programId: 2 },
            { id: 3, start: T0 + 180_000, end: T0 + 240_000, programId: 3 }, // not ready: the slate plays
          ],
          programs,
          anchor: { at: T0, mediaSequence: 0, discontinuitySequence: 0 },
        },
      },
    ],
  };
}

t.test('three seconds into the second program: the first is "previous"', async (t) => {
  const g = liveNowAndNext(manifest(), 7, T0 + 63_000);
  t.same(g.previous, { programId: 1, title: 'First', start: T0, end: T0 + 60_000 });
  t.same(g.now, { programId: 2, title: 'Second', start: T0 + 60_000, end: T0 + 120_000, offsetSec: 3 });
  t.same(g.next, { programId: null, title: '', start: T0 + 180_000, end: T0 + 240_000 }, 'a program not ready shows as the slate');
});

t.test('in a gap and before anything: what is known, nothing made up', async (t) => {
  const gap = liveNowAndNext(manifest(), 7, T0 + 150_000);
  t.equal(gap.now, null);
  t.match(gap.previous, { programId: 2, end: T0 + 120_000 });
  const first = liveNowAndNext(manifest(), 7, T0 + 1000);
  t.equal(first.previous, null);
  t.same(liveNowAndNext(manifest(), 8, T0), { previous: null, now: null, next: null }, 'unknown channel');
});
