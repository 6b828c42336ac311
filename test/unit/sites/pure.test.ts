import t from 'tap';
import { heldRung, requiredFiles, segmentIndex, type ProgramFileRow } from '../../../server/sites/manifest-files.ts';
import { formatDownloadWindow, inDownloadWindow, nextWindowOpen, parseDownloadWindow } from '../../../common/download-window.ts';
import { CODE_ALPHABET, isWellFormedPairingCode, newPairingCode, normalizePairingCode } from '../../../server/sites/pairing-code.ts';
import { aggregateRequests, type RequestRow } from '../../../server/sites/requests.ts';
import { buildTree, pathIds } from '../../../server/sites/regions.ts';
import { planRegionImport } from '../../../server/sites/region-import.ts';
import type { ChannelTimelineInput } from '../../../common/timeline-types.ts';

t.test("held rung: highest at or below the cap, else the program's lowest", async (t) => {
  t.equal(heldRung(['720p', '480p', '360p', '240p'], '480p'), '480p');
  t.equal(heldRung(['240p', '480p'], '360p'), '240p', 'a program lacking the rung: its highest below');
  t.equal(heldRung(['360p', '240p'], '720p'), '360p');
  t.equal(heldRung(['720p'], '240p'), '720p', 'nothing at or below: its lowest');
  t.equal(heldRung([], '480p'), undefined);
  t.equal(heldRung(['1080p', '240p'], '720p'), '240p', 'unknown rung names ignored');
});

t.test('required files: each once, per-segment neededAt, window and item bounds', async (t) => {
  const files = (id: number, rungs: string[], n: number, version = 1): ProgramFileRow[] => [
    { programId: id, version, path: 'master.m3u8', rung: null, size: 1, sha256: 'm' },
    ...rungs.flatMap((r) => [
      { programId: id, version, path: `${r}/index.m3u8`, rung: r, size: 1, sha256: 'i' },
      ...Array.from({ length: n }, (_, i) => ({
        programId: id,
        version,
        path: `${r}/seg_${String(i).padStart(5, '0')}.ts`,
        rung: r,
        size: 10 + i,
        sha256: `s${i}`,
      })),
    ]),
  ];
  const slate = { id: 9, version: 1, segments: [1, 1], rungs: ['240p'] };
  const prog = { id: 1, version: 1, segments: [4, 4, 4, 4], rungs: ['480p', '240p'] };
  const channel = (items: ChannelTimelineInput['items']): ChannelTimelineInput => ({
    channelId: 1,
    slate,
    items,
    programs: { 1: prog },
    anchor: { at: 0, mediaSequence: 0, discontinuitySequence: 0 },
  });
  const input = {
    files: (p: { id: number; version?: number }) =>
      p.id === 1 ? files(1, ['480p', '240p'], 4, p.version) : p.id === 9 ? files(9, ['240p'], 2) : [],
    rungs: new Map([
      [1, '240p'],
      [9, '240p'],
    ]),
    fromMs: 10_000,
    toMs: 100_000,
  };
  const req = requiredFiles({
    ...input,
    channels: [
      channel([
        { id: 1, start: 0, end: 16_000, programId: 1 }, // on air at fromMs: segments 0-1 are past
        { id: 2, start: 50_000, end: 58_000, programId: 1 }, // cut short: segments 2-3 not played
        { id: 3, start: 60_000, end: 70_000, programId: 2 }, // not ready: slate
      ]),
      channel([{ id: 4, start: 99_000, end: 120_000, programId: 1 }]),
    ],
  });
  const by = new Map(req.map((f) => [f.path, f.neededAt]));
  t.equal(by.size, req.length, 'each file once');
  t.notOk(
    [...by.keys()].some((p) => p.includes('480p')),
    'held rung only',
  );
  t.equal(by.get('programs/1/v1/240p/seg_00000.ts'), 50_000, 'earliest airing that is still ahead');
  t.equal(by.get('programs/1/v1/240p/seg_00001.ts'), 54_000);
  t.equal(by.get('programs/1/v1/240p/seg_00002.ts'), 10_000, 'on air at the window start: needed now');
  t.equal(by.get('programs/1/v1/240p/seg_00003.ts'), 12_000);
  t.equal(by.get('programs/1/v1/240p/index.m3u8'), 10_000, 'playlists with the first segment');
  t.equal(by.get('programs/9/v1/240p/seg_00001.ts'), 10_000, 'slate needed from the window start');
  t.same(
    req.map((f) => f.neededAt),
    [...req.map((f) => f.neededAt!)].sort((a, b) => a - b),
    'sorted by need',
  );

  const none = requiredFiles({ ...input, channels: [channel([{ id: 1, start: 200_000, end: 300_000, programId: 1 }])] });
  t.same(
    none.map((f) => f.path).sort(),
    ['programs/9/v1/240p/index.m3u8', 'programs/9/v1/240p/seg_00000.ts', 'programs/9/v1/240p/seg_00001.ts', 'programs/9/v1/master.m3u8'],
    'beyond the window: only the slate',
  );
  // One channel still plays version 1 (it aired there), another already version 2: each names its own files.
  const v2 = { ...prog, version: 2, segments: [4, 4] };
  const mixed = requiredFiles({
    ...input,
    channels: [
      channel([{ id: 1, start: 0, end: 16_000, programId: 1 }]),
      { ...channel([{ id: 5, start: 20_000, end: 28_000, programId: 1 }]), programs: { 1: v2 } },
    ],
  });
  const paths = mixed.map((f) => f.path);
  t.ok(paths.includes('programs/1/v1/240p/seg_00003.ts') && paths.includes('programs/1/v2/240p/seg_00001.ts'), 'both versions named');
  t.notOk(paths.includes('programs/1/v2/240p/seg_00002.ts'), 'version 2 has only its own two segments');
  t.ok(paths.includes('programs/1/v2/master.m3u8') && paths.includes('programs/1/v1/master.m3u8'), 'each version its own playlists');
  t.equal(segmentIndex('480p/seg_00012.ts'), 12);
  t.equal(segmentIndex('480p/index.m3u8'), undefined);
});

t.test('download window', async (t) => {
  t.same(parseDownloadWindow('00:00-06:00'), { start: 0, end: 360 });
  t.same(parseDownloadWindow('22:30-5:00'), { start: 1350, end: 300 });
  t.equal(formatDownloadWindow(parseDownloadWindow('7:05-24:00')!), '07:05-00:00');
  for (const bad of ['', '6-8', '25:00-06:00', '10:60-11:00', '10:00', '10:00-24:30', 'abc'])
    t.equal(parseDownloadWindow(bad), undefined, `"${bad}" refused`);
  const wrap = parseDownloadWindow('22:00-06:00')!;
  t.ok(inDownloadWindow(wrap, 23 * 60));
  t.ok(inDownloadWindow(wrap, 60));
  t.notOk(inDownloadWindow(wrap, 6 * 60), 'end is exclusive');
  t.notOk(inDownloadWindow(wrap, 12 * 60));
  t.ok(inDownloadWindow(parseDownloadWindow('00:00-00:00')!, 12 * 60), 'equal ends: all day');

  // When it opens next, on the province's clock (Shanghai is UTC+8 all year).
  const tz = 'Asia/Shanghai';
  const utc = (iso: string) => Date.parse(iso);
  const night = parseDownloadWindow('02:00-05:00')!;
  t.equal(nextWindowOpen(night, tz, utc('2026-11-30T04:00:00Z')), utc('2026-11-30T18:00:00Z'), 'noon: tonight at 02:00');
  t.equal(nextWindowOpen(night, tz, utc('2026-11-29T17:30:00Z')), utc('2026-11-29T18:00:00Z'), '01:30: in half an hour');
  t.equal(nextWindowOpen(night, tz, utc('2026-11-29T19:00:00Z')), null, 'inside: null');
  t.equal(nextWindowOpen(night, tz, utc('2026-11-29T21:00:00Z')), utc('2026-11-30T18:00:00Z'), 'at the end (exclusive): tomorrow');
  t.equal(nextWindowOpen(wrap, tz, utc('2026-11-30T04:00:00Z')), utc('2026-11-30T14:00:00Z'), 'wrapping midnight: 22:00 today');
  t.equal(nextWindowOpen(parseDownloadWindow('00:00-00:00')!, tz, utc('2026-11-30T04:00:00Z')), null, 'all day: null');
});

t.test('pairing codes', async (t) => {
  const seen = new Set<string>();
  const malformed: string[] = [];
  for (let i = 0; i < 500; i++) {
    const code = newPairingCode();
    const n = normalizePairingCode(code);
    if (!/^[^-]{4}-[^-]{4}$/.test(code) || !isWellFormedPairingCode(n)) malformed.push(code);
    seen.add(n);
  }
  t.same(malformed, [], 'every code is 4+4 characters of the alphabet');
  t.ok(seen.size > 495, 'codes are random');
  t.notOk(/[01OIL]/.test(CODE_ALPHABET), 'no look-alike characters');
  t.equal(normalizePairingCode(' abcd-efgh '), 'ABCDEFGH');
  t.notOk(isWellFormedPairingCode('ABCD0FGH'), 'a zero is never issued');
  t.notOk(isWellFormedPairingCode('ABCDEFG'));
});

t.test('requests roll-up', async (t) => {
  const row = (siteId: number, p: number | null, topic: string | null, memberNo: string | null, at: string): RequestRow => ({
    siteId,
    siteName: `s${siteId}`,
    programId: p,
    programTitle: p ? `p${p}` : null,
    topic,
    memberNo,
    createdAt: at,
  });
  const d = aggregateRequests([
    row(1, 5, null, 'a', '2026-01-01'),
    row(1, 5, null, 'a', '2026-01-02'),
    row(2, 5, 'Pigs', 'a', '2026-01-03'),
    row(2, 6, null, null, '2026-01-04'),
    row(3, null, ' pigs ', null, '2026-01-05'),
  ]);
  t.equal(d.total, 5);
  t.match(d.programs[0], { programId: 5, count: 3, sites: 2, members: 2, lastAt: '2026-01-03' }, 'member numbers counted per site');
  t.same(d.programs[0].bySite, [
    { siteId: 1, siteName: 's1', count: 2 },
    { siteId: 2, siteName: 's2', count: 1 },
  ]);
  t.match(d.topics, [{ topic: 'Pigs', count: 2, sites: 2 }]);
  t.same(aggregateRequests([]), { total: 0, programs: [], topics: [] });
});

t.test('region helpers and import planning', async (t) => {
  t.same(pathIds('/1/4/9/'), [1, 4, 9]);
  const tree = buildTree([
    { id: 2, parentId: 1, name: 'b' },
    { id: 1, parentId: null, name: 'root' },
    { id: 3, parentId: 1, name: 'a' },
    { id: 4, parentId: 99, name: 'orphan' },
  ]);
  t.same(
    tree.map((n) => n.id),
    [4, 1],
  );
  t.same(
    tree[1].children.map((n) => n.id),
    [3, 2],
    'siblings sorted by name',
  );

  const existing = [{ id: 1, parentId: null, name: '省', level: 'province' as const }];
  const plan = planRegionImport('path,level\n省/市/县\n省/市,prefecture\n省/市/县/村,village\n', existing);
  t.equal(plan.existing, 0);
  t.same(
    plan.create.map((c) => [c.name, c.level, c.parent]),
    [
      ['市', 'prefecture', { existing: 1 }],
      ['县', 'county', { planned: 0 }],
      ['村', 'village', { planned: 1 }],
    ],
  );
  const skip = planRegionImport('path,level\n省/甲镇,township\n', existing);
  t.same(
    skip.create.map((c) => c.level),
    ['township'],
  );
  t.throws(() => planRegionImport('path\n新省/市/县/镇/村/组\n', []), /Row 2/);
  t.throws(() => planRegionImport('path,level\n省/市,village\n省/市/县\n', existing), /Row 3/, 'a child planned under a village');
});
