// Pure parts of the site agent: the download window, what to fetch in which order, what to evict.
import t from 'tap';
import type { ManifestFile, SiteCatalog, SiteManifest } from '../../../common/manifest.ts';
import { inWindowText } from '../../../player/agent/window.ts';
import { planDownloads, planEviction, protectedPaths, staleHeld, type HeldFile } from '../../../player/agent/plan.ts';
import { parseRange, restrictMaster } from '../../../player/agent/http.ts';
import { TokenBucket } from '../../../common/token-bucket.ts';

const H = 3600_000;
// 2026-11-22 00:00 in Asia/Shanghai is 2026-11-21 16:00 UTC.
const MIDNIGHT_SH = Date.UTC(2026, 10, 21, 16, 0);

t.test('download window in the province zone, wrapping midnight', async (t) => {
  const tz = 'Asia/Shanghai';
  t.ok(inWindowText('00:00-06:00', tz, MIDNIGHT_SH), '00:00 local is inside');
  t.ok(inWindowText('00:00-06:00', tz, MIDNIGHT_SH + 5.99 * H), '05:59 local is inside');
  t.notOk(inWindowText('00:00-06:00', tz, MIDNIGHT_SH + 6 * H), '06:00 local is outside (end excluded)');
  t.notOk(inWindowText('00:00-06:00', 'UTC', MIDNIGHT_SH), 'the same instant is 16:00 in UTC: outside');
  t.ok(inWindowText('22:00-05:00', tz, MIDNIGHT_SH - 1 * H), '23:00 inside a wrapping window');
  t.ok(inWindowText('22:00-05:00', tz, MIDNIGHT_SH + 4 * H), '04:00 inside a wrapping window');
  t.notOk(inWindowText('22:00-05:00', tz, MIDNIGHT_SH + 12 * H), 'noon outside a wrapping window');
  t.ok(inWindowText('00:00-24:00', tz, MIDNIGHT_SH + 13 * H), '00:00-24:00 is all day');
  t.ok(inWindowText('garbage', tz, MIDNIGHT_SH + 12 * H), 'an unparsable window never stalls downloads');
});

function file(path: string, programId: number, neededAt: number | null, size = 100): ManifestFile {
  return { path, size, sha256: `h-${path}`, programId, neededAt };
}

function manifest(required: ManifestFile[]): SiteManifest {
  return {
    siteId: 1,
    siteName: 's',
    regionId: 1,
    generatedAt: 0,
    downloadWindow: '00:00-06:00',
    bandwidthKbps: 1000,
    maxRung: '480p',
    provinceTz: 'Asia/Shanghai',
    channels: [],
    required,
    catalogEtag: '"cat-1"',
  };
}

function catalog(programs: Array<{ id: number; files: ManifestFile[] }>): SiteCatalog {
  return {
    categories: [],
    programs: programs.map((c) => ({
      id: c.id,
      title: `p${c.id}`,
      description: '',
      lecturer: '',
      category: null,
      audiences: [],
      seriesId: null,
      seriesTitle: null,
      episode: null,
      duration: 10,
      language: 'zh',
      rungs: ['240p'],
      files: c.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
    })),
  };
}

t.test('download plan: urgent first, on-demand requests, then the rest only inside the window', async (t) => {
  const now = MIDNIGHT_SH + 12 * H;
  const m = manifest([
    file('programs/1/a.ts', 1, now + 30 * 60_000),
    file('programs/2/a.ts', 2, now + 10 * H),
    file('programs/3/a.ts', 3, now + 90 * 60_000),
    file('slate/a.ts', 9, now - H),
  ]);
  const c = catalog([{ id: 5, files: [file('programs/5/a.ts', 5, null), file('programs/5/b.ts', 5, null)] }]);
  const none = new Map<string, HeldFile>();
  t.same(
    planDownloads({ manifest: m, catalog: null, held: new Map(), wanted: [5], now, inWindow: false }).filter(
      (f) => f.reason === 'on-demand',
    ),
    [],
    'a requested lecture waits for the catalog that lists its files',
  );
  const outside = planDownloads({ manifest: m, catalog: c, held: none, wanted: [5], now, inWindow: false });
  t.same(
    outside.map((f) => [f.path, f.reason]),
    [
      ['slate/a.ts', 'urgent'],
      ['programs/1/a.ts', 'urgent'],
      ['programs/3/a.ts', 'urgent'],
      ['programs/5/a.ts', 'on-demand'],
      ['programs/5/b.ts', 'on-demand'],
    ],
    'outside the window: only what airs within 2 h and what members asked for',
  );
  const inside = planDownloads({ manifest: m, catalog: c, held: none, wanted: [], now, inWindow: true });
  t.same(
    inside.map((f) => f.path),
    ['slate/a.ts', 'programs/1/a.ts', 'programs/3/a.ts', 'programs/2/a.ts'],
    'inside the window: the rest by need',
  );

  const held = new Map<string, HeldFile>([
    ['programs/1/a.ts', { path: 'programs/1/a.ts', size: 100, sha256: 'h-programs/1/a.ts', programId: 1 }],
    ['programs/3/a.ts', { path: 'programs/3/a.ts', size: 100, sha256: 'OLD', programId: 3 }],
  ]);
  const again = planDownloads({ manifest: m, catalog: c, held, wanted: [], now, inWindow: false });
  t.same(
    again.map((f) => f.path),
    ['slate/a.ts', 'programs/3/a.ts'],
    'held files are skipped; a held file with another hash is fetched again',
  );
});

t.test('stale held files and protected paths', async (t) => {
  const now = 1_000_000;
  const m = manifest([file('programs/1/a.ts', 1, now + H), file('programs/2/a.ts', 2, now + 47 * H)]);
  const c = catalog([{ id: 5, files: [file('programs/5/a.ts', 5, null)] }]);
  const held: HeldFile[] = [
    { path: 'programs/1/a.ts', size: 100, sha256: 'h-programs/1/a.ts', programId: 1 },
    { path: 'programs/5/a.ts', size: 100, sha256: 'h-programs/5/a.ts', programId: 5 },
    { path: 'programs/7/a.ts', size: 100, sha256: 'x', programId: 7 },
    { path: 'programs/5/a.ts.old', size: 100, sha256: 'x', programId: 5 },
  ];
  t.same(
    staleHeld(m, c, held).map((h) => h.path),
    ['programs/7/a.ts', 'programs/5/a.ts.old'],
  );
  const replaced = { ...held[0]!, sha256: 'OLD' };
  t.same(
    staleHeld(m, null, [...held, replaced]).map((h) => h.path),
    ['programs/1/a.ts'],
    'no catalog fetched yet: only a scheduled file with other bytes goes, held lectures stay',
  );
  t.same([...protectedPaths(m, now)].sort(), ['programs/1/a.ts', 'programs/2/a.ts']);
});

t.test('eviction: least recently watched lectures first, never protected files, whole lectures', async (t) => {
  const held: HeldFile[] = [
    { path: 'p/1/a', size: 400, sha256: '', programId: 1 }, // scheduled within 48 h
    { path: 'p/2/a', size: 100, sha256: '', programId: 2 },
    { path: 'p/2/b', size: 100, sha256: '', programId: 2 },
    { path: 'p/3/a', size: 200, sha256: '', programId: 3 },
    { path: 'p/4/a', size: 200, sha256: '', programId: 4 },
  ];
  const base = {
    held,
    protectedPaths: new Set(['p/1/a']),
    pinnedPrograms: new Set<number>(),
    lastUsed: new Map([
      [2, 300],
      [3, 100],
      [4, 200],
    ]),
  };
  const fits = planEviction({ ...base, quotaBytes: 1000, incomingBytes: 0 });
  t.same(fits, { programs: [], paths: [], fits: true }, 'under quota: nothing evicted');

  const one = planEviction({ ...base, quotaBytes: 1000, incomingBytes: 150 });
  t.same(one.programs, [3], 'the least recently watched lecture goes first');
  t.ok(one.fits);

  const two = planEviction({ ...base, quotaBytes: 1000, incomingBytes: 350 });
  t.same(two.programs, [3, 4], 'then the next least recent');
  t.same(two.paths, ['p/3/a', 'p/4/a']);

  const all = planEviction({ ...base, quotaBytes: 300, incomingBytes: 200 });
  t.same(all.programs, [3, 4, 2], 'everything evictable goes, in LRU order');
  t.notOk(all.paths.includes('p/1/a'), 'a file scheduled within 48 h is never evicted');
  t.notOk(all.fits, 'and the plan says it still does not fit');

  const futile = planEviction({ ...base, quotaBytes: 300, incomingBytes: 200, allOrNothing: true });
  t.same(futile, { programs: [], paths: [], fits: false }, 'nothing is evicted for a file that would not fit anyway');

  const pinned = planEviction({ ...base, pinnedPrograms: new Set([3]), quotaBytes: 1000, incomingBytes: 150 });
  t.same(pinned.programs, [4], 'the lecture being fetched is not evicted for itself');
});

t.test('on-demand master playlist keeps only the rungs the site holds', async (t) => {
  const master = [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    '#EXT-X-STREAM-INF:BANDWIDTH=1628000,RESOLUTION=1280x720',
    '720p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=854x480',
    '480p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=284000,RESOLUTION=426x240',
    '240p/index.m3u8',
    '',
  ].join('\n');
  const out = restrictMaster(master, ['480p', '240p']);
  t.notMatch(out, /720p/);
  t.match(out, /480p\/index\.m3u8/);
  t.match(out, /240p\/index\.m3u8/);
  t.equal(restrictMaster(master, ['1080p']), master, 'never leaves a master without variants');
});

t.test('token bucket holds a long-run rate whatever the chunk sizes', async (t) => {
  let clock = 0;
  const bucket = new TokenBucket(1000, 0.1, { now: () => clock, sleep: async (ms) => void (clock += ms) });
  for (const n of [1, 5000, 10, 300, 2000, 1689]) await bucket.take(n);
  // 9000 bytes at 1000 B/s: the last byte passes after 9 s minus what the initially empty bucket never lent.
  t.ok(clock >= 8990 && clock <= 9000, `9000 bytes at 1000 B/s took ${clock} simulated ms`);
  const free = new TokenBucket(0);
  await free.take(1e9);
  t.pass('a zero rate means unlimited');
});

t.test('byte ranges of cached media', async (t) => {
  t.same(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
  t.same(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
  t.same(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  t.same(parseRange('bytes=500-5000', 1000), { start: 500, end: 999 }, 'an end past the file is clipped');
  t.equal(parseRange('bytes=1000-', 1000), null, 'a start past the end is unsatisfiable');
  t.equal(parseRange('bytes=5-1', 1000), null);
  t.equal(parseRange('bytes=0-1,5-6', 1000), null, 'multiple ranges are not offered');
  t.equal(parseRange('items=0-1', 1000), null);
});
